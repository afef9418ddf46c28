"""Scheduling use cases: build the problem from the database, solve it outside any transaction, check the
result with the independent checker, and store it in one transaction if nothing changed meanwhile.

``schedule`` places every accepted request from scratch (before the event). ``reschedule`` keeps every
meeting that still stands exactly where it is (slot and table) and only places the accepted requests that
have no meeting, e.g. after late cancellations freed slots.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from techbridge.domain import events as de
from techbridge.errors import ConfigurationError, Conflict
from techbridge.services.actor import Actor
from techbridge.services.events.solver import SolverOptions, solve
from techbridge.storage.db import Database
from techbridge.storage.tables.events import (
    EventParticipantRow,
    EventRow,
    EventSlotRow,
    EventTableRow,
    MeetingRequestRow,
    MeetingRow,
    ScheduleRunRow,
)


@dataclass(frozen=True)
class Snapshot:
    problem: de.Problem
    fingerprint: str


def _available(row: EventParticipantRow, slots: list[de.Slot]) -> frozenset[int]:
    windows = [(dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)) for a, b in row.availability or []]
    return de.slots_within(slots, windows)


def snapshot(session: Session, event_id: int, *, keep_existing: bool) -> Snapshot:
    """The scheduling problem of an event as it stands; with ``keep_existing`` current meetings are fixed."""
    slots = [de.Slot(s.id, s.starts_at, s.ends_at) for s in session.scalars(
        select(EventSlotRow).where(EventSlotRow.event_id == event_id).order_by(EventSlotRow.starts_at))]
    tables = tuple(de.Table(t.id, t.capacity) for t in session.scalars(
        select(EventTableRow).where(EventTableRow.event_id == event_id).order_by(EventTableRow.id)))
    people = tuple(de.Participant(p.id, _available(p, slots)) for p in session.scalars(
        select(EventParticipantRow).where(EventParticipantRow.event_id == event_id).order_by(EventParticipantRow.id)))
    requests = tuple(de.Request(r.id, r.requester_id, r.target_id, r.priority) for r in session.scalars(
        select(MeetingRequestRow).where(MeetingRequestRow.event_id == event_id,
                                        MeetingRequestRow.status == de.RequestStatus.ACCEPTED.value)
        .order_by(MeetingRequestRow.id)))
    fixed: tuple[de.Assignment, ...] = ()
    if keep_existing:
        live = {r.id for r in requests}
        fixed = tuple(de.Assignment(m.request_id, m.slot_id, m.table_id) for m in session.scalars(
            select(MeetingRow).where(MeetingRow.event_id == event_id).order_by(MeetingRow.id)) if m.request_id in live)
    problem = de.Problem(tuple(slots), tables, people, requests, fixed)
    digest = hashlib.sha256(repr((problem.requests, problem.participants, problem.fixed)).encode()).hexdigest()
    return Snapshot(problem, digest)


def _run(db: Database, actor: Actor, event_id: int, *, keep_existing: bool, options: SolverOptions | None
         ) -> dict[str, Any]:
    actor.require_login()
    with db.read() as session:
        event = session.get(EventRow, event_id)
        if event is None:
            from techbridge.errors import NotFound

            raise NotFound(f"No event with id {event_id}")
        de.require_organiser(actor.roles, actor.user_id, event.organiser_user_id)
        snap = snapshot(session, event_id, keep_existing=keep_existing)
    result = solve(snap.problem, options)
    violations = de.check_schedule(snap.problem, result.assignments)
    if violations:  # never expected: the checker shares no code with the solver
        raise ConfigurationError("The scheduler produced an invalid schedule; nothing was stored: "
                                 + "; ".join(v.detail for v in violations[:5]))
    with db.transaction() as session:
        if snapshot(session, event_id, keep_existing=keep_existing).fingerprint != snap.fingerprint:
            raise Conflict("Requests or registrations changed while scheduling; run the scheduler again")
        session.execute(delete(MeetingRow).where(MeetingRow.event_id == event_id))
        session.flush()
        session.add_all(MeetingRow(event_id=event_id, request_id=a.request_id, slot_id=a.slot_id, table_id=a.table_id)
                        for a in result.assignments)
        run = ScheduleRunRow(event_id=event_id, mode="reschedule" if keep_existing else "full", status=result.status,
                             objective=result.objective, bound=result.bound, gap=result.gap,
                             solve_seconds=result.solve_seconds, scheduled=len(result.assignments),
                             requests=len(snap.problem.requests),
                             unscheduled={str(k): v for k, v in result.unscheduled.items()},
                             warnings=list(result.warnings))
        session.add(run)
    return summary(result, len(snap.problem.requests), moved=0 if keep_existing else None)


def summary(result: de.ScheduleResult, n_requests: int, moved: int | None = None) -> dict[str, Any]:
    return {"status": result.status, "requests": n_requests, "scheduled": len(result.assignments),
            "share_scheduled": round(len(result.assignments) / n_requests, 4) if n_requests else 1.0,
            "objective": result.objective, "bound": result.bound, "gap": round(result.gap, 6),
            "solve_seconds": round(result.solve_seconds, 3), "warnings": list(result.warnings),
            "unscheduled": {str(k): v for k, v in sorted(result.unscheduled.items())},
            **({"moved": moved} if moved is not None else {})}


def schedule(db: Database, actor: Actor, event_id: int, options: SolverOptions | None = None) -> dict[str, Any]:
    """Place every accepted request from scratch (organiser only)."""
    return _run(db, actor, event_id, keep_existing=False, options=options)


def reschedule(db: Database, actor: Actor, event_id: int, options: SolverOptions | None = None) -> dict[str, Any]:
    """Keep standing meetings where they are and place the rest (after cancellations)."""
    return _run(db, actor, event_id, keep_existing=True, options=options)


def last_run(db: Database, event_id: int) -> dict[str, Any] | None:
    with db.read() as session:
        run = session.scalar(select(ScheduleRunRow).where(ScheduleRunRow.event_id == event_id)
                             .order_by(ScheduleRunRow.id.desc()).limit(1))
        if run is None:
            return None
        return {"mode": run.mode, "status": run.status, "objective": run.objective, "bound": run.bound,
                "gap": run.gap, "solve_seconds": run.solve_seconds, "scheduled": run.scheduled,
                "requests": run.requests, "unscheduled": run.unscheduled, "warnings": run.warnings,
                "created_at": run.created_at.isoformat(timespec="seconds")}


WEB_OPTIONS = SolverOptions(time_limit_s=10.0, workers=2)


def after_cancellation(db: Database, event_id: int, options: SolverOptions | None = None) -> dict[str, Any]:
    """Refill slots freed by a cancellation that an authorised participant or organiser already made; runs as
    the system because the participant who cancelled is not the organiser. Standing meetings never move."""
    from techbridge.services.actor import SYSTEM

    return reschedule(db, SYSTEM, event_id, options or WEB_OPTIONS)


def require_agenda_access(db: Database, actor: Actor, participant_id: int) -> None:
    """Agendas name people and times: the participant themself, the organiser and operators may see them."""
    from techbridge.errors import NotFound, PermissionDenied

    actor.require_login()
    with db.read() as session:
        person = session.get(EventParticipantRow, participant_id)
        if person is None:
            raise NotFound(f"No participant with id {participant_id}")
        event = session.get(EventRow, person.event_id)
        allowed = (person.user_id, event.organiser_user_id if event else None)
    if actor.is_operator or actor.user_id in allowed:
        return
    raise PermissionDenied("Only the participant, the organiser or an operator may see this agenda")


def event_of_participant(db: Database, participant_id: int) -> int:
    from techbridge.errors import NotFound

    with db.read() as session:
        person = session.get(EventParticipantRow, participant_id)
        if person is None:
            raise NotFound(f"No participant with id {participant_id}")
        return person.event_id
