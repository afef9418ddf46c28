"""The scheduler: every constraint checked by the independent checker, optimality on small cases against brute
force, rescheduling without moving unaffected meetings, and bad input."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from techbridge.domain import events as de
from techbridge.errors import FieldError, ValidationFailed
from techbridge.services.events.generate import generated_event, make_slots
from techbridge.services.events.solver import SolverOptions, solve

FAST = SolverOptions(time_limit_s=10, workers=1)


def problem(n_people: int, n_slots: int, tables: list[int], requests: list[tuple[int, int, int]],
            availability: dict[int, set[int]] | None = None) -> de.Problem:
    slots = make_slots(n_slots)
    everyone = {s.id for s in slots}
    people = tuple(de.Participant(p, frozenset((availability or {}).get(p, everyone))) for p in range(1, n_people + 1))
    return de.Problem(slots, tuple(de.Table(i, c) for i, c in enumerate(tables, start=1)), people,
                      tuple(de.Request(i, a, b, w) for i, (a, b, w) in enumerate(requests, start=1)))


def brute_force_best(p: de.Problem) -> int:
    """Try every way of giving each request a slot or none; the best total priority that obeys the rules."""
    slot_ids = [s.id for s in p.slots]
    capacity = sum(t.capacity for t in p.tables)
    available = {x.id: x.available for x in p.participants}
    best = 0
    for choice in itertools.product([None, *slot_ids], repeat=len(p.requests)):
        used: set[tuple[int, int]] = set()
        per_slot: dict[int, int] = {}
        ok, total = True, 0
        for r, s in zip(p.requests, choice, strict=True):
            if s is None:
                continue
            if s not in available[r.requester] or s not in available[r.target]:
                ok = False
                break
            if (r.requester, s) in used or (r.target, s) in used:
                ok = False
                break
            used |= {(r.requester, s), (r.target, s)}
            per_slot[s] = per_slot.get(s, 0) + 1
            if per_slot[s] > capacity:
                ok = False
                break
            total += r.priority
        if ok:
            best = max(best, total)
    return best


def test_small_case_is_optimal_and_valid() -> None:
    p = problem(3, 2, [1], [(1, 2, 5), (1, 3, 3), (2, 3, 1)])
    result = solve(p, FAST)
    assert de.check_schedule(p, result.assignments) == []
    assert result.objective == 8 and result.gap == 0.0
    assert set(result.unscheduled) == {3}


@pytest.mark.parametrize("seed", range(8))
def test_random_small_cases_match_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    n_people, n_slots = 5, 3
    pairs = rng.sample(list(itertools.combinations(range(1, n_people + 1), 2)), 6)
    availability = {p: set(rng.sample(range(1, n_slots + 1), rng.randint(1, n_slots))) for p in range(1, n_people + 1)}
    p = problem(n_people, n_slots, [1, 1], [(a, b, rng.randint(1, 5)) for a, b in pairs], availability)
    result = solve(p, FAST)
    assert de.check_schedule(p, result.assignments) == []
    assert result.objective == brute_force_best(p)
    assert result.objective <= result.bound


def test_availability_is_respected() -> None:
    p = problem(3, 3, [1, 1], [(1, 2, 5), (1, 3, 5)], availability={3: {2}, 2: {2, 3}})
    result = solve(p, FAST)
    assert de.check_schedule(p, result.assignments) == []
    where = {a.request_id: a.slot_id for a in result.assignments}
    assert where[2] == 2 and where[1] == 3


def test_no_one_in_two_places_and_table_capacity() -> None:
    # Person 1 is asked by four others but there are two slots; one table of capacity 1.
    p = problem(5, 2, [1], [(1, 2, 1), (1, 3, 2), (1, 4, 3), (1, 5, 4)])
    result = solve(p, FAST)
    assert de.check_schedule(p, result.assignments) == []
    assert result.objective == 7 and len(result.assignments) == 2
    # A table of capacity 2 hosts two meetings at once; two tables of capacity 1 do the same.
    for tables in ([2], [1, 1]):
        q = problem(4, 1, tables, [(1, 2, 1), (3, 4, 1)])
        assert len(solve(q, FAST).assignments) == 2


def test_medium_generated_event_is_valid_and_near_optimal() -> None:
    p = generated_event(projects=60, investors=30, requests=300, slots=8, tables=25, seed=3)
    result = solve(p, FAST)
    assert de.check_schedule(p, result.assignments) == []
    assert result.objective <= result.bound
    assert result.gap < 0.05
    assert len(result.assignments) + len(result.unscheduled) == len(p.requests)


def test_checker_catches_every_kind_of_violation() -> None:
    p = problem(4, 2, [1], [(1, 2, 1), (1, 3, 1), (3, 4, 1)], availability={4: {1}})
    bad = [de.Assignment(1, 1, 1), de.Assignment(2, 1, 1),  # person 1 twice in slot 1; table 1 over capacity
           de.Assignment(3, 2, 1),                           # person 4 not available in slot 2
           de.Assignment(3, 1, 1),                           # request 3 twice
           de.Assignment(99, 1, 1), de.Assignment(1, 9, 7)]  # unknown request, slot and table
    rules = {v.rule for v in de.check_schedule(p, bad)}
    assert {"double_booked", "table_capacity", "availability", "duplicate", "unknown_request", "unknown_slot",
            "unknown_table"} <= rules
    fixed = de.Problem(p.slots, p.tables, p.participants, p.requests, fixed=(de.Assignment(1, 2, 1),))
    assert {v.rule for v in de.check_schedule(fixed, [de.Assignment(1, 1, 1)])} >= {"moved_fixed"}


def test_reschedule_keeps_unaffected_meetings() -> None:
    p = generated_event(projects=40, investors=20, requests=160, slots=6, tables=15, seed=11)
    first = solve(p, FAST)
    assert de.check_schedule(p, first.assignments) == []
    cancelled = {a.request_id for a in first.assignments[:10]}
    keep = tuple(a for a in first.assignments if a.request_id not in cancelled)
    remaining = tuple(r for r in p.requests if r.id not in cancelled)
    again = de.Problem(p.slots, p.tables, p.participants, remaining, fixed=keep)
    second = solve(again, FAST)
    assert de.check_schedule(again, second.assignments) == []
    placed = {a.request_id: a for a in second.assignments}
    assert all(placed[a.request_id] == a for a in keep)  # nobody unaffected moved
    assert second.objective >= sum(r.priority for r in remaining if r.id in {a.request_id for a in keep})


def test_unknown_participant_is_refused_with_the_field() -> None:
    p = problem(2, 2, [1], [(1, 2, 3), (1, 7, 3)])
    with pytest.raises(ValidationFailed) as info:
        solve(p, FAST)
    assert FieldError("requests.2.target", "participant 7 is not registered for this event; register first") \
        in info.value.errors


def test_overlapping_slots_and_bad_priority_are_refused() -> None:
    start = dt.datetime(2026, 12, 8, 9)
    slots = (de.Slot(1, start, start + dt.timedelta(minutes=30)),
             de.Slot(2, start + dt.timedelta(minutes=20), start + dt.timedelta(minutes=50)))
    p = de.Problem(slots, (de.Table(1),), (de.Participant(1, frozenset({1})), de.Participant(2, frozenset({1}))),
                   (de.Request(1, 1, 2, 9), de.Request(2, 1, 1, 3)))
    fields = {e.field for e in de.check_problem(p)}
    assert fields == {"slots", "requests.1.priority", "requests.2.target"}


def test_overlapping_availability_windows_are_refused() -> None:
    t = dt.datetime(2026, 12, 8, 9)
    h = dt.timedelta(hours=1)
    errors = de.check_availability([(t, t + 2 * h), (t + h, t + 3 * h)])
    assert errors and errors[0].field == "availability.1" and "merge" in errors[0].message
    assert de.check_availability([(t, t + h), (t + h, t + 2 * h)]) == []
    assert de.check_availability([(t + h, t)])[0].message.startswith("ends before")


def test_more_requests_than_slots_schedules_what_fits_and_explains_the_rest() -> None:
    p = problem(7, 3, [3], [(1, k, k - 1 if k < 7 else 5) for k in range(2, 8)])  # person 1: six requests, 3 slots
    result = solve(p, FAST)
    assert de.check_schedule(p, result.assignments) == []
    assert len(result.assignments) == 3 and result.objective == 5 + 5 + 4
    assert any("participant 1 has 6 accepted requests" in w for w in result.warnings)
    assert len(result.unscheduled) == 3 and all(result.unscheduled.values())


def test_no_common_slot_is_reported() -> None:
    p = problem(2, 2, [1], [(1, 2, 3)], availability={1: {1}, 2: {2}})
    result = solve(p, FAST)
    assert result.assignments == () and "both participants" in result.unscheduled[1]
