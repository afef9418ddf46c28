"""Fund use cases: fund profiles (investors manage their own), the fund filters, and fund ↔ project
recommendations in both directions, each with its reasons.

Text relevance comes from the foundation's matching engine (the fund's thesis and sectors matched against
the technology index); stage, ticket, region, sector and preference fit come from domain.funds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from techbridge.domain import funds as fd
from techbridge.domain.codes import code_tables
from techbridge.domain.enums import ListingStatus
from techbridge.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import TechnologyRow
from techbridge.storage.tables.funds import FundRow

CANDIDATES = 100
PUBLIC_FIELDS = ("id", "name", "owner_user_id", "organisation_id", "stages", "sectors", "regions", "ticket_min_wan",
                 "ticket_max_wan", "fund_size_wan", "hard_tech_preference", "early_stage_preference",
                 "government_guidance", "thesis", "sample_data")


def to_public(row: FundRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in PUBLIC_FIELDS}


def _profile(row: FundRow) -> fd.FundProfile:
    return fd.FundProfile(row.id, tuple(row.stages or ()), tuple(row.sectors or ()), tuple(row.regions or ()),
                          float(row.ticket_min_wan), float(row.ticket_max_wan), row.hard_tech_preference,
                          row.early_stage_preference, row.government_guidance)


def create_fund(db: Database, actor: Actor, data: dict[str, Any]) -> int:
    actor.require_login()
    if not fd.can_create_fund(actor.roles):
        raise PermissionDenied("Only investor accounts (or operators) can create fund profiles")
    values = fd.validate_fund(data)
    with db.transaction() as session:
        row = FundRow(owner_user_id=actor.user_id if actor.user_id else None,
                      organisation_id=actor.organisation_id, **values)
        session.add(row)
        session.flush()
        return row.id


def update_fund(db: Database, actor: Actor, fund_id: int, data: dict[str, Any]) -> None:
    actor.require_login()
    with db.transaction() as session:
        row = session.get(FundRow, fund_id)
        if row is None:
            raise NotFound(f"No fund with id {fund_id}")
        fd.require_fund_editor(actor.roles, actor.user_id, row.owner_user_id)
        merged = to_public(row) | dict(data)
        values = fd.validate_fund(merged)
        for key, value in values.items():
            setattr(row, key, value)


def get_fund(db: Database, fund_id: int) -> dict[str, Any]:
    with db.read() as session:
        row = session.get(FundRow, fund_id)
        if row is None:
            raise NotFound(f"No fund with id {fund_id}")
        return to_public(row)


def parse_filter(stage: str = "", technology_field: str = "", province_code: str = "", ticket_wan: str = "",
                 government_guidance: str = "", hard_tech: str = "", early_stage: str = "") -> fd.FundFilter:
    """Turn query-string values into a FundFilter, naming any value that is not understood."""
    errors: list[FieldError] = []
    tables = code_tables()
    if stage and stage not in {s.value for s in fd.InvestmentStage}:
        errors.append(FieldError("stage", "use seed, angel, early, expansion or growth"))
    if technology_field and technology_field not in tables.technology_fields:
        errors.append(FieldError("technology_field", "use a technology-field code F01–F11"))
    if province_code and province_code not in tables.provinces:
        errors.append(FieldError("province_code", "use a 6-digit province code such as 110000"))
    ticket: float | None = None
    if ticket_wan:
        try:
            ticket = float(ticket_wan)
        except ValueError:
            errors.append(FieldError("ticket_wan", "use an amount in 万元, e.g. 300"))

    def flag(name: str, value: str) -> bool | None:
        if value in ("", "any"):
            return None
        if value in ("1", "true", "yes"):
            return True
        if value in ("0", "false", "no"):
            return False
        errors.append(FieldError(name, "use true, false or leave empty"))
        return None

    flt = fd.FundFilter(stage, technology_field, province_code, ticket,
                        flag("government_guidance", government_guidance), flag("hard_tech", hard_tech),
                        flag("early_stage", early_stage))
    if errors:
        raise ValidationFailed("Unknown filter value", errors=errors)
    return flt


def list_funds(db: Database, flt: fd.FundFilter | None = None) -> list[dict[str, Any]]:
    flt = flt or fd.FundFilter()
    with db.read() as session:
        rows = session.scalars(select(FundRow).order_by(FundRow.name, FundRow.id)).all()
        return [to_public(r) for r in rows if fd.matches_filter(_profile(r), flt)]


def _fund_text(row: FundRow) -> str:
    fields = code_tables().technology_fields
    names = " ".join(fields[s].name_zh for s in row.sectors or () if s in fields)
    return " ".join(part for part in (row.thesis or "", names) if part) or row.name


def _similarities(matching: MatchingService, row: FundRow) -> dict[int, float]:
    """Engine scores for the fund's text, scaled so the best candidate is 1."""
    matches = matching.match_text(_fund_text(row), top=CANDIDATES)
    best = max((m.score for m in matches), default=0.0)
    return {m.technology_id: (m.score / best if best > 0 else 0.0) for m in matches}


def _facts(t: TechnologyRow) -> fd.ProjectFacts:
    return fd.ProjectFacts(t.id, t.trl, t.technology_field, t.province_code,
                           float(t.price_wan) if t.price_wan is not None else None)


def recommend_projects(db: Database, matching: MatchingService, fund_id: int, *, top: int = 10
                       ) -> list[dict[str, Any]]:
    """Technologies for a fund: the engine's candidates for its thesis plus every listed technology in its
    sectors, ranked by the combined fit."""
    with db.read() as session:
        fund = session.get(FundRow, fund_id)
        if fund is None:
            raise NotFound(f"No fund with id {fund_id}")
        sims = _similarities(matching, fund)
        query = select(TechnologyRow).where(TechnologyRow.status == ListingStatus.LISTED.value)
        if fund.sectors:
            query = query.where((TechnologyRow.technology_field.in_(fund.sectors)) | (TechnologyRow.id.in_(sims)))
        techs = session.scalars(query).all()
        profile = _profile(fund)
        scored = [(fd.fit(profile, _facts(t), sims.get(t.id, 0.0)), t) for t in techs]
        scored.sort(key=lambda item: (-item[0].score, item[1].id))
        return [{"technology_id": t.id, "title": t.title, "technology_field": t.technology_field, "trl": t.trl,
                 "province_code": t.province_code} | f.as_dict() for f, t in scored[:top]]


def recommend_funds(db: Database, matching: MatchingService, technology_id: int, *, top: int = 10
                    ) -> list[dict[str, Any]]:
    """Funds for a technology (project → funds), ranked by the same fit seen from the project's side."""
    with db.read() as session:
        tech = session.get(TechnologyRow, technology_id)
        if tech is None:
            raise NotFound(f"No technology with id {technology_id}")
        funds = session.scalars(select(FundRow)).all()
        facts = _facts(tech)
        scored = [(fd.fit(_profile(f), facts, _similarities(matching, f).get(technology_id, 0.0)), f) for f in funds]
        scored.sort(key=lambda item: (-item[0].score, item[1].id))
        return [{"fund_id": f.id, "name": f.name, "government_guidance": f.government_guidance} | fit.as_dict()
                for fit, f in scored[:top]]
