"""The clairvoyant DASC instance: every task of a ``Scenario`` known in advance, on the env's clock.

Everything the hindsight models need, worked out once from the scenario, the road graph and the config:

* **Epochs.** The simulator decides at ``t = k * Delta`` (``Delta = decision_interval``, from 0) and
  publishes task q at its first epoch ``k_q = ceil((t_c - 1e-9) / Delta)``; nothing is matched at or
  after the horizon (``config.horizon``, default the latest t_d).
* **Ticks.** Times are integers on a grid of ``tick = Delta / ticks_per_epoch`` seconds (about
  ``resolution``, 1 ms by default), so every epoch is a whole number of ticks. Quantities that push a
  schedule later (travel ``d / v_w``, durations t) are rounded *up*, limits (t_d, the critical-path latest
  finish t^d_tau, t_e) *down*: a schedule feasible in ticks is feasible in the env's real time.
* **Distances** are the env's own (``DistanceCache``: directed road distance to each subtask, float32,
  ``inf`` beyond L^w), so a replayed plan sees exactly the numbers it was planned with.
* **Windows.** Per subtask an earliest start, its latest finish t^d_tau and the last epoch it can be matched.
  A task is *alive* unless the env drops it at publication (some subtask could not finish by t^d_tau even if
  all started then); a subtask is *matchable* when some worker can reach it in time and its predecessors are
  matchable; a task is *completable* when all its subtasks are. Per worker the arcs of its possible routes:
  depot -> subtask (from its start node) and subtask -> subtask, each within L^w, with the skills
  (K^tau subset of K^w) and time to spare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..city import DistanceCache, RoadGraph
from ..config import DASCConfig
from ..epochs import first_epoch, horizon, last_epoch
from ..scenario import Scenario

RESOLUTION = 1e-3
"""Default tick, seconds."""
DEPOT = -1
"""Tail of the arc that leaves a worker's start node."""
_ROUND = 1e-6
"""Slack in ticks when rounding, ~1e-9 s: float noise on a whole tick is not rounded away."""


@dataclass(frozen=True)
class Clock:
    """The epoch grid (``interval`` seconds) cut into ``ticks_per_epoch`` ticks."""

    interval: float
    ticks_per_epoch: int

    @property
    def tick(self) -> float:
        return self.interval / self.ticks_per_epoch

    def up(self, seconds) -> np.ndarray:
        """Ticks >= ``seconds`` (travel, durations, starts)."""
        return np.ceil(np.asarray(seconds, dtype=np.float64) / self.tick - _ROUND).astype(np.int64)

    def down(self, seconds) -> np.ndarray:
        """Ticks <= ``seconds`` (deadlines)."""
        return np.floor(np.asarray(seconds, dtype=np.float64) / self.tick + _ROUND).astype(np.int64)

    def epoch_time(self, k) -> np.ndarray:
        """Seconds of epoch ``k``."""
        return np.asarray(k, dtype=np.float64) * self.interval


@dataclass(eq=False)
class ClairvoyantInstance:
    """The data of the hindsight problem (see the module docstring); build it with ``build_instance``."""

    scenario: Scenario
    config: DASCConfig
    clock: Clock
    first_epoch: np.ndarray
    """(Q,) k_q, the epoch task q is published."""
    last_epoch: int
    """The last epoch before the horizon (matches happen at epochs 0..last_epoch)."""
    from_worker: np.ndarray
    """(W, S) road distance, metres, worker start -> subtask (inf beyond L^w)."""
    between: np.ndarray
    """(S, S) road distance subtask i -> subtask j (inf beyond L^w or on the diagonal)."""
    skilled: np.ndarray
    """(W, S) K^tau subset of K^w."""
    duration: np.ndarray
    """(S,) ticks."""
    earliest_start: np.ndarray
    """(S,) ticks."""
    latest_finish: np.ndarray
    """(S,) ticks, t^d_tau rounded down."""
    earliest_check: np.ndarray
    """(S,) ticks: the env's hopeless test at publication, ``max(publication, predecessors') + t``."""
    alive: np.ndarray
    """(Q,) published before the horizon and not dropped at once."""
    ancestors: np.ndarray
    """(S, S) ``ancestors[i, j]``: j must finish before i starts (transitively)."""
    matchable: np.ndarray = field(default=None)
    """(S,) some worker can be matched to the subtask in time, and to each of its predecessors."""
    arcs: list[list[tuple[int, int]]] = field(default_factory=list)
    """Per worker, its possible (tail, head) moves; tail ``DEPOT`` is its start node."""

    @cached_property
    def travel_from_worker(self) -> np.ndarray:
        """(W, S) ticks of the trip worker start -> subtask, rounded up (-1 beyond L^w)."""
        return self._travel(self.from_worker)

    @cached_property
    def travel_between(self) -> np.ndarray:
        """(S, S) ticks of the trip subtask -> subtask, rounded up (-1 beyond L^w)."""
        return self._travel(self.between)

    def _travel(self, dist: np.ndarray) -> np.ndarray:
        finite = np.isfinite(dist)
        return np.where(finite, self.clock.up(np.where(finite, dist, 0.0) / self.config.worker_speed), -1)

    @cached_property
    def last_match_epoch(self) -> np.ndarray:
        """(S,) the last epoch a subtask may be matched and still finish in time (any worker)."""
        latest_start = self.latest_finish - self.duration
        return np.minimum(np.floor_divide(latest_start, self.clock.ticks_per_epoch), self.last_epoch)

    @property
    def completable(self) -> np.ndarray:
        """(Q,) every subtask of the task is matchable."""
        sc = self.scenario
        return np.bincount(sc.subtask_task, weights=~self.matchable, minlength=sc.num_tasks) == 0

    def payment_end(self, q: int) -> int:
        """Ticks: the latest finish of a completed task q, t_d or, if sooner, when Eq. 1 stops paying."""
        sc, cfg = self.scenario, self.config
        end = sc.task_deadline[q] if cfg.zeta <= 0 else min(sc.task_deadline[q], sc.task_expected[q] + 60 / cfg.zeta)
        return int(self.clock.down(end))

    def distance(self, worker: int, tail: int, head: int) -> float:
        """Metres of the move ``tail -> head`` (tail ``DEPOT``: from ``worker``'s start node)."""
        return float(self.from_worker[worker, head] if tail == DEPOT else self.between[tail, head])


