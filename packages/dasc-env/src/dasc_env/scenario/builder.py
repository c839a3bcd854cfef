"""A hand-made scenario, written the way one describes it: tasks, their subtasks and dependencies, workers.

    b = ScenarioBuilder(city="small", num_skills=10)
    t = b.task(created=0.0, expected=600.0, deadline=900.0, payment=20.0)
    s1 = t.subtask(node=12, skills=[0], duration=20.0)
    s2 = t.subtask(node=40, skills=[1], duration=300.0, after=[s1])
    b.worker(node=15, skills=[0, 1])
    scenario = b.build()
    env = dasc_env.parallel_env(scenario.fit_config(city="small"), scenario=scenario)

Tasks are numbered in the order they are declared, and so are the subtasks of a task; error messages
name them that way ("task 1 subtask 0"). ``build()`` validates everything and lists the tasks by
creation time t_c (a stable sort, so tasks created together keep their declared order) and each task's
subtasks in a topological order of its DAG (stable too: declaring a subtask after its predecessors keeps
the declared order). ``index(handle)`` gives the index a task or subtask has in the built ``Scenario``.
"""

from __future__ import annotations

import heapq
import numbers
from dataclasses import dataclass, field

import numpy as np

from ..city import RoadGraph, load_city
from ..config import DASCConfig
from .generator import task_terms
from .scenario import Scenario


@dataclass(frozen=True, eq=False)
class SubtaskHandle:
    """A subtask as declared: subtask ``local`` of task ``task`` (declaration order) of ``builder``."""

    builder: ScenarioBuilder = field(repr=False)
    task: int
    local: int

    def __str__(self) -> str:
        return f"task {self.task} subtask {self.local}"


@dataclass(eq=False)
class _Subtask:
    node: int
    skills: tuple[int, ...]
    duration: float


@dataclass(eq=False)
class TaskBuilder:
    """Task ``number`` (declaration order) of ``builder``: add subtasks and dependencies to it."""

    builder: ScenarioBuilder = field(repr=False)
    number: int
    created: float
    expected: float | None
    deadline: float | None
    payment: float | None
    subtasks: list[_Subtask] = field(default_factory=list, repr=False)
    edges: list[tuple[SubtaskHandle, SubtaskHandle]] = field(default_factory=list, repr=False)

    def subtask(self, node: int, skills, duration: float, after=()) -> SubtaskHandle:
        """Add a subtask at road node ``node`` needing skills K^tau (ids in [0, K)) that takes ``duration``
        seconds and starts only after every subtask in ``after`` (handles of this task) has finished."""
        where = f"task {self.number} subtask {len(self.subtasks)}"
        self.subtasks.append(_Subtask(_int(node, f"{where}: node"), _skill_ids(skills, where),
                                      _real(duration, f"{where}: duration")))
        handle = SubtaskHandle(self.builder, self.number, len(self.subtasks) - 1)
        for before in _handles(after, f"{where}: after"):
            self.edges.append((before, handle))
        return handle

    def dependency(self, before: SubtaskHandle, after: SubtaskHandle) -> None:
        """Add the constraint ``before`` -> ``after`` of C: ``after`` starts once ``before`` has finished."""
        (before,) = _handles([before], f"task {self.number}: dependency before")
        (after,) = _handles([after], f"task {self.number}: dependency after")
        self.edges.append((before, after))


