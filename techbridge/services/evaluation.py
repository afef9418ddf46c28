"""Evaluation use cases: collect each technology's market evidence, store its market-value score with the
breakdown, rank, compare with the count ranking, and keep evaluation records.

Other areas call ``evidence_changed(db, matching, technology_id)`` after something that counts as evidence
changed (a match accepted, a case moved, a contract signed); the score of that technology is recomputed in
its own transaction. ``recompute`` does all technologies (``techbridge evaluation recompute``, the seed).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from techbridge.domain import evaluation as ev
from techbridge.domain.enums import ListingStatus, TechnologyKind
from techbridge.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, TechnologyRow
from techbridge.storage.tables.evaluation import EvaluationRecordRow, MarketValueScoreRow
from techbridge.storage.tables.matching import MatchFeedbackRow

TOP_K = 10
CONTRACT_DEAD_STATUSES = ("draft", "rejected", "cancelled", "withdrawn")


@functools.cache
def sector_signals() -> tuple[ev.SectorSignal, ...]:
    """The invoice-data growth rates (data/stats) joined with our mapping onto fields and GB/T 4754 codes."""
    data = resources.files("techbridge.data")
    rates = {row["sector"]: float(row["value"]) for row in csv.DictReader(
        data.joinpath("stats", "invoice_sector_signals_2026q1.csv").read_text(encoding="utf-8-sig").splitlines())
        if row["metric"] == "销售收入同比"}
    out = []
    for row in csv.DictReader(data.joinpath("evaluation", "sector_signal_map.csv").read_text(
            encoding="utf-8").splitlines()):
        out.append(ev.SectorSignal(row["sector"], rates[row["sector"]], row["level"], row["code"], row["reasoning"]))
    return tuple(out)


def _today() -> dt.date:
    return dt.date.today()


# ---- evidence -------------------------------------------------------------------------------------------


@dataclass
class _Context:
    """Evidence gathered once for a batch of technologies."""

    demand_hits: dict[int, list[int]]
    budgets: dict[int, float]
    accepted: dict[int, int]
    cases: dict[int, list[str]]
    contracts: dict[int, tuple[int, float]]
    notes: tuple[str, ...]


def _demand_hits(db: Database, matching: MatchingService, today: dt.date) -> tuple[dict[int, list[int]],
                                                                                   dict[int, float]]:
    """Match every live demand once; a technology 'fits' a demand when it is in that demand's top 10 and the
    match shares a content word (or is semantically close): see domain.evaluation.is_demand_evidence."""
    with db.read() as session:
        demands = session.execute(select(DemandRow.id, DemandRow.budget_wan).where(
            DemandRow.status == ListingStatus.LISTED.value, DemandRow.expires_at >= today)).all()
    hits: dict[int, list[int]] = defaultdict(list)
    budgets = {int(d): float(b or 0) for d, b in demands}
    for demand_id, _budget in demands:
        for match in matching.matches_for_demand(int(demand_id), top=TOP_K):
            if ev.is_demand_evidence(match.reasons.matched_terms, match.reasons.semantic_similarity):
                hits[match.technology_id].append(int(demand_id))
    return hits, budgets


def _optional_table(session: Session, name: str, needed: tuple[str, ...]) -> set[str] | None:
    """The columns of another area's table when it exists with the columns we need, else None."""
    inspector = inspect(session.connection())
    if not inspector.has_table(name):
        return None
    columns = {c["name"] for c in inspector.get_columns(name)}
    return columns if set(needed) <= columns else None


def _cases(session: Session) -> tuple[dict[int, list[str]], str]:
    columns = _optional_table(session, "cases", ("technology_id", "stage"))
    if columns is None:
        return {}, "cases: table not present yet — counted as zero evidence"
    out: dict[int, list[str]] = defaultdict(list)
    for tech, stage in session.execute(text("SELECT technology_id, stage FROM cases WHERE technology_id IS NOT NULL")):
        out[int(tech)].append(str(stage))
    return out, "cases: read from the cases table"


def _contracts(session: Session) -> tuple[dict[int, tuple[int, float]], str]:
    """Signed contracts per technology and their 成交额 in 万元 (a filed contract was signed; drafts, rejected
    and cancelled ones do not count)."""
    from techbridge.storage.tables.contracts import ContractRow

    stmt = (select(ContractRow.technology_id, func.count(), func.coalesce(func.sum(ContractRow.price_yuan), 0))
            .where(ContractRow.technology_id.is_not(None), ContractRow.status.not_in(CONTRACT_DEAD_STATUSES))
            .group_by(ContractRow.technology_id))
    out = {int(tech or 0): (int(count), float(value or 0) / 10_000) for tech, count, value in session.execute(stmt)}
    return out, "contracts: signed (filed, not rejected or cancelled) contracts and their 成交额 from registration"


