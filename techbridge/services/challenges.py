"""揭榜挂帅 use cases: draft and review a call, applications, the expert panel with conflict-of-interest
exclusion, the ranking, public notice with objections, award (one team or several: 赛马), milestone reviews
releasing staged funding, final acceptance, reward or termination.

Every step checks the transition table in techbridge.domain.challenges, runs in one transaction, writes an
audit event and notifies the people concerned. ``today`` can be passed for tests and replays; it defaults to
the UTC date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.domain import challenges as rules
from techbridge.domain.challenges import CallDates, CallState, Party
from techbridge.domain.roles import Role
from techbridge.errors import Conflict, FieldError, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from techbridge.services import notifications
from techbridge.services._challenge_input import clean_application, clean_call
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.catalog import OrganisationRow, PersonRow, TechnologyRow
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

ISSUER_ORG_KINDS = ("government", "enterprise")


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _call(session: Session, call_id: int) -> ChallengeCallRow:
    row = session.get(ChallengeCallRow, call_id)
    if row is None:
        raise NotFound(f"No challenge call with id {call_id}; check the id in the list of calls")
    return row


def parties(session: Session, actor: Actor, call: ChallengeCallRow) -> frozenset[Party]:
    """How ``actor`` relates to ``call`` (the policy behind every check)."""
    if not actor.is_authenticated:
        return frozenset()
    found = {Party.PUBLIC}
    if actor.is_operator:
        found.add(Party.OPERATOR)
    if actor.organisation_id is not None:
        found.add(Party.ISSUER if actor.organisation_id == call.issuer_org_id else Party.APPLICANT)
    if Role.EXPERT in actor.roles and session.scalar(select(ChallengePanelRow.id).where(
            ChallengePanelRow.call_id == call.id, ChallengePanelRow.expert_user_id == actor.user_id)):
        found.add(Party.EXPERT)
    return frozenset(found)


def _dates(call: ChallengeCallRow) -> CallDates:
    return CallDates(call.deadline, call.notice_until)


def step_deadline(session: Session, call: ChallengeCallRow) -> tuple[dt.date, Party] | None:
    """When the step out of the call's current state is due and who owes it (from the state's entry date)."""
    entered = session.scalar(select(func.max(ChallengeEventRow.at)).where(
        ChallengeEventRow.call_id == call.id, ChallengeEventRow.to_state == call.state))
    return rules.step_due(CallState(call.state), (entered or call.created_at).date(), _dates(call))


def _event(session: Session, call: ChallengeCallRow, actor: Actor, action: str, *, today: dt.date | None,
           from_state: str | None = None, to_state: str | None = None, reason: str = "",
           data: dict[str, Any] | None = None) -> None:
    """Audit one step. A step replayed for a given ``today`` (tests, the demo) is dated that day."""
    now = utcnow()
    at = now if today is None else dt.datetime.combine(today, now.time())
    session.add(ChallengeEventRow(call_id=call.id, user_id=actor.user_id, action=action, from_state=from_state,
                                  to_state=to_state, reason=reason, data=data or {}, at=at))


def _applicant_users(session: Session, call_id: int) -> list[int]:
    users: list[int] = []
    for org in session.scalars(select(ChallengeApplicationRow.organisation_id).where(
            ChallengeApplicationRow.call_id == call_id)):
        users += notifications.users_of_organisation(session, org)
    return users


# ---------------------------------------------------------------- drafting

def create_call(db: Database, actor: Actor, data: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """An issuer (member of a government body or an enterprise) drafts a call for their organisation; an
    operator may draft one for any such organisation (``issuer_org_id``)."""
    actor.require_login()
    values = clean_call(data)
    milestones = values.pop("milestones")
    with db.transaction() as session:
        org_id = values.pop("issuer_org_id", None) or actor.organisation_id
        if org_id is None:
            raise ValidationFailed("Who issues the call?", errors=[FieldError(
                "issuer_org_id", "your account has no organisation; an operator must name the issuer")])
        if org_id != actor.organisation_id and not actor.is_operator:
            raise PermissionDenied("You may only issue calls for your own organisation")
        org = session.get(OrganisationRow, org_id)
        if org is None or org.kind not in ISSUER_ORG_KINDS:
            raise ValidationFailed("This organisation cannot issue calls", errors=[FieldError(
                "issuer_org_id", "calls are issued by a government body or an enterprise (链主企业)")])
        call = ChallengeCallRow(issuer_org_id=org_id, created_by_user_id=actor.user_id or None,
                                state=CallState.DRAFT.value, **values)
        session.add(call)
        session.flush()
        _save_milestones(session, call.id, milestones)
        _event(session, call, actor, "create", today=today, to_state=CallState.DRAFT.value)
        return int(call.id)


def _save_milestones(session: Session, call_id: int, milestones: Sequence[Mapping[str, Any]]) -> None:
    for old in session.scalars(select(ChallengeMilestoneRow).where(ChallengeMilestoneRow.call_id == call_id)):
        session.delete(old)
    session.flush()
    for seq, item in enumerate(milestones, start=1):
        session.add(ChallengeMilestoneRow(call_id=call_id, seq=seq, title=item["title"], due_month=item["due_month"],
                                          share_bp=item["share_bp"], criteria=item.get("criteria", "")))


def update_call(db: Database, actor: Actor, call_id: int, data: Mapping[str, Any], *,
                today: dt.date | None = None) -> None:
    values = clean_call(data, partial=True)
    values.pop("issuer_org_id", None)
    with db.transaction() as session:
        call = _call(session, call_id)
        rules.check_activity("edit", CallState(call.state), parties(session, actor, call), _dates(call),
                             today or today_utc())
        milestones = values.pop("milestones", None)
        for key, value in values.items():
            setattr(call, key, value)
        if milestones is not None:
            _save_milestones(session, call.id, milestones)
        changed = sorted(values) + (["milestones"] if milestones else [])
        _event(session, call, actor, "edit", today=today, data={"fields": changed})


# ---------------------------------------------------------------- transitions

def transition(db: Database, actor: Actor, call_id: int, action: str, *, reason: str = "",
               winners: Sequence[int] = (), amounts_fen: Sequence[int] | None = None,
               today: dt.date | None = None) -> str:
    """Take one workflow step; returns the new state. ``winners`` (application ids, best first) and
    optionally ``amounts_fen`` are for ``award``."""
    actor.require_login()
    on = today or today_utc()
    with db.transaction() as session:
        call = _call(session, call_id)
        before = CallState(call.state)
        target = rules.check_transition(action, before, parties(session, actor, call), _dates(call), on, reason)
        data: dict[str, Any] = {}
        if action == "start_notice":
            data = _start_notice(session, call, on)
        elif action == "reopen_review":
            call.notice_until = None
        elif action == "award":
            data = _award(session, call, winners, amounts_fen, on)
        elif action == "accept":
            if not session.scalar(select(ChallengeAwardRow.id).where(
                    ChallengeAwardRow.call_id == call.id, ChallengeAwardRow.status == "completed")):
                raise IllegalTransition("Cannot accept: no awarded team has passed all its milestones yet")
        elif action == "terminate":
            for award in session.scalars(select(ChallengeAwardRow).where(
                    ChallengeAwardRow.call_id == call.id, ChallengeAwardRow.status == "active")):
                award.status = "terminated"
        call.state = target.value
        _event(session, call, actor, action, today=today, from_state=before.value, to_state=target.value,
               reason=reason, data=data)
        title = f"揭榜挂帅「{call.title}」: {rules.ACTION_LABELS_ZH[action]}"
        audience = notifications.users_of_organisation(session, call.issuer_org_id)
        if action in ("submit",):
            audience += notifications.operators(session)
        if action in ("close_applications", "start_notice", "award", "terminate", "accept", "pay_reward"):
            audience += _applicant_users(session, call.id)
        notifications.notify(session, audience, "state_change", title, body=reason,
                             link=f"/challenges/{call.id}", skip=actor.user_id)
        return target.value


def _start_notice(session: Session, call: ChallengeCallRow, on: dt.date) -> dict[str, Any]:
    apps = _eligible(session, call.id)
    if not apps:
        raise IllegalTransition("Cannot publish a ranking without applications; terminate the call instead")
    counts = dict(session.execute(select(ChallengeReviewRow.application_id, func.count()).where(
        ChallengeReviewRow.application_id.in_([a.id for a in apps])).group_by(
        ChallengeReviewRow.application_id)).all())
    short = [a.id for a in apps if counts.get(a.id, 0) < call.min_reviews]
    if short:
        raise IllegalTransition(f"Applications {', '.join(map(str, short))} have fewer than {call.min_reviews} "
                                "reviews; assign more experts or wait for their scores")
    call.notice_until = on + dt.timedelta(days=call.notice_days)
    return {"notice_until": call.notice_until.isoformat(),
            "ranking": [{"application_id": r.application_id, "rank": r.rank, "score": str(r.aggregate.score)}
                        for r in ranking(session, call.id)]}


def _award(session: Session, call: ChallengeCallRow, winners: Sequence[int], amounts_fen: Sequence[int] | None,
           on: dt.date) -> dict[str, Any]:
    if session.scalar(select(ChallengeObjectionRow.id).where(
            ChallengeObjectionRow.call_id == call.id, ChallengeObjectionRow.status == "open")):
        raise IllegalTransition("Cannot award while an objection is open; the operator resolves it first")
    eligible = {a.id: a for a in _eligible(session, call.id)}
    if not winners:
        raise ValidationFailed("No winner chosen", errors=[FieldError("winners", "choose at least one application")])
    wrong = [w for w in winners if w not in eligible]
    if wrong or len(set(winners)) != len(winners):
        raise ValidationFailed("Unknown winners", errors=[FieldError(
            "winners", f"{wrong or 'duplicates'}: choose each application of this call once")])
    if amounts_fen is None:
        amounts = rules.split_award(call.reward_fen, len(winners))
    else:
        amounts = list(amounts_fen)
        if len(amounts) != len(winners) or any(a < 0 for a in amounts) or sum(amounts) > call.reward_fen:
            raise ValidationFailed("Amounts do not fit", errors=[FieldError(
                "amounts", "give one non-negative amount per winner, adding up to at most "
                           f"{rules.yuan(call.reward_fen)} yuan")])
    for app_id, app in eligible.items():
        app.status = "awarded" if app_id in winners else "not_awarded"
    for app_id, amount in zip(winners, amounts, strict=True):
        session.add(ChallengeAwardRow(call_id=call.id, application_id=app_id, amount_fen=amount, awarded_on=on))
    return {"winners": list(winners), "amounts_fen": amounts, "parallel": len(winners) > 1}


def _eligible(session: Session, call_id: int) -> list[ChallengeApplicationRow]:
    return list(session.scalars(select(ChallengeApplicationRow).where(
        ChallengeApplicationRow.call_id == call_id, ChallengeApplicationRow.status != "withdrawn")
        .order_by(ChallengeApplicationRow.id)))


# ---------------------------------------------------------------- applications

def apply(db: Database, actor: Actor, call_id: int, data: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """A member of any organisation other than the issuer applies (揭榜) with plan, team, results, budget."""
    actor.require_login()
    values = clean_application(data)
    with db.transaction() as session:
        call = _call(session, call_id)
        rules.check_activity("apply", CallState(call.state), parties(session, actor, call), _dates(call),
                             today or today_utc())
        errors = _check_refs(session, values)
        if errors:
            raise ValidationFailed("Some references are unknown", errors=errors)
        existing = session.scalar(select(ChallengeApplicationRow).where(
            ChallengeApplicationRow.call_id == call.id,
            ChallengeApplicationRow.organisation_id == actor.organisation_id))
        if existing is not None and existing.status != "withdrawn":
            raise Conflict(f"Your organisation already applied (application {existing.id}); withdraw it to apply anew")
        if existing is None:
            existing = ChallengeApplicationRow(call_id=call.id, organisation_id=actor.organisation_id, **values)
            session.add(existing)
        else:
            for key, value in values.items():
                setattr(existing, key, value)
        existing.status, existing.applicant_user_id = "submitted", actor.user_id
        session.flush()
        _event(session, call, actor, "apply", today=today, data={"application_id": existing.id})
        notifications.notify(session, notifications.users_of_organisation(session, call.issuer_org_id),
                             "state_change", f"「{call.title}」收到新的揭榜申请: {values['team_name']}",
                             link=f"/challenges/{call.id}")
        return int(existing.id)


def _check_refs(session: Session, values: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    for key, table in (("member_person_ids", PersonRow), ("prior_technology_ids", TechnologyRow)):
        ids = values.get(key) or []
        found = set(session.scalars(select(table.id).where(table.id.in_(ids)))) if ids else set()
        missing = [i for i in ids if i not in found]
        if missing:
            errors.append(FieldError(key, f"no record with id {', '.join(map(str, missing))}; check the ids"))
    return errors


def withdraw_application(db: Database, actor: Actor, application_id: int, *, today: dt.date | None = None) -> None:
    with db.transaction() as session:
        app = session.get(ChallengeApplicationRow, application_id)
        if app is None:
            raise NotFound(f"No application with id {application_id}")
        call = _call(session, app.call_id)
        rules.check_activity("withdraw_application", CallState(call.state), parties(session, actor, call),
                             _dates(call), today or today_utc())
        if actor.organisation_id != app.organisation_id:
            raise PermissionDenied("Only the applying organisation may withdraw its application")
        app.status = "withdrawn"
        _event(session, call, actor, "withdraw_application", today=today, data={"application_id": app.id})


# ---------------------------------------------------------------- panel and scoring

def _expert_profile(session: Session, user_id: int) -> rules.ExpertProfile:
    user = session.get(UserRow, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}")
    return rules.ExpertProfile(user.id, user.organisation_id, user.person_id)


def _applicant_profile(session: Session, app: ChallengeApplicationRow) -> rules.ApplicantProfile:
    people = [int(i) for i in app.member_person_ids or []]
    techs = [int(i) for i in app.prior_technology_ids or []]
    member_orgs = set(session.scalars(select(PersonRow.organisation_id).where(PersonRow.id.in_(people)))) if people \
        else set()
    owners = set(session.scalars(select(TechnologyRow.owner_id).where(TechnologyRow.id.in_(techs)))) if techs \
        else set()
    return rules.ApplicantProfile(app.organisation_id, frozenset(people), frozenset(o for o in member_orgs if o),
                                  frozenset(o for o in owners if o))


def conflicts_for(session: Session, call_id: int) -> dict[int, dict[int, list[str]]]:
    """{expert user id: {application id: reasons}} for every conflicted pair of the call's panel."""
    out: dict[int, dict[int, list[str]]] = {}
    apps = _eligible(session, call_id)
    profiles = {a.id: _applicant_profile(session, a) for a in apps}
    for expert_id in session.scalars(select(ChallengePanelRow.expert_user_id).where(
            ChallengePanelRow.call_id == call_id)):
        expert = _expert_profile(session, expert_id)
        for app_id, profile in profiles.items():
            reasons = rules.conflicts(expert, profile)
            if reasons:
                out.setdefault(expert_id, {})[app_id] = reasons
    return out


