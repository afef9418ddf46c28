"""Event management: create an event with sessions, slots and tables; register participants with their
availability; meeting requests with priority, accept / decline / withdraw / cancel.

Operators organise events. A signed-in user registers themself (one participant per user and event); the
organiser may register anyone. Only the requester (or the organiser) makes and withdraws a request; only its
target (or the organiser) accepts or declines it; either side may cancel an accepted meeting, which frees its
slot and, unless told otherwise, reschedules without moving anyone else (see scheduling.reschedule).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain import events as de
from techbridge.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.events import (
    EventParticipantRow,
    EventRow,
    EventSessionRow,
    EventSlotRow,
    EventTableRow,
    MeetingRequestRow,
    MeetingRow,
)

MAX_SLOTS, MAX_TABLES = 200, 2000


def _int(value: Any, name: str, low: int, high: int, errors: list[FieldError], default: int | None = None) -> int:
    if value in (None, "") and default is not None:
        return default
    try:
        number = int(str(value))
    except ValueError:
        errors.append(FieldError(name, f"use a whole number {low}–{high}"))
        return low
    if not low <= number <= high:
        errors.append(FieldError(name, f"use a whole number {low}–{high}"))
    return number


def _time(value: Any, name: str, errors: list[FieldError]) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(name, "use a time such as 09:30"))
        return dt.time(9, 0)


def create_event(db: Database, actor: Actor, data: dict[str, Any]) -> int:
    """data: title, venue, held_on (YYYY-MM-DD), description, tables (count), table_capacity,
    sessions: [{title, start "HH:MM", slots, slot_minutes}]."""
    actor.require_login()
    if not de.can_organise(actor.roles):
        raise PermissionDenied("Only operators can organise events")
    errors: list[FieldError] = []
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        errors.append(FieldError("title", "give the event a title (1–200 characters)"))
    try:
        held_on = dt.date.fromisoformat(str(data.get("held_on") or ""))
    except ValueError:
        errors.append(FieldError("held_on", "use a date such as 2026-12-08"))
        held_on = dt.date.today()
    n_tables = _int(data.get("tables"), "tables", 1, MAX_TABLES, errors)
    capacity = _int(data.get("table_capacity"), "table_capacity", 1, 20, errors, default=1)
    sessions = data.get("sessions") or []
    if not isinstance(sessions, list) or not sessions:
        errors.append(FieldError("sessions", "add at least one session with a start time and a number of slots"))
        sessions = []
    windows: list[tuple[dt.datetime, dt.datetime]] = []
    plans: list[tuple[str, list[tuple[dt.datetime, dt.datetime]]]] = []
    for i, spec in enumerate(sessions):
        if not isinstance(spec, dict):
            errors.append(FieldError(f"sessions.{i}", "each session is {title, start, slots, slot_minutes}"))
            continue
        start = dt.datetime.combine(held_on, _time(spec.get("start"), f"sessions.{i}.start", errors))
        count = _int(spec.get("slots"), f"sessions.{i}.slots", 1, MAX_SLOTS, errors)
        minutes = _int(spec.get("slot_minutes"), f"sessions.{i}.slot_minutes", 5, 240, errors, default=20)
        slots = [(start + dt.timedelta(minutes=minutes * k), start + dt.timedelta(minutes=minutes * (k + 1)))
                 for k in range(max(count, 0) if count <= MAX_SLOTS else 0)]
        plans.append((str(spec.get("title") or f"Session {i + 1}")[:200], slots))
        windows.extend(slots)
    if windows and de.windows_overlap(windows):
        errors.append(FieldError("sessions", "sessions overlap in time; start each after the previous one ends"))
    if errors:
        raise ValidationFailed("The event has invalid fields", errors=errors)
    with db.transaction() as session:
        event = EventRow(title=title, venue=str(data.get("venue") or "")[:200] or None, held_on=held_on,
                         description=str(data.get("description") or "")[:5000] or None,
                         organiser_user_id=actor.user_id or None, status=de.EventStatus.OPEN.value,
                         sample_data=bool(data.get("sample_data")))
        session.add(event)
        session.flush()
        for name, slots in plans:
            ses = EventSessionRow(event_id=event.id, title=name)
            session.add(ses)
            session.flush()
            session.add_all(EventSlotRow(event_id=event.id, session_id=ses.id, starts_at=a, ends_at=b)
                            for a, b in slots)
        session.add_all(EventTableRow(event_id=event.id, label=f"T{k:03d}", capacity=capacity)
                        for k in range(1, n_tables + 1))
        return event.id


def _event(session: Session, event_id: int) -> EventRow:
    event = session.get(EventRow, event_id)
    if event is None:
        raise NotFound(f"No event with id {event_id}")
    return event


def _parse_window(value: Any, day: dt.date, name: str, errors: list[FieldError]) -> tuple[dt.datetime, dt.datetime]:
    """A window is [start, end] (ISO datetimes or HH:MM on the event day) or "HH:MM-HH:MM"."""
    parts = value.split("-", 1) if isinstance(value, str) and "T" not in value else value
    if not isinstance(parts, list | tuple) or len(parts) != 2:
        errors.append(FieldError(name, "use [start, end] or \"09:00-12:00\""))
        return dt.datetime.combine(day, dt.time(0)), dt.datetime.combine(day, dt.time(0))
    out = []
    for part in parts:
        text = str(part).strip()
        try:
            out.append(dt.datetime.fromisoformat(text) if "T" in text or " " in text
                       else dt.datetime.combine(day, dt.time.fromisoformat(text)))
        except ValueError:
            errors.append(FieldError(name, f"{text!r} is not a time such as 09:00 or 2026-12-08T09:00"))
            out.append(dt.datetime.combine(day, dt.time(0)))
    return out[0], out[1]


def parse_availability(raw: Any, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Windows a participant can meet in; overlapping windows are refused (merge them)."""
    if raw in (None, "", []):
        return [(dt.datetime.combine(day, dt.time(0)), dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0)))]
    items = [w for w in raw.split(",") if w.strip()] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise ValidationFailed("Invalid availability", errors=[FieldError("availability", "give a list of windows")])
    errors: list[FieldError] = []
    windows = [_parse_window(w, day, f"availability.{i}", errors) for i, w in enumerate(items)]
    errors.extend(de.check_availability(windows) if not errors else [])
    if errors:
        raise ValidationFailed("The availability is not usable", errors=errors)
    return windows