def check_inputs(scenario, graph, config) -> None:
    """TypeError / ValueError for arguments the hindsight solvers cannot use."""
    for name, value, kind in (("scenario", scenario, Scenario), ("graph", graph, RoadGraph),
                              ("config", config, DASCConfig)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} must be a {kind.__name__}, got {type(value).__name__}")
    scenario.check_fits(graph.num_nodes, int(scenario.task_sizes().max()), scenario.num_skills)


def build_instance(scenario: Scenario, graph: RoadGraph, config: DASCConfig, resolution: float = RESOLUTION,
                   abandon: bool = True) -> ClairvoyantInstance:
    """The clairvoyant instance of ``scenario`` on ``graph`` under ``config`` (ticks of ~``resolution`` s); with
    ``abandon=False`` only the subtasks of completable tasks are matchable."""
    check_inputs(scenario, graph, config)
    if isinstance(resolution, bool) or not isinstance(resolution, (int, float)) or not resolution > 0:
        raise ValueError(f"resolution must be a positive number of seconds, got {resolution!r}")
    interval = config.decision_interval
    clock = Clock(interval, max(1, round(interval / resolution)))
    sc = scenario
    first = first_epoch(sc.task_created, interval)
    last = last_epoch(horizon(config, sc), interval)
    from_worker, between = _distances(sc, graph, config)
    skilled = ~(sc.subtask_skills[None, :, :] & ~sc.worker_skills[:, None, :]).any(axis=2)
    duration = clock.up(sc.subtask_durations)
    check = sc.forward_pass(first[sc.subtask_task] * clock.ticks_per_epoch + duration, duration)
    latest = clock.down(sc.latest_deadline)
    dropped = np.bincount(sc.subtask_task, weights=check > latest, minlength=sc.num_tasks) > 0
    inst = ClairvoyantInstance(
        scenario=sc, config=config, clock=clock, first_epoch=first, last_epoch=last,
        from_worker=from_worker, between=between, skilled=skilled, duration=duration,
        earliest_start=np.zeros(sc.num_subtasks, np.int64), latest_finish=latest, earliest_check=check,
        alive=(first <= last) & ~dropped, ancestors=_ancestors(sc))
    _windows(inst)
    inst.arcs = [_worker_arcs(inst, w) for w in range(sc.num_workers)]
    _drop_uncovered(inst, abandon)
    return inst


def _distances(sc: Scenario, graph: RoadGraph, config: DASCConfig) -> tuple[np.ndarray, np.ndarray]:
    """Worker -> subtask and subtask -> subtask road distances, the env's float32 values."""
    cache = DistanceCache(graph, config.worker_range, memory_mb=1.0)
    slots = cache.slots(sc.subtask_nodes)
    sources = np.concatenate([sc.worker_nodes, sc.subtask_nodes])
    table = cache.distances(slots, sources).astype(np.float64).T
    table[table > config.worker_range] = np.inf
    between = table[sc.num_workers:].copy()
    np.fill_diagonal(between, np.inf)
    return table[:sc.num_workers], between


