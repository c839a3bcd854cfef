"""Brute-force hindsight optimum of tiny DASC episodes: the oracle the ``dasc_env.bounds`` tests compare with.

It shares nothing with the CP-SAT model but the scenario and the package's Eq. 1 (``task_revenue``). For every
choice, per task, of which subtasks to do (all of them: the task completes; none; or a set closed under
predecessors: the task is abandoned and the env fails it, booking ``-kappa * sum d``), every assignment of
those subtasks to workers with the skills (K^tau subset of K^w) and every order of each worker's subtasks, it
schedules each subtask at its earliest feasible epoch-aligned time, the way the simulator would:

* matched at the first epoch ``k * Delta`` (epochs every ``decision_interval`` from 0) that is no earlier
  than its task's publication (the first epoch >= t_c), than its predecessors' matching epochs (layered
  matching) and than its worker's previous finish, and before the horizon;
* its worker travels from where it stands (start node, then its previous subtask) at v_w, within L^w;
* it starts at ``max(arrival, predecessors' finish)`` and must finish by t^d_tau (so the task ends by t_d);
* its task must survive the env's drop rule until its last match: at every epoch a subtask of the task is
  matched, no open subtask may be unable to finish by t^d_tau if it started then (``now + t``, chained through
  open predecessors; matched ones count with their finish). Between those epochs the test only gets easier.

Earliest is best (every constraint bounds a time from above, every cost grows with time), so the best
schedule over all these choices is the hindsight optimum of Eq. 2. Distances are directed road distances
(``RoadGraph.distances``) rounded to float32 like the env's distance cache.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from dasc_env import DASCConfig, DASCParallelEnv, RoadGraph, Scenario
from dasc_env.epochs import TIME_TOLERANCE, first_epoch, horizon, past_horizon
from dasc_env.simulator.revenue import task_revenue


@dataclass(frozen=True)
class BruteResult:
    revenue: float
    """The hindsight optimum of Eq. 2 (0 when no task can be completed)."""
    routes: tuple[tuple[int, ...], ...]
    """Per worker, the subtasks of one optimal plan in order."""
    schedules: int
    """Schedules evaluated."""


def drawn_episode(seed: int, **changes) -> DASCParallelEnv:
    """An env reset with ``seed`` on a tiny drawn episode of the small city (3 tasks of 1-3 subtasks, 3 workers,
    4 skills, created within 300 s); ``changes`` override those ``DASCConfig`` fields."""
    fields = dict(city="small", num_tasks=3, num_workers=3, min_subtasks=1, max_subtasks=3, num_skills=4,
                  arrival_window=300.0)
    env = DASCParallelEnv(DASCConfig(**(fields | changes)))
    env.reset(seed=seed)
    return env


def road_distances(scenario: Scenario, graph: RoadGraph, config: DASCConfig) -> tuple[np.ndarray, np.ndarray]:
    """(W, S) worker start -> subtask and (S, S) subtask -> subtask distances, metres (inf beyond L^w)."""
    nodes = np.concatenate([scenario.worker_nodes, scenario.subtask_nodes])
    table = graph.distances(nodes, scenario.subtask_nodes).astype(np.float32).astype(np.float64)
    table[table > config.worker_range] = np.inf
    return table[:scenario.num_workers], table[scenario.num_workers:]


def brute_force(scenario: Scenario, graph: RoadGraph, config: DASCConfig,
                max_schedules: int = 2_000_000) -> BruteResult:
    """The best Eq. 2 over every plan (see the module docstring); ValueError past ``max_schedules``."""
    sc = scenario
    dist_w, dist_s = road_distances(sc, graph, config)
    skilled = ~(sc.subtask_skills[None, :, :] & ~sc.worker_skills[:, None, :]).any(axis=2)
    best, best_routes, count = 0.0, tuple(() for _ in range(sc.num_workers)), 0
    for parts in itertools.product(*(_closed_subsets(sc, q) for q in range(sc.num_tasks))):
        subs = [s for part in parts for s in part]
        choices = [np.flatnonzero(skilled[:, s]).tolist() for s in subs]
        for workers in itertools.product(*choices):
            groups = [[s for s, w in zip(subs, workers) if w == v] for v in range(sc.num_workers)]
            for routes in itertools.product(*(itertools.permutations(g) for g in groups)):
                count += 1
                if count > max_schedules:
                    raise ValueError(f"more than {max_schedules} schedules: the instance is too big to brute-force")
                value = plan_revenue(sc, config, dist_w, dist_s, routes)
                if value is not None and value > best:
                    best, best_routes = value, tuple(routes)
    return BruteResult(best, best_routes, count)


def _closed_subsets(sc: Scenario, q: int) -> list[tuple[int, ...]]:
    """Every set of task q's subtasks that contains the predecessors of its members (the empty set too)."""
    subs = range(sc.task_ptr[q], sc.task_ptr[q + 1])
    preds = {s: set(sc.edges[sc.edges[:, 1] == s, 0].tolist()) for s in subs}
    return [part for n in range(len(subs) + 1) for part in itertools.combinations(subs, n)
            if all(preds[s] <= set(part) for s in part)]


