"""The technology manager's desk and the case reads: a case with its history, the board by stage, overdue
tasks, the funnel with conversion rates, time in stage, the operator's view across managers, and the
deadline reminders that feed notifications."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.domain import cases as rules
from techbridge.domain.cases import CaseParty, Stage
from techbridge.domain.challenges import Party
from techbridge.domain.roles import Role
from techbridge.errors import NotFound, PermissionDenied
from techbridge.services import challenges, notifications
from techbridge.services.actor import Actor
from techbridge.services.cases import parties
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.cases import CaseDocumentRow, CaseEventRow, CaseHandoffRow, CaseRow, CaseTaskRow
from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, TechnologyRow
from techbridge.storage.tables.challenges import ChallengeCallRow
from techbridge.storage.tables.matching import MatchFeedbackRow
from techbridge.storage.tables.notifications import NotificationRow


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(OrganisationRow.id, OrganisationRow.name)).all())


def _stage_changes(session: Session, case_ids: list[int]) -> dict[int, list[tuple[dt.datetime, Stage]]]:
    out: dict[int, list[tuple[dt.datetime, Stage]]] = defaultdict(list)
    if not case_ids:
        return out
    for case_id, at, to_stage in session.execute(select(CaseEventRow.case_id, CaseEventRow.at, CaseEventRow.to_stage)
                                                 .where(CaseEventRow.case_id.in_(case_ids),
                                                        CaseEventRow.kind.in_(("open", "stage")))
                                                 .order_by(CaseEventRow.at, CaseEventRow.id)):
        if to_stage:
            out[case_id].append((at, Stage(to_stage)))
    return out


def case_summary(case: CaseRow, names: dict[int, str], now: dt.datetime) -> dict[str, Any]:
    stage = Stage(case.stage)
    return {"id": case.id, "title": case.title, "stage": case.stage, "source": case.source,
            "manager_user_id": case.manager_user_id, "seller": names.get(case.seller_org_id or 0, ""),
            "buyer": names.get(case.buyer_org_id or 0, ""), "host": names.get(case.host_org_id or 0, ""),
            "stage_entered_at": _iso(case.stage_entered_at),
            "days_in_stage": float(rules.StageSpan(stage, case.stage_entered_at, None).days(now)),
            "overdue_in_stage": rules.overdue_in_stage(stage, case.stage_entered_at, now),
            "target_days": rules.TARGET_DAYS.get(stage), "sample_data": case.sample_data}


def case_view(db: Database, actor: Actor, case_id: int, *, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    actor.require_login()
    with db.read() as session:
        case = session.get(CaseRow, case_id)
        if case is None:
            raise NotFound(f"No case with id {case_id}; check the id on your desk")
        who = parties(session, actor, case)
        rules.require_party("view", who)
        names = _names(session)
        view = case_summary(case, names, now)
        changes = _stage_changes(session, [case.id])[case.id]
        users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
        tech = session.get(TechnologyRow, case.technology_id) if case.technology_id else None
        demand = session.get(DemandRow, case.demand_id) if case.demand_id else None
        view.update({
            "technology_title": tech.title if tech else None, "demand_title": demand.title if demand else None,
            "summary": case.summary, "demand_id": case.demand_id, "technology_id": case.technology_id,
            "team_application_id": case.team_application_id, "seller_org_id": case.seller_org_id,
            "buyer_org_id": case.buyer_org_id, "host_org_id": case.host_org_id, "source_id": case.source_id,
            "manager": users.get(case.manager_user_id or 0, ""), "closed_from": case.closed_from,
            "contract_status": case.contract_status, "contract_ref": case.contract_ref,
            "parties": sorted(p.value for p in who),
            "moves": [{"action": a, "target": s.value} for a, s in rules.legal_moves(Stage(case.stage))]
            if who & {CaseParty.MANAGER, CaseParty.OPERATOR} else [],
            "time_in_stage": {s.value: float(d) for s, d in rules.time_in_stage(changes, now).items()},
            "tasks": [{"id": t.id, "title": t.title, "owner_user_id": t.owner_user_id,
                       "owner": users.get(t.owner_user_id or 0, ""), "due_on": _iso(t.due_on),
                       "done": t.done_at is not None,
                       "overdue": t.done_at is None and t.due_on is not None and t.due_on < now.date()}
                      for t in session.scalars(select(CaseTaskRow).where(CaseTaskRow.case_id == case.id)
                                               .order_by(CaseTaskRow.due_on, CaseTaskRow.id))],
            "documents": [{"id": d.id, "kind": d.kind, "title": d.title, "reference": d.reference,
                           "at": _iso(d.created_at)} for d in session.scalars(
                select(CaseDocumentRow).where(CaseDocumentRow.case_id == case.id).order_by(CaseDocumentRow.id))],
            "handoffs": [{"id": h.id, "from": names.get(h.from_org_id or 0, ""), "to": names.get(h.to_org_id, ""),
                          "from_org_id": h.from_org_id, "to_org_id": h.to_org_id, "host_kind": h.host_kind,
                          "note": h.note, "at": _iso(h.at)} for h in session.scalars(
                select(CaseHandoffRow).where(CaseHandoffRow.case_id == case.id).order_by(CaseHandoffRow.at,
                                                                                          CaseHandoffRow.id))],
            "history": [{"at": _iso(e.at), "kind": e.kind, "from_stage": e.from_stage, "to_stage": e.to_stage,
                         "text": e.text, "user": users.get(e.user_id or 0, ""), "data": e.data}
                        for e in session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id)
                                                 .order_by(CaseEventRow.at, CaseEventRow.id))],
        })
        return view


def _scope(actor: Actor, scope: str) -> int | None:
    """The manager whose cases to show (None: all managers, operators only)."""
    actor.require_login()
    if scope == "all":
        if not actor.is_operator:
            raise PermissionDenied("Only operators see every manager's cases; use scope=mine")
        return None
    if Role.TECHNOLOGY_MANAGER not in actor.roles and not actor.is_operator:
        raise PermissionDenied("The desk is for technology managers and operators")
    return actor.user_id


def list_cases(db: Database, actor: Actor, *, scope: str = "mine", stage: str = "",
               now: dt.datetime | None = None) -> list[dict[str, Any]]:
    manager = _scope(actor, scope)
    now = now or utcnow()
    stmt = select(CaseRow)
    if manager is not None:
        stmt = stmt.where(CaseRow.manager_user_id == manager)
    if stage:
        stmt = stmt.where(CaseRow.stage == stage)
    with db.read() as session:
        names = _names(session)
        return [case_summary(c, names, now) for c in session.scalars(stmt.order_by(CaseRow.id))]


def _figures(session: Session, cases: list[CaseRow], now: dt.datetime, extra_matches: int) -> dict[str, Any]:
    changes = _stage_changes(session, [c.id for c in cases])
    reached = [frozenset(s for _at, s in changes[c.id]) | {Stage(c.stage)} for c in cases]
    totals: dict[Stage, list[Decimal]] = defaultdict(list)
    for case in cases:
        for stage, days in rules.time_in_stage(changes[case.id], now).items():
            if stage in rules.ACTIVE_STAGES:
                totals[stage].append(days)
    return {
        "funnel": [{"step": f.step, "count": f.count,
                    "rate_from_previous": float(f.rate_from_previous) if f.rate_from_previous is not None else None,
                    "rate_from_start": float(f.rate_from_start) if f.rate_from_start is not None else None}
                   for f in rules.funnel(reached, extra_matches)],
        "time_in_stage": [{"stage": s.value, "cases": len(totals[s]), "target_days": rules.TARGET_DAYS[s],
                           "mean_days": float((sum(totals[s], Decimal(0)) / len(totals[s])).quantize(
                               Decimal("0.1"), rounding=ROUND_HALF_UP)) if totals[s] else None}
                          for s in rules.ACTIVE_STAGES],
    }


def desk(db: Database, actor: Actor, *, scope: str = "mine", now: dt.datetime | None = None) -> dict[str, Any]:
    """The desk: board by stage, overdue tasks, cases over their stage target, funnel, time in stage; with
    scope=all (operators) the same over every manager plus one row per manager."""
    manager = _scope(actor, scope)
    now = now or utcnow()
    with db.read() as session:
        names = _names(session)
        stmt = select(CaseRow).order_by(CaseRow.stage_entered_at)
        if manager is not None:
            stmt = stmt.where(CaseRow.manager_user_id == manager)
        cases = list(session.scalars(stmt))
        board = {s.value: [] for s in Stage}  # type: dict[str, list[dict[str, Any]]]
        for case in cases:
            board[case.stage].append(case_summary(case, names, now))
        task_stmt = select(CaseTaskRow, CaseRow.title).join(CaseRow, CaseRow.id == CaseTaskRow.case_id).where(
            CaseTaskRow.done_at.is_(None), CaseTaskRow.due_on < now.date())
        if manager is not None:
            task_stmt = task_stmt.where((CaseRow.manager_user_id == manager) | (CaseTaskRow.owner_user_id == manager))
        overdue = [{"task_id": t.id, "case_id": t.case_id, "case": title, "title": t.title, "due_on": _iso(t.due_on),
                    "days_late": (now.date() - t.due_on).days if t.due_on else 0, "owner_user_id": t.owner_user_id}
                   for t, title in session.execute(task_stmt.order_by(CaseTaskRow.due_on))]
        extra = 0
        if manager is None:
            accepted = session.scalar(select(func.count()).select_from(MatchFeedbackRow).where(
                MatchFeedbackRow.decision == "accept")) or 0
            with_case = session.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.source == "match")) or 0
            extra = max(0, int(accepted) - int(with_case))
        result: dict[str, Any] = {
            "scope": "all" if manager is None else "mine", "board": board, "overdue_tasks": overdue,
            "matches_to_open": _matches_without_case(session),
            "overdue_in_stage": [case_summary(c, names, now) for c in cases
                                 if Stage(c.stage) in rules.ACTIVE_STAGES and
                                 rules.overdue_in_stage(Stage(c.stage), c.stage_entered_at, now)],
            "accepted_matches_without_case": extra, **_figures(session, cases, now, extra)}
        if manager is None:
            by_manager: dict[int | None, list[CaseRow]] = defaultdict(list)
            for case in cases:
                by_manager[case.manager_user_id].append(case)
            users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
            late: dict[int | None, int] = defaultdict(int)
            for task in overdue:
                late[next((c.manager_user_id for c in cases if c.id == task["case_id"]), None)] += 1
            result["managers"] = [{
                "manager_user_id": uid, "manager": users.get(uid or 0, "—"), "cases": len(rows),
                "active": sum(1 for c in rows if Stage(c.stage) in rules.ACTIVE_STAGES),
                "overdue_tasks": late[uid], "funnel": _figures(session, rows, now, 0)["funnel"]}
                for uid, rows in sorted(by_manager.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]
        return result


def _matches_without_case(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    """Accepted matches that no case follows yet: the managers' inbox of new work."""
    opened = select(CaseRow.source_id).where(CaseRow.source == "match", CaseRow.source_id.is_not(None))
    rows = session.execute(
        select(MatchFeedbackRow.id, MatchFeedbackRow.demand_id, MatchFeedbackRow.technology_id, DemandRow.title,
               TechnologyRow.title, MatchFeedbackRow.updated_at)
        .join(DemandRow, DemandRow.id == MatchFeedbackRow.demand_id)
        .join(TechnologyRow, TechnologyRow.id == MatchFeedbackRow.technology_id)
        .where(MatchFeedbackRow.decision == "accept", MatchFeedbackRow.id.not_in(opened))
        .order_by(MatchFeedbackRow.updated_at.desc(), MatchFeedbackRow.id.desc()).limit(limit)).all()
    return [{"feedback_id": fid, "demand_id": did, "technology_id": tid, "demand": dtitle, "technology": ttitle,
             "accepted_at": _iso(at)} for fid, did, tid, dtitle, ttitle, at in rows]


