"""The ledger: every match and every task outcome, as plain data.

Together with the ``Scenario`` it is enough to re-check the skill, order and
deadline constraints and to recompute Eq. 1 and Eq. 2 -- ``verify_ledger``
does exactly that, without looking at the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import DASCConfig
from ..scenario import Scenario
from .revenue import task_revenue

COMPLETED = "completed"
FAILED = "failed"
UNPUBLISHED = "unpublished"
FAILED_REASONS = ("horizon", "skills", "deadline", "travel")
"""``TaskOutcome.failed_reason`` of a failed task (``simulator.feasibility``): the horizon came; a subtask
needs skills no worker has (``task_failure`` "skills" or "travel"); even starting every open subtask now
misses t_d; counting the nearest skilled worker's travel, it cannot end by t_d (``task_failure`` "travel")."""

_TOL = 1e-6


@dataclass(frozen=True)
class MatchRecord:
    """Worker ``worker`` performs subtask ``subtask`` (global index) of task ``task``."""

    task: int
    subtask: int
    worker: int
    matched_at: float
    start: float
    finish: float
    distance: float
    """Road distance the worker travels to the subtask, metres."""


@dataclass(frozen=True)
class TaskOutcome:
    task: int
    status: str
    """"completed" (all subtasks assigned, finishing by t_d), "failed", or "unpublished" (horizon came first)."""
    created: float
    expected: float
    deadline: float
    payment: float
    finish: float
    """Finish time of the last subtask; nan unless completed."""
    travel: float
    """Sum of the travel distances of the task's matches, metres."""
    revenue: float
    """varrho of Eq. 1."""
    failed_reason: str = ""
    """Why a failed task failed (one of ``FAILED_REASONS``); "" unless failed."""


@dataclass
class Ledger:
    matches: list[MatchRecord] = field(default_factory=list)
    tasks: list[TaskOutcome] = field(default_factory=list)

    @property
    def total_revenue(self) -> float:
        """E(M) of Eq. 2: the sum of the task revenues."""
        return float(sum(t.revenue for t in self.tasks))

    def count(self, status: str) -> int:
        return sum(t.status == status for t in self.tasks)


