"""Funds and investors: fund profiles, the filters investors and projects search by, and the fit rules behind
fund ↔ project recommendations.

Seed policy: let capital reach early, small, long-term, hard-tech projects. So a fund's stage, ticket and
region preferences are explicit, a project's investment stage follows from its TRL, and the fit of each rule is
shown as a reason rather than folded into one opaque number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from techbridge.domain.codes import code_tables
from techbridge.domain.roles import Role
from techbridge.errors import FieldError, PermissionDenied, ValidationFailed


class InvestmentStage(StrEnum):
    SEED = "seed"            # 种子期
    ANGEL = "angel"          # 天使期
    EARLY = "early"          # 初创期 (A 轮)
    EXPANSION = "expansion"  # 成长期 (B/C 轮)
    GROWTH = "growth"        # 扩张/成熟期 (Pre-IPO)


STAGE_ORDER: tuple[InvestmentStage, ...] = tuple(InvestmentStage)

# Which investment stage a technology is at, from its TRL (a working rule, stated so it can be argued with):
# TRL 1–3 proof of concept → seed; 4–5 lab validation → angel; 6–7 prototype/pilot → early;
# 8 trial production → expansion; 9 production with returns → growth.
TRL_TO_INVESTMENT_STAGE: dict[int, InvestmentStage] = {
    1: InvestmentStage.SEED, 2: InvestmentStage.SEED, 3: InvestmentStage.SEED,
    4: InvestmentStage.ANGEL, 5: InvestmentStage.ANGEL,
    6: InvestmentStage.EARLY, 7: InvestmentStage.EARLY,
    8: InvestmentStage.EXPANSION, 9: InvestmentStage.GROWTH,
}
EARLY_STAGES = frozenset({InvestmentStage.SEED, InvestmentStage.ANGEL, InvestmentStage.EARLY})
# Hard tech (硬科技): fields whose results are physical, capital- and time-intensive.
HARD_TECH_FIELDS = frozenset({"F01", "F02", "F03", "F05", "F06", "F08"})


@dataclass(frozen=True)
class FundFilter:
    stage: str = ""
    technology_field: str = ""
    province_code: str = ""
    ticket_wan: float | None = None
    government_guidance: bool | None = None
    hard_tech: bool | None = None
    early_stage: bool | None = None


@dataclass(frozen=True)
class FundProfile:
    """The plain-data view of a fund the fit rules read."""

    id: int
    stages: tuple[str, ...]
    sectors: tuple[str, ...]
    regions: tuple[str, ...]
    ticket_min_wan: float
    ticket_max_wan: float
    hard_tech_preference: bool
    early_stage_preference: bool
    government_guidance: bool


def matches_filter(fund: FundProfile, flt: FundFilter) -> bool:
    """Whether a fund passes every filter that is set (an empty region list means nationwide)."""
    if flt.stage and flt.stage not in fund.stages:
        return False
    if flt.technology_field and fund.sectors and flt.technology_field not in fund.sectors:
        return False
    if flt.province_code and fund.regions and flt.province_code[:2] not in {r[:2] for r in fund.regions}:
        return False
    if flt.ticket_wan is not None and not fund.ticket_min_wan <= flt.ticket_wan <= fund.ticket_max_wan:
        return False
    if flt.government_guidance is not None and fund.government_guidance != flt.government_guidance:
        return False
    if flt.hard_tech is not None and fund.hard_tech_preference != flt.hard_tech:
        return False
    return flt.early_stage is None or fund.early_stage_preference == flt.early_stage


@dataclass(frozen=True)
class ProjectFacts:
    """What the fit rules need to know about a project (a technology listing)."""

    technology_id: int
    trl: int | None
    technology_field: str | None
    province_code: str | None
    ask_wan: float | None  # the listing price, read as the amount the project seeks


@dataclass(frozen=True)
class Fit:
    """Each rule's fit in [0, 1] and the combined score; reasons are (key, detail) pairs for the UI."""

    text: float
    stage: float
    ticket: float
    region: float
    sector: float
    preference: float
    score: float
    reasons: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "text": round(self.text, 4), "stage": self.stage,
                "ticket": self.ticket, "region": self.region, "sector": self.sector, "preference": self.preference,
                "reasons": [{"rule": k, "detail": d} for k, d in self.reasons]}


