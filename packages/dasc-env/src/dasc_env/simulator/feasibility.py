"""What can still happen: which open subtasks this epoch can match (the action mask's rule) and which live
tasks can no longer end by t_d (the failure rule of ``DASCConfig.task_failure``), and whether waiting for a busy
worker may pay, on arrays.

**Matchable this epoch** (``epoch_reach``). ``Simulator.step`` matches recommended subtasks in dependency
layers, so a subtask whose predecessor is still unassigned can be matched in the epoch its predecessor is
matched. A subtask is matchable now when some idle worker passes Stage 2's pair test (``pair_test``:
skills, L^w, and finishing by t^d_tau) with the subtask ready when its last predecessor finishes: the
recorded finish of an assigned predecessor, or the earliest finish an unassigned one can reach this epoch
(its own nearest feasible idle worker, recursively). A subtask with a predecessor that is neither assigned
nor itself matchable this epoch cannot be matched now. The test ignores contention (one worker serving two
subtasks, or another subtask taking the best worker), so it never rejects a match the simulator makes: a
recommendation it allows fails only through contention or a predecessor that was not recommended.

**The first busy arrival** (``busy_arrival``). For each open subtask, the busy worker with its skills, within L^w
of it from where it becomes free, that could arrive first (time until free + that distance / v_w), and whether it
arrives before every idle worker the pair test allows could (distance / v_w): then waiting for it may pay.

**Provably doomed** (``hopeless_tasks``). A live task fails once some open subtask cannot finish by its
t^d_tau even when it starts as early as possible; the earliest start is a lower bound chosen by the rule:

* ``"paper"``: now (durations only, the paper's model);
* ``"skills"``: as ``"paper"``, and never (inf) for a subtask whose skills no worker of the fleet has,
  so such a task fails the moment it is published;
* ``"travel"``: as ``"skills"``, and no earlier than the first arrival of a skilled worker: each worker is
  free at max(now, its current job's finish) at its node and travels at least min(d, L^w) / v_w (a worker
  beyond L^w now needs more than L^w of road to get there, whatever jobs it takes on the way).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..epochs import TIME_TOLERANCE, past_horizon
from ..matching import pair_test
from .states import ASSIGNED, OPEN


@dataclass(frozen=True)
class EpochReach:
    """The open subtasks (rows) against the idle workers (columns) now, under the matchable-this-epoch rule."""

    subtasks: np.ndarray
    """(n,) the open subtasks (live agents), ascending."""
    workers: np.ndarray
    """(m,) the idle workers, ascending."""
    skilled: np.ndarray
    """(n, m) K^tau subset of K^w."""
    distance: np.ndarray
    """(n, m) road metres from the worker to the subtask, inf beyond L^w."""
    feasible: np.ndarray
    """(n, m) Stage 2's pair test, each subtask ready at its predecessors' earliest finish this epoch."""
    finish: np.ndarray
    """(n,) the earliest finish of each subtask if matched this epoch; inf where it cannot be."""

    @property
    def matchable(self) -> np.ndarray:
        """(n,) True where some idle worker can take the subtask this epoch (the "recommend" action mask)."""
        return np.isfinite(self.finish)


def epoch_reach(sim) -> EpochReach:
    """The ``EpochReach`` of a ``Simulator`` now (see the module docstring)."""
    sc, cfg, now = sim.scenario, sim.config, sim.now
    subs, workers = sim.open_subtasks, sim.idle_workers
    skilled, dist = sim.reach(subs, workers)
    # Each open subtask with its nearest skilled idle worker, as ``pair_test`` sees that one pair (n, 1), on
    # (S,) arrays indexed by subtask: the same float operations, without the per-level index bookkeeping.
    nearest = np.full(sc.num_subtasks, np.inf)
    nearest[subs] = np.where(skilled, dist, np.inf).min(axis=1, initial=np.inf)
    arrival = now + nearest / cfg.worker_speed
    in_range = np.isfinite(nearest) & (nearest <= cfg.worker_range)
    durations, due = sc.subtask_durations, sc.latest_deadline + TIME_TOLERANCE
    finish = np.where(sim.sub_state == ASSIGNED, sim.sub_finish, np.inf)
    ready = np.full(sc.num_subtasks, -np.inf)

    def settle(idx: np.ndarray) -> None:
        end = np.maximum(arrival[idx], ready[idx]) + durations[idx]
        finish[idx] = np.where(in_range[idx] & (end <= due[idx]), end, np.inf)

    settle(subs)  # as if without predecessors; successors are settled again level by level
    is_open = sim.sub_state == OPEN
    for pred, succ in sc.dependency_levels:  # grouped by the successor's local index: predecessors settle first
        live = is_open[succ]
        if live.any():
            succ = succ[live]
            np.maximum.at(ready, succ, finish[pred[live]])
            settle(succ)  # a repeated subtask settles twice to the same value
    feasible, _, _ = pair_test(skilled, dist, now, ready[subs], sc.subtask_durations[subs],
                               sc.latest_deadline[subs], cfg.worker_range, cfg.worker_speed)
    return EpochReach(subs, workers, skilled, dist, feasible, finish[subs])


@dataclass(frozen=True)
class BusyArrival:
    """For each subtask of an ``EpochReach``, the busy skilled worker within L^w that could arrive first."""

    worker: np.ndarray
    """(n,) its index, -1 where no busy worker has the skills within L^w."""
    free_in: np.ndarray
    """(n,) seconds until it is free (0 where none)."""
    distance: np.ndarray
    """(n,) road metres from where it becomes free to the subtask (inf where none)."""
    sooner: np.ndarray
    """(n,) True where it arrives before every feasible idle worker could (``EpochReach.feasible``)."""


def busy_arrival(sim, reach: EpochReach) -> BusyArrival:
    """The ``BusyArrival`` of a ``Simulator`` now, for the subtasks of ``reach`` (see the module docstring)."""
    cfg, n = sim.config, reach.subtasks.size
    is_busy = np.ones(sim.scenario.num_workers, dtype=bool)
    is_busy[reach.workers] = False
    busy = np.flatnonzero(is_busy)
    if busy.size == 0:
        return BusyArrival(np.full(n, -1), np.zeros(n), np.full(n, np.inf), np.zeros(n, dtype=bool))
    skilled, dist = sim.reach(reach.subtasks, busy)
    free_in = sim.worker_free_at[busy] - sim.now
    arrival = np.where(skilled & (dist <= cfg.worker_range), free_in[None, :] + dist / cfg.worker_speed, np.inf)
    best = arrival.argmin(axis=1)
    first = arrival[np.arange(n), best]
    present = np.isfinite(first)
    idle_first = np.where(reach.feasible, reach.distance, np.inf).min(axis=1, initial=np.inf) / cfg.worker_speed
    return BusyArrival(np.where(present, busy[best], -1), np.where(present, free_in[best], 0.0),
                       np.where(present, dist[np.arange(n), best], np.inf), present & (first < idle_first))


def hopeless_tasks(sim) -> tuple[np.ndarray, list[str]]:
    """Live tasks of a ``Simulator`` that can no longer end by t_d under ``config.task_failure`` (see the
    module docstring), ascending, and the ``ledger.FAILED_REASONS`` entry of each (the first that applies)."""
    sc = sim.scenario
    open_ = sim.sub_state == OPEN
    if past_horizon(sim.now, sim.horizon):
        tasks = np.unique(sc.subtask_task[open_])
        return tasks, ["horizon"] * tasks.size
    rule = sim.config.task_failure
    now = np.full(sc.num_subtasks, sim.now)
    checks = [("deadline", lambda: open_ & _late(sim, now, open_))]
    if rule in ("skills", "travel"):
        checks.insert(0, ("skills", lambda: open_ & sim.unservable))
    if rule == "travel":
        checks.append(("travel", lambda: open_ & _late(sim, _arrival_bound(sim, open_), open_)))
    reason = np.full(sc.num_tasks, -1)
    for code, (_, flagged) in enumerate(checks):
        subtasks = flagged()
        if not subtasks.any():
            continue
        tasks = np.unique(sc.subtask_task[subtasks])
        reason[tasks] = np.where(reason[tasks] < 0, code, reason[tasks])
    tasks = np.flatnonzero(reason >= 0)
    return tasks, [checks[c][0] for c in reason[tasks]]


def _late(sim, start: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """(S,) True where a subtask cannot finish by t^d_tau: open subtasks start no earlier than ``start`` and
    after their predecessors (assigned ones finish when recorded), and run for their durations."""
    sc = sim.scenario
    earliest = sc.forward_pass(np.where(sim.sub_state == ASSIGNED, sim.sub_finish, start + sc.subtask_durations),
                               into=open_)
    return earliest > sc.latest_deadline + TIME_TOLERANCE


def _arrival_bound(sim, open_: np.ndarray) -> np.ndarray:
    """(S,) a lower bound on when a skilled worker can reach each open subtask (inf if no worker has its
    skills): worker w is free at max(now, free_at_w) at its node and needs at least min(d, L^w) / v_w."""
    cfg = sim.config
    subs = np.flatnonzero(open_)
    skilled, dist = sim.reach(subs, np.arange(sim.scenario.num_workers))
    arrival = np.maximum(sim.now, sim.worker_free_at)[None, :] + np.minimum(dist, cfg.worker_range) / cfg.worker_speed
    start = np.full(open_.size, sim.now)
    start[subs] = np.where(skilled, arrival, np.inf).min(axis=1, initial=np.inf)
    return start
