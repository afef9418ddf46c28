"""技术经理人 case use cases: open (from an accepted match, a challenge award, or by hand), move through the
stages of techbridge.domain.cases, tasks, notes, documents, relay-incubation hand-offs, and the hand-off to
contract registration at the contract stage.

Every write runs in one transaction and leaves a history event; stage changes and assignments notify the
people concerned.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain import cases as rules
from techbridge.domain.cases import CaseParty, HostKind, Stage
from techbridge.domain.roles import Role
from techbridge.errors import FieldError, NotFound, PermissionDenied, TechbridgeError, ValidationFailed
from techbridge.services import notifications
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.cases import CaseDocumentRow, CaseEventRow, CaseHandoffRow, CaseRow, CaseTaskRow
from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, TechnologyRow
from techbridge.storage.tables.challenges import ChallengeApplicationRow, ChallengeAwardRow, ChallengeCallRow
from techbridge.storage.tables.matching import MatchFeedbackRow

log = logging.getLogger("techbridge.cases")


def _case(session: Session, case_id: int) -> CaseRow:
    row = session.get(CaseRow, case_id)
    if row is None:
        raise NotFound(f"No case with id {case_id}; check the id on your desk")
    return row


def parties(session: Session, actor: Actor, case: CaseRow) -> frozenset[CaseParty]:
    if not actor.is_authenticated:
        return frozenset()
    found: set[CaseParty] = set()
    if actor.is_operator:
        found.add(CaseParty.OPERATOR)
    if Role.TECHNOLOGY_MANAGER in actor.roles:
        found.add(CaseParty.TECHNOLOGY_MANAGER)
        if case.manager_user_id == actor.user_id:
            found.add(CaseParty.MANAGER)
    if actor.organisation_id is not None and actor.organisation_id in (case.seller_org_id, case.buyer_org_id,
                                                                       case.host_org_id):
        found.add(CaseParty.PARTY_MEMBER)
    if session.scalar(select(CaseTaskRow.id).where(CaseTaskRow.case_id == case.id,
                                                   CaseTaskRow.owner_user_id == actor.user_id)):
        found.add(CaseParty.TASK_OWNER)
    return frozenset(found)


def _require(session: Session, actor: Actor, case: CaseRow, action: str) -> frozenset[CaseParty]:
    actor.require_login()
    who = parties(session, actor, case)
    rules.require_party(action, who)
    return who


def _event(session: Session, case: CaseRow, actor: Actor, kind: str, *, text: str = "",
           from_stage: str | None = None, to_stage: str | None = None, data: dict[str, Any] | None = None,
           at: dt.datetime | None = None) -> None:
    session.add(CaseEventRow(case_id=case.id, user_id=actor.user_id, kind=kind, text=text, from_stage=from_stage,
                             to_stage=to_stage, data=data or {}, at=at or utcnow()))


def _party_users(session: Session, case: CaseRow) -> list[int]:
    users = [case.manager_user_id] if case.manager_user_id else []
    for org in {case.seller_org_id, case.buyer_org_id, case.host_org_id}:
        users += notifications.users_of_organisation(session, org)
    return [u for u in users if u is not None]


def _check_manager(session: Session, user_id: int | None) -> None:
    if user_id is None:
        return
    user = session.get(UserRow, user_id)
    if user is None or Role.TECHNOLOGY_MANAGER.value not in (user.roles or []):
        raise ValidationFailed("Not a technology manager", errors=[FieldError(
            "manager_user_id", f"user {user_id} does not have the technology-manager role")])


# ---------------------------------------------------------------- opening

def open_case(db: Database, actor: Actor, data: Mapping[str, Any], *, at: dt.datetime | None = None) -> int:
    """Open a case by hand: a title plus a demand and/or a technology (or a team) and the parties."""
    actor.require_login()
    rules.require_party("open", frozenset({CaseParty.OPERATOR} if actor.is_operator else set())
                        | ({CaseParty.TECHNOLOGY_MANAGER} if Role.TECHNOLOGY_MANAGER in actor.roles else set()))
    allowed = {"title", "summary", "demand_id", "technology_id", "seller_org_id", "buyer_org_id", "host_org_id",
               "manager_user_id", "external_id", "source", "source_id", "team_application_id"}
    errors = [FieldError(k, "not a field of a case; remove it") for k in sorted(set(data) - allowed)]
    values: dict[str, Any] = {}
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 300:
        errors.append(FieldError("title", "give the case a title of 1–300 characters"))
    for key in ("demand_id", "technology_id", "seller_org_id", "buyer_org_id", "host_org_id", "manager_user_id",
                "source_id", "team_application_id"):
        raw = data.get(key)
        if raw in (None, ""):
            continue
        if not str(raw).isdigit():
            errors.append(FieldError(key, "must be a numeric id"))
        else:
            values[key] = int(str(raw))
    if not any(k in values for k in ("demand_id", "technology_id", "team_application_id")):
        errors.append(FieldError("demand_id", "join at least a demand, a technology or a challenge team"))
    if errors:
        raise ValidationFailed("Some fields of the case need correcting", errors=errors)
    values.setdefault("manager_user_id", actor.user_id if Role.TECHNOLOGY_MANAGER in actor.roles else None)
    with db.transaction() as session:
        _fill_parties(session, values)
        _check_manager(session, values.get("manager_user_id"))
        return _insert(session, actor, title, str(data.get("summary") or ""), str(data.get("source") or "manual"),
                       values, external_id=data.get("external_id"), at=at)


def _fill_parties(session: Session, values: dict[str, Any]) -> None:
    """Default the seller to the technology's owner and the buyer to the demand's owner; check references."""
    for key, table in (("demand_id", DemandRow), ("technology_id", TechnologyRow), ("seller_org_id", OrganisationRow),
                       ("buyer_org_id", OrganisationRow), ("host_org_id", OrganisationRow),
                       ("team_application_id", ChallengeApplicationRow)):
        if values.get(key) is not None and session.get(table, values[key]) is None:
            raise ValidationFailed("Unknown reference", errors=[FieldError(key, f"no record with id {values[key]}")])
    if values.get("technology_id") and not values.get("seller_org_id"):
        tech = session.get(TechnologyRow, values["technology_id"])
        values["seller_org_id"] = tech.owner_id if tech else None
    if values.get("demand_id") and not values.get("buyer_org_id"):
        demand = session.get(DemandRow, values["demand_id"])
        values["buyer_org_id"] = demand.owner_id if demand else None


def _insert(session: Session, actor: Actor, title: str, summary: str, source: str, values: dict[str, Any], *,
            external_id: Any = None, at: dt.datetime | None = None) -> int:
    when = at or utcnow()
    case = CaseRow(title=title, summary=summary, source=source, stage=Stage.DISCOVERY.value, stage_entered_at=when,
                   external_id=str(external_id) if external_id else None, **values)
    session.add(case)
    session.flush()
    _event(session, case, actor, "open", to_stage=Stage.DISCOVERY.value, text=f"opened from {source}",
           data={"source": source, "source_id": values.get("source_id")}, at=when)
    if case.manager_user_id and case.manager_user_id != actor.user_id:
        notifications.notify(session, [case.manager_user_id], "assignment", f"新案件分配给您:「{title}」",
                             link=f"/cases/{case.id}")
    return int(case.id)


def open_from_match(db: Database, actor: Actor, demand_id: int, technology_id: int) -> int:
    """Open a case from an accepted match (match_feedback decision "accept")."""
    with db.read() as session:
        feedback = session.scalar(select(MatchFeedbackRow).where(
            MatchFeedbackRow.demand_id == demand_id, MatchFeedbackRow.technology_id == technology_id))
        if feedback is None or feedback.decision != "accept":
            raise ValidationFailed("No accepted match", errors=[FieldError(
                "technology_id", "this technology was not accepted for the demand; accept the match first")])
        feedback_id = int(feedback.id)
        existing = session.scalar(select(CaseRow.id).where(CaseRow.source == "match",
                                                           CaseRow.source_id == feedback_id))
        if existing:
            return int(existing)
        demand, tech = session.get(DemandRow, demand_id), session.get(TechnologyRow, technology_id)
        title = f"{demand.title if demand else demand_id} × {tech.title if tech else technology_id}"[:300]
    return open_case(db, actor, {"title": title, "demand_id": demand_id, "technology_id": technology_id,
                                 "source": "match", "source_id": feedback_id})


def open_from_award(db: Database, actor: Actor, award_id: int) -> int:
    """Open a case from a challenge award: the team as seller, the issuer as buyer, the call's demand."""
    with db.read() as session:
        award = session.get(ChallengeAwardRow, award_id)
        if award is None:
            raise NotFound(f"No award with id {award_id}")
        existing = session.scalar(select(CaseRow.id).where(CaseRow.source == "challenge",
                                                           CaseRow.source_id == award.id))
        if existing:
            return int(existing)
        app = session.get(ChallengeApplicationRow, award.application_id)
        call = session.get(ChallengeCallRow, award.call_id)
        if app is None or call is None:
            raise NotFound(f"Award {award_id} has no application or call")
        data: dict[str, Any] = {"title": f"揭榜:「{call.title}」— {app.team_name}"[:300], "source": "challenge",
                                "source_id": award.id, "team_application_id": app.id,
                                "seller_org_id": app.organisation_id, "buyer_org_id": call.issuer_org_id,
                                "demand_id": call.demand_id}
        if app.prior_technology_ids:
            data["technology_id"] = int(app.prior_technology_ids[0])
    return open_case(db, actor, data)