def assign_panel(db: Database, actor: Actor, call_id: int, expert_user_ids: Sequence[int], *,
                 today: dt.date | None = None) -> dict[str, Any]:
    """The operator puts experts on the panel; returns the conflicts that exclude them from applications."""
    actor.require_login()
    with db.transaction() as session:
        call = _call(session, call_id)
        rules.check_activity("assign_panel", CallState(call.state), parties(session, actor, call), _dates(call),
                             today or today_utc())
        errors = []
        for user_id in expert_user_ids:
            user = session.get(UserRow, user_id)
            if user is None or Role.EXPERT.value not in (user.roles or []):
                errors.append(FieldError("expert_user_ids", f"user {user_id} is not an expert; give expert accounts"))
        if errors or not expert_user_ids:
            raise ValidationFailed("Panel not valid", errors=errors or [FieldError("expert_user_ids", "name experts")])
        present = set(session.scalars(select(ChallengePanelRow.expert_user_id).where(
            ChallengePanelRow.call_id == call.id)))
        added = [u for u in dict.fromkeys(expert_user_ids) if u not in present]
        for user_id in added:
            session.add(ChallengePanelRow(call_id=call.id, expert_user_id=user_id))
        session.flush()
        found = conflicts_for(session, call.id)
        _event(session, call, actor, "assign_panel", today=today, data={"added": added, "conflicts": {
            str(e): {str(a): r for a, r in apps.items()} for e, apps in found.items()}})
        notifications.notify(session, added, "assignment", f"您被邀请担任「{call.title}」评审专家",
                             link=f"/challenges/{call.id}")
        return {"added": added, "conflicts": found}


