"""Structured signals between a query's wishes and a document's codes, each in [0, 1] with its formula.

Why separate pure functions: each signal is shown to the user as a reason, so each must be simple
enough to state in one line, and tested on its own. A signal is None when the wish or the code is
missing: an unstated wish neither helps nor hurts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from techbridge.matching._types import MatchDocument, MatchQuery

# Province codes (first two digits of GB/T 2260) of the blocs used in national statistics.
BLOCS: dict[str, frozenset[str]] = {
    "京津冀": frozenset({"11", "12", "13"}),
    "长三角": frozenset({"31", "32", "33", "34"}),
    "粤港澳大湾区": frozenset({"44", "81", "82"}),
}


def province_of(code: str | None) -> str | None:
    """Two-digit province from any GB/T 2260 code ('110108' → '11')."""
    if not code:
        return None
    digits = code.strip()[:2]
    return digits if len(digits) == 2 and digits.isdigit() else None


def bloc_of(province: str | None) -> str | None:
    for name, members in BLOCS.items():
        if province in members:
            return name
    return None


def region_affinity(wanted: str | None, offered: str | None) -> tuple[float | None, str | None]:
    """1.0 same province; 0.6 same bloc (京津冀, 长三角, 粤港澳); 0.0 otherwise; None if either unknown."""
    pw, po = province_of(wanted), province_of(offered)
    if pw is None or po is None:
        return None, None
    if pw == po:
        return 1.0, po
    bw, bo = bloc_of(pw), bloc_of(po)
    if bw is not None and bw == bo:
        return 0.6, bw
    return 0.0, None


def shared_prefix_codes(wanted: tuple[str, ...], offered: tuple[str, ...]) -> tuple[str, ...]:
    """Codes that agree at the wanted level: 'C35' matches 'C3511' (industry codes are hierarchical)."""
    out: list[str] = []
    for w in wanted:
        wn = w.strip().upper().replace(" ", "")
        for o in offered:
            on = o.strip().upper().replace(" ", "")
            if wn and on and (on.startswith(wn) or wn.startswith(on)):
                out.append(on)
    return tuple(dict.fromkeys(out))


def ipc_agreement(wanted: tuple[str, ...], offered: tuple[str, ...]) -> tuple[float | None, tuple[str, ...]]:
    """1.0 when an IPC subclass (4 chars, e.g. H01M) is shared; 0.5 when only the class (H01) is; else 0."""
    if not wanted or not offered:
        return None, ()
    ws = {w.strip().upper()[:4] for w in wanted}
    os_ = {o.strip().upper()[:4] for o in offered}
    same = tuple(sorted(ws & os_))
    if same:
        return 1.0, same
    if {w[:3] for w in ws} & {o[:3] for o in os_}:
        return 0.5, ()
    return 0.0, ()


def maturity_fit(trl_wanted: int | None, trl: int | None) -> float | None:
    """1.0 when the result is at least as mature as wanted; minus 0.25 per missing TRL level, floor 0."""
    if trl_wanted is None or trl is None:
        return None
    if trl >= trl_wanted:
        return 1.0
    return max(0.0, 1.0 - 0.25 * (trl_wanted - trl))


def budget_fit(budget: float | None, price: float | None) -> float | None:
    """1.0 when the price fits the budget; budget/price when over; 0.5 for 面议 (no price); None without a budget."""
    if budget is None:
        return None
    if price is None:
        return 0.5
    if price <= 0 or price <= budget:
        return 1.0
    return max(0.0, budget / price)


def freshness(updated_at: date | None, today: date | None = None, half_life_days: float = 365.0) -> float | None:
    """exp(-ln2 · age / half_life): a listing confirmed a year ago counts half.

    Why: stale listings are the users' most common complaint about such platforms.
    """
    if updated_at is None:
        return None
    age = max(0, ((today or date.today()) - updated_at).days)
    return math.exp(-math.log(2) * age / half_life_days)


@dataclass(frozen=True)
class StructuredSignals:
    field: float | None
    industry: tuple[str, ...]
    industry_fit: float | None
    ipc_fit: float | None
    ipc_shared: tuple[str, ...]
    region_fit: float | None
    region: str | None
    maturity: float | None
    budget: float | None
    freshness: float | None


def structured_signals(query: MatchQuery, doc: MatchDocument, today: date | None = None) -> StructuredSignals:
    """All structured signals of one (query, document) pair."""
    field = None
    if query.technology_field and doc.technology_field:
        field = 1.0 if query.technology_field == doc.technology_field else 0.0
    industry = shared_prefix_codes(query.industry_codes, doc.industry_codes)
    industry_fit = (1.0 if industry else 0.0) if query.industry_codes and doc.industry_codes else None
    ipc_fit, ipc_shared = ipc_agreement(query.ipc_subclasses, doc.ipc_subclasses)
    region_fit, region = region_affinity(query.province, doc.province)
    return StructuredSignals(
        field=field,
        industry=industry,
        industry_fit=industry_fit,
        ipc_fit=ipc_fit,
        ipc_shared=ipc_shared,
        region_fit=region_fit,
        region=region,
        maturity=maturity_fit(query.trl_wanted, doc.trl),
        budget=budget_fit(query.budget, doc.price),
        freshness=freshness(doc.updated_at, today),
    )