# ---------------------------------------------------------------- moving

def move(db: Database, actor: Actor, case_id: int, action: str, *, target: str | None = None, reason: str = "",
         at: dt.datetime | None = None) -> str:
    """Advance, move back, close or reopen a case; returns the new stage. Entering the contract stage hands the
    parties and technology to contract registration (when that module is installed)."""
    actor.require_login()
    try:
        wanted = Stage(target) if target else None
    except ValueError:
        raise ValidationFailed("Unknown stage", errors=[FieldError(
            "target", f"use one of {', '.join(s.value for s in Stage)}")]) from None
    when = at or utcnow()
    with db.transaction() as session:
        case = _case(session, case_id)
        documents = session.scalars(select(CaseDocumentRow.kind).where(CaseDocumentRow.case_id == case.id))
        step = rules.check_move(action, Stage(case.stage), wanted, parties=parties(session, actor, case),
                                reason=reason, documents=documents,
                                closed_from=Stage(case.closed_from) if case.closed_from else None)
        case.closed_from = step.source.value if step.target is Stage.CLOSED else None
        case.stage, case.stage_entered_at = step.target.value, when
        _event(session, case, actor, "stage", from_stage=step.source.value, to_stage=step.target.value, text=reason,
               data={"action": action}, at=when)
        notifications.notify(session, _party_users(session, case), "state_change",
                             f"案件「{case.title}」: {step.source.value} → {step.target.value}", body=reason,
                             link=f"/cases/{case.id}", skip=actor.user_id)
        hand_off = step.target is Stage.CONTRACT and action == "advance"
    if hand_off:
        hand_off_to_contracts(db, actor, case_id)
    return step.target.value


