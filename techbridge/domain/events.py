"""Roadshows and one-to-one meetings: the scheduling problem, its input checks, the request workflow and
an independent checker of any schedule.

The solver (services/events/solver.py) turns a ``Problem`` into ``Assignment``s. ``check_schedule`` here
re-derives every rule from the problem alone and shares no code with the solver, so tests and the
benchmark can trust a schedule only after this checker found no violation.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from techbridge.domain.roles import Role
from techbridge.errors import FieldError, IllegalTransition, PermissionDenied, ValidationFailed


class ParticipantKind(StrEnum):
    PROJECT = "project"
    INVESTOR = "investor"
    ENTERPRISE = "enterprise"


class EventStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"          # registration and requests
    CLOSED = "closed"      # the event is over


class RequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"  # accepted, then cancelled (late cancellations trigger rescheduling)


REQUEST_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.PENDING: frozenset({RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.WITHDRAWN}),
    RequestStatus.ACCEPTED: frozenset({RequestStatus.CANCELLED}),
    RequestStatus.DECLINED: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
}
PRIORITY_MIN, PRIORITY_MAX = 1, 5


def check_request_transition(current: str, target: RequestStatus) -> None:
    state = RequestStatus(current)
    if target not in REQUEST_TRANSITIONS[state]:
        allowed = ", ".join(s.value for s in REQUEST_TRANSITIONS[state]) or "none"
        raise IllegalTransition(f"A {state.value} meeting request cannot become {target.value}; allowed: {allowed}")


# ---- policies ---------------------------------------------------------------------------------------


def can_organise(roles: frozenset[Role]) -> bool:
    """Operators create and run events (the organiser is an operator account)."""
    return Role.OPERATOR in roles


def require_organiser(roles: frozenset[Role], user_id: int | None, organiser_user_id: int | None) -> None:
    if Role.OPERATOR in roles or (user_id is not None and user_id == organiser_user_id):
        return
    raise PermissionDenied("Only the event's organiser or an operator may do this")


def acts_for(roles: frozenset[Role], user_id: int | None, participant_user_id: int | None,
             organiser_user_id: int | None) -> bool:
    """A user acts for a participant when it is their own registration, or they organise the event."""
    if user_id is not None and user_id == participant_user_id:
        return True
    return can_organise(roles) or (user_id is not None and user_id == organiser_user_id)


# ---- the scheduling problem ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    id: int
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Table:
    id: int
    capacity: int = 1  # meetings the table can host at the same time


@dataclass(frozen=True)
class Participant:
    id: int
    available: frozenset[int]  # slot ids


@dataclass(frozen=True)
class Request:
    id: int
    requester: int
    target: int
    priority: int


@dataclass(frozen=True)
class Assignment:
    request_id: int
    slot_id: int
    table_id: int


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    tables: tuple[Table, ...]
    participants: tuple[Participant, ...]
    requests: tuple[Request, ...]
    fixed: tuple[Assignment, ...] = ()  # kept exactly as they are (rescheduling)


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str


@dataclass(frozen=True)
class ScheduleResult:
    assignments: tuple[Assignment, ...]
    unscheduled: dict[int, str]
    objective: int
    bound: int
    status: str
    solve_seconds: float
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def gap(self) -> float:
        """Relative optimality gap (bound − objective) / bound; 0 means proven optimal."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


def windows_overlap(windows: Sequence[tuple[dt.datetime, dt.datetime]]) -> tuple[int, int] | None:
    """The indices of the first two windows that overlap (half-open intervals), or None."""
    ordered = sorted(range(len(windows)), key=lambda i: windows[i][0])
    for a, b in itertools.pairwise(ordered):
        if windows[b][0] < windows[a][1]:
            return a, b
    return None


def check_availability(windows: Sequence[tuple[dt.datetime, dt.datetime]], field_name: str = "availability"
                       ) -> list[FieldError]:
    """Each window must end after it starts, and windows of one participant must not overlap (merge them)."""
    errors = [FieldError(f"{field_name}.{i}", "ends before it starts; swap start and end")
              for i, (start, end) in enumerate(windows) if end <= start]
    if not errors:
        pair = windows_overlap(windows)
        if pair:
            errors.append(FieldError(f"{field_name}.{pair[1]}",
                                     f"overlaps window {pair[0]}; merge overlapping windows into one"))
    return errors