class ScenarioBuilder:
    """Builds a ``Scenario`` by hand, validated at ``build()``.

    Args:
        city: a synthetic preset name (loaded with ``config.city_seed``) or a ``RoadGraph``; nodes are
            checked against it.
        num_skills: K, the skill categories (default ``config.num_skills``).
        config: where a task's left-out terms come from, as the generator derives them from the sum S_q
            of its subtasks' durations: ``t_e = t_c + expected_factor * S_q``,
            ``t_d = t_c + deadline_factor * S_q``, ``rho = payment_per_minute * S_q / 60``.
    """

    def __init__(self, city: str | RoadGraph, num_skills: int | None = None, config: DASCConfig | None = None):
        if config is not None and not isinstance(config, DASCConfig):
            raise TypeError(f"config must be a DASCConfig, got {type(config).__name__}")
        self.config = config if config is not None else DASCConfig()
        if num_skills is not None and config is not None and num_skills != config.num_skills:
            raise ValueError(f"num_skills={num_skills!r} contradicts config.num_skills={config.num_skills}")
        self.num_skills = _int(num_skills if num_skills is not None else self.config.num_skills, "num_skills")
        if self.num_skills < 1:
            raise ValueError(f"num_skills={self.num_skills} must be >= 1")
        if isinstance(city, str):
            city = load_city(city, self.config.city_seed)
        if not isinstance(city, RoadGraph):
            raise TypeError(f"city must be a preset name or a RoadGraph, got {type(city).__name__}")
        self.graph = city
        self.tasks: list[TaskBuilder] = []
        self.workers: list[tuple[int, tuple[int, ...]]] = []

    def task(self, created: float, expected: float | None = None, deadline: float | None = None,
             payment: float | None = None) -> TaskBuilder:
        """Declare a task created at t_c = ``created`` with t_e, t_d and rho, each derived when left out."""
        where = f"task {len(self.tasks)}"
        terms = {name: None if value is None else _real(value, f"{where}: {name}")
                 for name, value in (("expected", expected), ("deadline", deadline), ("payment", payment))}
        self.tasks.append(TaskBuilder(self, len(self.tasks), _real(created, f"{where}: created"), **terms))
        return self.tasks[-1]

    def worker(self, node: int, skills) -> int:
        """Declare a worker starting at road node ``node`` with skills K^w; its index in the scenario."""
        where = f"worker {len(self.workers)}"
        self.workers.append((_int(node, f"{where}: node"), _skill_ids(skills, where)))
        return len(self.workers) - 1

    def index(self, handle: TaskBuilder | SubtaskHandle) -> int:
        """The index of a task or subtask (global, into the subtask arrays) in the scenario ``build()`` gives."""
        task_order, local_orders = self._layout()
        if isinstance(handle, TaskBuilder) and handle.builder is self:
            return task_order.index(handle.number)
        if isinstance(handle, SubtaskHandle) and handle.builder is self:
            q = task_order.index(handle.task)
            offset = sum(len(self.tasks[p].subtasks) for p in task_order[:q])
            return offset + local_orders[handle.task].index(handle.local)
        raise ValueError(f"{handle!r} was not declared by this builder")

    def build(self) -> Scenario:
        """Validate and assemble the ``Scenario`` (ValueError naming the task/subtask/worker and value)."""
        task_order, local_orders = self._layout()
        terms = np.array([self._terms(self.tasks[q]) for q in task_order]).reshape(-1, 4)
        subs = [(self.tasks[q].subtasks[i], q) for q in task_order for i in local_orders[q]]
        sizes = [len(self.tasks[q].subtasks) for q in task_order]
        ptr = np.concatenate([[0], np.cumsum(sizes)])
        edges = sorted({(ptr[k] + local_orders[q].index(a.local), ptr[k] + local_orders[q].index(b.local))
                        for k, q in enumerate(task_order) for a, b in self.tasks[q].edges})
        return Scenario(
            worker_nodes=np.array([node for node, _ in self.workers], dtype=np.int64),
            worker_skills=self._skill_matrix([skills for _, skills in self.workers]),
            task_created=terms[:, 0], task_expected=terms[:, 1], task_deadline=terms[:, 2],
            task_payment=terms[:, 3], task_ptr=ptr,
            subtask_nodes=np.array([s.node for s, _ in subs], dtype=np.int64),
            subtask_skills=self._skill_matrix([s.skills for s, _ in subs]),
            subtask_durations=np.array([s.duration for s, _ in subs], dtype=np.float64),
            edges=np.array(edges, dtype=np.int64).reshape(-1, 2),
        )

    # ------------------------------------------------------------ validation
    def _layout(self) -> tuple[list[int], dict[int, list[int]]]:
        """Validate; the tasks by creation time (stable) and each task's subtasks in topological order."""
        if not self.tasks:
            raise ValueError("the scenario has no task: declare one with task()")
        if not self.workers:
            raise ValueError("the scenario has no worker: declare one with worker()")
        for w, (node, skills) in enumerate(self.workers):
            self._check_node(node, f"worker {w}")
            self._check_skills(skills, f"worker {w}")
        for t in self.tasks:
            self._check_task(t)
        created = np.array([t.created for t in self.tasks])
        return np.argsort(created, kind="stable").tolist(), {t.number: _topological(t) for t in self.tasks}

    def _check_task(self, t: TaskBuilder) -> None:
        if not t.subtasks:
            raise ValueError(f"task {t.number} has no subtask: add one with subtask()")
        for i, s in enumerate(t.subtasks):
            where = f"task {t.number} subtask {i}"
            self._check_node(s.node, where)
            self._check_skills(s.skills, where)
            if not s.duration > 0:
                raise ValueError(f"{where}: duration={s.duration} must be > 0 seconds")
        for before, after in t.edges:
            for h in (before, after):
                if h.builder is not self or h.task != t.number:
                    raise ValueError(f"task {t.number}: dependency {before} -> {after} names {h}, which is not a "
                                     f"subtask of task {t.number} (dependencies join subtasks of one task)")
        self._terms(t)

    def _terms(self, t: TaskBuilder) -> tuple[float, float, float, float]:
        """(t_c, t_e, t_d, rho), the left-out ones derived from S_q; checked t_c >= 0, t_c <= t_e < t_d."""
        derived = task_terms(self.config, t.created, sum(s.duration for s in t.subtasks))
        expected, deadline, payment = (float(d) if v is None else v
                                       for v, d in zip((t.expected, t.deadline, t.payment), derived))
        note = {name: " (derived from S_q)" if v is None else ""
                for name, v in (("expected", t.expected), ("deadline", t.deadline))}
        if t.created < 0:
            raise ValueError(f"task {t.number}: created={t.created} must be >= 0")
        if deadline <= t.created:
            raise ValueError(f"task {t.number}: deadline={deadline}{note['deadline']} must be after "
                             f"created={t.created} (t_d > t_c)")
        if expected < t.created:
            raise ValueError(f"task {t.number}: expected={expected}{note['expected']} must be >= "
                             f"created={t.created} (t_e >= t_c)")
        if deadline <= expected:
            raise ValueError(f"task {t.number}: deadline={deadline}{note['deadline']} must be after "
                             f"expected={expected}{note['expected']} (t_d > t_e)")
        if payment < 0:
            raise ValueError(f"task {t.number}: payment={payment} must be >= 0")
        return t.created, expected, deadline, payment

    def _check_node(self, node: int, where: str) -> None:
        if not 0 <= node < self.graph.num_nodes:
            raise ValueError(f"{where}: node={node} is not a node of road graph {self.graph.name!r} "
                             f"(0..{self.graph.num_nodes - 1})")

    def _check_skills(self, skills: tuple[int, ...], where: str) -> None:
        bad = [k for k in skills if not 0 <= k < self.num_skills]
        if bad:
            raise ValueError(f"{where}: skill {bad[0]} is outside [0, {self.num_skills}) (K = num_skills)")

    def _skill_matrix(self, rows: list[tuple[int, ...]]) -> np.ndarray:
        matrix = np.zeros((len(rows), self.num_skills), dtype=bool)
        for r, skills in enumerate(rows):
            matrix[r, list(skills)] = True
        return matrix