def hand_off_to_contracts(db: Database, actor: Actor, case_id: int) -> str:
    """Give the case's parties and technology to contract registration, which opens a pre-filled draft.

    A failure there is recorded on the case and never undoes the stage move that already happened.
    """
    from techbridge.services.contracts import start_contract_from

    with db.read() as session:
        case = _case(session, case_id)
        kwargs: dict[str, Any] = {"technology_id": case.technology_id, "demand_id": case.demand_id,
                                  "seller_org_id": case.seller_org_id, "buyer_org_id": case.buyer_org_id,
                                  "source": "case", "source_id": case.id}
    status, ref = "handed_off", None
    try:
        ref = str(start_contract_from(db, None, actor, **kwargs))
        detail = "contract draft started"
    except TechbridgeError as exc:
        status, detail = "handoff_failed", exc.message
    with db.transaction() as session:
        case = _case(session, case_id)
        case.contract_status, case.contract_ref = status, ref
        _event(session, case, actor, "contract_handoff", text=detail, data={"status": status, "ref": ref, **kwargs})
    return status


# ---------------------------------------------------------------- tasks, notes, documents, hand-offs

def add_task(db: Database, actor: Actor, case_id: int, title: str, *, owner_user_id: int | None = None,
             due_on: dt.date | None = None) -> int:
    if not title.strip() or len(title) > 300:
        raise ValidationFailed("Task title", errors=[FieldError("title", "describe the task in 1–300 characters")])
    with db.transaction() as session:
        case = _case(session, case_id)
        _require(session, actor, case, "add_task")
        owner = owner_user_id or actor.user_id
        if owner is not None and session.get(UserRow, owner) is None:
            raise ValidationFailed("Unknown owner", errors=[FieldError("owner_user_id", f"no user with id {owner}")])
        task = CaseTaskRow(case_id=case.id, title=title.strip(), owner_user_id=owner, due_on=due_on,
                           created_by_user_id=actor.user_id)
        session.add(task)
        session.flush()
        _event(session, case, actor, "task", text=title.strip(), data={"task_id": task.id, "due_on":
                                                                      due_on.isoformat() if due_on else None})
        notifications.notify(session, [owner], "task", f"新任务:「{title.strip()}」({case.title})",
                             body=f"due {due_on.isoformat()}" if due_on else "", link=f"/cases/{case.id}",
                             skip=actor.user_id)
        return int(task.id)


