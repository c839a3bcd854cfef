"""A scenario: the workers W and the task stream Q of one episode, as plain arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import DASCConfig
from .dag import latest_finish_times


@dataclass(eq=False)
class Scenario:
    """Workers ``w = (l, K)`` and spatial tasks ``q = (T, C, t_c, t_d, t_e, rho)``.

    Subtasks of all tasks share flat arrays; those of task ``q`` are rows
    ``task_ptr[q]:task_ptr[q + 1]``, numbered in a topological order of the
    task's DAG. Locations are road-graph node indices; times are seconds.
    Tasks are listed by creation time: ``task_created`` must be non-decreasing
    (ties allowed), since the simulator publishes tasks in list order.
    Every inconsistency raises ``ValueError`` naming the field, the row and the value.
    """

    worker_nodes: np.ndarray
    """(W,) start node l of each worker."""
    worker_skills: np.ndarray
    """(W, K) bool, K^w."""
    task_created: np.ndarray
    """(Q,) t_c."""
    task_expected: np.ndarray
    """(Q,) t_e, expected completion time."""
    task_deadline: np.ndarray
    """(Q,) t_d."""
    task_payment: np.ndarray
    """(Q,) rho."""
    task_ptr: np.ndarray
    """(Q + 1,) offsets of each task's subtasks in the subtask arrays."""
    subtask_nodes: np.ndarray
    """(S,) location l of each subtask."""
    subtask_skills: np.ndarray
    """(S, K) bool, K^tau."""
    subtask_durations: np.ndarray
    """(S,) duration t in seconds."""
    edges: np.ndarray
    """(E, 2) dependency constraints C: subtask ``edges[e, 0]`` must finish before ``edges[e, 1]`` starts."""

    subtask_task: np.ndarray = field(init=False)
    """(S,) task of each subtask."""
    subtask_local: np.ndarray = field(init=False)
    """(S,) index of each subtask within its task."""
    latest_expected: np.ndarray = field(init=False)
    """(S,) t^e_tau: critical-path latest finish for the task to end by t_e."""
    latest_deadline: np.ndarray = field(init=False)
    """(S,) t^d_tau: critical-path latest finish for the task to end by t_d."""
    task_edge_ptr: np.ndarray = field(init=False)
    """(Q + 1,) edges of task q are rows ``task_edge_ptr[q]:task_edge_ptr[q + 1]`` (edges are kept sorted)."""
    dependency_levels: list[tuple[np.ndarray, np.ndarray]] = field(init=False)
    """The edges of C as ``(predecessors, successors)`` groups by the successor's local index, ascending: a pass
    over the groups in order sees every predecessor settled before its successors."""

    def __post_init__(self) -> None:
        self.worker_nodes = _int_array("worker_nodes", self.worker_nodes, ndim=1)
        self.worker_skills = _bool_array("worker_skills", self.worker_skills)
        self.task_ptr = _int_array("task_ptr", self.task_ptr, ndim=1)
        self.subtask_nodes = _int_array("subtask_nodes", self.subtask_nodes, ndim=1)
        self.subtask_skills = _bool_array("subtask_skills", self.subtask_skills)
        self.edges = _int_array("edges", np.asarray(self.edges).reshape(-1, 2), ndim=2)
        for name in ("task_created", "task_expected", "task_deadline", "task_payment", "subtask_durations"):
            setattr(self, name, _float_array(name, getattr(self, name)))

        num_workers, num_skills = self.worker_skills.shape
        _check(self.worker_nodes.size == num_workers, "worker_nodes", self.worker_nodes.shape,
               f"must have one entry per worker ({num_workers})")
        num_tasks = self.task_created.size
        for name in ("task_expected", "task_deadline", "task_payment"):
            _check(getattr(self, name).size == num_tasks, name, getattr(self, name).shape,
                   f"must have one entry per task ({num_tasks})")
        _check(self.task_ptr.size == num_tasks + 1 and self.task_ptr[0] == 0
               and (np.diff(self.task_ptr) >= 1).all(), "task_ptr", self.task_ptr.tolist()[:8],
               "must start at 0 and grow by >= 1 per task")
        num_subtasks = int(self.task_ptr[-1])
        for name in ("subtask_nodes", "subtask_durations"):
            _check(getattr(self, name).size == num_subtasks, name, getattr(self, name).shape,
                   f"must have one entry per subtask ({num_subtasks})")
        _check(self.subtask_skills.shape == (num_subtasks, num_skills), "subtask_skills",
               self.subtask_skills.shape, f"must have shape ({num_subtasks}, {num_skills})")
        _check_all(self.task_created >= 0, "task_created", self.task_created, "must be >= 0")
        _check_order(self.task_created)
        _check_all(self.task_expected >= self.task_created, "task_expected", self.task_expected,
                   "must be >= task_created")
        _check_all(self.task_deadline > self.task_expected, "task_deadline", self.task_deadline,
                   "must be > task_expected")
        _check_all(self.task_payment >= 0, "task_payment", self.task_payment, "must be >= 0")
        _check_all(self.subtask_durations > 0, "subtask_durations", self.subtask_durations, "must be > 0")
        for name in ("worker_nodes", "subtask_nodes"):
            _check_all(getattr(self, name) >= 0, name, getattr(self, name), "must be node indices >= 0")

        self.subtask_task = np.repeat(np.arange(num_tasks), np.diff(self.task_ptr))
        self.subtask_local = np.arange(num_subtasks) - self.task_ptr[self.subtask_task]
        if self.edges.size:
            _check_all((self.edges >= 0) & (self.edges < num_subtasks), "edges", self.edges,
                       f"must be subtask indices in [0, {num_subtasks})")
            same_task = self.subtask_task[self.edges[:, 0]] == self.subtask_task[self.edges[:, 1]]
            _check_all(same_task, "edges", self.edges, "must join subtasks of the same task")
            _check_all(self.edges[:, 0] < self.edges[:, 1], "edges", self.edges,
                       "must go from a lower to a higher subtask index (topological numbering)")
        self.edges = self.edges[np.lexsort((self.edges[:, 1], self.edges[:, 0]))]
        edge_task = self.subtask_task[self.edges[:, 0]]
        self.task_edge_ptr = np.searchsorted(edge_task, np.arange(num_tasks + 1))
        self.latest_expected = self._latest_finish(self.task_expected)
        self.latest_deadline = self._latest_finish(self.task_deadline)
        succ_local = self.subtask_local[self.edges[:, 1]]
        order = np.argsort(succ_local, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(succ_local[order])) + 1) if order.size else []
        self.dependency_levels = [(self.edges[g, 0], self.edges[g, 1]) for g in groups]

    def _latest_finish(self, end_times: np.ndarray) -> np.ndarray:
        """(S,) critical-path latest finish of every subtask for its task to end by ``end_times[q]``."""
        latest = np.empty(self.num_subtasks)
        for q in range(self.num_tasks):
            lo, hi = self.task_ptr[q], self.task_ptr[q + 1]
            local_edges = self.edges[self.task_edge_ptr[q]:self.task_edge_ptr[q + 1]] - lo
            latest[lo:hi] = latest_finish_times(hi - lo, local_edges, self.subtask_durations[lo:hi], end_times[q])
        return latest

    def __repr__(self) -> str:
        span = (f", created {self.task_created.min():.0f}-{self.task_created.max():.0f} s" if self.num_tasks else "")
        return (f"Scenario(tasks={self.num_tasks}, subtasks={self.num_subtasks}, edges={len(self.edges)}, "
                f"workers={self.num_workers}{span})")

    @property
    def num_workers(self) -> int:
        return self.worker_nodes.size

    @property
    def num_tasks(self) -> int:
        return self.task_created.size

    @property
    def num_subtasks(self) -> int:
        return self.subtask_nodes.size

    @property
    def num_skills(self) -> int:
        return self.worker_skills.shape[1]

    def task_sizes(self) -> np.ndarray:
        """(Q,) number of subtasks |T| of each task."""
        return np.diff(self.task_ptr)

    def all_predecessors(self, flag) -> np.ndarray:
        """(S,) True where ``flag`` (an (S,) bool over the subtasks) holds for every predecessor in C
        (vacuously for a subtask without predecessors)."""
        flag = np.asarray(flag, dtype=bool)
        if flag.shape != (self.num_subtasks,):
            raise ValueError(f"flag must have shape ({self.num_subtasks},) (one entry per subtask), got {flag.shape}")
        return np.bincount(self.edges[:, 1], weights=~flag[self.edges[:, 0]], minlength=self.num_subtasks) == 0

    def forward_pass(self, finish, durations=None, into=None) -> np.ndarray:
        """(S,) the critical path method's forward pass over C: ``EF_tau = max(finish_tau, max_pred EF_pred + t_tau)``
        with ``t`` = ``durations`` (default ``subtask_durations``), raising only the subtasks where ``into`` is
        True (default all; the others keep ``finish``). Exact in ``finish``'s dtype (ticks stay integers)."""
        out = np.array(finish, copy=True)
        durations = self.subtask_durations if durations is None else np.asarray(durations)
        for pred, succ in self.dependency_levels:
            if into is not None:
                keep = into[succ]
                if not keep.any():
                    continue
                pred, succ = pred[keep], succ[keep]
            np.maximum.at(out, succ, out[pred] + durations[succ])
        return out

    def fit_config(self, config: DASCConfig | None = None, **changes) -> DASCConfig:
        """``config`` (default ``DASCConfig()``) with ``changes`` and the fields an env needs to replay this
        scenario: ``num_tasks`` = |Q|, ``num_workers`` = |W|, ``num_skills`` = K, and ``max_subtasks`` raised to
        the largest task if it is smaller (the observation shapes follow ``max_subtasks``)."""
        config = (config if config is not None else DASCConfig()).replace(**changes)
        return config.replace(num_tasks=self.num_tasks, num_workers=self.num_workers, num_skills=self.num_skills,
                              max_subtasks=int(self.task_sizes().max(initial=config.max_subtasks)))

    def check_fits(self, num_nodes: int, max_subtasks: int, num_skills: int) -> None:
        """Raise ``ValueError`` unless the scenario fits a graph and an env configuration."""
        for name in ("worker_nodes", "subtask_nodes"):
            _check_all(getattr(self, name) < num_nodes, name, getattr(self, name),
                       f"must be node indices < {num_nodes} (the road graph's node count)")
        _check_all(self.task_sizes() <= max_subtasks, "task_ptr", self.task_sizes(),
                   f"gives a task more than max_subtasks={max_subtasks} subtasks")
        _check(self.num_skills == num_skills, "worker_skills", self.worker_skills.shape,
               f"must have num_skills={num_skills} columns")


