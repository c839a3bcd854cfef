"""The DASC dynamics, on arrays.

One decision epoch (``Simulator.step``):

1. **Match** the recommended subtasks in dependency layers. Layer k holds the
   recommended subtasks whose predecessors are all assigned (before this
   epoch or in an earlier layer); each layer is one assignment (KM on the
   utility of Eq. 9-13, or greedy) against the idle workers. A pair is
   feasible when the worker has every required skill (K^tau subset of K^w),
   is within L^w by road, and the subtask would still finish by its
   critical-path latest finish t^d_tau (otherwise the task could not meet t_d).
   A matched worker travels at v_w, waits until every predecessor has
   finished, works for the subtask's duration and becomes idle at the
   subtask's node: its start and finish times are fixed at the match.
   Recommended subtasks that get no worker are failed recommendations.
2. **Book** every task whose last subtask was just assigned: its revenue
   (Eq. 1) is final now, and the sparse reward goes to the subtask of that
   final match that finishes last.
3. **Advance** the clock by ``decision_interval``; publish tasks whose t_c
   has come; fail live tasks that can no longer end by t_d (``config.task_failure``
   picks the rule, see ``simulator.feasibility``: by default, even if every open
   subtask started now), recording why (``TaskOutcome.failed_reason``);
   fast-forward over epochs without open subtasks; end at the horizon or when
   the stream is exhausted.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from ..city import DistanceCache, RoadGraph
from ..config import DASCConfig, check_eta
from ..epochs import TIME_TOLERANCE, first_epoch, horizon, is_published, past_horizon
from ..matching import (
    BUILTIN_MATCHERS,
    Matcher,
    MatchingProblem,
    check_assignment,
    check_matcher,
    distance_utility,
    matching_utility,
    pair_test,
    skill_utility,
    time_utility,
)
from ..scenario import Scenario
from .feasibility import BusyArrival, EpochReach, busy_arrival, epoch_reach, hopeless_tasks
from .ledger import COMPLETED, FAILED, UNPUBLISHED, Ledger, MatchRecord, TaskOutcome
from .outcome import EpochOutcome
from .revenue import shaped_reward, task_revenue
from .states import ASSIGNED, DROPPED, OPEN, T_ASSIGNED, T_FAILED, T_LIVE


class Simulator:
    """State and dynamics of one episode on a fixed road graph and scenario."""

    def __init__(self, config: DASCConfig, graph: RoadGraph, scenario: Scenario, distances: DistanceCache):
        scenario.check_fits(graph.num_nodes, config.max_subtasks, config.num_skills)
        self.config = config
        self.graph = graph
        self.scenario = scenario
        self.distances = distances
        self.alpha, self.beta = config.alpha, config.beta
        self.matcher: str | Matcher = config.matcher
        sc = scenario
        self.horizon = horizon(config, sc)
        self._skill_count_sub = sc.subtask_skills.sum(axis=1)
        self._skill_count_worker = sc.worker_skills.sum(axis=1)
        self._lacks = (~sc.worker_skills).astype(np.int32)
        self.unservable = ((sc.subtask_skills.astype(np.int32) @ self._lacks.T) > 0).all(axis=1)
        """(S,) True where no worker of the fleet has every skill the subtask needs."""
        """Dependency edges (predecessors, successors) grouped by the successor's local index, ascending: a
        forward pass in that order visits every predecessor before its successors."""

        s, q, w = sc.num_subtasks, sc.num_tasks, sc.num_workers
        self.now = 0.0
        self.sub_state = np.zeros(s, dtype=np.int8)
        self.sub_worker = np.full(s, -1, dtype=np.int64)
        self.sub_matched_at = np.full(s, np.nan)
        self.sub_start = np.full(s, np.nan)
        self.sub_finish = np.full(s, np.nan)
        self.sub_distance = np.full(s, np.nan)
        self.task_state = np.zeros(q, dtype=np.int8)
        self.task_finish = np.full(q, np.nan)
        self.task_revenue = np.zeros(q)
        self.worker_node = sc.worker_nodes.copy()
        self.worker_free_at = np.zeros(w)
        self.ledger = Ledger()
        self.done = False
        self.last_outcome: EpochOutcome | None = None
        self._next_task = 0
        self._stream_end = q  # tasks at or after this index are never published (see ``forget_future``)
        published = self._publish()
        self._fast_forward(published)

    def __deepcopy__(self, memo: dict) -> Simulator:
        """A deep copy (``DASCParallelEnv.copy`` passes the shared read-only parts in ``memo``) whose ledger holds
        the same records: ``MatchRecord`` and ``TaskOutcome`` are frozen, so only the lists need copying."""
        twin = copy.copy(self)
        memo[id(self)] = twin
        for name, value in self.__dict__.items():
            if type(value) is Ledger and id(value) not in memo:
                memo[id(value)] = Ledger(list(value.matches), list(value.tasks))
            setattr(twin, name, copy.deepcopy(value, memo))
        return twin

    # ------------------------------------------------------------------ queries
    @property
    def open_subtasks(self) -> np.ndarray:
        """Global indices of the open subtasks (the live agents), ascending."""
        return np.flatnonzero(self.sub_state == OPEN)

    @property
    def idle_workers(self) -> np.ndarray:
        return np.flatnonzero(self.worker_free_at <= self.now + TIME_TOLERANCE)

    @property
    def total_revenue(self) -> float:
        """E(M) of Eq. 2 over the tasks booked so far."""
        return self.ledger.total_revenue

    def set_utility_params(self, alpha: float, beta: float) -> None:
        """Set eta = (alpha, beta) of Eq. 13 for the following epochs."""
        check_eta(alpha, beta)
        self.alpha, self.beta = float(alpha), float(beta)

    def set_matcher(self, matcher: str | Matcher) -> None:
        """Use a built-in matcher ("km", "greedy") or any ``matcher(MatchingProblem) -> (rows, cols)``."""
        check_matcher(matcher)
        self.matcher = matcher

    def blocked(self) -> np.ndarray:
        """(S,) True where some predecessor is not assigned yet."""
        return ~self.scenario.all_predecessors(self.sub_state == ASSIGNED)

    def finished(self) -> np.ndarray:
        """(S,) True where the subtask is assigned and its finish time has come (``sub_finish <= now``)."""
        return (self.sub_state == ASSIGNED) & (self.sub_finish <= self.now + TIME_TOLERANCE)

    def unfinished_predecessors(self) -> np.ndarray:
        """(S,) True where some predecessor has not finished by now."""
        return ~self.scenario.all_predecessors(self.finished())

    def reach(self, subs: np.ndarray, workers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(subs, workers) arrays: the worker has every required skill (K^tau subset of K^w), and the road
        distance from the worker's node to the subtask's (inf beyond L^w)."""
        sc = self.scenario
        slots = self.distances.slots(sc.subtask_nodes[subs])
        dist = self.distances.distances(slots, self.worker_node[workers]).astype(np.float64)
        return (sc.subtask_skills[subs].astype(np.int32) @ self._lacks[workers].T) == 0, dist

    def epoch_reach(self) -> EpochReach:
        """The open subtasks against the idle workers now: which ones this epoch can match and how early
        (``simulator.feasibility.epoch_reach``; the env's "recommend" action mask)."""
        return epoch_reach(self)

    def busy_arrival(self, reach: EpochReach) -> BusyArrival:
        """For the subtasks of ``reach``: the busy skilled worker that could arrive first, and whether it beats
        every feasible idle worker (``simulator.feasibility.busy_arrival``)."""
        return busy_arrival(self, reach)

    def matching_problem(self, subs: np.ndarray, workers: np.ndarray) -> MatchingProblem:
        """Stage 2 for subtasks ``subs`` (predecessors all assigned) and idle ``workers``, at ``now``.

        Feasible: ``pair_test`` (K^tau subset of K^w, road distance <= L^w, and finishing by t^d_tau when
        starting at max(arrival, predecessors' finish)); utilities Eq. 9-12.
        """
        cfg, sc, now = self.config, self.scenario, self.now
        skill_ok, dist = self.reach(subs, workers)
        feasible, start, finish = pair_test(skill_ok, dist, now, self._predecessors_done_at(subs),
                                            sc.subtask_durations[subs], sc.latest_deadline[subs],
                                            cfg.worker_range, cfg.worker_speed)
        u_skill = skill_utility(self._skill_count_sub[subs], self._skill_count_worker[workers])
        u_dist = distance_utility(np.where(feasible, dist, cfg.worker_range), cfg.worker_range)
        u_time = np.broadcast_to(
            time_utility(now, sc.latest_expected[subs], sc.latest_deadline[subs])[:, None], dist.shape)
        utility = matching_utility(u_skill, u_dist, u_time, self.alpha, self.beta)
        return MatchingProblem(now, subs, workers, dist, feasible, start, finish, u_skill, u_dist, u_time, utility)

    # ------------------------------------------------------------------ dynamics
    def step(self, recommended: np.ndarray) -> EpochOutcome:
        """Run one decision epoch; ``recommended`` are global indices of open subtasks."""
        if self.done:
            raise RuntimeError("step() called on a finished episode; call reset()")
        recommended = np.unique(np.asarray(recommended, dtype=np.int64))
        if recommended.size and (self.sub_state[recommended] != OPEN).any():
            bad = recommended[self.sub_state[recommended] != OPEN][0]
            raise ValueError(f"subtask {bad} is not open and cannot be recommended")
        s = self.scenario.num_subtasks
        out = EpochOutcome(recommended=recommended, matched=np.empty(0, np.int64), workers=np.empty(0, np.int64),
                           origins=np.empty(0, np.int64),
                           u_skill=np.empty(0), u_dist=np.empty(0), u_time=np.empty(0), utility=np.empty(0),
                           finish=np.empty(0), failed=np.empty(0, np.int64), reward_sparse=np.zeros(s),
                           reward_shaped=np.zeros(s),
                           completed_tasks=np.empty(0, np.int64), failed_tasks=np.empty(0, np.int64),
                           failed_reasons=[], dropped=np.empty(0, np.int64), published=np.empty(0, np.int64))
        self._match(out)
        self._book_assigned_tasks(out)
        self._advance(out)
        self.last_outcome = out
        return out

    def _match(self, out: EpochOutcome) -> None:
        pending = np.zeros(self.scenario.num_subtasks, dtype=bool)
        pending[out.recommended] = True
        parts = []
        while pending.any():
            layer = np.flatnonzero(pending & ~self.blocked())
            workers = self.idle_workers
            if layer.size == 0 or workers.size == 0:
                break
            pending[layer] = False
            parts.append(self._match_layer(layer, workers))
        if parts:
            (out.matched, out.workers, out.origins, out.u_skill, out.u_dist,
             out.u_time, out.utility, out.finish) = (np.concatenate(p) for p in zip(*parts))
        out.failed = out.recommended[self.sub_state[out.recommended] != ASSIGNED]
        out.reward_sparse[out.failed] = self.config.failed_recommendation_reward
        out.reward_shaped[out.failed] = self.config.failed_recommendation_reward

    def _match_layer(self, subs: np.ndarray, workers: np.ndarray):
        sc, now = self.scenario, self.now
        p = self.matching_problem(subs, workers)
        if isinstance(self.matcher, str):
            rows, cols = BUILTIN_MATCHERS[self.matcher](p)
        else:
            rows, cols = check_assignment(p, *self.matcher(p), who=repr(self.matcher))
        start, finish, dist = p.start, p.finish, p.distance
        matched, chosen = subs[rows], workers[cols]
        origins = self.worker_node[chosen]
        self.sub_state[matched] = ASSIGNED
        self.sub_worker[matched] = chosen
        self.sub_matched_at[matched] = now
        self.sub_start[matched] = start[rows, cols]
        self.sub_finish[matched] = finish[rows, cols]
        self.sub_distance[matched] = dist[rows, cols]
        self.worker_free_at[chosen] = finish[rows, cols]
        self.worker_node[chosen] = sc.subtask_nodes[matched]
        self.ledger.matches.extend(
            MatchRecord(int(sc.subtask_task[i]), int(i), int(w), now, float(self.sub_start[i]),
                        float(self.sub_finish[i]), float(self.sub_distance[i]))
            for i, w in zip(matched, chosen))
        return (matched, chosen, origins, p.u_skill[rows, cols], p.u_dist[rows, cols], p.u_time[rows, cols],
                p.utility[rows, cols], finish[rows, cols])

    def _predecessors_done_at(self, subs: np.ndarray) -> np.ndarray:
        """Latest finish time among each subtask's predecessors (all assigned), or -inf."""
        sc = self.scenario
        ready = np.full(sc.num_subtasks, -np.inf)
        np.maximum.at(ready, sc.edges[:, 1], _nan_to(self.sub_finish[sc.edges[:, 0]], -np.inf))
        return ready[subs]

    def _book_assigned_tasks(self, out: EpochOutcome) -> None:
        cfg, sc = self.config, self.scenario
        if out.matched.size == 0:
            return
        # Shaped channel (Eq. 3) for every match of the epoch.
        m = out.matched
        task = sc.subtask_task[m]
        out.reward_shaped[m] = shaped_reward(
            sc.task_payment[task], sc.task_sizes()[task], self.sub_finish[m], sc.latest_expected[m],
            sc.latest_deadline[m], sc.task_deadline[task] - sc.task_expected[task], self.sub_distance[m],
            cfg.zeta, cfg.kappa)
        tasks = np.unique(task)
        unassigned = np.bincount(sc.subtask_task, weights=self.sub_state != ASSIGNED, minlength=sc.num_tasks)
        done = tasks[unassigned[tasks] == 0]
        out.completed_tasks = done
        if done.size == 0:
            return
        travel = np.bincount(sc.subtask_task, weights=_nan_to(self.sub_distance, 0.0), minlength=sc.num_tasks)
        finish = np.full(sc.num_tasks, -np.inf)
        np.maximum.at(finish, sc.subtask_task, _nan_to(self.sub_finish, -np.inf))
        revenue = task_revenue(sc.task_payment[done], finish[done], sc.task_expected[done],
                               sc.task_deadline[done], travel[done], cfg.zeta, cfg.kappa)
        self.task_state[done] = T_ASSIGNED
        self.task_finish[done] = finish[done]
        self.task_revenue[done] = revenue
        for q, r in zip(done, revenue):
            self.ledger.tasks.append(self._outcome(q, COMPLETED, float(finish[q]), float(travel[q]), float(r)))
        # Sparse channel: the revenue goes to the subtask of the final match that finishes last.
        final = out.matched[np.isin(sc.subtask_task[out.matched], done)]
        order = np.lexsort((final, self.sub_finish[final], sc.subtask_task[final]))
        final = final[order]
        last = np.r_[sc.subtask_task[final][1:] != sc.subtask_task[final][:-1], True]
        out.reward_sparse[final[last]] = self.task_revenue[sc.subtask_task[final[last]]]

    def _advance(self, out: EpochOutcome) -> None:
        self.now += self.config.decision_interval
        out.published, out.failed_tasks, out.failed_reasons, out.dropped = self._fast_forward(self._publish())

    def _publish(self) -> np.ndarray:
        sc = self.scenario
        start = self._next_task
        while self._next_task < self._stream_end and is_published(sc.task_created[self._next_task], self.now) \
                and self.now < self.horizon:
            self._next_task += 1
        tasks = np.arange(start, self._next_task)
        self.task_state[tasks] = T_LIVE
        subs = np.arange(sc.task_ptr[start], sc.task_ptr[self._next_task])
        self.sub_state[subs] = OPEN
        return subs

    def _fail_hopeless_tasks(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Fail live tasks that cannot end by t_d (``hopeless_tasks``) or that the horizon cut; drop their
        open subtasks. Returns the tasks, their failed reasons and the dropped subtasks."""
        sc = self.scenario
        tasks, reasons = hopeless_tasks(self)
        if tasks.size == 0:
            return np.empty(0, np.int64), [], np.empty(0, np.int64)
        dropped = np.flatnonzero((self.sub_state == OPEN) & np.isin(sc.subtask_task, tasks))
        self.sub_state[dropped] = DROPPED
        self.task_state[tasks] = T_FAILED
        travel = np.bincount(sc.subtask_task, weights=_nan_to(self.sub_distance, 0.0), minlength=sc.num_tasks)
        revenue = -self.config.kappa * travel[tasks]
        self.task_revenue[tasks] = revenue
        for q, r, why in zip(tasks, revenue, reasons):
            self.ledger.tasks.append(self._outcome(q, FAILED, math.nan, float(travel[q]), float(r), why))
        return tasks, reasons, dropped

    def _fast_forward(self, published: np.ndarray):
        """Skip epochs without open subtasks; mark the episode done when nothing is left to decide."""
        sc = self.scenario
        parts_pub, parts_fail, reasons, parts_drop = [published], [], [], []
        while True:
            failed, why, dropped = self._fail_hopeless_tasks()
            parts_fail.append(failed)
            reasons.extend(why)
            parts_drop.append(dropped)
            if (self.sub_state == OPEN).any():
                break
            if self._next_task >= self._stream_end or past_horizon(self.now, self.horizon):
                self._finish_episode()
                break
            interval = self.config.decision_interval
            next_epoch = int(first_epoch(sc.task_created[self._next_task], interval)) * interval
            self.now = min(max(self.now, next_epoch), self.horizon)
            parts_pub.append(self._publish())
        return np.concatenate(parts_pub), np.concatenate(parts_fail), reasons, np.concatenate(parts_drop)

    def forget_future(self) -> None:
        """End the task stream now: tasks not yet published never will be (a planner's view of the episode,
        which knows the published tasks only). They stay out of the ledger's outcomes."""
        self._stream_end = self._next_task

    def _finish_episode(self) -> None:
        for q in range(self._next_task, self._stream_end):
            self.ledger.tasks.append(self._outcome(q, UNPUBLISHED, math.nan, 0.0, 0.0))
        self.done = True

    def _outcome(self, q: int, status: str, finish: float, travel: float, revenue: float,
                 failed_reason: str = "") -> TaskOutcome:
        sc = self.scenario
        return TaskOutcome(int(q), status, float(sc.task_created[q]), float(sc.task_expected[q]),
                           float(sc.task_deadline[q]), float(sc.task_payment[q]), finish, travel, revenue,
                           failed_reason)


def _nan_to(values: np.ndarray, nan: float) -> np.ndarray:
    """``np.nan_to_num(values, nan=nan)`` of a float array (a new array), in fewer steps when it holds no +-inf
    (the simulator's times and distances are finite or nan)."""
    if np.isinf(values).any():
        return np.nan_to_num(values, nan=nan)
    return np.where(np.isnan(values), nan, values)