def complete_task(db: Database, actor: Actor, task_id: int) -> None:
    with db.transaction() as session:
        task = session.get(CaseTaskRow, task_id)
        if task is None:
            raise NotFound(f"No task with id {task_id}")
        case = _case(session, task.case_id)
        who = _require(session, actor, case, "view")
        if not who & {CaseParty.MANAGER, CaseParty.OPERATOR} and task.owner_user_id != actor.user_id:
            raise PermissionDenied("Only the task owner, the case manager or an operator may complete this task")
        if task.done_at is None:
            task.done_at = utcnow()
            _event(session, case, actor, "task_done", text=task.title, data={"task_id": task.id})


def add_note(db: Database, actor: Actor, case_id: int, text: str) -> None:
    if not text.strip() or len(text) > 10_000:
        raise ValidationFailed("Note", errors=[FieldError("text", "write a note of 1–10,000 characters")])
    with db.transaction() as session:
        case = _case(session, case_id)
        _require(session, actor, case, "add_note")
        _event(session, case, actor, "note", text=text.strip())


def add_document(db: Database, actor: Actor, case_id: int, kind: str, title: str, reference: str = "") -> int:
    """Record a document (NDA, LOI, report …) by title and reference; the file itself stays where it is kept."""
    errors = []
    if kind not in rules.DOCUMENT_KINDS:
        errors.append(FieldError("kind", f"use one of {', '.join(rules.DOCUMENT_KINDS)}"))
    if not title.strip() or len(title) > 300:
        errors.append(FieldError("title", "name the document (1–300 characters)"))
    if len(reference) > 500:
        errors.append(FieldError("reference", "use at most 500 characters"))
    if errors:
        raise ValidationFailed("Document", errors=errors)
    with db.transaction() as session:
        case = _case(session, case_id)
        _require(session, actor, case, "add_document")
        doc = CaseDocumentRow(case_id=case.id, kind=kind, title=title.strip(), reference=reference.strip(),
                              added_by_user_id=actor.user_id)
        session.add(doc)
        session.flush()
        _event(session, case, actor, "document", text=title.strip(), data={"document_id": doc.id, "kind": kind})
        return int(doc.id)


def handoff(db: Database, actor: Actor, case_id: int, to_org_id: int, host_kind: str, note: str = "", *,
            at: dt.datetime | None = None) -> int:
    """Relay incubation (接力孵化): the venture moves to another host (incubator → science park → industrial park)."""
    try:
        kind = HostKind(host_kind)
    except ValueError:
        raise ValidationFailed("Host kind", errors=[FieldError(
            "host_kind", f"use one of {', '.join(k.value for k in HostKind)}")]) from None
    with db.transaction() as session:
        case = _case(session, case_id)
        _require(session, actor, case, "handoff")
        if session.get(OrganisationRow, to_org_id) is None:
            raise ValidationFailed("Unknown organisation", errors=[FieldError(
                "to_org_id", f"no organisation with id {to_org_id}")])
        rules.check_handoff(case.host_org_id, to_org_id, Stage(case.stage))
        when = at or utcnow()
        row = CaseHandoffRow(case_id=case.id, from_org_id=case.host_org_id, to_org_id=to_org_id,
                             host_kind=kind.value, note=note.strip(), user_id=actor.user_id, at=when)
        session.add(row)
        previous, case.host_org_id = case.host_org_id, to_org_id
        session.flush()
        _event(session, case, actor, "handoff", text=note.strip(), at=when, data={
            "from_org_id": previous, "to_org_id": to_org_id, "host_kind": kind.value, "handoff_id": row.id})
        notifications.notify(session, notifications.users_of_organisation(session, to_org_id)
                             + notifications.users_of_organisation(session, previous), "assignment",
                             f"接力孵化: 案件「{case.title}」交接", body=note, link=f"/cases/{case.id}",
                             skip=actor.user_id)
        return int(row.id)


def assign(db: Database, actor: Actor, case_id: int, manager_user_id: int) -> None:
    with db.transaction() as session:
        case = _case(session, case_id)
        _require(session, actor, case, "assign")
        _check_manager(session, manager_user_id)
        previous, case.manager_user_id = case.manager_user_id, manager_user_id
        _event(session, case, actor, "assign", data={"from": previous, "to": manager_user_id})
        notifications.notify(session, [manager_user_id], "assignment", f"案件分配给您:「{case.title}」",
                             link=f"/cases/{case.id}", skip=actor.user_id)