def _context(db: Database, matching: MatchingService, today: dt.date) -> _Context:
    hits, budgets = _demand_hits(db, matching, today)
    with db.read() as session:
        accepted = {int(t): int(n) for t, n in session.execute(
            select(MatchFeedbackRow.technology_id, func.count()).where(MatchFeedbackRow.decision == "accept")
            .group_by(MatchFeedbackRow.technology_id))}
        cases, case_note = _cases(session)
        contracts, contract_note = _contracts(session)
    return _Context(hits, budgets, accepted, cases, contracts, (case_note, contract_note))


def _evidence(row: TechnologyRow, ctx: _Context) -> ev.Evidence:
    demand_ids = tuple(sorted(ctx.demand_hits.get(row.id, [])))
    growth, source = ev.growth_for(sector_signals(), row.industry_code, row.technology_field)
    n_contracts, value = ctx.contracts.get(row.id, (0, 0.0))
    return ev.Evidence(
        demand_ids=demand_ids, demand_budget_wan=sum(ctx.budgets.get(d, 0.0) for d in demand_ids),
        accepted_matches=ctx.accepted.get(row.id, 0), case_stages=tuple(sorted(ctx.cases.get(row.id, []))),
        contracts=n_contracts, contract_value_wan=value, growth_percent=growth,
        growth_source=f"{source}, VAT invoice data 2026-01-01..03-25" if source else "", trl=row.trl,
        confirmed_at=row.confirmed_at, notes=ctx.notes)