def score(db: Database, actor: Actor, application_id: int, scores: Mapping[str, Any], comment: str = "", *,
          today: dt.date | None = None) -> str:
    """An expert on the panel scores an application on the rubric; conflicted experts are refused (409)."""
    actor.require_login()
    total = rules.weighted_total(scores)
    with db.transaction() as session:
        app = session.get(ChallengeApplicationRow, application_id)
        if app is None or app.status == "withdrawn":
            raise NotFound(f"No application with id {application_id} to score")
        call = _call(session, app.call_id)
        rules.check_activity("score", CallState(call.state), parties(session, actor, call), _dates(call),
                             today or today_utc())
        reasons = rules.conflicts(_expert_profile(session, int(actor.user_id or 0)),
                                  _applicant_profile(session, app))
        if reasons:
            raise Conflict("Conflict of interest: you are excluded from this application ("
                           + "; ".join(reasons) + ")")
        row = session.scalar(select(ChallengeReviewRow).where(
            ChallengeReviewRow.application_id == app.id, ChallengeReviewRow.expert_user_id == actor.user_id))
        clean_scores = {k: str(v) for k, v in scores.items()}
        if row is None:
            session.add(ChallengeReviewRow(application_id=app.id, expert_user_id=actor.user_id, scores=clean_scores,
                                           total=total, comment=comment[:5000]))
        else:
            row.scores, row.total, row.comment = clean_scores, total, comment[:5000]
        _event(session, call, actor, "score", today=today, data={"application_id": app.id})
        return str(total)


