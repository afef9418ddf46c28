"""Solver discovery for a challenge call: teams (organisations) and experts (people), ranked, with reasons.

Signals, all shown to the issuer:
* teams: the matching engine's technology matches for the call text (``MatchingService.match_text``),
  summed per owner organisation over its best ``PER_ORG`` results; plus organisations that already applied
  to or were awarded in other calls of the same field (past challenge results). Contract history joins
  here once contract registration exists.
* experts: people whose expertise keywords appear in the call text, whose technology fields include the
  call's field, or who work at a proposed team's organisation. People of the issuing organisation are left
  out (they cannot solve or judge their own call).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from sqlalchemy import select

from techbridge.errors import NotFound
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import OrganisationRow, PersonRow, TechnologyRow
from techbridge.storage.tables.challenges import ChallengeApplicationRow, ChallengeAwardRow, ChallengeCallRow

PER_ORG = 3
PAST_AWARD_BONUS = 1.0


class _Match(Protocol):
    technology_id: int
    score: float

    def as_dict(self) -> dict[str, Any]: ...


class _Matcher(Protocol):
    def match_text(self, text: str, *, top: int = 10, technology_field: str | None = None) -> list[Any]: ...


def call_text(call: ChallengeCallRow) -> str:
    metrics = " ".join(f"{m.get('name', '')} {m.get('target', '')}" for m in call.metrics or [])
    return " ".join([call.title, call.title, call.background, call.goals, metrics, call.deliverables])


def propose(db: Database, matching: _Matcher, call_id: int, *, top: int = 10) -> dict[str, Any]:
    with db.read() as session:
        call = session.get(ChallengeCallRow, call_id)
        if call is None:
            raise NotFound(f"No challenge call with id {call_id}")
        text = call_text(call)
        field_code, issuer = call.technology_field, call.issuer_org_id
    return {"call_id": call_id, **propose_for_text(db, matching, text, field_code=field_code, exclude_org_id=issuer,
                                                   top=top, exclude_call_id=call_id)}


def propose_for_text(db: Database, matching: _Matcher, text: str, *, field_code: str | None,
                     exclude_org_id: int | None, top: int = 10, exclude_call_id: int | None = None) -> dict[str, Any]:
    """Teams (organisations ranked by their matching results and past awards) and experts for any need:
    a challenge call, or an enterprise's demand ("demand → experts and teams")."""
    issuer = exclude_org_id
    call_id = exclude_call_id
    matches = matching.match_text(text, top=60, technology_field=field_code)
    with db.read() as session:
        tech_ids = [m.technology_id for m in matches]
        techs = {t.id: t for t in session.scalars(select(TechnologyRow).where(TechnologyRow.id.in_(tech_ids)))}
        by_org: dict[int, list[tuple[float, Any]]] = defaultdict(list)
        for match in matches:
            tech = techs.get(match.technology_id)
            if tech is not None and tech.owner_id is not None and tech.owner_id != issuer:
                by_org[tech.owner_id].append((float(match.score), match))
        scores: dict[int, float] = {}
        reasons: dict[int, list[str]] = defaultdict(list)
        evidence: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for org_id, items in by_org.items():
            best = sorted(items, key=lambda x: -x[0])[:PER_ORG]
            scores[org_id] = sum(s for s, _m in best)
            for s, match in best:
                tech = techs[match.technology_id]
                terms = list(match.as_dict()["reasons"].get("matched_terms", []))[:5]
                evidence[org_id].append({"technology_id": tech.id, "title": tech.title, "score": round(s, 4),
                                         "matched_terms": terms})
                reasons[org_id].append(f"成果「{tech.title}」匹配: {'、'.join(terms) or '相关'}")
        past = session.execute(select(ChallengeApplicationRow.organisation_id, ChallengeCallRow.title).join(
            ChallengeAwardRow, ChallengeAwardRow.application_id == ChallengeApplicationRow.id).join(
            ChallengeCallRow, ChallengeCallRow.id == ChallengeApplicationRow.call_id).where(
            ChallengeCallRow.technology_field == field_code, ChallengeCallRow.id != (call_id or 0))).all()
        for org_id, title in past:
            if org_id != issuer:
                scores[org_id] = scores.get(org_id, 0.0) + PAST_AWARD_BONUS
                reasons[org_id].append(f"曾揭榜成功: 「{title}」")
        orgs = {o.id: o for o in session.scalars(select(OrganisationRow).where(OrganisationRow.id.in_(list(scores))))}
        teams: list[dict[str, Any]] = []
        for org_id in sorted(scores, key=lambda o: (-scores[o], o))[:top]:
            org = orgs.get(org_id)
            teams.append({"organisation_id": org_id, "name": org.name if org else "", "kind": org.kind if org else "",
                          "score": round(scores[org_id], 4), "reasons": reasons[org_id], "evidence": evidence[org_id]})
        experts = _experts(session, text, field_code, issuer, {t["organisation_id"]: t["score"] for t in teams}, top)
    return {"teams": teams, "experts": experts,
            "method": "matching engine technology matches aggregated per owner organisation + expertise overlap"}


def _experts(session: Any, text: str, field_code: str | None, issuer: int | None, team_scores: dict[int, float],
             top: int) -> list[dict[str, Any]]:
    out = []
    top_team = max(team_scores.values(), default=0.0) or 1.0
    for person in session.scalars(select(PersonRow)):
        if person.organisation_id == issuer:
            continue
        hits = [k for k in person.expertise or [] if k and k in text]
        score, why = 0.0, []
        if hits:
            score += 1.0 * len(hits)
            why.append(f"专长与榜单相关: {'、'.join(hits)}")
        if field_code and field_code in (person.technology_fields or []):
            score += 0.5
            why.append(f"技术领域 {field_code}")
        if person.organisation_id in team_scores:
            score += team_scores[person.organisation_id] / top_team
            why.append("所在单位有匹配成果")
        if score <= 0:
            continue
        roles = person.roles or []
        out.append({"person_id": person.id, "name": person.name, "organisation_id": person.organisation_id,
                    "roles": roles, "score": round(score, 4), "reasons": why,
                    "suggested_as": "reviewer" if "expert" in roles else "team member"})
    out.sort(key=lambda p: (-p["score"], p["person_id"]))
    return out[:top]


def propose_for_demand(db: Database, matching: _Matcher, demand_id: int, *, top: int = 10) -> dict[str, Any]:
    """Teams and experts for an enterprise's demand (the demand's own organisation is left out)."""
    from techbridge.storage.tables.catalog import DemandRow

    with db.read() as session:
        demand = session.get(DemandRow, demand_id)
        if demand is None:
            raise NotFound(f"No demand with id {demand_id}")
        text = " ".join(p for p in (demand.title, demand.description, demand.technical_key,
                                    " ".join(demand.keywords or [])) if p)
        field_code, owner = demand.technology_field, demand.owner_id
    return {"demand_id": demand_id, **propose_for_text(db, matching, text, field_code=field_code,
                                                       exclude_org_id=owner, top=top)}