def verify_ledger(scenario: Scenario, ledger: Ledger, config: DASCConfig, graph=None) -> list[str]:
    """Every constraint violation found in ``ledger`` (empty when all is well).

    Checks: each subtask matched at most once; skill (K^tau subset of K^w);
    range (d <= L^w); travel (start >= matched + d / v_w) and duration
    (finish = start + t); a worker holds one subtask at a time; order (a
    subtask starts after all its predecessors finished); deadline (a completed
    task has all subtasks matched and ends by t_d); and every task's revenue
    equals Eq. 1 recomputed from the matches; a failed task, and only one, names a ``FAILED_REASONS``
    entry. With the road ``graph``, each
    recorded distance must also be the shortest road distance from where the
    worker was (its start node, then its previous subtask) to the subtask.
    """
    problems: list[str] = []
    m = ledger.matches
    sub = np.array([r.subtask for r in m], dtype=np.int64)
    worker = np.array([r.worker for r in m], dtype=np.int64)
    matched = np.array([r.matched_at for r in m], dtype=np.float64)
    start = np.array([r.start for r in m], dtype=np.float64)
    finish = np.array([r.finish for r in m], dtype=np.float64)
    dist = np.array([r.distance for r in m], dtype=np.float64)

    if np.unique(sub).size != sub.size:
        problems.append("a subtask was matched more than once")
    for i, r in enumerate(m):
        if scenario.subtask_task[r.subtask] != r.task:
            problems.append(f"match {i}: subtask {r.subtask} is not in task {r.task}")
    lacking = scenario.subtask_skills[sub] & ~scenario.worker_skills[worker]
    for i in np.flatnonzero(lacking.any(axis=1)):
        problems.append(f"skill: worker {worker[i]} lacks a skill of subtask {sub[i]}")
    for i in np.flatnonzero(dist > config.worker_range + _TOL):
        problems.append(f"range: match {i} travels {dist[i]:.1f} m > L^w")
    for i in np.flatnonzero(start + _TOL < matched + dist / config.worker_speed):
        problems.append(f"travel: subtask {sub[i]} starts before its worker can arrive")
    for i in np.flatnonzero(np.abs(finish - start - scenario.subtask_durations[sub]) > _TOL):
        problems.append(f"duration: subtask {sub[i]} does not run for its duration")
    order = np.lexsort((matched, worker))
    same = worker[order][1:] == worker[order][:-1]
    overlap = matched[order][1:] + _TOL < finish[order][:-1]
    for i in np.flatnonzero(same & overlap):
        problems.append(f"worker {worker[order][i]} was matched again before finishing a subtask")
    if graph is not None and sub.size:
        origin = scenario.worker_nodes[worker[order]]
        origin[1:] = np.where(same, scenario.subtask_nodes[sub[order]][:-1], origin[1:])
        road = _road_distances(graph, origin, scenario.subtask_nodes[sub[order]])
        for i in np.flatnonzero(np.abs(road - dist[order]) > 1e-3 * np.maximum(1.0, road)):
            problems.append(f"distance: match of subtask {sub[order][i]} records {dist[order][i]:.1f} m, "
                            f"the road gives {road[i]:.1f} m")

    finish_of = np.full(scenario.num_subtasks, np.nan)
    start_of = np.full(scenario.num_subtasks, np.nan)
    finish_of[sub], start_of[sub] = finish, start
    pred, succ = scenario.edges[:, 0], scenario.edges[:, 1]
    has_succ = ~np.isnan(start_of[succ])
    for e in np.flatnonzero(has_succ & ~(start_of[succ] + _TOL >= finish_of[pred])):
        problems.append(f"order: subtask {succ[e]} starts before predecessor {pred[e]} finished")

    travel = np.bincount(scenario.subtask_task[sub], weights=dist, minlength=scenario.num_tasks)
    for t in ledger.tasks:
        lo, hi = scenario.task_ptr[t.task], scenario.task_ptr[t.task + 1]
        if t.status == COMPLETED:
            if np.isnan(finish_of[lo:hi]).any():
                problems.append(f"deadline: task {t.task} completed with unmatched subtasks")
                continue
            if abs(finish_of[lo:hi].max() - t.finish) > _TOL:
                problems.append(f"task {t.task}: finish {t.finish} is not its last subtask's finish")
            if t.finish > scenario.task_deadline[t.task] + _TOL:
                problems.append(f"deadline: task {t.task} finished after t_d")
        if (t.status == FAILED) != (t.failed_reason in FAILED_REASONS):
            problems.append(f"task {t.task}: status {t.status!r} with failed_reason {t.failed_reason!r}")
        expected = task_revenue(scenario.task_payment[t.task], t.finish if t.status == COMPLETED else np.nan,
                                scenario.task_expected[t.task], scenario.task_deadline[t.task],
                                travel[t.task], config.zeta, config.kappa)
        if abs(float(expected) - t.revenue) > 1e-6 * max(1.0, abs(t.revenue)):
            problems.append(f"revenue: task {t.task} records {t.revenue}, Eq. 1 gives {float(expected)}")
    if len({t.task for t in ledger.tasks}) != len(ledger.tasks):
        problems.append("a task has more than one outcome")
    return problems


def _road_distances(graph, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Shortest road distance sources[i] -> targets[i] (Dijkstra from each distinct source)."""
    unique, inverse = np.unique(sources, return_inverse=True)
    out = np.empty(sources.size)
    for start in range(0, unique.size, 64):
        rows = graph.shortest_distances(unique[start:start + 64])
        pick = (inverse >= start) & (inverse < start + 64)
        out[pick] = rows[inverse[pick] - start, targets[pick]]
    return out