def ranking(session: Session, call_id: int) -> list[rules.Ranked]:
    totals: dict[int, list[Any]] = {a.id: [] for a in _eligible(session, call_id)}
    for app_id, total in session.execute(select(ChallengeReviewRow.application_id, ChallengeReviewRow.total).where(
            ChallengeReviewRow.application_id.in_(list(totals)))):
        totals[app_id].append(total)
    return rules.rank({app_id: rules.aggregate(values) for app_id, values in totals.items()})


# ---------------------------------------------------------------- notice, objections, invitations

def object_to(db: Database, actor: Actor, call_id: int, text: str, application_id: int | None = None, *,
              today: dt.date | None = None) -> int:
    """Any signed-in user raises an objection (异议) inside the notice window."""
    actor.require_login()
    if not text.strip() or len(text) > 5000:
        raise ValidationFailed("Objection text", errors=[FieldError("text", "state the objection in 1–5,000 chars")])
    with db.transaction() as session:
        call = _call(session, call_id)
        rules.check_activity("object", CallState(call.state), parties(session, actor, call), _dates(call),
                             today or today_utc())
        if application_id is not None and application_id not in {a.id for a in _eligible(session, call.id)}:
            raise ValidationFailed("Unknown application", errors=[FieldError(
                "application_id", f"application {application_id} is not one of this call's applications")])
        row = ChallengeObjectionRow(call_id=call.id, application_id=application_id, user_id=actor.user_id,
                                    text=text.strip())
        session.add(row)
        session.flush()
        _event(session, call, actor, "object", today=today, data={"objection_id": row.id})
        notifications.notify(session, notifications.operators(session), "state_change",
                             f"「{call.title}」公示期收到异议", body=text[:500], link=f"/challenges/{call.id}")
        return int(row.id)


