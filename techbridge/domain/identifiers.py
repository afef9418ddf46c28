"""Identifier checks: the 统一社会信用代码 (GB 32100-2015) and GB/T 2260 region codes."""

from __future__ import annotations

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code, computed from the first 17."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a well-formed credit code, else what is wrong with it."""
    code = code.strip().upper()
    if len(code) != 18:
        return f"must have 18 characters, got {len(code)}"
    bad = [c for c in code if c not in CREDIT_CODE_ALPHABET]
    if bad:
        return f"contains characters not allowed in a credit code: {''.join(bad)} (I, O, S, V, Z are never used)"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r} but should be {expected!r}; re-check the code for a typo"
    return None


def region_code_problem(code: str, known_provinces: set[str]) -> str | None:
    """None when ``code`` is a 6-digit GB/T 2260 code whose province exists."""
    if len(code) != 6 or not code.isdigit():
        return f"must be a 6-digit GB/T 2260 code such as 110000 (北京), got {code!r}"
    if code[:2] + "0000" not in known_provinces:
        return f"{code!r} is not in a known province; see /api/codes/provinces"
    return None