def _hash(evidence: ev.Evidence, today: dt.date) -> str:
    payload = json.dumps([evidence.as_dict(), today.isoformat(), ev.FORMULA_VERSION], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class RecomputeReport:
    technologies: int
    changed: int


def recompute(db: Database, matching: MatchingService, *, technology_ids: list[int] | None = None,
              today: dt.date | None = None) -> RecomputeReport:
    """Recompute and store scores (all technologies, or the given ones); unchanged evidence is not rewritten."""
    today = today or _today()
    ctx = _context(db, matching, today)
    changed = 0
    with db.transaction() as session:
        query = select(TechnologyRow).where(TechnologyRow.status != ListingStatus.WITHDRAWN.value)
        if technology_ids is not None:
            query = query.where(TechnologyRow.id.in_(technology_ids))
        rows = session.scalars(query).all()
        stored = {s.technology_id: s for s in session.scalars(select(MarketValueScoreRow).where(
            MarketValueScoreRow.technology_id.in_([r.id for r in rows])))}
        for row in rows:
            evidence = _evidence(row, ctx)
            digest = _hash(evidence, today)
            current = stored.get(row.id)
            if current is not None and current.evidence_hash == digest:
                continue
            score = ev.market_value_score(evidence, today)
            if current is None:
                current = MarketValueScoreRow(technology_id=row.id)
                session.add(current)
            current.total, current.breakdown = score.total, score.as_dict()
            current.evidence_hash, current.version = digest, ev.FORMULA_VERSION
            current.computed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            changed += 1
    return RecomputeReport(len(rows), changed)


def evidence_changed(db: Database, matching: MatchingService, technology_id: int) -> dict[str, Any]:
    """The hook other areas call when a technology's evidence changed; returns its new score."""
    recompute(db, matching, technology_ids=[technology_id])
    return score_of(db, technology_id)


def score_of(db: Database, technology_id: int) -> dict[str, Any]:
    with db.read() as session:
        tech = session.get(TechnologyRow, technology_id)
        if tech is None:
            raise NotFound(f"No technology with id {technology_id}")
        row = session.scalar(select(MarketValueScoreRow).where(MarketValueScoreRow.technology_id == technology_id))
        if row is None:
            raise NotFound(f"Technology {technology_id} has no market-value score yet; recompute it first "
                           "(POST /api/evaluation/technologies/{id}/recompute)")
        return {"technology_id": technology_id, "title": tech.title, "total": round(row.total, 2),
                "computed_at": row.computed_at.isoformat(timespec="seconds"), "breakdown": row.breakdown}


# ---- ranking and the count comparison -------------------------------------------------------------------


def ranking(db: Database, *, technology_field: str = "", province_code: str = "", limit: int = 50
            ) -> list[dict[str, Any]]:
    """Technologies by stored market-value score, optionally within a field and a province."""
    _check_filters(technology_field, province_code)
    with db.read() as session:
        query = (select(TechnologyRow, MarketValueScoreRow.total)
                 .join(MarketValueScoreRow, MarketValueScoreRow.technology_id == TechnologyRow.id)
                 .where(TechnologyRow.status != ListingStatus.WITHDRAWN.value))
        if technology_field:
            query = query.where(TechnologyRow.technology_field == technology_field)
        if province_code:
            query = query.where(TechnologyRow.province_code.startswith(province_code[:2]))
        rows = session.execute(query.order_by(MarketValueScoreRow.total.desc(), TechnologyRow.id).limit(limit)).all()
        return [{"rank": i, "technology_id": t.id, "title": t.title, "technology_field": t.technology_field,
                 "province_code": t.province_code, "trl": t.trl, "total": round(float(total), 2)}
                for i, (t, total) in enumerate(rows, start=1)]


def _check_filters(technology_field: str, province_code: str) -> None:
    from techbridge.domain.codes import code_tables

    tables = code_tables()
    errors = []
    if technology_field and technology_field not in tables.technology_fields:
        errors.append(FieldError("technology_field", "use a technology-field code F01–F11"))
    if province_code and province_code not in tables.provinces:
        errors.append(FieldError("province_code", "use a 6-digit province code such as 110000"))
    if errors:
        raise ValidationFailed("Unknown filter value", errors=errors)


COUNT_KINDS = (TechnologyKind.PATENT.value, TechnologyKind.PAPER_RESULT.value)


def compare(db: Database, *, technology_field: str = "", province_code: str = "", limit: int = 20
            ) -> dict[str, Any]:
    """Market-value ranks beside count ranks (patents + papers of the owner organisation in our catalog) and the
    technologies where the two disagree most."""
    _check_filters(technology_field, province_code)
    with db.read() as session:
        counts = {int(o or 0): int(n) for o, n in session.execute(
            select(TechnologyRow.owner_id, func.count()).where(
                TechnologyRow.kind.in_(COUNT_KINDS), TechnologyRow.owner_id.is_not(None))
            .group_by(TechnologyRow.owner_id))}
        query = (select(TechnologyRow, MarketValueScoreRow.total)
                 .join(MarketValueScoreRow, MarketValueScoreRow.technology_id == TechnologyRow.id)
                 .where(TechnologyRow.status != ListingStatus.WITHDRAWN.value))
        if technology_field:
            query = query.where(TechnologyRow.technology_field == technology_field)
        if province_code:
            query = query.where(TechnologyRow.province_code.startswith(province_code[:2]))
        rows = session.execute(query).all()
        owners = {int(o): n for o, n in session.execute(select(OrganisationRow.id, OrganisationRow.name))}
        scores = {t.id: float(total) for t, total in rows}
        techs = {t.id: (t.title, t.owner_id) for t, _ in rows}
    by_score = ev.score_ranks(scores)
    by_count = ev.count_ranks(counts, {tid: owner for tid, (_title, owner) in techs.items()})

    def item(tid: int) -> dict[str, Any]:
        title, owner = techs[tid]
        return {"technology_id": tid, "title": title, "score": round(scores[tid], 2), "score_rank": by_score[tid],
                "owner": owners.get(owner or -1, ""), "owner_count": counts.get(owner or -1, 0),
                "count_rank": by_count[tid], "rank_difference": by_count[tid] - by_score[tid]}

    disagreements = sorted(techs, key=lambda t: (-abs(by_count[t] - by_score[t]), by_score[t]))[:limit]
    return {"definition": "count rank: technologies ordered by how many patents and paper results their owner "
                          "organisation has in this catalog (the count-based view; technologies of one owner share "
                          "a rank); score rank: market-value score; both use competition ranking (1224)",
            "total": len(techs),
            "by_score": [item(t) for t in sorted(techs, key=lambda t: (by_score[t], t))[:limit]],
            "by_count": [item(t) for t in sorted(techs, key=lambda t: (by_count[t], by_score[t], t))[:limit]],
            "disagreements": [item(t) for t in disagreements]}


# ---- evaluation records ---------------------------------------------------------------------------------


def _require_record_author(actor: Actor, kind: str, owner_id: int | None) -> None:
    actor.require_login()
    if not ev.may_file_record(kind, actor.roles, actor.organisation_id, owner_id):
        raise PermissionDenied(f"Your account cannot file a {kind} evaluation: self evaluations come from the owning "
                               "organisation, second-party from managers or enterprises, third-party from experts")


def add_record(db: Database, actor: Actor, technology_id: int, data: dict[str, Any]) -> int:
    values = ev.validate_evaluation_record(data)
    with db.transaction() as session:
        tech = session.get(TechnologyRow, technology_id)
        if tech is None:
            raise NotFound(f"No technology with id {technology_id}")
        _require_record_author(actor, values["kind"], tech.owner_id)
        row = EvaluationRecordRow(technology_id=technology_id, created_by_user_id=actor.user_id,
                                  sample_data=bool(data.get("sample_data")), **values)
        session.add(row)
        session.flush()
        return row.id


def records_for(db: Database, technology_id: int) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.scalars(select(EvaluationRecordRow).where(EvaluationRecordRow.technology_id == technology_id)
                               .order_by(EvaluationRecordRow.id)).all()
        return [{c: getattr(r, c) for c in ("id", "kind", "evaluator", "trl", *ev.RATING_FIELDS,
                                              *(f"value_{d}" for d in ev.VALUE_DIMENSIONS), "market_value_wan",
                                              "pricing_method", "report_file", "summary", "sample_data")}
                | {"created_at": r.created_at.isoformat(timespec="seconds")} for r in rows]
