"""A generated event for the scheduling benchmark and tests (synthetic, clearly not real participants).

Projects request investors; each participant is available in one or two contiguous blocks of the day
(about three quarters of the slots); priorities 1–5; a fixed random seed makes runs repeatable.
"""

from __future__ import annotations

import datetime as dt
import random

from techbridge.domain.events import Participant, Problem, Request, Slot, Table

DAY = dt.datetime(2026, 12, 8, 9, 0)


def make_slots(n: int, minutes: int = 20, start: dt.datetime = DAY) -> tuple[Slot, ...]:
    return tuple(Slot(i + 1, start + dt.timedelta(minutes=minutes * i), start + dt.timedelta(minutes=minutes * (i + 1)))
                 for i in range(n))


def _availability(rng: random.Random, n_slots: int) -> frozenset[int]:
    if rng.random() < 0.5:
        length = rng.randint(n_slots * 5 // 8, n_slots)
        first = rng.randint(1, n_slots - length + 1)
        return frozenset(range(first, first + length))
    gap_start = rng.randint(2, n_slots - 3)
    gap = rng.randint(1, 3)
    return frozenset(s for s in range(1, n_slots + 1) if not gap_start <= s < gap_start + gap)


def generated_event(projects: int = 500, investors: int = 300, requests: int = 3000, slots: int = 16,
                    tables: int = 200, seed: int = 7) -> Problem:
    """Projects have ids 1..projects, investors follow; every request is project → investor, distinct pairs."""
    if requests > projects * investors:
        raise ValueError("more requests than distinct project–investor pairs")
    rng = random.Random(seed)
    slot_list = make_slots(slots)
    people = [Participant(pid, _availability(rng, slots)) for pid in range(1, projects + investors + 1)]
    pairs: set[tuple[int, int]] = set()
    # Investors differ in popularity: a few are asked by many projects (as at real roadshows).
    weights = [1.0 / (rank + 5) for rank in range(investors)]
    while len(pairs) < requests:
        project = rng.randint(1, projects)
        investor = projects + 1 + rng.choices(range(investors), weights=weights)[0]
        pairs.add((project, investor))
    request_list = tuple(Request(i, a, b, rng.randint(1, 5)) for i, (a, b) in enumerate(sorted(pairs), start=1))
    return Problem(slots=slot_list, tables=tuple(Table(t, 1) for t in range(1, tables + 1)),
                   participants=tuple(people), requests=request_list)
