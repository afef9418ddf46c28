"""统一社会信用代码 (GB 32100-2015) and its embedded 组织机构代码 (GB 11714-1997).

Layout: 1 登记管理部门 | 2 机构类别 | 3–8 行政区划 (GB/T 2260) | 9–17 组织机构代码 (8 + check) | 18 check.
"""

from __future__ import annotations

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(body: str) -> str:
    """Check character of an 8-character 组织机构代码 body (GB 11714): digits 0–9, letters A=10…Z=35."""
    if len(body) != 8:
        raise ValueError(f"organisation code body must have 8 characters: {body!r}")
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def uscc_check(first17: str) -> str:
    """Check character of a 统一社会信用代码 given its first 17 characters (GB 32100)."""
    if len(first17) != 17:
        raise ValueError(f"need 17 characters: {first17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def make_uscc(registry: str, category: str, region: str, org_body: str) -> str:
    """Assemble a well-formed code from its parts, computing both check characters."""
    first17 = registry + category + region + org_body + org_code_check(org_body)
    return first17 + uscc_check(first17)