def slots_within(slots: Iterable[Slot], windows: Sequence[tuple[dt.datetime, dt.datetime]]) -> frozenset[int]:
    """Slots lying entirely inside one of the windows."""
    return frozenset(s.id for s in slots if any(w0 <= s.start and s.end <= w1 for w0, w1 in windows))


def check_problem(problem: Problem) -> list[FieldError]:
    """Input checks before solving: slots must not overlap in time, every request must name registered
    participants (two different ones) and a priority 1–5, and fixed meetings must refer to known items."""
    errors: list[FieldError] = []
    pair = windows_overlap([(s.start, s.end) for s in problem.slots])
    if pair:
        errors.append(FieldError("slots", f"slots {problem.slots[pair[0]].id} and {problem.slots[pair[1]].id} "
                                          "overlap in time; make slots consecutive"))
    people = {p.id for p in problem.participants}
    for request in problem.requests:
        for role, pid in (("requester", request.requester), ("target", request.target)):
            if pid not in people:
                errors.append(FieldError(f"requests.{request.id}.{role}",
                                         f"participant {pid} is not registered for this event; register first"))
        if request.requester == request.target:
            errors.append(FieldError(f"requests.{request.id}.target", "cannot request a meeting with oneself"))
        if not PRIORITY_MIN <= request.priority <= PRIORITY_MAX:
            errors.append(FieldError(f"requests.{request.id}.priority", "use a priority 1–5"))
    if any(t.capacity < 1 for t in problem.tables):
        errors.append(FieldError("tables", "every table needs a capacity of at least 1"))
    return errors


def check_schedule(problem: Problem, assignments: Sequence[Assignment]) -> list[Violation]:
    """Every rule a schedule must obey, checked from scratch:

    - each assignment names a known request, slot and table, and each request is met at most once;
    - nobody is in two places at once (one meeting per participant per slot);
    - no table hosts more meetings in a slot than its capacity;
    - both participants are available in the slot;
    - fixed meetings (rescheduling) are kept exactly.
    """
    violations: list[Violation] = []
    requests = {r.id: r for r in problem.requests}
    slots = {s.id for s in problem.slots}
    capacity = {t.id: t.capacity for t in problem.tables}
    available = {p.id: p.available for p in problem.participants}
    seen: set[int] = set()
    busy: dict[tuple[int, int], int] = defaultdict(int)
    load: dict[tuple[int, int], int] = defaultdict(int)
    for a in assignments:
        request = requests.get(a.request_id)
        if request is None:
            violations.append(Violation("unknown_request", f"request {a.request_id} is not in the problem"))
            continue
        if a.slot_id not in slots:
            violations.append(Violation("unknown_slot", f"request {a.request_id} is in unknown slot {a.slot_id}"))
        if a.table_id not in capacity:
            violations.append(Violation("unknown_table", f"request {a.request_id} is at unknown table {a.table_id}"))
        if a.request_id in seen:
            violations.append(Violation("duplicate", f"request {a.request_id} is scheduled twice"))
        seen.add(a.request_id)
        for pid in (request.requester, request.target):
            busy[(pid, a.slot_id)] += 1
            if a.slot_id not in available.get(pid, frozenset()):
                violations.append(Violation("availability", f"participant {pid} is not available in slot "
                                                            f"{a.slot_id} (request {a.request_id})"))
        load[(a.table_id, a.slot_id)] += 1
    for (pid, slot_id), count in busy.items():
        if count > 1:
            violations.append(Violation("double_booked", f"participant {pid} has {count} meetings in slot {slot_id}"))
    for (table_id, slot_id), count in load.items():
        if count > capacity.get(table_id, 0):
            violations.append(Violation("table_capacity", f"table {table_id} hosts {count} meetings in slot "
                                                          f"{slot_id}; capacity {capacity.get(table_id, 0)}"))
    placed = {a.request_id: a for a in assignments}
    for fixed in problem.fixed:
        if placed.get(fixed.request_id) != fixed:
            violations.append(Violation("moved_fixed", f"fixed meeting {fixed.request_id} was moved or dropped"))
    return violations


def objective_of(problem: Problem, assignments: Iterable[Assignment]) -> int:
    priority: Mapping[int, int] = {r.id: r.priority for r in problem.requests}
    return sum(priority.get(a.request_id, 0) for a in assignments)


def require_valid(problem: Problem) -> None:
    errors = check_problem(problem)
    if errors:
        raise ValidationFailed("The event cannot be scheduled as it stands", errors=errors)