def _check(ok: bool, name: str, value, rule: str) -> None:
    if not ok:
        raise ValueError(f"Scenario.{name} {rule}, got {value}")


def _check_order(created: np.ndarray) -> None:
    """t_c must be non-decreasing: name the first task created before the one listed ahead of it."""
    late = np.flatnonzero(np.diff(created) < 0)
    if late.size:
        q = int(late[0]) + 1
        raise ValueError(f"Scenario.task_created[{q}] must be >= task_created[{q - 1}] (tasks are listed by "
                         f"creation time), got {created[q]} after {created[q - 1]}")


def _check_all(ok: np.ndarray, name: str, values: np.ndarray, rule: str) -> None:
    ok = np.asarray(ok)
    if not ok.all():
        row = int(np.argwhere(~ok)[0][0])
        raise ValueError(f"Scenario.{name}[{row}] {rule}, got {np.asarray(values)[row].tolist()}")


def _int_array(name: str, value, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.size == 0:
        arr = arr.astype(np.int64)
    if arr.ndim != ndim or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"Scenario.{name} must be a {ndim}-D integer array, got dtype {arr.dtype} shape {arr.shape}")
    return arr.astype(np.int64)


def _bool_array(name: str, value) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != 2 or not (arr.dtype == bool or np.isin(arr, (0, 1)).all()):
        raise ValueError(f"Scenario.{name} must be a 2-D 0/1 array, got dtype {arr.dtype} shape {arr.shape}")
    return arr.astype(bool)


def _float_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Scenario.{name} must be numeric: {err}") from None
    if arr.ndim != 1:
        raise ValueError(f"Scenario.{name} must be 1-D, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"Scenario.{name}[{int(np.argmin(np.isfinite(arr)))}] must be finite")
    return arr
