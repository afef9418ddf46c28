"""What each visitor sees of a challenge call: the status, facts and timeline to the public; applications,
reviews, conflicts, objections and awards to the parties (issuer, operator, panel experts, the applicant for
its own application). Pages, API and CLI all read these dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain import challenges as rules
from techbridge.domain.challenges import CallState, Party
from techbridge.errors import NotFound
from techbridge.services.actor import Actor
from techbridge.services.challenges import conflicts_for, parties, ranking, step_deadline
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.catalog import OrganisationRow
from techbridge.storage.tables.challenges import (
    ChallengeApplicationRow,
    ChallengeAwardRow,
    ChallengeCallRow,
    ChallengeEventRow,
    ChallengeInvitationRow,
    ChallengeMilestoneReviewRow,
    ChallengeMilestoneRow,
    ChallengeObjectionRow,
    ChallengePanelRow,
    ChallengeReviewRow,
)

PRIVATE_STATES = (CallState.DRAFT, CallState.SUBMITTED)
PUBLIC_EVENTS = frozenset({*rules.CALL_TRANSITIONS, "create"})


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _visible(call: ChallengeCallRow, who: frozenset[Party]) -> bool:
    return CallState(call.state) not in PRIVATE_STATES or bool(who & {Party.ISSUER, Party.OPERATOR})


def summary(call: ChallengeCallRow, org_names: dict[int, str]) -> dict[str, Any]:
    return {"id": call.id, "external_id": call.external_id, "title": call.title, "state": call.state,
            "issuer_org_id": call.issuer_org_id, "issuer": org_names.get(call.issuer_org_id, ""),
            "technology_field": call.technology_field, "deadline": _iso(call.deadline),
            "reward_fen": call.reward_fen, "reward_yuan": rules.yuan(call.reward_fen),
            "cofunding_yuan": rules.yuan(call.cofunding_fen), "sample_data": call.sample_data}


def list_calls(db: Database, actor: Actor, *, state: str = "", mine: bool = False) -> list[dict[str, Any]]:
    stmt = select(ChallengeCallRow)
    if state:
        stmt = stmt.where(ChallengeCallRow.state == state)
    with db.read() as session:
        names = dict(session.execute(select(OrganisationRow.id, OrganisationRow.name)).all())
        out = []
        for call in session.scalars(stmt.order_by(ChallengeCallRow.deadline.desc(), ChallengeCallRow.id.desc())):
            who = parties(session, actor, call)
            if not _visible(call, who) or (mine and not who & {Party.ISSUER, Party.EXPERT}):
                continue
            out.append(summary(call, names))
        return out


def call_view(db: Database, actor: Actor, call_id: int, *, today: dt.date | None = None) -> dict[str, Any]:
    with db.read() as session:
        call = session.get(ChallengeCallRow, call_id)
        who = parties(session, actor, call) if call else frozenset()
        if call is None or not _visible(call, who):
            raise NotFound(f"No challenge call with id {call_id}; check the id in the list of calls")
        names = dict(session.execute(select(OrganisationRow.id, OrganisationRow.name)).all())
        view = summary(call, names)
        milestones = list(session.scalars(select(ChallengeMilestoneRow).where(
            ChallengeMilestoneRow.call_id == call.id).order_by(ChallengeMilestoneRow.seq)))
        view.update({
            "background": call.background, "goals": call.goals, "metrics": call.metrics,
            "deliverables": call.deliverables, "period_months": call.period_months, "eligibility": call.eligibility,
            "contact": call.contact, "notice_days": call.notice_days, "notice_until": _iso(call.notice_until),
            "min_reviews": call.min_reviews, "demand_id": call.demand_id,
            "milestones": [{"id": m.id, "seq": m.seq, "title": m.title, "due_month": m.due_month,
                            "share_bp": m.share_bp, "share_percent": m.share_bp / 100, "criteria": m.criteria}
                           for m in milestones],
            "parties": sorted(p.value for p in who),
            "step_due": _step_due(session, call, today or dt.date.today()),
            "actions": rules.available_actions(CallState(call.state), who),
            "timeline": _timeline(session, call.id, detailed=bool(who & {Party.ISSUER, Party.OPERATOR})),
        })
        state = CallState(call.state)
        if state in (CallState.NOTICE, CallState.IMPLEMENTING, CallState.ACCEPTED, CallState.REWARDED) or \
                who & {Party.ISSUER, Party.OPERATOR}:
            view["ranking"] = _ranking(session, call.id, names)
        view["awards"] = _awards(session, call.id, milestones, names, today or dt.date.today())
        if who & {Party.ISSUER, Party.OPERATOR, Party.EXPERT}:
            view["applications"] = [_application(a, names) for a in _apps(session, call.id)]
            view["panel"] = _panel(session, call.id)
            view["conflicts"] = {str(e): {str(a): r for a, r in apps.items()}
                                 for e, apps in conflicts_for(session, call.id).items()}
            view["objections"] = [_objection(o) for o in session.scalars(select(ChallengeObjectionRow).where(
                ChallengeObjectionRow.call_id == call.id).order_by(ChallengeObjectionRow.id))]
            view["invitations"] = [{"organisation_id": i.organisation_id, "person_id": i.person_id, "kind": i.kind,
                                    "reasons": i.reasons, "at": _iso(i.created_at)}
                                   for i in session.scalars(select(ChallengeInvitationRow).where(
                                       ChallengeInvitationRow.call_id == call.id))]
        if Party.EXPERT in who:
            mine = session.scalars(select(ChallengeReviewRow).where(ChallengeReviewRow.expert_user_id == actor.user_id,
                                   ChallengeReviewRow.application_id.in_([a.id for a in _apps(session, call.id)])))
            view["my_reviews"] = {str(r.application_id): {"scores": r.scores, "total": str(r.total)} for r in mine}
        if Party.OPERATOR in who or Party.ISSUER in who:
            view["reviews"] = [{"application_id": r.application_id, "expert_user_id": r.expert_user_id,
                                "total": str(r.total), "scores": r.scores, "comment": r.comment}
                               for r in session.scalars(select(ChallengeReviewRow).where(
                                   ChallengeReviewRow.application_id.in_([a.id for a in _apps(session, call.id)])))]
        if Party.APPLICANT in who:
            own = session.scalar(select(ChallengeApplicationRow).where(
                ChallengeApplicationRow.call_id == call.id,
                ChallengeApplicationRow.organisation_id == actor.organisation_id))
            view["my_application"] = _application(own, names) if own else None
        view["rubric"] = [{"key": c.key, "label_zh": c.label_zh, "label_en": c.label_en, "weight": c.weight}
                          for c in rules.DEFAULT_RUBRIC]
        return view


def _step_due(session: Session, call: ChallengeCallRow, today: dt.date) -> dict[str, Any] | None:
    step = step_deadline(session, call)
    if step is None:
        return None
    return {"due_on": step[0].isoformat(), "party": step[1].value, "overdue": step[0] < today}


def _apps(session: Session, call_id: int) -> list[ChallengeApplicationRow]:
    return list(session.scalars(select(ChallengeApplicationRow).where(ChallengeApplicationRow.call_id == call_id)
                                .order_by(ChallengeApplicationRow.id)))


def _application(app: ChallengeApplicationRow, names: dict[int, str]) -> dict[str, Any]:
    return {"id": app.id, "organisation_id": app.organisation_id, "organisation": names.get(app.organisation_id, ""),
            "team_name": app.team_name, "plan": app.plan, "team": app.team, "member_person_ids": app.member_person_ids,
            "prior_technology_ids": app.prior_technology_ids, "prior_results": app.prior_results,
            "budget_yuan": rules.yuan(app.budget_fen), "status": app.status}


def _ranking(session: Session, call_id: int, names: dict[int, str]) -> list[dict[str, Any]]:
    apps = {a.id: a for a in _apps(session, call_id)}
    return [{"rank": r.rank, "application_id": r.application_id, "team_name": apps[r.application_id].team_name,
             "organisation": names.get(apps[r.application_id].organisation_id, ""),
             "score": str(r.aggregate.score) if r.aggregate.score is not None else None,
             "reviewers": r.aggregate.reviewers, "method": r.aggregate.method,
             "dropped": [str(d) for d in r.aggregate.dropped]} for r in ranking(session, call_id)]


def _awards(session: Session, call_id: int, milestones: list[ChallengeMilestoneRow],
            names: dict[int, str], today: dt.date) -> list[dict[str, Any]]:
    out = []
    shares = [m.share_bp for m in milestones]
    for award in session.scalars(select(ChallengeAwardRow).where(ChallengeAwardRow.call_id == call_id)
                                 .order_by(ChallengeAwardRow.id)):
        app = session.get(ChallengeApplicationRow, award.application_id)
        reviews = {r.milestone_id: r for r in session.scalars(select(ChallengeMilestoneReviewRow).where(
            ChallengeMilestoneReviewRow.award_id == award.id))}
        planned = rules.releases(award.amount_fen, shares) if shares else []
        out.append({
            "id": award.id, "application_id": award.application_id, "team_name": app.team_name if app else "",
            "organisation": names.get(app.organisation_id, "") if app else "", "status": award.status,
            "amount_yuan": rules.yuan(award.amount_fen), "released_yuan": rules.yuan(award.released_fen),
            "amount_fen": award.amount_fen, "released_fen": award.released_fen,
            "milestones": [{"milestone_id": m.id, "title": m.title, "planned_yuan": rules.yuan(planned[i]),
                            "due_on": rules.milestone_due(award.awarded_on, m.due_month).isoformat(),
                            "overdue": m.id not in reviews and award.status == "active"
                            and rules.milestone_due(award.awarded_on, m.due_month) < today,
                            "outcome": reviews[m.id].outcome if m.id in reviews else None,
                            "released_yuan": rules.yuan(reviews[m.id].released_fen) if m.id in reviews else None}
                           for i, m in enumerate(milestones)]})
    return out


def _panel(session: Session, call_id: int) -> list[dict[str, Any]]:
    rows = session.execute(select(UserRow.id, UserRow.display_name).join(
        ChallengePanelRow, ChallengePanelRow.expert_user_id == UserRow.id).where(ChallengePanelRow.call_id == call_id))
    return [{"user_id": uid, "name": name} for uid, name in rows]


def _objection(row: ChallengeObjectionRow) -> dict[str, Any]:
    return {"id": row.id, "application_id": row.application_id, "text": row.text, "status": row.status,
            "resolution": row.resolution, "at": _iso(row.created_at)}


def _timeline(session: Session, call_id: int, *, detailed: bool) -> list[dict[str, Any]]:
    out = []
    for event in session.scalars(select(ChallengeEventRow).where(ChallengeEventRow.call_id == call_id)
                                 .order_by(ChallengeEventRow.at, ChallengeEventRow.id)):
        if not detailed and event.action not in PUBLIC_EVENTS:
            continue
        item: dict[str, Any] = {"at": _iso(event.at), "action": event.action, "from_state": event.from_state,
                "to_state": event.to_state, "reason": event.reason}
        if detailed:
            item["user_id"] = event.user_id
            item["data"] = event.data
        out.append(item)
    return out
