"""The meeting scheduler: accepted requests → (slot, table), maximising total priority, with OR-tools CP-SAT.

Model: one boolean x[r, s] per request r and slot s in which both participants are available and free.
Each request is met at most once; each participant is in at most one meeting per slot; the meetings of a
slot never exceed the summed capacity of the tables. Tables are interchangeable apart from their capacity,
so they are given out after solving, slot by slot, without loss of optimality. Fixed meetings (rescheduling
after cancellations) keep their slot and table and take capacity away first. A greedy schedule (highest
priority first) is passed as a hint and is the fallback when the solver finds nothing in time. The solver's
best bound gives the optimality gap.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from techbridge.domain.events import Assignment, Problem, ScheduleResult, require_valid

EXTRA_HINT = 'pip install "techbridge[events]"  (or: pip install ortools==9.15.6755)'


def _cp_model() -> Any:
    try:
        from ortools.sat.python import cp_model
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(f"The meeting scheduler needs OR-tools: {EXTRA_HINT}") from exc
    return cp_model


@dataclass(frozen=True)
class SolverOptions:
    time_limit_s: float = 30.0  # for the whole solve, model building included
    workers: int = 2
    seed: int = 0
    gap_limit: float = 0.001  # stop once proven within 0.1 % of the optimum


def solve(problem: Problem, options: SolverOptions | None = None) -> ScheduleResult:
    """Schedule ``problem``; raises ValidationFailed for bad input (see domain.events.check_problem)."""
    options = options or SolverOptions()
    require_valid(problem)
    started = time.perf_counter()
    prio = {r.id: r.priority for r in problem.requests}
    available = {p.id: p.available for p in problem.participants}
    slot_ids = [s.id for s in sorted(problem.slots, key=lambda s: s.start)]
    slot_capacity = {s: sum(t.capacity for t in problem.tables) for s in slot_ids}
    fixed_ids = {a.request_id for a in problem.fixed}
    busy: set[tuple[int, int]] = set()
    by_id = {r.id: r for r in problem.requests}
    for a in problem.fixed:
        request = by_id[a.request_id]
        busy.update({(request.requester, a.slot_id), (request.target, a.slot_id)})
        slot_capacity[a.slot_id] = slot_capacity.get(a.slot_id, 0) - 1

    unscheduled: dict[int, str] = {}
    candidates: dict[int, list[int]] = {}
    for r in problem.requests:
        if r.id in fixed_ids:
            continue
        common = [s for s in slot_ids if s in available[r.requester] and s in available[r.target]]
        if not common:
            unscheduled[r.id] = "no slot in which both participants are available"
            continue
        free = [s for s in common if (r.requester, s) not in busy and (r.target, s) not in busy
                and slot_capacity[s] > 0]
        if not free:
            unscheduled[r.id] = "every common slot is taken by meetings that stay where they are"
            continue
        candidates[r.id] = free

    chosen, status, bound_free = _solve_cp(candidates, prio, by_id, slot_capacity, options, started)
    fixed_objective = sum(prio[a.request_id] for a in problem.fixed)
    assignments = list(problem.fixed) + _give_tables(problem, chosen)
    placed = {a.request_id for a in assignments}
    for rid in candidates:
        if rid not in placed:
            unscheduled[rid] = "not scheduled: participants or tables were taken by higher-priority meetings"
    objective = sum(prio[a.request_id] for a in assignments)
    return ScheduleResult(
        assignments=tuple(sorted(assignments, key=lambda a: (a.slot_id, a.table_id, a.request_id))),
        unscheduled=unscheduled, objective=objective, bound=max(objective, fixed_objective + bound_free),
        status=status, solve_seconds=time.perf_counter() - started, warnings=tuple(_overbooked(problem)))


def _greedy(candidates: dict[int, list[int]], prio: dict[int, int], by_id: dict[int, Any],
            capacity: dict[int, int]) -> dict[int, int]:
    """Highest priority first, earliest free slot: a feasible schedule for the hint and the fallback."""
    left = dict(capacity)
    busy: set[tuple[int, int]] = set()
    chosen: dict[int, int] = {}
    for rid in sorted(candidates, key=lambda r: (-prio[r], r)):
        request = by_id[rid]
        for s in candidates[rid]:
            if left[s] > 0 and (request.requester, s) not in busy and (request.target, s) not in busy:
                chosen[rid] = s
                left[s] -= 1
                busy.update({(request.requester, s), (request.target, s)})
                break
    return chosen


def _solve_cp(candidates: dict[int, list[int]], prio: dict[int, int], by_id: dict[int, Any],
              capacity: dict[int, int], options: SolverOptions, started: float) -> tuple[dict[int, int], str, int]:
    greedy = _greedy(candidates, prio, by_id, capacity)
    if not candidates:
        return {}, "optimal", 0
    cp_model = _cp_model()
    model = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    per_person: dict[tuple[int, int], list[Any]] = defaultdict(list)
    per_slot: dict[int, list[Any]] = defaultdict(list)
    for rid, slots in candidates.items():
        request = by_id[rid]
        own = []
        for s in slots:
            var = model.new_bool_var(f"x_{rid}_{s}")
            x[(rid, s)] = var
            own.append(var)
            per_person[(request.requester, s)].append(var)
            per_person[(request.target, s)].append(var)
            per_slot[s].append(var)
            model.add_hint(var, greedy.get(rid) == s)
        model.add_at_most_one(own)
    for group in per_person.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    # Redundant but bound-tightening: nobody meets more often than the slots they could meet in.
    per_participant: dict[int, list[Any]] = defaultdict(list)
    person_slots: dict[int, set[int]] = defaultdict(set)
    for (pid, s), group in per_person.items():
        per_participant[pid].extend(group)
        person_slots[pid].add(s)
    for pid, group in per_participant.items():
        if len(group) > len(person_slots[pid]):
            model.add(sum(group) <= len(person_slots[pid]))
    for s, group in per_slot.items():
        if len(group) > capacity[s]:
            model.add(sum(group) <= capacity[s])
    flow_bound = _matching_bound(candidates, prio, by_id)
    objective = sum(prio[rid] * var for (rid, _s), var in x.items())
    model.add(objective <= flow_bound)
    model.maximize(objective)
    solver = cp_model.CpSolver()
    # The limit covers the whole call: building the model counts against it, the search gets what is left.
    solver.parameters.max_time_in_seconds = max(1.0, options.time_limit_s - (time.perf_counter() - started))
    solver.parameters.num_search_workers = options.workers
    solver.parameters.random_seed = options.seed
    solver.parameters.relative_gap_limit = options.gap_limit
    code = solver.solve(model)
    upper = sum(prio[rid] for rid in candidates)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {rid: s for (rid, s), var in x.items() if solver.value(var)}
        if sum(prio[r] for r in greedy) > sum(prio[r] for r in chosen):
            chosen = greedy  # the hint was better than what the search returned in time
        bound = min(int(solver.best_objective_bound + 1e-6), flow_bound, upper)
        return chosen, "optimal" if code == cp_model.OPTIMAL else "feasible", bound
    return greedy, "greedy_fallback", min(flow_bound, upper)


def _matching_bound(candidates: dict[int, list[int]], prio: dict[int, int], by_id: dict[int, Any]) -> int:
    """An upper bound on the total priority: drop the slots and keep only "nobody meets more often than the
    slots they could meet in". That is a maximum-weight b-matching; its fractional version is solved exactly
    as a min-cost flow on the bipartite double cover (each person on both sides, each request both ways at
    half weight), and any schedule is a feasible point of it."""
    from ortools.graph.python import min_cost_flow

    person_slots: dict[int, set[int]] = defaultdict(set)
    for rid, slots in candidates.items():
        request = by_id[rid]
        person_slots[request.requester].update(slots)
        person_slots[request.target].update(slots)
    index = {pid: i for i, pid in enumerate(sorted(person_slots))}
    n = len(index)
    source, sink = 2 * n, 2 * n + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    total = 0
    for pid, i in index.items():
        b = len(person_slots[pid])
        flow.add_arc_with_capacity_and_unit_cost(source, i, b, 0)
        flow.add_arc_with_capacity_and_unit_cost(n + i, sink, b, 0)
        total += b
    for rid in candidates:
        a, b_ = index[by_id[rid].requester], index[by_id[rid].target]
        flow.add_arc_with_capacity_and_unit_cost(a, n + b_, 1, -prio[rid])
        flow.add_arc_with_capacity_and_unit_cost(b_, n + a, 1, -prio[rid])
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    if flow.solve() != flow.OPTIMAL:
        return sum(prio[rid] for rid in candidates)
    return int(-flow.optimal_cost() // 2)


def _give_tables(problem: Problem, chosen: dict[int, int]) -> list[Assignment]:
    """Hand out tables slot by slot; fixed meetings keep theirs, the rest fill the lowest free table."""
    load: dict[tuple[int, int], int] = defaultdict(int)
    for a in problem.fixed:
        load[(a.table_id, a.slot_id)] += 1
    tables = sorted(problem.tables, key=lambda t: t.id)
    out: list[Assignment] = []
    for rid, s in sorted(chosen.items(), key=lambda item: (item[1], item[0])):
        for table in tables:
            if load[(table.id, s)] < table.capacity:
                load[(table.id, s)] += 1
                out.append(Assignment(rid, s, table.id))
                break
    return out


def _overbooked(problem: Problem) -> list[str]:
    """Warn where someone has more accepted requests than slots they are available in."""
    count: dict[int, int] = defaultdict(int)
    for r in problem.requests:
        count[r.requester] += 1
        count[r.target] += 1
    available = {p.id: len(p.available) for p in problem.participants}
    return [f"participant {pid} has {n} accepted requests but is available in {available.get(pid, 0)} slots"
            for pid, n in sorted(count.items()) if n > available.get(pid, 0)]
