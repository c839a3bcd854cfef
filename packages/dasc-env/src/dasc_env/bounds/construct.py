"""A clairvoyant greedy plan on the tick clock: the first incumbent (and solution hint) of ``solve_exact``.

Tasks are taken in some order (by creation time, by payment); each task's subtasks, in topological order,
go to the skilled worker that finishes them earliest (then the shortest trip), matched at the first epoch
the worker, the task and the predecessors allow. A task that cannot finish by its latest finish, or whose
Eq. 1 revenue on the tick clock would not be positive, is rolled back and left unstarted. Every choice is
made with the same rounded ticks and pruned moves as the CP-SAT model, so the plan is a feasible solution
of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .instance import DEPOT, ClairvoyantInstance


@dataclass
class TickPlan:
    """Per worker ``[(subtask, epoch), ...]``; per planned subtask its start tick; completed tasks; and the
    plan's value on the tick clock (Eq. 2 with lateness in ticks)."""

    routes: list[list[tuple[int, int]]]
    start: dict[int, int] = field(default_factory=dict)
    tasks: list[int] = field(default_factory=list)
    value: float = 0.0


def greedy_plan(inst: ClairvoyantInstance) -> TickPlan:
    """The best of the greedy plans over a few task orders."""
    sc = inst.scenario
    cand = np.flatnonzero(inst.completable)
    orders = [cand[np.argsort(sc.task_created[cand], kind="stable")],
              cand[np.argsort(-sc.task_payment[cand], kind="stable")],
              cand[np.argsort(sc.task_deadline[cand], kind="stable")]]
    plans = [_greedy(inst, order) for order in orders]
    return max(plans, key=lambda p: p.value)


def _greedy(inst: ClairvoyantInstance, order) -> TickPlan:
    sc = inst.scenario
    moves = [set(arcs) for arcs in inst.arcs]
    plan = TickPlan([[] for _ in inst.arcs])
    free = np.zeros(sc.num_workers, dtype=np.int64)  # tick the worker finishes its last subtask
    for q in order:
        saved = (free.copy(), [len(r) for r in plan.routes])
        value = _place_task(inst, int(q), moves, plan, free)
        if value is None or value <= 0:
            free[:] = saved[0]
            for route, n in zip(plan.routes, saved[1]):
                for sub, _ in route[n:]:
                    plan.start.pop(sub, None)
                del route[n:]
        else:
            plan.tasks.append(int(q))
            plan.value += value
    return plan


def _place_task(inst: ClairvoyantInstance, q: int, moves, plan: TickPlan, free: np.ndarray) -> float | None:
    """Give each subtask of task ``q`` its earliest-finishing worker; Eq. 1 on ticks, or None if it fails."""
    sc, cfg, tpe = inst.scenario, inst.config, inst.clock.ticks_per_epoch
    epoch, travel = {}, 0.0
    for s in range(sc.task_ptr[q], sc.task_ptr[q + 1]):
        preds = sc.edges[sc.edges[:, 1] == s, 0].tolist()
        ready = max([plan.start[p] + int(inst.duration[p]) for p in preds], default=0)
        low = max([int(inst.first_epoch[q])] + [epoch[p] for p in preds])
        best = None
        for w in range(sc.num_workers):
            here = plan.routes[w][-1][0] if plan.routes[w] else DEPOT
            if (here, s) not in moves[w]:
                continue
            k = max(low, -(-int(free[w]) // tpe))
            tau = inst.travel_from_worker[w, s] if here == DEPOT else inst.travel_between[here, s]
            start = max(k * tpe + int(tau), ready)
            metres = inst.distance(w, here, s)
            if k <= inst.last_match_epoch[s] and start + inst.duration[s] <= inst.latest_finish[s]:
                if best is None or (start, metres) < best[:2]:
                    best = (start, metres, w, k)
        if best is None:
            return None
        start, metres, w, k = best
        plan.routes[w].append((s, k))
        plan.start[s], epoch[s] = int(start), k
        free[w] = start + int(inst.duration[s])
        travel += metres
    finish = max(plan.start[s] + int(inst.duration[s]) for s in range(sc.task_ptr[q], sc.task_ptr[q + 1]))
    late_minutes = max(0.0, finish * inst.clock.tick - sc.task_expected[q]) / 60.0
    return sc.task_payment[q] * (1.0 - cfg.zeta * late_minutes) - cfg.kappa * travel
