"""ADMIT-KM: admission control over whole tasks, with every subtask of a started task staffed ahead.

A task pays only when all its subtasks are done (Eq. 1); a task that fails still costs its workers'
travel (-kappa sum d) and keeps them busy. So this method reasons per task:

1. **Admission.** A live task that has not started (no subtask assigned) is started only when every
   one of its open subtasks can be done by some worker of the fleet (K^tau subset of K^w) and the
   idle workers not yet spoken for can take at least one of them within L^w. Tasks are considered
   by earliest deadline t_d; a task that is not admitted waits (and fails by itself once it can no
   longer meet t_d). A task with a subtask no worker has the skills for is never started.
2. **Staffing ahead.** Every open subtask of a started or admitted task is recommended at once, not
   only those whose predecessors are assigned: the env matches in dependency layers, so workers are
   placed along the whole DAG in one epoch and travel ahead while the predecessors run.
3. **Reservations.** Within an epoch, started tasks reserve idle workers first, then admitted tasks
   in deadline order (a maximum bipartite matching of the task's subtasks onto the free idle
   workers, scipy's ``maximum_bipartite_matching``); a later task is admitted only if a free idle
   worker is left for it.
4. The env's KM (Eq. 9-13) matches what was recommended.

The loop is over the few live tasks of an epoch; subtasks and workers are handled as arrays.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from ..env import DASCParallelEnv, is_live, is_matched
from .policy import Policy


class AdmissionPolicy(Policy):
    """Start a task only when the fleet can do all of it and an idle worker can begin; staff it whole."""

    name = "admit-km"
    observes = False

    def __init__(self, matcher: str = "km"):
        self.matcher = matcher

    def recommend(self, env: DASCParallelEnv) -> np.ndarray:
        status, sc = env.subtask_status, env.scenario
        live = is_live(status)
        open_ = np.flatnonzero(live)
        task = sc.subtask_task[open_]
        started = np.bincount(sc.subtask_task, weights=is_matched(status), minlength=sc.num_tasks) > 0
        skilled, dist = env.reach(open_, np.arange(sc.num_workers))
        doable = np.bincount(task, weights=~skilled.any(axis=1), minlength=sc.num_tasks) == 0
        idle = env.idle_workers
        in_reach = skilled[:, idle] & (dist[:, idle] <= env.config.worker_range)
        free = np.ones(idle.size, dtype=bool)
        free[_cover(in_reach[started[task]], free)] = False

        recommend = np.zeros(sc.num_subtasks, dtype=bool)
        recommend[open_[started[task]]] = True
        # a live task not started yet: one whose subtasks are all live (published, not dropped)
        has_live = np.bincount(sc.subtask_task, weights=live, minlength=sc.num_tasks) > 0
        waiting = np.flatnonzero(has_live & ~started & doable)
        for q in waiting[np.argsort(sc.task_deadline[waiting], kind="stable")]:
            rows = task == q
            workers = _cover(in_reach[rows], free)
            if workers.size:
                free[workers] = False
                recommend[open_[rows]] = True
        return recommend


def _cover(feasible: np.ndarray, free: np.ndarray) -> np.ndarray:
    """The free columns a maximum matching of the rows onto the free columns uses."""
    columns = np.flatnonzero(free)
    if feasible.shape[0] == 0 or columns.size == 0:
        return np.empty(0, dtype=np.int64)
    match = maximum_bipartite_matching(csr_matrix(feasible[:, columns]), perm_type="column")
    return columns[match[match >= 0]]


def admit_km() -> AdmissionPolicy:
    return AdmissionPolicy()
