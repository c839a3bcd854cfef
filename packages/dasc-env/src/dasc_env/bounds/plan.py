"""A hindsight plan: who does which subtask, matched at which epoch, and what Eq. 1 and Eq. 2 make of it.

``realise`` turns routes (per worker, the subtasks in order with their matching epochs) into real times
exactly as the simulator computes them -- a worker matched at epoch time ``k * Delta`` leaves from where it
stands (its start node, then its previous subtask's node), arrives after ``d / v_w``, starts once every
predecessor has finished and works for the subtask's duration -- and prices the tasks with the package's own
Eq. 1 (``task_revenue``): a completed task earns its delayed payment less ``kappa * sum d``, an abandoned one
(started, not completed: the env fails it) only costs ``kappa * sum d``. The plan's ``revenue`` is therefore
what the env books when it executes the plan (``replay.replay_plan``), up to float rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..epochs import TIME_TOLERANCE, epoch_index
from ..simulator.revenue import task_revenue
from .instance import DEPOT, ClairvoyantInstance

STATUSES = ("optimal", "feasible", "time_limit", "infeasible")


@dataclass(frozen=True)
class PlannedMatch:
    """Worker ``worker`` does subtask ``subtask`` (global index), matched at epoch time ``matched``."""

    subtask: int
    worker: int
    matched: float
    start: float
    finish: float
    distance: float
    """Metres from where the worker stands when matched to the subtask."""


@dataclass(frozen=True)
class HindsightPlan:
    """The hindsight (clairvoyant) plan of an episode and what it proves.

    ``revenue`` is Eq. 2 of the plan (a lower bound on the hindsight optimum); ``bound`` an upper bound
    the solver proved (see ``exact.solve_exact`` for what it covers); ``status`` one of ``STATUSES``.
    """

    routes: tuple[tuple[PlannedMatch, ...], ...]
    """Per worker, its matches in order."""
    completed: tuple[int, ...]
    """Tasks the plan completes."""
    abandoned: tuple[int, ...]
    """Tasks the plan starts and does not complete (the env fails them); every other task is left unstarted."""
    revenue: float
    bound: float
    status: str
    wall_s: float
    margin: float
    """The part of ``bound`` that covers the tick rounding and the integer objective (see ``solve_exact``)."""
    decision_interval: float

    @property
    def matches(self) -> list[PlannedMatch]:
        """Every match, by matching time then subtask."""
        return sorted((m for route in self.routes for m in route), key=lambda m: (m.matched, m.subtask))

    @property
    def gap(self) -> float:
        """Relative optimality gap ``(bound - revenue) / |bound|`` (0 when both are 0; nan when no bound was
        proven, ``bound`` inf)."""
        if math.isinf(self.bound):
            return math.nan
        return (self.bound - self.revenue) / abs(self.bound) if self.bound else 0.0

    def epoch_of(self, match: PlannedMatch) -> int:
        """The index k of the epoch ``k * decision_interval`` the match is made at."""
        return epoch_index(match.matched, self.decision_interval)


def realise(inst: ClairvoyantInstance, routes: list[list[tuple[int, int]]]):
    """Real-time matches, completed tasks and Eq. 2 of ``routes`` (per worker ``[(subtask, epoch), ...]``).

    Returns ``(matches per worker, completed tasks, abandoned tasks, Eq. 2)``. Raises ``RuntimeError`` if the
    routes break a constraint the env enforces (a bug of the model).
    """
    sc, cfg = inst.scenario, inst.config
    s = sc.num_subtasks
    worker, epoch, origin = np.full(s, -1), np.full(s, -1), np.full(s, DEPOT)
    for w, route in enumerate(routes):
        for i, (sub, k) in enumerate(route):
            if worker[sub] >= 0:
                raise RuntimeError(f"subtask {sub} is planned twice")
            worker[sub], epoch[sub] = w, k
            origin[sub] = route[i - 1][0] if i else DEPOT
    done = worker >= 0
    dist = np.array([inst.distance(worker[i], origin[i], i) if done[i] else 0.0 for i in range(s)])
    start, finish = np.full(s, np.nan), np.full(s, np.nan)
    matched = inst.clock.epoch_time(epoch)
    for i in np.flatnonzero(done):  # index order is topological within each task
        preds = sc.edges[sc.edges[:, 1] == i, 0]
        start[i] = max(matched[i] + dist[i] / cfg.worker_speed, *(finish[p] for p in preds), -np.inf)
        finish[i] = start[i] + sc.subtask_durations[i]
    _check(inst, routes, done, epoch, dist, finish)
    per_task = np.bincount(sc.subtask_task, weights=done, minlength=sc.num_tasks)
    completed = np.flatnonzero(per_task == sc.task_sizes())
    abandoned = np.flatnonzero((per_task > 0) & (per_task < sc.task_sizes()))
    last = np.full(sc.num_tasks, -np.inf)
    np.maximum.at(last, sc.subtask_task[done], finish[done])
    travel = np.bincount(sc.subtask_task[done], weights=dist[done], minlength=sc.num_tasks)
    revenue = task_revenue(sc.task_payment[completed], last[completed], sc.task_expected[completed],
                           sc.task_deadline[completed], travel[completed], cfg.zeta, cfg.kappa)
    planned = tuple(tuple(PlannedMatch(int(i), w, float(matched[i]), float(start[i]), float(finish[i]),
                                       float(dist[i])) for i, _ in route) for w, route in enumerate(routes))
    value = float(revenue.sum() - cfg.kappa * travel[abandoned].sum())
    return planned, tuple(int(q) for q in completed), tuple(int(q) for q in abandoned), value


def _check(inst: ClairvoyantInstance, routes, done, epoch, dist, finish) -> None:
    """The env's rules on the real times: what the tick model promised must hold."""
    sc, cfg = inst.scenario, inst.config
    problems = []
    if (done[sc.edges[:, 1]] & ~done[sc.edges[:, 0]]).any():
        problems.append("a subtask is planned without its predecessor")
    if (dist[done] > cfg.worker_range).any():
        problems.append("a move is longer than L^w")
    if (finish[done] > sc.latest_deadline[done] + TIME_TOLERANCE).any():
        problems.append("a subtask finishes after its latest finish t^d_tau")
    if (epoch[done] < inst.first_epoch[sc.subtask_task[done]]).any() or (epoch[done] > inst.last_epoch).any():
        problems.append("a subtask is matched outside its task's epochs")
    pred, succ = sc.edges[:, 0], sc.edges[:, 1]
    if (done[succ] & (epoch[succ] < epoch[pred])).any():
        problems.append("a subtask is matched before its predecessor")
    for w, route in enumerate(routes):
        if any(not inst.skilled[w, sub] for sub, _ in route):
            problems.append(f"worker {w} lacks a skill")
        times = inst.clock.epoch_time([k for _, k in route])
        if (times[1:] + TIME_TOLERANCE < finish[[sub for sub, _ in route[:-1]]]).any():
            problems.append(f"worker {w} is matched again before finishing")
    if problems:
        raise RuntimeError("hindsight plan breaks the env's rules: " + "; ".join(problems))