def register(db: Database, actor: Actor, event_id: int, data: dict[str, Any]) -> int:
    """Register a participant (kind, display_name, availability, technology_id / fund_id / organisation_id)."""
    actor.require_login()
    errors: list[FieldError] = []
    kind = str(data.get("kind") or "")
    if kind not in {k.value for k in de.ParticipantKind}:
        errors.append(FieldError("kind", "use project, investor or enterprise"))
    name = str(data.get("display_name") or actor.display_name or "").strip()
    if not name or len(name) > 200:
        errors.append(FieldError("display_name", "give the name shown on agendas (1–200 characters)"))
    if errors:
        raise ValidationFailed("The registration has invalid fields", errors=errors)
    with db.transaction() as session:
        event = _event(session, event_id)
        if event.status != de.EventStatus.OPEN.value:
            raise Conflict("Registration is closed for this event")
        organiser = de.can_organise(actor.roles) or actor.user_id == event.organiser_user_id
        user_id = (actor.user_id or None) if not organiser or data.get("for_self", True) is True else None
        if user_id is not None and session.scalar(select(EventParticipantRow.id).where(
                EventParticipantRow.event_id == event_id, EventParticipantRow.user_id == user_id)):
            raise Conflict("You are already registered for this event; edit your registration instead")
        windows = parse_availability(data.get("availability"), event.held_on)
        row = EventParticipantRow(
            event_id=event_id, kind=kind, display_name=name, user_id=user_id,
            technology_id=_optional_int(data.get("technology_id")), fund_id=_optional_int(data.get("fund_id")),
            organisation_id=_optional_int(data.get("organisation_id")) or actor.organisation_id,
            availability=[[a.isoformat(), b.isoformat()] for a, b in windows])
        session.add(row)
        session.flush()
        return row.id


def _optional_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise ValidationFailed("Invalid reference", errors=[FieldError("id", f"{value!r} is not an id")]) from None


def _participant(session: Session, event_id: int, pid: Any, field: str) -> EventParticipantRow:
    row = session.get(EventParticipantRow, _optional_int(pid) or 0)
    if row is None or row.event_id != event_id:
        raise ValidationFailed("Unknown participant", errors=[
            FieldError(field, f"participant {pid} is not registered for event {event_id}; register them first")])
    return row


def _acts_for(actor: Actor, event: EventRow, participant: EventParticipantRow) -> bool:
    return de.acts_for(actor.roles, actor.user_id, participant.user_id, event.organiser_user_id)


