"""Market-value evaluation: the score arithmetic, as pure functions with named formulas.

Policy (DOMAIN.md §3, 国办发〔2021〕26号): applied results are judged by users and the market — demand
that fits them, matches that were accepted, deals and their value, the growth of their industry — not by
counts of papers and patents. Every part of the score is a named formula over evidence the caller
collected; the result keeps each part, its weight and the evidence, so nothing is a black box.

All formulas use the half-saturation curve ``sat(x, h) = x / (x + h)`` (0 at x = 0, 0.5 at x = h, → 1),
so that one more piece of evidence always helps, with diminishing returns, and hand-checking is easy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from techbridge.domain.roles import Role
from techbridge.errors import FieldError, ValidationFailed

FORMULA_VERSION = "mv-3"


class Component(StrEnum):
    DEMAND = "demand"
    ACCEPTED_MATCHES = "accepted_matches"
    CASES = "cases"
    CONTRACTS = "contracts"
    INDUSTRY_GROWTH = "industry_growth"
    MATURITY = "maturity"
    FRESHNESS = "freshness"


# Weights sum to 1. Market evidence (demand, matches, cases, contracts) carries 0.70 of the score.
WEIGHTS: dict[Component, float] = {
    Component.DEMAND: 0.30,
    Component.ACCEPTED_MATCHES: 0.10,
    Component.CASES: 0.10,
    Component.CONTRACTS: 0.20,
    Component.INDUSTRY_GROWTH: 0.15,
    Component.MATURITY: 0.10,
    Component.FRESHNESS: 0.05,
}

# Half-saturation points: the amount of evidence that earns half of a part's points.
HALF_DEMANDS = 3.0          # demands the technology fits
HALF_BUDGET_WAN = 100.0     # their summed budgets, 万元
HALF_ACCEPTED = 2.0         # accepted matches
HALF_CASE_PROGRESS = 1.0    # cases, each counted by how far along the pipeline it is (0–1)
HALF_CONTRACTS = 1.0        # signed contracts
HALF_CONTRACT_VALUE_WAN = 100.0
HALF_GROWTH_PERCENT = 15.0  # year-on-year sales growth of the technology's sector, %
FRESHNESS_HORIZON_DAYS = 365

# The case pipeline of the cases area (domain/cases.py, DOMAIN.md §5); a case at stage i counts
# (i + 1) / len(CASE_STAGES); "completed" counts 1; "closed" (given up) and unknown stages count 0.
CASE_STAGES: tuple[str, ...] = ("discovery", "evaluation", "incubation", "matchmaking", "negotiation", "contract",
                                "registration", "pilot", "industrialisation", "benefit_sharing")
CASE_STAGE_ALIASES = {"nda": "matchmaking", "industrialization": "industrialisation"}


# A lexical match counts as demand-side evidence only when it shares a content word: function words alone
# ("the", "of", "的") are not evidence that a technology answers a demand. Semantic matches carry no terms and
# count when their similarity reaches MIN_SEMANTIC_SIMILARITY.
_FUNCTION_WORDS_TEXT = (
    "a an and are as at be by for from has have in into is it its of on or that the this to was with without "
    "which can not no we our how what when will would should than then there these those very more most "
    "的 了 和 与 及 或 在 是 一种 一个 方法 基于 研究 用于 进行 及其 以及 通过 对 中 等")
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
MIN_SEMANTIC_SIMILARITY = 0.5


def is_demand_evidence(matched_terms: Sequence[str], semantic_similarity: float | None) -> bool:
    """Whether one top-k match of a demand counts as evidence of demand for the technology."""
    if semantic_similarity is not None and semantic_similarity >= MIN_SEMANTIC_SIMILARITY:
        return True
    return any(term.lower() not in FUNCTION_WORDS and len(term) > 1 for term in matched_terms)


def sat(x: float, half: float) -> float:
    """Half-saturation ``x / (x + half)`` for x ≥ 0 (negative x counts as 0)."""
    if half <= 0:
        raise ValueError("half must be positive")
    x = max(x, 0.0)
    return x / (x + half)


def demand_points(n_demands: int, budget_wan: float) -> float:
    """100 × (½·sat(n, 3) + ½·sat(budget, 100万元))."""
    return 100.0 * (0.5 * sat(n_demands, HALF_DEMANDS) + 0.5 * sat(budget_wan, HALF_BUDGET_WAN))


def accepted_points(n_accepted: int) -> float:
    """100 × sat(accepted matches, 2)."""
    return 100.0 * sat(n_accepted, HALF_ACCEPTED)


def case_progress(stage: str) -> float:
    """How far along the pipeline one case is: (index + 1) / 10; completed 1; closed and unknown stages 0."""
    if stage == "completed":
        return 1.0
    stage = CASE_STAGE_ALIASES.get(stage, stage)
    if stage not in CASE_STAGES:
        return 0.0
    return (CASE_STAGES.index(stage) + 1) / len(CASE_STAGES)


def case_points(stages: Sequence[str]) -> float:
    """100 × sat(Σ progress of each case, 1)."""
    return 100.0 * sat(sum(case_progress(s) for s in stages), HALF_CASE_PROGRESS)


def contract_points(n_contracts: int, value_wan: float) -> float:
    """100 × (½·sat(n, 1) + ½·sat(value, 100万元))."""
    return 100.0 * (0.5 * sat(n_contracts, HALF_CONTRACTS) + 0.5 * sat(value_wan, HALF_CONTRACT_VALUE_WAN))


def growth_points(growth_percent: float) -> float:
    """100 × sat(max(growth %, 0), 15): a shrinking sector earns nothing, +15 % earns 50."""
    return 100.0 * sat(growth_percent, HALF_GROWTH_PERCENT)


def maturity_points(trl: int | None) -> float:
    """100 × (TRL − 1) / 8; an unknown TRL earns 0."""
    if trl is None:
        return 0.0
    if not 1 <= trl <= 9:
        raise ValueError("TRL must be 1–9")
    return 100.0 * (trl - 1) / 8


def freshness_points(confirmed_at: dt.date, today: dt.date) -> float:
    """100 × clamp(1 − days since the listing was last confirmed / 365, 0, 1)."""
    age = (today - confirmed_at).days
    return 100.0 * min(1.0, max(0.0, 1.0 - age / FRESHNESS_HORIZON_DAYS))


@dataclass(frozen=True)
class Evidence:
    """Everything the score is computed from, as collected by the service (plain data, no database)."""

    demand_ids: tuple[int, ...] = ()
    demand_budget_wan: float = 0.0
    accepted_matches: int = 0
    case_stages: tuple[str, ...] = ()
    contracts: int = 0
    contract_value_wan: float = 0.0
    growth_percent: float | None = None
    growth_source: str = ""
    trl: int | None = None
    confirmed_at: dt.date | None = None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "demand_ids": list(self.demand_ids), "demand_budget_wan": self.demand_budget_wan,
            "accepted_matches": self.accepted_matches, "case_stages": list(self.case_stages),
            "contracts": self.contracts, "contract_value_wan": self.contract_value_wan,
            "growth_percent": self.growth_percent, "growth_source": self.growth_source, "trl": self.trl,
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Part:
    """One component of the score: its points (0–100), weight, contribution and the formula behind it."""

    component: Component
    points: float
    weight: float
    contribution: float
    formula: str
    included: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"component": self.component.value, "points": round(self.points, 4), "weight": round(self.weight, 4),
                "contribution": round(self.contribution, 4), "formula": self.formula, "included": self.included}


@dataclass(frozen=True)
class MarketValueScore:
    total: float
    parts: tuple[Part, ...]
    evidence: Evidence
    version: str = FORMULA_VERSION
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"total": round(self.total, 4), "version": self.version, "parts": [p.as_dict() for p in self.parts],
                "evidence": self.evidence.as_dict(), "notes": list(self.notes)}


def market_value_score(evidence: Evidence, today: dt.date) -> MarketValueScore:
    """Σ weight × points over the seven components.

    The industry-growth part is left out when the field has no growth signal (not every field has one in
    the 2026 Q1 invoice data) and the other weights are scaled up to sum to 1, so a missing statistic
    neither helps nor hurts; the breakdown says so. Missing case or contract data counts as zero evidence.
    """
    raw: list[tuple[Component, float, str, bool]] = [
        (Component.DEMAND, demand_points(len(evidence.demand_ids), evidence.demand_budget_wan),
         f"100×(½·sat({len(evidence.demand_ids)} demands, 3) + ½·sat({evidence.demand_budget_wan:g} 万元, 100))",
         True),
        (Component.ACCEPTED_MATCHES, accepted_points(evidence.accepted_matches),
         f"100×sat({evidence.accepted_matches} accepted, 2)", True),
        (Component.CASES, case_points(evidence.case_stages),
         f"100×sat(Σ progress of {len(evidence.case_stages)} cases, 1)", True),
        (Component.CONTRACTS, contract_points(evidence.contracts, evidence.contract_value_wan),
         f"100×(½·sat({evidence.contracts} contracts, 1) + ½·sat({evidence.contract_value_wan:g} 万元, 100))", True),
        (Component.INDUSTRY_GROWTH,
         growth_points(evidence.growth_percent) if evidence.growth_percent is not None else 0.0,
         f"100×sat({evidence.growth_percent:g} %, 15)" if evidence.growth_percent is not None
         else "no growth signal for this field: left out, other weights rescaled",
         evidence.growth_percent is not None),
        (Component.MATURITY, maturity_points(evidence.trl),
         f"100×(TRL {evidence.trl} − 1)/8" if evidence.trl else "TRL unknown: 0", True),
        (Component.FRESHNESS, freshness_points(evidence.confirmed_at, today) if evidence.confirmed_at else 0.0,
         "100×(1 − days since confirmed/365)" if evidence.confirmed_at else "never confirmed: 0", True),
    ]
    total_weight = sum(WEIGHTS[c] for c, _p, _f, included in raw if included)
    parts: list[Part] = []
    for component, points, formula, included in raw:
        weight = WEIGHTS[component] / total_weight if included else 0.0
        parts.append(Part(component, points, weight, weight * points, formula, included))
    total = sum(p.contribution for p in parts)
    return MarketValueScore(total=total, parts=tuple(parts), evidence=evidence, notes=evidence.notes)


# ---- growth signal mapping --------------------------------------------------------------------------


@dataclass(frozen=True)
class SectorSignal:
    """One row of the mapping from an invoice-data sector onto a technology field or GB/T 4754 code."""

    sector: str
    growth_percent: float
    level: str  # "industry" (GB/T 4754 code prefix) or "field" (F01–F11)
    code: str
    reasoning: str


def growth_for(signals: Sequence[SectorSignal], industry_code: str | None,
               technology_field: str | None) -> tuple[float | None, str]:
    """The growth signal for a technology: the longest matching GB/T 4754 code prefix first (most specific),
    then its technology field; (None, reason) when neither is mapped."""
    if industry_code:
        best: SectorSignal | None = None
        for signal in signals:
            if signal.level == "industry" and industry_code.startswith(signal.code) and (
                    best is None or len(signal.code) > len(best.code)):
                best = signal
        if best is not None:
            return best.growth_percent, f"{best.sector} (GB/T 4754 {best.code})"
    if technology_field:
        for signal in signals:
            if signal.level == "field" and signal.code == technology_field:
                return signal.growth_percent, f"{signal.sector} ({technology_field})"
    return None, ""


# ---- evaluation records (self / second-party / third-party) ------------------------------------------


class EvaluationKind(StrEnum):
    SELF = "self"
    SECOND_PARTY = "second_party"
    THIRD_PARTY = "third_party"


class PricingMethod(StrEnum):
    AGREEMENT = "agreement"        # 协议定价
    LISTING = "listing"            # 挂牌交易
    AUCTION = "auction"            # 拍卖
    ASSET_APPRAISAL = "asset_appraisal"  # 资产评估


VALUE_DIMENSIONS: tuple[str, ...] = ("scientific", "technical", "economic", "social", "cultural")
RATING_FIELDS: tuple[str, ...] = ("maturity_score", "innovation_score", "advancement_score")


def validate_evaluation_record(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check an evaluation record (T/TMAC 002.F-2021 scores 0–100, five value dimensions 0–100, TRL 1–9)."""
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    kind = str(data.get("kind") or "")
    if kind not in {k.value for k in EvaluationKind}:
        errors.append(FieldError("kind", "use self, second_party or third_party"))
    out["kind"] = kind
    evaluator = str(data.get("evaluator") or "").strip()
    if not evaluator or len(evaluator) > 200:
        errors.append(FieldError("evaluator", "name who evaluated (1–200 characters)"))
    out["evaluator"] = evaluator
    trl = data.get("trl")
    out["trl"] = None
    if trl not in (None, ""):
        try:
            out["trl"] = int(str(trl))
            if not 1 <= out["trl"] <= 9:
                raise ValueError
        except ValueError:
            errors.append(FieldError("trl", "use a whole number 1–9"))
    for name in (*RATING_FIELDS, *(f"value_{d}" for d in VALUE_DIMENSIONS)):
        out[name] = _score(data.get(name), name, errors)
    estimate = data.get("market_value_wan")
    out["market_value_wan"] = None
    if estimate not in (None, ""):
        try:
            out["market_value_wan"] = float(str(estimate))
            if not 0 <= out["market_value_wan"] <= 1e8:
                raise ValueError
        except ValueError:
            errors.append(FieldError("market_value_wan", "use an amount in 万元 between 0 and 100,000,000"))
    method = data.get("pricing_method") or None
    if method is not None and method not in {m.value for m in PricingMethod}:
        errors.append(FieldError("pricing_method", "use agreement, listing, auction or asset_appraisal"))
    out["pricing_method"] = method
    report = str(data.get("report_file") or "").strip()
    if len(report) > 300:
        errors.append(FieldError("report_file", "use at most 300 characters (a file name or address)"))
    out["report_file"] = report or None
    summary = str(data.get("summary") or "").strip()
    if len(summary) > 5000:
        errors.append(FieldError("summary", "use at most 5,000 characters"))
    out["summary"] = summary or None
    if errors:
        raise ValidationFailed("The evaluation record has invalid fields", errors=errors)
    return out