STEP_LABELS_ZH = {"submitted": "审核截止", "published": "揭榜截止", "evaluating": "评审截止", "notice": "公示期结束",
                  "implementing": "里程碑评审", "accepted": "兑现奖励截止"}


def remind(db: Database, *, today: dt.date | None = None, days_ahead: int = 3) -> int:
    """Deadline notifications: tasks due within ``days_ahead`` days or overdue (to their owner) and calls whose
    application deadline or notice window ends soon (to the issuer). Each reminder is sent once per item and
    date. Returns how many notifications were created."""
    on = today or dt.datetime.now(dt.UTC).date()
    horizon = on + dt.timedelta(days=days_ahead)
    created = 0
    with db.transaction() as session:
        sent = set(session.execute(select(NotificationRow.user_id, NotificationRow.body)
                                   .where(NotificationRow.kind == "deadline")).all())
        for task, title in session.execute(select(CaseTaskRow, CaseRow.title).join(
                CaseRow, CaseRow.id == CaseTaskRow.case_id).where(CaseTaskRow.done_at.is_(None),
                                                                  CaseTaskRow.due_on <= horizon)):
            key = f"task:{task.id}:{task.due_on}"
            owner = task.owner_user_id
            if owner is None or (owner, key) in sent:
                continue
            late = task.due_on is not None and task.due_on < on
            created += notifications.notify(session, [owner], "deadline",
                                            f"{'任务已逾期' if late else '任务即将到期'}:「{task.title}」({title})",
                                            body=key, link=f"/cases/{task.case_id}")
        owed_by_operators = notifications.operators(session)
        for call in session.scalars(select(ChallengeCallRow).where(ChallengeCallRow.state.not_in(
                ("draft", "rewarded", "terminated")))):
            step = challenges.step_deadline(session, call)
            if step is None or step[0] > horizon:
                continue
            due, party = step
            key = f"call:{call.id}:{call.state}:{due}"
            owners = owed_by_operators if party is Party.OPERATOR else \
                notifications.users_of_organisation(session, call.issuer_org_id)
            what = STEP_LABELS_ZH.get(call.state, call.state)
            for user in owners:
                if (user, key) not in sent:
                    created += notifications.notify(session, [user], "deadline",
                                                    f"「{call.title}」{what}: {due.isoformat()}"
                                                    f"{'（已逾期）' if due < on else ''}", body=key,
                                                    link=f"/challenges/{call.id}")
    return created