def request_meeting(db: Database, actor: Actor, event_id: int, data: dict[str, Any]) -> int:
    actor.require_login()
    errors: list[FieldError] = []
    priority = _int(data.get("priority"), "priority", de.PRIORITY_MIN, de.PRIORITY_MAX, errors, default=3)
    if errors:
        raise ValidationFailed("The request has invalid fields", errors=errors)
    with db.transaction() as session:
        event = _event(session, event_id)
        if event.status != de.EventStatus.OPEN.value:
            raise Conflict("This event no longer takes meeting requests")
        if data.get("requester_id") in (None, ""):
            own = session.scalar(select(EventParticipantRow).where(
                EventParticipantRow.event_id == event_id, EventParticipantRow.user_id == actor.user_id))
            if own is None:
                raise ValidationFailed("Register first", errors=[FieldError("requester_id", "register for the event "
                                                                            "before requesting meetings")])
            requester = own
        else:
            requester = _participant(session, event_id, data.get("requester_id"), "requester_id")
        target = _participant(session, event_id, data.get("target_id"), "target_id")
        if not _acts_for(actor, event, requester):
            raise PermissionDenied("You can only request meetings for your own registration")
        if requester.id == target.id:
            raise ValidationFailed("Invalid request", errors=[FieldError("target_id", "cannot meet oneself")])
        existing = session.scalar(select(MeetingRequestRow.id).where(
            MeetingRequestRow.event_id == event_id,
            ((MeetingRequestRow.requester_id == requester.id) & (MeetingRequestRow.target_id == target.id))
            | ((MeetingRequestRow.requester_id == target.id) & (MeetingRequestRow.target_id == requester.id))))
        if existing:
            raise Conflict(f"A meeting request between these two already exists (request {existing})")
        row = MeetingRequestRow(event_id=event_id, requester_id=requester.id, target_id=target.id,
                                priority=priority, note=str(data.get("note") or "")[:2000] or None)
        session.add(row)
        session.flush()
        return row.id


def respond(db: Database, actor: Actor, request_id: int, decision: str) -> str:
    """The target accepts or declines; the requester withdraws a pending request."""
    actor.require_login()
    targets = {"accept": de.RequestStatus.ACCEPTED, "decline": de.RequestStatus.DECLINED,
               "withdraw": de.RequestStatus.WITHDRAWN}
    if decision not in targets:
        raise ValidationFailed("Unknown decision", errors=[FieldError("decision", "use accept, decline or withdraw")])
    with db.transaction() as session:
        row = session.get(MeetingRequestRow, request_id)
        if row is None:
            raise NotFound(f"No meeting request with id {request_id}")
        event = _event(session, row.event_id)
        side = session.get(EventParticipantRow, row.requester_id if decision == "withdraw" else row.target_id)
        if side is None or not _acts_for(actor, event, side):
            who = "requester" if decision == "withdraw" else "invited participant"
            raise PermissionDenied(f"Only the {who} (or the organiser) may {decision} this request")
        de.check_request_transition(row.status, targets[decision])
        row.status = targets[decision].value
        return row.status


def cancel(db: Database, actor: Actor, request_id: int) -> int | None:
    """Cancel an accepted meeting (late cancellation); returns the event id when a scheduled slot was freed."""
    actor.require_login()
    with db.transaction() as session:
        row = session.get(MeetingRequestRow, request_id)
        if row is None:
            raise NotFound(f"No meeting request with id {request_id}")
        event = _event(session, row.event_id)
        sides = [session.get(EventParticipantRow, row.requester_id), session.get(EventParticipantRow, row.target_id)]
        if not any(p is not None and _acts_for(actor, event, p) for p in sides):
            raise PermissionDenied("Only the two participants (or the organiser) may cancel this meeting")
        de.check_request_transition(row.status, de.RequestStatus.CANCELLED)
        row.status = de.RequestStatus.CANCELLED.value
        meeting = session.scalar(select(MeetingRow).where(MeetingRow.request_id == request_id))
        if meeting is None:
            return None
        session.delete(meeting)
        return row.event_id


def withdraw_participant(db: Database, actor: Actor, participant_id: int) -> int:
    """A participant drops out late: every accepted request of theirs is cancelled and their meetings freed;
    returns how many meetings were freed."""
    actor.require_login()
    with db.transaction() as session:
        person = session.get(EventParticipantRow, participant_id)
        if person is None:
            raise NotFound(f"No participant with id {participant_id}")
        event = _event(session, person.event_id)
        if not _acts_for(actor, event, person):
            raise PermissionDenied("Only the participant (or the organiser) may withdraw this registration")
        rows = session.scalars(select(MeetingRequestRow).where(
            (MeetingRequestRow.requester_id == participant_id) | (MeetingRequestRow.target_id == participant_id))).all()
        freed = 0
        for row in rows:
            if row.status == de.RequestStatus.ACCEPTED.value:
                row.status = de.RequestStatus.CANCELLED.value
            elif row.status == de.RequestStatus.PENDING.value:
                row.status = de.RequestStatus.WITHDRAWN.value
            meeting = session.scalar(select(MeetingRow).where(MeetingRow.request_id == row.id))
            if meeting is not None:
                session.delete(meeting)
                freed += 1
        person.availability = []
        return freed