def resolve_objection(db: Database, actor: Actor, objection_id: int, decision: str, resolution: str, *,
                      today: dt.date | None = None) -> None:
    """The operator upholds or dismisses an objection (an upheld one usually leads to reopen_review)."""
    if decision not in ("upheld", "dismissed"):
        raise ValidationFailed("Decision", errors=[FieldError("decision", "use upheld or dismissed")])
    if not resolution.strip():
        raise ValidationFailed("Resolution", errors=[FieldError("resolution", "explain the decision")])
    with db.transaction() as session:
        row = session.get(ChallengeObjectionRow, objection_id)
        if row is None:
            raise NotFound(f"No objection with id {objection_id}")
        call = _call(session, row.call_id)
        rules.check_activity("resolve_objection", CallState(call.state), parties(session, actor, call),
                             _dates(call), today or today_utc())
        if row.status != "open":
            raise IllegalTransition(f"This objection is already {row.status}")
        row.status, row.resolution = decision, resolution.strip()
        _event(session, call, actor, "resolve_objection", today=today, reason=resolution,
               data={"objection_id": row.id, "decision": decision})
        notifications.notify(session, [row.user_id], "state_change", f"您对「{call.title}」的异议已处理: {decision}",
                             body=resolution, link=f"/challenges/{call.id}")


