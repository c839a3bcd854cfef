"""Observation o^n = (T^near, W^near, q) of every agent and the global state s = (Q, W), as arrays.

Features are normalised: positions by the city's span, offsets and distances
by L^w, durations by the longest duration, times (relative to now) by one hour.

Agent observation (a ``gymnasium.spaces.Dict`` of fixed shapes, Fig. 3):

* ``task_nodes`` ``(|T|max, 7 + K + 9)``: the agent's task, one row per subtask
  at its local index: waiting (a predecessor is unassigned), assigned,
  duration, t^e_tau - now, t^d_tau - now, x, y, required skills, then the
  ``DECISION_FEATURES`` of a live subtask (zeros on other rows):
  matchable (its "recommend" mask), ready (every predecessor has finished: KM's and GREEDY's rule; a
  subtask matchable but not ready would hold its worker until a running predecessor ends), the share of
  the task's other live subtasks that are matchable now (1 with none), its feasible idle workers
  / N^w, the other live subtasks that share one of them / N^tau (they
  compete for the same workers), and the busy worker with its skills that
  could arrive first (free within L^w of it): present, time until it is
  free, its distance from where it becomes free / L^w, and "sooner": it
  arrives (time until free + that distance / v_w) before every feasible idle
  worker could (distance / v_w), so waiting for it may pay.
* ``task_adjacency`` ``(|T|max, |T|max)``: dependency edges among the
  remaining (unfinished) subtasks; ``task_mask`` marks those subtasks;
  ``self_index`` is the agent's own row.
* ``workers`` ``(N^w, 4 + K)``: the nearest idle workers within L^w by road:
  dx, dy, distance, has every required skill, skills; ``workers_mask``.
* ``subtasks`` ``(N^tau, 7 + K)``: the nearest other live subtasks within
  L^w: dx, dy, distance, waiting, duration, t^e - now, t^d - now, skills;
  ``subtasks_mask``.
* ``action_mask`` ``(2,)``: "no" is always allowed; "recommend" when this epoch
  can match the subtask (``Simulator.epoch_reach``): an idle worker passes
  Stage 2's pair test (skills, L^w, finishing by t^d_tau), with the subtask
  ready when its predecessors finish, an unassigned predecessor at the
  earliest it can finish if matched this epoch (layered matching); masked if
  a predecessor is neither assigned nor itself matchable this epoch.
  Contention between subtasks is ignored: the mask is never stricter than the
  matcher, and an allowed recommendation fails only when other subtasks take
  the workers it needed or its predecessor was not recommended.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from ..city import DistanceCache, RoadGraph
from ..config import DASCConfig
from ..simulator import Simulator
from ..simulator.feasibility import EpochReach
from ..simulator.states import ASSIGNED, OPEN

TIME_SCALE = 3600.0
"""Seconds per unit of the time features."""
DECISION_FEATURES = ("matchable", "ready", "task_matchable_share", "feasible_workers", "competitors", "busy_worker",
                     "busy_free_in", "busy_distance", "busy_sooner")
"""The last columns of ``task_nodes``, in order (see the module docstring)."""
BINARY_DECISION_FEATURES = ("matchable", "ready", "busy_worker", "busy_sooner")
"""The ``DECISION_FEATURES`` that are 0 or 1."""


def decision_column(name: str) -> int:
    """The column of ``task_nodes`` that holds the decision feature ``name``, counted from the end (negative), so
    it is the same for any number of skills."""
    if name not in DECISION_FEATURES:
        raise ValueError(f"decision feature {name!r} must be one of {DECISION_FEATURES}")
    return DECISION_FEATURES.index(name) - len(DECISION_FEATURES)


class ObservationEncoder:
    """Builds the spaces once and encodes observations and state for a ``Simulator``."""

    def __init__(self, config: DASCConfig, graph: RoadGraph, distances: DistanceCache):
        self.config = config
        self.distances = distances
        t = config.max_subtasks
        x0, y0, x1, y1 = graph.extent
        self._span = max(x1 - x0, y1 - y0, 1.0)
        self._node_xy = (graph.xy - np.array([x0, y0])) / self._span
        self.observation_space = observation_space(config)
        self.node_features = self.observation_space["task_nodes"].shape[1]
        self.worker_features = self.observation_space["workers"].shape[1]
        self.subtask_features = self.observation_space["subtasks"].shape[1]
        # the columns of ``_subtask_table`` that ``subtasks`` repeats: waiting, duration, t^e, t^d, skills
        self._subtask_columns = np.r_[0, 2, 3, 4, 7:7 + config.num_skills]
        self.state_worker_features, self.state_subtask_features = state_features(config)
        self.state_rows = config.num_tasks * t
        self.state_size = (config.num_workers * self.state_worker_features
                           + self.state_rows * (self.state_subtask_features + 1) + 1)
        self.state_space = _box((self.state_size,))

    # ----------------------------------------------------------------- agents
    def encode(self, sim: Simulator, agents: np.ndarray) -> dict[str, np.ndarray]:
        """Batched observations of ``agents`` (global indices of open subtasks): each value has a leading
        agent axis."""
        sc, n = sim.scenario, agents.size
        if (sim.sub_state[agents] != OPEN).any():
            raise ValueError(f"agents: subtask {int(agents[np.argmax(sim.sub_state[agents] != OPEN)])} is not "
                             "live (open); only live agents are observed")
        reach = sim.epoch_reach()
        rows = np.searchsorted(reach.subtasks, agents)
        table = self._subtask_table(sim, reach)
        nodes, adjacency, remaining = self._task_graphs(sim, agents, table)
        workers, w_mask = self._nearest_workers(sim, agents, reach, rows)
        subtasks, s_mask = self._nearest_subtasks(sim, agents, table)
        return {
            "task_nodes": nodes,
            "task_adjacency": adjacency,
            "task_mask": remaining.astype(np.int8),
            "self_index": sc.subtask_local[agents],
            "workers": workers,
            "workers_mask": w_mask.astype(np.int8),
            "subtasks": subtasks,
            "subtasks_mask": s_mask.astype(np.int8),
            "action_mask": np.stack([np.ones(n, np.int8), reach.matchable[rows].astype(np.int8)], axis=1),
        }

    def _subtask_table(self, sim: Simulator, reach: EpochReach) -> np.ndarray:
        """(S, ``node_features``) the ``task_nodes`` row of every subtask, before the unfinished-rows mask:
        waiting, assigned, duration / max duration, (t^e_tau - now, t^d_tau - now) in TIME_SCALE units, x, y,
        skills and the ``DECISION_FEATURES`` (zeros but on live subtasks). Each agent's rows are gathered from it,
        and so are the other subtasks' columns of ``subtasks``."""
        sc, k = sim.scenario, sim.scenario.num_skills
        table = np.empty((sc.num_subtasks, self.node_features), dtype=np.float32)
        table[:, 0] = sim.blocked()
        table[:, 1] = sim.sub_state == ASSIGNED
        table[:, 2] = sc.subtask_durations / self.config.max_duration
        table[:, 3] = (sc.latest_expected - sim.now) / TIME_SCALE
        table[:, 4] = (sc.latest_deadline - sim.now) / TIME_SCALE
        table[:, 5:7] = self._node_xy[sc.subtask_nodes]
        table[:, 7:7 + k] = sc.subtask_skills
        self._decision(sim, reach, table[:, 7 + k:])
        return table

    def _decision(self, sim: Simulator, reach: EpochReach, out: np.ndarray) -> None:
        """Write into ``out`` (S, len(DECISION_FEATURES)) the decision features of every live subtask (zeros
        elsewhere)."""
        cfg, sc = self.config, sim.scenario
        subs, feasible = reach.subtasks, reach.feasible
        out[:] = 0
        if subs.size == 0:
            return
        matchable = reach.matchable
        task = sc.subtask_task[subs]
        live = np.bincount(task, minlength=sc.num_tasks)[task] - 1
        others = np.bincount(task, weights=matchable, minlength=sc.num_tasks)[task] - matchable
        busy = sim.busy_arrival(reach)
        present = busy.worker >= 0
        block = np.empty((subs.size, len(DECISION_FEATURES)), dtype=np.float32)
        block[:, 0] = matchable
        block[:, 1] = sc.all_predecessors(sim.finished())[subs]
        block[:, 2] = np.where(live > 0, others / np.maximum(live, 1), 1.0)
        block[:, 3] = feasible.sum(axis=1) / cfg.top_k_workers
        block[:, 4] = _competitors(feasible) / cfg.top_k_subtasks
        block[:, 5] = present
        block[:, 6] = busy.free_in / TIME_SCALE
        block[:, 7] = np.where(present, busy.distance / cfg.worker_range, 0.0)
        block[:, 8] = busy.sooner
        out[subs] = block

    def _task_graphs(self, sim: Simulator, agents: np.ndarray,
                     table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each agent's task DAG, rows at local indices: node features (rows of ``table``), adjacency and the
        unfinished rows."""
        sc, n, t = sim.scenario, agents.size, self.config.max_subtasks
        task = sc.subtask_task[agents]
        local = np.arange(t)
        valid = local[None, :] < sc.task_sizes()[task][:, None]
        member = np.where(valid, sc.task_ptr[task][:, None] + local[None, :], 0)
        finished = (sim.sub_state == ASSIGNED) & (sim.sub_finish <= sim.now)
        remaining = valid & ~finished[member]
        nodes = table[member]
        nodes *= remaining[..., None]
        adjacency = np.zeros((n, t, t), dtype=np.int8)
        first_edge = sc.task_edge_ptr[task]
        counts = sc.task_edge_ptr[task + 1] - first_edge
        a_idx = np.repeat(np.arange(n), counts)
        e_idx = np.arange(counts.sum()) + np.repeat(first_edge - (np.cumsum(counts) - counts), counts)
        adjacency[a_idx, sc.subtask_local[sc.edges[e_idx, 0]], sc.subtask_local[sc.edges[e_idx, 1]]] = 1
        adjacency *= (remaining[:, :, None] & remaining[:, None, :]).astype(np.int8)
        return nodes, adjacency, remaining

    def _nearest_workers(self, sim: Simulator, agents: np.ndarray, reach: EpochReach,
                         rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each agent's nearest idle workers by road distance: features and mask (``rows``: the agents' rows
        of ``reach``)."""
        cfg, sc, n, xy = self.config, sim.scenario, agents.size, self._node_xy
        idle, w_dist, skilled = reach.workers, reach.distance[rows], reach.skilled[rows]
        w_idx, w_mask, w_near = _nearest(w_dist, cfg.worker_range, cfg.top_k_workers)
        workers = np.zeros((n, cfg.top_k_workers, self.worker_features), dtype=np.float32)
        if idle.size:
            chosen_w = idle[w_idx]
            workers[..., 0:2] = (xy[sim.worker_node[chosen_w]] - xy[sc.subtask_nodes[agents]][:, None, :]) * (
                self._span / cfg.worker_range)
            workers[..., 2] = w_near / cfg.worker_range
            workers[..., 3] = skilled[np.arange(n)[:, None], w_idx]
            workers[..., 4:] = sc.worker_skills[chosen_w]
            workers[~w_mask] = 0
        return workers, w_mask

    def _nearest_subtasks(self, sim: Simulator, agents: np.ndarray,
                          table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each agent's nearest other live subtasks by road distance: features and mask (waiting, duration,
        times and skills are ``table``'s columns)."""
        cfg, sc, n = self.config, sim.scenario, agents.size
        sub_xy = self._node_xy[sc.subtask_nodes]
        live = sim.open_subtasks
        s_dist = self.distances.distances(self.distances.slots(sc.subtask_nodes[live]), sc.subtask_nodes[agents]).T
        s_dist = np.where(agents[:, None] == live[None, :], np.inf, s_dist)
        s_idx, s_mask, s_near = _nearest(s_dist, cfg.worker_range, cfg.top_k_subtasks)
        subtasks = np.zeros((n, cfg.top_k_subtasks, self.subtask_features), dtype=np.float32)
        if live.size:
            other = live[s_idx]
            subtasks[..., 0:2] = (sub_xy[other] - sub_xy[agents][:, None, :]) * (self._span / cfg.worker_range)
            subtasks[..., 2] = s_near / cfg.worker_range
            subtasks[..., 3:] = table[:, self._subtask_columns][other]
            subtasks[~s_mask] = 0
        return subtasks, s_mask

    def terminal_observation(self) -> dict[str, np.ndarray]:
        """The observation returned with an agent's termination or truncation: zeros, nothing to do."""
        obs = {key: np.zeros(space.shape, dtype=space.dtype) for key, space in self.observation_space.items()}
        obs["self_index"] = 0
        obs["action_mask"][0] = 1
        return obs

    # ------------------------------------------------------------------ state
    def state_tables(self, sim: Simulator) -> dict[str, np.ndarray]:
        """Global state s = (Q, W) as padded tables.

        ``workers`` ``(W, 4 + K)``: x, y, idle, time until idle, skills.
        ``subtasks`` ``(|Q| * |T|max, 8 + K)``: x, y, open, assigned, waiting,
        duration, t^e_tau - now, t^d_tau - now, skills; ``subtasks_mask``
        marks open and running subtasks; ``time`` is now / horizon.
        """
        cfg, sc = self.config, sim.scenario
        xy = self._node_xy
        workers = np.zeros((sc.num_workers, self.state_worker_features), dtype=np.float32)
        workers[:, 0:2] = xy[sim.worker_node]
        busy_for = np.maximum(0.0, sim.worker_free_at - sim.now)
        workers[:, 2] = busy_for == 0
        workers[:, 3] = busy_for / TIME_SCALE
        workers[:, 4:] = sc.worker_skills
        s = sc.num_subtasks
        subtasks = np.zeros((self.state_rows, self.state_subtask_features), dtype=np.float32)
        state = sim.sub_state
        running = (state == ASSIGNED) & (sim.sub_finish > sim.now)
        visible = (state == OPEN) | running
        subtasks[:s, 0:2] = xy[sc.subtask_nodes]
        subtasks[:s, 2] = state == OPEN
        subtasks[:s, 3] = state == ASSIGNED
        subtasks[:s, 4] = sim.blocked()
        subtasks[:s, 5] = sc.subtask_durations / cfg.max_duration
        subtasks[:s, 6] = (sc.latest_expected - sim.now) / TIME_SCALE
        subtasks[:s, 7] = (sc.latest_deadline - sim.now) / TIME_SCALE
        subtasks[:s, 8:] = sc.subtask_skills
        subtasks[:s] *= visible[:, None]
        mask = np.zeros(self.state_rows, dtype=np.float32)
        mask[:s] = visible
        return {"workers": workers, "subtasks": subtasks, "subtasks_mask": mask,
                "time": np.array([sim.now / sim.horizon], dtype=np.float32)}

    def state(self, sim: Simulator) -> np.ndarray:
        """The tables of ``state_tables`` flattened into one vector of ``state_space``."""
        return np.concatenate([table.ravel() for table in self.state_tables(sim).values()])


def observation_space(config: DASCConfig) -> spaces.Dict:
    """The per-agent observation space of a config (the shapes depend on the config alone, not the city)."""
    k, t = config.num_skills, config.max_subtasks
    box = _box
    return spaces.Dict({
        "task_nodes": box((t, 7 + k + len(DECISION_FEATURES))),
        "task_adjacency": box((t, t), 0, 1, np.int8),
        "task_mask": box((t,), 0, 1, np.int8),
        "self_index": spaces.Discrete(t),
        "workers": box((config.top_k_workers, 4 + k)),
        "workers_mask": box((config.top_k_workers,), 0, 1, np.int8),
        "subtasks": box((config.top_k_subtasks, 7 + k)),
        "subtasks_mask": box((config.top_k_subtasks,), 0, 1, np.int8),
        "action_mask": box((2,), 0, 1, np.int8),
    })


def state_features(config: DASCConfig) -> tuple[int, int]:
    """Columns of the worker and subtask tables of ``state_tables`` (they depend on the config alone)."""
    return 4 + config.num_skills, 8 + config.num_skills


def _box(shape, low=-np.inf, high=np.inf, dtype=np.float32) -> spaces.Box:
    return spaces.Box(low=low, high=high, shape=shape, dtype=dtype)


def _competitors(feasible: np.ndarray) -> np.ndarray:
    """(n,) for each row of ``feasible`` (n, m), the other rows that share a True column with it."""
    rows, cols = feasible.any(axis=1), feasible.any(axis=0)
    dense = feasible[rows][:, cols].astype(np.int32)  # usually a small block: the rows and columns in play
    out = np.zeros(feasible.shape[0], dtype=np.int64)
    out[rows] = ((dense @ dense.T) > 0).sum(axis=1) - 1
    return out


def _nearest(dist: np.ndarray, limit: float, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column indices of the ``k`` smallest entries per row (ascending), a mask of those within ``limit``, and
    those entries (``dist[i, idx[i]]``; padding columns beyond ``dist``'s width read ``dist[i, 0]``)."""
    n, m = dist.shape
    if m == 0:
        return np.zeros((n, k), dtype=np.int64), np.zeros((n, k), dtype=bool), np.zeros((n, k), dtype=dist.dtype)
    kk = min(k, m)
    rows = np.arange(n)[:, None]
    if kk < m:
        part = np.argpartition(dist, kk - 1, axis=1)[:, :kk]
        idx = part[rows, np.argsort(dist[rows, part], axis=1, kind="stable")]
    else:  # every column: a stable sort of each row
        idx = np.argsort(dist, axis=1, kind="stable")
    if kk < k:
        idx = np.concatenate([idx, np.zeros((n, k - kk), dtype=idx.dtype)], axis=1)
    near = dist[rows, idx]
    mask = near <= limit
    if kk < k:
        mask[:, kk:] = False
    return idx, mask, near
