"""Incumbents for the hindsight solvers: any episode's ledger is a plan, and a plan is a start for the search.

An online method plays an episode the clairvoyant problem also allows (it only knows less), so its ledger is a
hindsight plan: each worker's matches in the order it made them, at their epochs (``ledger_routes``).
``plan_of_routes`` prices those routes with ``plan.realise``, the env's own arithmetic, so the plan's revenue
is the ledger's E(M) up to float rounding, and ``replay.replay_plan`` plays it again. A best-known plan that
starts from the best method's ledger is therefore never below that method.

The CP-SAT model works on integer ticks (``instance.Clock``: travel and durations rounded up, deadlines down),
so a schedule the env runs with less than a tick of slack against a deadline is not a solution of the model.
``tick_plan`` schedules routes on the ticks exactly as the model would (each subtask starts at
``max(epoch + travel, predecessors' finish)``), checks every constraint of the model, and drops the tasks that
break one (the offender's task, repeatedly: dropping a subtask moves its worker's later trips), the drop
rule of ``abandon`` included, so what it returns is a feasible solution of the model: a complete hint.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..epochs import epoch_index
from ..simulator import Ledger
from .abandon import drop_checks
from .construct import TickPlan
from .instance import DEPOT, ClairvoyantInstance
from .plan import HindsightPlan, realise


def ledger_routes(ledger: Ledger, num_workers: int, interval: float) -> list[list[tuple[int, int]]]:
    """Per worker, ``[(subtask, epoch), ...]``: the ledger's matches in the order the worker made them."""
    routes: list[list[tuple[int, int]]] = [[] for _ in range(num_workers)]
    for r in sorted(ledger.matches, key=lambda r: (r.matched_at, r.subtask)):
        if not 0 <= r.worker < num_workers:
            raise ValueError(f"the ledger names worker {r.worker}, the scenario has {num_workers} workers")
        routes[r.worker].append((int(r.subtask), epoch_index(r.matched_at, interval)))
    return routes


def plan_of_routes(inst: ClairvoyantInstance, routes, wall_s: float = 0.0) -> HindsightPlan:
    """The ``HindsightPlan`` of ``routes`` on ``inst``, priced in real time; it proves no bound (inf)."""
    planned, completed, abandoned, revenue = realise(inst, routes)
    return HindsightPlan(planned, completed, abandoned, revenue, float("inf"), "feasible", wall_s, 0.0,
                         inst.config.decision_interval)


def routes_of_plan(plan: HindsightPlan) -> list[list[tuple[int, int]]]:
    """Per worker, ``[(subtask, epoch), ...]`` of ``plan``."""
    return [[(m.subtask, plan.epoch_of(m)) for m in route] for route in plan.routes]


def tick_plan(inst: ClairvoyantInstance, routes, abandon: bool = True) -> TickPlan:
    """``routes`` scheduled on the model's ticks, less the tasks that break one of its constraints (with
    ``abandon=False`` also the tasks the routes start and do not complete)."""
    routes = [list(route) for route in routes]
    while True:
        plan, offender = _schedule(inst, routes, abandon)
        if offender is None:
            return plan
        q = inst.scenario.subtask_task[offender]
        routes = [[(s, k) for s, k in route if inst.scenario.subtask_task[s] != q] for route in routes]


def _schedule(inst: ClairvoyantInstance, routes, abandon: bool) -> tuple[TickPlan, int | None]:
    """The tick schedule of ``routes`` and the first subtask (in index order) that breaks the model, if any."""
    sc, tpe = inst.scenario, inst.clock.ticks_per_epoch
    worker, epoch, tail = {}, {}, {}
    for w, route in enumerate(routes):
        for i, (s, k) in enumerate(route):
            worker[s], epoch[s], tail[s] = w, k, (route[i - 1][0] if i else DEPOT)
    moves = [set(arcs) for arcs in inst.arcs]
    start, bad = {}, []
    for s in sorted(epoch, key=lambda s: (epoch[s], s)):  # predecessors and previous trips come first
        preds = sc.edges[sc.edges[:, 1] == s, 0].tolist()
        w, k, a = worker[s], epoch[s], tail[s]
        q = sc.subtask_task[s]
        trip = inst.travel_from_worker[w, s] if a == DEPOT else inst.travel_between[a, s]
        ok = (a, s) in moves[w] and inst.first_epoch[q] <= k <= inst.last_match_epoch[s] and trip >= 0
        ok &= all(p in start and epoch[p] <= k for p in preds)
        if a != DEPOT:
            ok &= a in start and k * tpe >= start[a] + int(inst.duration[a])
        if not ok:
            bad.append(s)
            continue
        start[s] = max([k * tpe + int(trip)] + [start[p] + int(inst.duration[p]) for p in preds])
        if start[s] + int(inst.duration[s]) > inst.latest_finish[s]:
            bad.append(s)
    started = {int(sc.subtask_task[s]) for s in start}
    epoch = {s: epoch[s] for s in start}
    done = set()
    for q in sorted(started):
        subs = range(sc.task_ptr[q], sc.task_ptr[q + 1])
        complete = all(s in start for s in subs)
        if complete and max(start[s] + int(inst.duration[s]) for s in subs) <= inst.payment_end(q):
            done.add(q)  # a task finished after Eq. 1 stops paying is valued as abandoned, as the model does
        elif not complete and not abandon:
            bad.append(min(s for s in subs if s in start))
        if len(subs) > 1 and any(v > inst.latest_finish[u] for u, v in drop_checks(inst, q, epoch, start).items()):
            bad.append(min(s for s in subs if s in start))
    plan = TickPlan(routes, start, sorted(done), _tick_value(inst, start, done, routes))
    return plan, (min(bad) if bad else None)


def _tick_value(inst: ClairvoyantInstance, start: dict, done: set, routes) -> float:
    """Eq. 2 of the tick schedule (lateness in ticks), as ``construct`` values its plans."""
    sc, cfg = inst.scenario, inst.config
    travel = np.zeros(sc.num_tasks)
    for w, route in enumerate(routes):
        for i, (s, _) in enumerate(route):
            travel[sc.subtask_task[s]] += inst.distance(w, route[i - 1][0] if i else DEPOT, s)
    value = -cfg.kappa * travel.sum()
    for q in done:
        finish = max(start[s] + int(inst.duration[s]) for s in range(sc.task_ptr[q], sc.task_ptr[q + 1]))
        late_minutes = max(0.0, finish * inst.clock.tick - sc.task_expected[q]) / 60.0
        value += sc.task_payment[q] * (1.0 - cfg.zeta * late_minutes)
    return float(value)


def best_plan(inst: ClairvoyantInstance, plans: Sequence[HindsightPlan | Ledger]) -> HindsightPlan:
    """The best of ``plans`` (hindsight plans or ledgers of episodes on ``inst``'s scenario) by Eq. 2."""
    if not plans:
        raise ValueError("plans must name at least one HindsightPlan or Ledger")
    out = []
    for p in plans:
        if isinstance(p, Ledger):
            routes = ledger_routes(p, inst.scenario.num_workers, inst.config.decision_interval)
        elif isinstance(p, HindsightPlan):
            routes = routes_of_plan(p)
        else:
            raise TypeError(f"plans must hold HindsightPlan or Ledger objects, got {type(p).__name__}")
        out.append(plan_of_routes(inst, routes))
    return max(out, key=lambda p: p.revenue)