def plan_revenue(sc: Scenario, config: DASCConfig, dist_w: np.ndarray, dist_s: np.ndarray, routes) -> float | None:
    """Eq. 2 of ``routes`` (per worker, subtasks in order) scheduled as early as possible; None if infeasible."""
    times = earliest_schedule(sc, config, dist_w, dist_s, routes)
    if times is None:
        return None
    finish, travel, epoch = times
    total = 0.0
    for q in {int(sc.subtask_task[s]) for route in routes for s in route}:
        lo, hi = sc.task_ptr[q], sc.task_ptr[q + 1]
        if not all(_survives(sc, config, q, finish, epoch, e) for e in {epoch[s] for s in range(lo, hi) if s in epoch}):
            return None
        last = np.nan if np.isnan(finish[lo:hi]).any() else finish[lo:hi].max()  # nan: abandoned, pays nothing
        total += float(task_revenue(sc.task_payment[q], last, sc.task_expected[q], sc.task_deadline[q],
                                    travel[lo:hi].sum(), config.zeta, config.kappa))
    return total


def _survives(sc: Scenario, config: DASCConfig, q: int, finish, epoch: dict, e: int) -> bool:
    """The env's drop rule for task q at epoch e (``simulator.feasibility.hopeless_tasks``), before that epoch's
    matches: subtasks matched earlier count with their finish, the others start no earlier than now."""
    subs = np.arange(sc.task_ptr[q], sc.task_ptr[q + 1])
    matched = np.zeros(sc.num_subtasks, dtype=bool)
    matched[[u for u in subs if u in epoch and epoch[u] < e]] = True
    now = e * config.decision_interval
    earliest = sc.forward_pass(np.where(matched, finish, now + sc.subtask_durations), into=~matched)
    return not (earliest[subs] > sc.latest_deadline[subs] + TIME_TOLERANCE).any()


def earliest_schedule(sc: Scenario, config: DASCConfig, dist_w, dist_s, routes):
    """(finish, travel) per subtask (nan where not planned) and each planned subtask's epoch, or None when the routes
    cannot be executed."""
    interval = config.decision_interval
    end = horizon(config, sc)
    owner, prev = {}, {}
    for w, route in enumerate(routes):
        for i, s in enumerate(route):
            owner[s], prev[s] = w, (route[i - 1] if i else None)
    order = _topological(sc, routes, owner, prev)
    if order is None:
        return None
    epoch, finish = {}, np.full(sc.num_subtasks, np.nan)
    travel = np.zeros(sc.num_subtasks)
    for s in order:
        preds = sc.edges[sc.edges[:, 1] == s, 0].tolist()
        before = prev[s]
        d = dist_w[owner[s], s] if before is None else dist_s[before, s]
        if not math.isfinite(d):
            return None
        k = max([int(first_epoch(sc.task_created[sc.subtask_task[s]], interval))] + [epoch[p] for p in preds]
                + ([] if before is None else [int(first_epoch(finish[before], interval))]))
        if past_horizon(k * interval, end):
            return None
        start = max([k * interval + d / config.worker_speed] + [finish[p] for p in preds])
        finish[s], epoch[s], travel[s] = start + sc.subtask_durations[s], k, d
        if finish[s] > sc.latest_deadline[s] + TIME_TOLERANCE:
            return None
    return finish, travel, epoch


def _topological(sc: Scenario, routes, owner: dict, prev: dict) -> list[int] | None:
    """The planned subtasks ordered so predecessors and each worker's earlier subtasks come first; None on a
    cycle (a worker asked to do a subtask before one of its ancestors) or a planned subtask's predecessor
    left out."""
    after: dict[int, list[int]] = {s: [] for s in owner}
    waiting = dict.fromkeys(owner, 0)
    for p, s in sc.edges.tolist():
        if s in owner:
            if p not in owner:
                return None
            after[p].append(s)
            waiting[s] += 1
    for s, p in prev.items():
        if p is not None:
            after[p].append(s)
            waiting[s] += 1
    ready = [s for s, n in waiting.items() if n == 0]
    order = []
    while ready:
        s = ready.pop()
        order.append(s)
        for t in after[s]:
            waiting[t] -= 1
            if waiting[t] == 0:
                ready.append(t)
    return order if len(order) == len(owner) else None