def _topological(t: TaskBuilder) -> list[int]:
    """Task ``t``'s subtasks (declaration numbers) in topological order, lowest number first among the ready
    ones (Kahn); a cycle raises ``ValueError`` naming its subtasks."""
    n = len(t.subtasks)
    succ: list[set[int]] = [set() for _ in range(n)]
    for before, after in t.edges:
        succ[before.local].add(after.local)
    indegree = [0] * n
    for nxt in succ:
        for j in nxt:
            indegree[j] += 1
    ready = [i for i in range(n) if indegree[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j in succ[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(ready, j)
    if len(order) < n:
        cycle = _a_cycle(succ, set(range(n)) - set(order))
        raise ValueError(f"task {t.number}: dependency cycle through subtasks {cycle} "
                         f"({' -> '.join(map(str, [*cycle, cycle[0]]))}; C must be a DAG)")
    return order


def _a_cycle(succ: list[set[int]], stuck: set[int]) -> list[int]:
    """One cycle among the ``stuck`` nodes (those Kahn's algorithm never freed): every one of them has a
    stuck predecessor, so walking back from one revisits a node, and the walk since then is a cycle."""
    pred = {j: i for i in sorted(stuck) for j in succ[i] if j in stuck}
    walk, node = [], min(stuck)
    while node not in walk:
        walk.append(node)
        node = pred[node]
    cycle = walk[walk.index(node):][::-1]
    first = cycle.index(min(cycle))
    return cycle[first:] + cycle[:first]


def _handles(values, where: str) -> list[SubtaskHandle]:
    if isinstance(values, SubtaskHandle):
        values = [values]
    values = list(values)
    for v in values:
        if not isinstance(v, SubtaskHandle):
            raise TypeError(f"{where}: expected subtask handles (from TaskBuilder.subtask), got {v!r}")
    return values


def _int(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where} must be an int, got {value!r}")
    return int(value)


def _real(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} must be a number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{where} must be finite, got {value!r}")
    return float(value)


def _skill_ids(skills, where: str) -> tuple[int, ...]:
    if isinstance(skills, (str, bytes)) or not hasattr(skills, "__iter__"):
        raise TypeError(f"{where}: skills must be a list of skill ids, got {skills!r}")
    return tuple(_int(k, f"{where}: skill") for k in skills)