# score = 0.35·text + 0.20·stage + 0.15·ticket + 0.10·region + 0.10·sector + 0.10·preference
FIT_WEIGHTS = {"text": 0.35, "stage": 0.20, "ticket": 0.15, "region": 0.10, "sector": 0.10, "preference": 0.10}


def stage_fit(fund_stages: Sequence[str], trl: int | None) -> tuple[float, str]:
    """1 when the project's stage is one the fund invests in, 0.5 one stage away, else 0; unknown TRL 0.5."""
    if trl is None:
        return 0.5, "TRL unknown"
    stage = TRL_TO_INVESTMENT_STAGE[trl]
    if stage.value in fund_stages:
        return 1.0, f"TRL {trl} → {stage.value}, a stage the fund invests in"
    position = STAGE_ORDER.index(stage)
    near = [s for s in fund_stages if s in STAGE_ORDER and abs(STAGE_ORDER.index(InvestmentStage(s)) - position) == 1]
    if near:
        return 0.5, f"TRL {trl} → {stage.value}, next to the fund's stage {near[0]}"
    return 0.0, f"TRL {trl} → {stage.value}, outside the fund's stages"


def ticket_fit(low: float, high: float, ask: float | None) -> tuple[float, str]:
    """1 inside the ticket range; falls off linearly to 0 at half the minimum or twice the maximum."""
    if ask is None:
        return 0.5, "amount sought unknown (面议)"
    if low <= ask <= high:
        return 1.0, f"{ask:g} 万元 is within the ticket {low:g}–{high:g} 万元"
    if ask < low:
        value = max(0.0, (ask - low / 2) / (low / 2)) if low > 0 else 0.0
        return value, f"{ask:g} 万元 is below the minimum ticket {low:g} 万元"
    value = max(0.0, (2 * high - ask) / high) if high > 0 else 0.0
    return value, f"{ask:g} 万元 is above the maximum ticket {high:g} 万元"


def region_fit(regions: Sequence[str], province: str | None) -> tuple[float, str]:
    if not regions:
        return 1.0, "the fund invests nationwide"
    if province and province[:2] in {r[:2] for r in regions}:
        return 1.0, f"{province} is in the fund's regions"
    return 0.0, "outside the fund's regions" if province else "project region unknown"


def fit(fund: FundProfile, project: ProjectFacts, text_similarity: float) -> Fit:
    """Combine the matching engine's text similarity (0–1) with stage, ticket, region, sector and preference fit."""
    stage, stage_reason = stage_fit(fund.stages, project.trl)
    ticket, ticket_reason = ticket_fit(fund.ticket_min_wan, fund.ticket_max_wan, project.ask_wan)
    region, region_reason = region_fit(fund.regions, project.province_code)
    if not fund.sectors:
        sector, sector_reason = 1.0, "the fund has no sector restriction"
    elif project.technology_field in fund.sectors:
        sector, sector_reason = 1.0, f"field {project.technology_field} is one of the fund's sectors"
    else:
        sector, sector_reason = 0.0, "field outside the fund's sectors"
    wants, meets = 0, 0
    notes = []
    if fund.hard_tech_preference:
        wants += 1
        if project.technology_field in HARD_TECH_FIELDS:
            meets += 1
            notes.append("hard tech")
    if fund.early_stage_preference:
        wants += 1
        if project.trl is not None and TRL_TO_INVESTMENT_STAGE[project.trl] in EARLY_STAGES:
            meets += 1
            notes.append("early stage")
    preference = meets / wants if wants else 1.0
    pref_reason = ("meets the fund's preference for " + " and ".join(notes)) if notes else (
        "no stated preference" if not wants else "does not meet the fund's hard-tech/early-stage preference")
    parts = {"text": text_similarity, "stage": stage, "ticket": ticket, "region": region, "sector": sector,
             "preference": preference}
    score = sum(FIT_WEIGHTS[k] * v for k, v in parts.items())
    reasons = (("text", f"matching engine similarity {text_similarity:.2f}"), ("stage", stage_reason),
               ("ticket", ticket_reason), ("region", region_reason), ("sector", sector_reason),
               ("preference", pref_reason))
    return Fit(text_similarity, stage, ticket, region, sector, preference, score, reasons)