def may_file_record(kind: str, roles: frozenset[Role], organisation_id: int | None, owner_id: int | None) -> bool:
    """Who may file which evaluation: self — members of the owning organisation; second party — the using
    side (technology managers, enterprise members); third party — experts. Operators may file any kind."""
    if Role.OPERATOR in roles:
        return True
    if kind == EvaluationKind.SELF.value:
        return organisation_id is not None and organisation_id == owner_id
    if kind == EvaluationKind.SECOND_PARTY.value:
        return bool(roles & {Role.TECHNOLOGY_MANAGER, Role.ENTERPRISE_MEMBER})
    return kind == EvaluationKind.THIRD_PARTY.value and Role.EXPERT in roles


def _score(value: Any, name: str, errors: list[FieldError]) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value))
    except ValueError:
        errors.append(FieldError(name, "use a number 0–100"))
        return None
    if not 0 <= number <= 100:
        errors.append(FieldError(name, "use a number 0–100"))
        return None
    return number


# ---- the count ranking (what "破四唯" argues against) ---------------------------------------------------


def _competition_ranks(values: Mapping[int, float]) -> dict[int, int]:
    """Standard competition ranking ("1224"): equal values share the best rank, so ties are not invented."""
    ordered = sorted(values.values(), reverse=True)
    first: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: first[value] for key, value in values.items()}


def count_ranks(owner_counts: Mapping[int, int], technology_owner: Mapping[int, int | None]) -> dict[int, int]:
    """Rank technologies by how many patents and papers their owner organisation has in the catalog
    (the traditional count-based view); 1 = most; technologies of the same owner share a rank."""
    return _competition_ranks({tech: float(owner_counts.get(owner or -1, 0)) for tech, owner in
                               technology_owner.items()})


def score_ranks(scores: Mapping[int, float]) -> dict[int, int]:
    """Rank by market-value score (1 = highest); equal scores share a rank."""
    return _competition_ranks(dict(scores))