def _ancestors(sc: Scenario) -> np.ndarray:
    anc = np.zeros((sc.num_subtasks, sc.num_subtasks), dtype=bool)
    anc[sc.edges[:, 1], sc.edges[:, 0]] = True
    # pred < succ: closing the rows in index order sees every predecessor's row closed already
    for s in range(sc.num_subtasks):
        preds = np.flatnonzero(anc[s])
        if preds.size:
            anc[s] |= anc[preds].any(axis=0)
    return anc


def _windows(inst: ClairvoyantInstance) -> None:
    """Earliest starts (cheapest arrival, then predecessors) and the matchable subtasks."""
    sc, big = inst.scenario, np.iinfo(np.int64).max
    arrive = np.full(sc.num_subtasks, big)
    for source in (np.where(inst.skilled, inst.travel_from_worker, -1), inst.travel_between):
        if source.size:
            arrive = np.minimum(arrive, np.where(source >= 0, source, big).min(axis=0))
    publish = inst.first_epoch[sc.subtask_task] * inst.clock.ticks_per_epoch
    finish = np.where(arrive < big, publish + np.minimum(arrive, 2**40), 2**50) + inst.duration
    inst.earliest_start = sc.forward_pass(finish, inst.duration) - inst.duration
    fits = (inst.earliest_start + inst.duration <= inst.latest_finish)
    fits &= inst.last_match_epoch >= inst.first_epoch[sc.subtask_task]
    inst.matchable = _closed(sc, fits & inst.alive[sc.subtask_task])


def _closed(sc: Scenario, ok: np.ndarray) -> np.ndarray:
    """``ok`` where every predecessor is ``ok`` too (transitively)."""
    ok = ok.copy()
    for pred, succ in sc.edges:
        ok[succ] &= ok[pred]
    return ok


def _worker_arcs(inst: ClairvoyantInstance, w: int) -> list[tuple[int, int]]:
    """Moves worker ``w`` can make, each leaving time for the head to finish by its latest finish."""
    sc, tpe = inst.scenario, inst.clock.ticks_per_epoch
    subs = np.flatnonzero(inst.skilled[w] & inst.matchable)
    if subs.size == 0:
        return []
    first = inst.first_epoch[sc.subtask_task[subs]] * tpe
    room = inst.latest_finish[subs] - inst.duration[subs]
    tw = inst.travel_from_worker[w, subs]
    depot = (tw >= 0) & (np.maximum(first + tw, inst.earliest_start[subs]) <= room)
    arcs = [(DEPOT, int(s)) for s in subs[depot]]
    tb = inst.travel_between[np.ix_(subs, subs)]
    free = inst.earliest_start[subs] + inst.duration[subs]  # earliest the tail frees the worker
    match = np.maximum(-(-free[:, None] // tpe) * tpe, first[None, :])
    ok = (tb >= 0) & (np.maximum(match + tb, inst.earliest_start[subs][None, :]) <= room[None, :])
    ok &= ~inst.ancestors[np.ix_(subs, subs)]  # the head may not be an ancestor of the tail
    ok &= match <= inst.last_match_epoch[subs][None, :] * tpe
    tails, heads = np.nonzero(ok)
    arcs += [(int(subs[a]), int(subs[b])) for a, b in zip(tails, heads)]
    return _reachable(arcs)


def _reachable(arcs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The arcs whose tail the worker can reach from its start node."""
    out: dict[int, list[int]] = {}
    for a, b in arcs:
        out.setdefault(a, []).append(b)
    seen, stack = {DEPOT}, [DEPOT]
    while stack:
        for b in out.get(stack.pop(), []):
            if b not in seen:
                seen.add(b)
                stack.append(b)
    return [(a, b) for a, b in arcs if a in seen]


def _drop_uncovered(inst: ClairvoyantInstance, abandon: bool) -> None:
    """Subtasks no worker can reach (or whose predecessors it cannot) are not matchable, nor, without ``abandon``,
    those of a task that is not completable; repeat to a fixpoint."""
    sc = inst.scenario
    while True:
        covered = np.zeros(sc.num_subtasks, dtype=bool)
        for arcs in inst.arcs:
            covered[[b for _, b in arcs]] = True
        matchable = _closed(sc, inst.matchable & covered)
        if not abandon:
            whole = np.bincount(sc.subtask_task, weights=~matchable, minlength=sc.num_tasks) == 0
            matchable &= whole[sc.subtask_task]
        if (matchable == inst.matchable).all():
            return
        inst.matchable = matchable
        inst.arcs = [_reachable([(a, b) for a, b in arcs if (a == DEPOT or matchable[a]) and matchable[b]])
                     for arcs in inst.arcs]