# ---- validation and policy ------------------------------------------------------------------------------


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace("，", ",").replace(";", ",").split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def _amount(value: Any, name: str, errors: list[FieldError]) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value))
    except ValueError:
        errors.append(FieldError(name, "use an amount in 万元, e.g. 500"))
        return None
    if not 0 <= number <= 1e9:
        errors.append(FieldError(name, "use an amount in 万元 between 0 and 1,000,000,000"))
        return None
    return number


def validate_fund(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a fund profile; every problem names its field and the fix."""
    errors: list[FieldError] = []
    tables = code_tables()
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 200:
        errors.append(FieldError("name", "give the fund's name (1–200 characters)"))
    stages = _list(data.get("stages"))
    bad = [s for s in stages if s not in {m.value for m in InvestmentStage}]
    if not stages or bad:
        errors.append(FieldError("stages", "choose one or more of seed, angel, early, expansion, growth"))
    sectors = _list(data.get("sectors"))
    if [s for s in sectors if s not in tables.technology_fields]:
        errors.append(FieldError("sectors", "use technology-field codes F01–F11"))
    regions = _list(data.get("regions"))
    if [r for r in regions if r not in tables.provinces]:
        errors.append(FieldError("regions", "use 6-digit province codes such as 110000; leave empty for nationwide"))
    low = _amount(data.get("ticket_min_wan"), "ticket_min_wan", errors)
    high = _amount(data.get("ticket_max_wan"), "ticket_max_wan", errors)
    if low is None and not any(e.field == "ticket_min_wan" for e in errors):
        errors.append(FieldError("ticket_min_wan", "give the smallest investment in 万元"))
    if high is None and not any(e.field == "ticket_max_wan" for e in errors):
        errors.append(FieldError("ticket_max_wan", "give the largest investment in 万元"))
    if low is not None and high is not None and low > high:
        errors.append(FieldError("ticket_max_wan", "is below ticket_min_wan; swap them"))
    size = _amount(data.get("fund_size_wan"), "fund_size_wan", errors)
    if size is not None and high is not None and size < high:
        errors.append(FieldError("fund_size_wan", "is smaller than the largest ticket; check both amounts"))
    thesis = str(data.get("thesis") or "").strip()
    if len(thesis) > 5000:
        errors.append(FieldError("thesis", "use at most 5,000 characters"))
    if errors:
        raise ValidationFailed("The fund profile has invalid fields", errors=errors)
    return {"name": name, "stages": stages, "sectors": sectors, "regions": regions, "ticket_min_wan": low,
            "ticket_max_wan": high, "fund_size_wan": size, "thesis": thesis or None,
            "hard_tech_preference": _bool(data.get("hard_tech_preference")),
            "early_stage_preference": _bool(data.get("early_stage_preference")),
            "government_guidance": _bool(data.get("government_guidance")),
            "sample_data": _bool(data.get("sample_data"))}


def can_create_fund(roles: frozenset[Role]) -> bool:
    return bool(roles & {Role.INVESTOR, Role.OPERATOR})


def require_fund_editor(roles: frozenset[Role], user_id: int | None, owner_user_id: int | None) -> None:
    """An investor manages their own fund profile; operators manage any."""
    if Role.OPERATOR in roles or (user_id is not None and user_id == owner_user_id):
        return
    raise PermissionDenied("Only the investor who owns this fund profile (or an operator) may change it")