def invite(db: Database, actor: Actor, call_id: int, *, organisation_id: int | None = None,
           person_id: int | None = None, reasons: Sequence[str] = (), today: dt.date | None = None) -> int:
    """The issuer (or operator) invites a proposed team or expert; their users get a notification."""
    actor.require_login()
    if (organisation_id is None) == (person_id is None):
        raise ValidationFailed("Whom to invite", errors=[FieldError("organisation_id", "give an organisation "
                                                                                       "or a person, not both")])
    with db.transaction() as session:
        call = _call(session, call_id)
        rules.check_activity("invite", CallState(call.state), parties(session, actor, call), _dates(call),
                             today or today_utc())
        target_org = organisation_id
        if person_id is not None:
            person = session.get(PersonRow, person_id)
            if person is None:
                raise NotFound(f"No person with id {person_id}")
            target_org = person.organisation_id
        elif session.get(OrganisationRow, organisation_id) is None:
            raise NotFound(f"No organisation with id {organisation_id}")
        row = ChallengeInvitationRow(call_id=call.id, organisation_id=organisation_id, person_id=person_id,
                                     kind="team" if organisation_id else "expert", reasons=list(reasons)[:10],
                                     invited_by_user_id=actor.user_id)
        session.add(row)
        session.flush()
        _event(session, call, actor, "invite", today=today,
               data={"organisation_id": organisation_id, "person_id": person_id})
        notifications.notify(session, notifications.users_of_organisation(session, target_org), "invitation",
                             f"邀请揭榜:「{call.title}」", body="; ".join(reasons), link=f"/challenges/{call.id}")
        return int(row.id)


# ---------------------------------------------------------------- milestones and staged funding

def review_milestone(db: Database, actor: Actor, award_id: int, milestone_id: int, outcome: str, comment: str = "",
                     *, today: dt.date | None = None) -> dict[str, Any]:
    """Record a milestone review in order. Passed: release that milestone's share of the award (fen).
    Failed: the team's award is terminated; when no team remains, the call is terminated too."""
    if outcome not in ("passed", "failed"):
        raise ValidationFailed("Outcome", errors=[FieldError("outcome", "use passed or failed")])
    on = today or today_utc()
    with db.transaction() as session:
        award = session.get(ChallengeAwardRow, award_id)
        if award is None:
            raise NotFound(f"No award with id {award_id}")
        call = _call(session, award.call_id)
        rules.check_activity("review_milestone", CallState(call.state), parties(session, actor, call), _dates(call), on)
        if award.status != "active":
            raise IllegalTransition(f"This award is {award.status}; no more milestone reviews")
        milestones = list(session.scalars(select(ChallengeMilestoneRow).where(
            ChallengeMilestoneRow.call_id == call.id).order_by(ChallengeMilestoneRow.seq)))
        done = set(session.scalars(select(ChallengeMilestoneReviewRow.milestone_id).where(
            ChallengeMilestoneReviewRow.award_id == award.id)))
        pending = [m for m in milestones if m.id not in done]
        if not pending or pending[0].id != milestone_id:
            expected = pending[0].title if pending else "none"
            raise IllegalTransition(f"Milestones are reviewed in order; the next one is {expected}")
        index = [m.id for m in milestones].index(milestone_id)
        amount = rules.releases(award.amount_fen, [m.share_bp for m in milestones])[index] if outcome == "passed" else 0
        session.add(ChallengeMilestoneReviewRow(award_id=award.id, milestone_id=milestone_id, outcome=outcome,
                                                released_fen=amount, comment=comment, reviewed_on=on,
                                                reviewer_user_id=actor.user_id))
        award.released_fen += amount
        if outcome == "failed":
            award.status = "terminated"
        elif len(pending) == 1:
            award.status = "completed"
        session.flush()
        _event(session, call, actor, "review_milestone", today=today, reason=comment, data={
            "award_id": award.id, "milestone_id": milestone_id, "outcome": outcome, "released_fen": amount})
        app = session.get(ChallengeApplicationRow, award.application_id)
        team_users = notifications.users_of_organisation(session, app.organisation_id if app else None)
        notifications.notify(session, team_users, "state_change", f"「{call.title}」里程碑评审: {outcome}",
                             link=f"/challenges/{call.id}")
        remaining = session.scalar(select(func.count()).select_from(ChallengeAwardRow).where(
            ChallengeAwardRow.call_id == call.id, ChallengeAwardRow.status != "terminated"))
        if not remaining:
            _event(session, call, actor, "terminate", today=today, from_state=call.state,
                   to_state=CallState.TERMINATED.value, reason="every awarded team failed a milestone review")
            call.state = CallState.TERMINATED.value
        return {"released_fen": amount, "award_status": award.status, "call_state": call.state}
