"""The tiny episodes the ``dasc_env.bounds`` tests share, each defined here once: every instance whose optimum
``brute.brute_force`` computes (``BRUTE_CASES``), and the drawn episodes on which every non-learning method
(``rule_methods``) is scored against a proven optimum (``method_episode``). ``test_exact`` solves them exactly,
``test_relaxed`` bounds them, ``test_replay`` runs the methods on them.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

import numpy as np

from dasc_env import DASCConfig, DASCParallelEnv, RoadGraph, Scenario, ScenarioBuilder
from dasc_env.baselines import available_methods
from dasc_env.baselines.registry import ENTRY_POINT_GROUP
from tests.builders import line_city, make_scenario, tiny_config
from tests.dasc_env.bounds.brute import drawn_episode

Case = tuple[Scenario, RoadGraph, DASCConfig]
NOBODY = 2
"""A skill no worker of the line cases has: subtasks needing it are never done, so their tasks can only be
abandoned."""


def task(created, expected, deadline, payment, subtasks, edges=()) -> dict:
    """A task of ``make_scenario``: ``subtasks`` are (node, skills, duration), ``edges`` local (pred, succ)."""
    return dict(created=created, expected=expected, deadline=deadline, payment=payment, subtasks=subtasks,
                edges=list(edges))


# The worker's 800 m to task 1 at node 8 are beyond L^w = 500 m; from task 0's first subtask they are 400 m.
_HOP_IN_RANGE = [task(0.0, 300.0, 3000.0, 10.0, [(4, [0], 60.0), (20, [NOBODY], 60.0)], edges=[(0, 1)]),
                 task(100.0, 2000.0, 3000.0, 50.0, [(8, [0], 60.0)])]

LINE_CASES: dict[str, tuple[list, list, dict]] = {
    # name: (workers [(node, skills)], tasks, DASCConfig changes); the line city has 100 m between nodes.
    "one subtask, one worker": ([(3, [0])], [task(12.0, 600.0, 900.0, 50.0, [(6, [0], 100.0)])], {}),
    "skills send the far worker": ([(5, [0]), (15, [1])], [task(0.0, 600.0, 900.0, 50.0, [(6, [1], 60.0)])], {}),
    # s1 -> s2, one worker each; t_e forces a delay penalty, which Eq. 1 charges per minute.
    "precedence and lateness": ([(0, [0]), (20, [1])], [task(0.0, 100.0, 2000.0, 60.0, [(2, [0], 120.0),
                                                                                          (18, [1], 60.0)],
                                                             edges=[(0, 1)])], {}),
    # task 0's subtask is 200 s away and due by 150 s
    "a deadline out of reach": ([(0, [0])], [task(0.0, 100.0, 150.0, 80.0, [(20, [0], 100.0)]),
                                             task(0.0, 300.0, 600.0, 20.0, [(1, [0], 60.0)])], {}),
    "one worker, two tasks": ([(5, [0])], [task(0.0, 200.0, 260.0, 30.0, [(4, [0], 200.0)]),
                                           task(0.0, 200.0, 260.0, 90.0, [(6, [0], 200.0)])], {}),
    # L^w = 500 m: node 9 is out of reach from node 0, but not from the first subtask at node 5.
    "range from where the worker stands": ([(0, [0])], [task(0.0, 300.0, 1000.0, 20.0, [(5, [0], 60.0)]),
                                                        task(50.0, 600.0, 1500.0, 40.0, [(9, [0], 60.0)])],
                                           {"worker_range": 500.0}),
    "a busy worker": ([(5, [0])], [task(0.0, 500.0, 2000.0, 40.0, [(5, [0], 103.0)]),
                                   task(0.0, 500.0, 2000.0, 40.0, [(7, [0], 60.0)])], {}),
    "abandoning brings a worker within range": ([(0, [0])], _HOP_IN_RANGE, {"worker_range": 500.0}),
    # Task 1 appears at 100 s at node 10, expected by 175 s; going there only then makes it 85 s late.
    "abandoning brings a worker early": ([(0, [0])], [
        task(0.0, 300.0, 3000.0, 10.0, [(10, [0], 10.0), (20, [NOBODY], 60.0)], edges=[(0, 1)]),
        task(100.0, 175.0, 400.0, 60.0, [(10, [0], 60.0)])], {}),
    # Task 2 (created 200 s, t_d 510 s) is dropped by the env at 215 s, when its 300 s subtask could no longer
    # finish in time (215 + 300 > 510): the worker can hop through it to task 1 only if it skips task 0, which
    # would keep it busy until 220 s. (Matching its other subtask would still be feasible until 410 s.)
    "abandoning only while the env keeps the task": ([(0, [0])], [
        task(0.0, 1000.0, 2000.0, 30.0, [(2, [0], 200.0)]),
        task(0.0, 2000.0, 3000.0, 50.0, [(8, [0], 60.0)]),
        task(200.0, 400.0, 510.0, 10.0, [(4, [0], 60.0), (20, [NOBODY], 300.0)])], {"worker_range": 500.0}),
}


def line_case(name: str) -> Case:
    """The line-city case ``name`` of ``LINE_CASES``."""
    workers, tasks, changes = LINE_CASES[name]
    scenario = make_scenario(workers, tasks)
    return scenario, line_city(), tiny_config(scenario, **changes)


def drawn(seed: int, **changes) -> Case:
    """A drawn small-city episode of 3 tasks of 1-2 subtasks, 2 workers and 3 skills (``changes`` override)."""
    env = drawn_episode(seed, **({"num_workers": 2, "max_subtasks": 2, "num_skills": 3, "arrival_window": 400.0}
                                 | changes))
    return env.scenario, env.graph, env.config


DRAWN_SEEDS = range(6)


def drawn_case(seed: int) -> Case:
    """The drawn episodes ``test_exact`` brute-forces: 2 or 3 workers by seed."""
    return drawn(seed, num_workers=2 + seed % 2)


def small_city_case() -> Case:
    """A hand-built small-city case: a two-subtask chain across the city and a task needing two skills."""
    b = ScenarioBuilder(city="small", num_skills=3)
    t = b.task(created=0.0, expected=700.0, deadline=1400.0, payment=40.0)
    s1 = t.subtask(node=12, skills=[0], duration=90.0)
    t.subtask(node=250, skills=[1], duration=120.0, after=[s1])
    b.task(created=30.0).subtask(node=390, skills=[0, 1], duration=100.0)
    b.worker(node=15, skills=[0, 1])
    b.worker(node=300, skills=[1, 2])
    sc = b.build()
    return sc, b.graph, sc.fit_config(DASCConfig(city="small"))


SINGLE_SEEDS = range(8)


def single_subtask_case(seed: int) -> Case:
    """Three one-subtask tasks created within 300 s, two workers of random skills, 1 s epochs, random v_w and L^w."""
    rng = np.random.default_rng(seed)
    b = ScenarioBuilder(city="small", num_skills=2)
    for created in np.sort(rng.uniform(0, 300, size=3)):
        duration = float(rng.uniform(60, 400))
        b.task(created=float(created), expected=float(created + duration * rng.uniform(1.0, 1.5)),
               deadline=float(created + duration * rng.uniform(1.6, 3.0)), payment=float(rng.uniform(10, 100))
               ).subtask(node=int(rng.integers(b.graph.num_nodes)), skills=[int(rng.integers(2))], duration=duration)
    for _ in range(2):
        b.worker(node=int(rng.integers(b.graph.num_nodes)), skills=sorted({int(rng.integers(2)),
                                                                            int(rng.integers(2))}))
    sc = b.build()
    config = sc.fit_config(city="small", min_subtasks=1, decision_interval=1.0, worker_speed=float(rng.uniform(3, 12)),
                           worker_range=float(rng.uniform(800, 3000)), kappa=0.01)
    return sc, b.graph, config


BRUTE_CASES: dict[str, Callable[[], Case]] = {
    **{f"line: {name}": (lambda name=name: line_case(name)) for name in LINE_CASES},
    **{f"drawn {seed}": (lambda seed=seed: drawn_case(seed)) for seed in DRAWN_SEEDS},
    "small city, hand-built": small_city_case,
    **{f"one subtask per task {seed}": (lambda seed=seed: single_subtask_case(seed)) for seed in SINGLE_SEEDS},
}
"""Every instance small enough for ``brute.brute_force``, by name."""


# Short durations and coarse epochs keep each episode to a few hundred epochs (LOOKAHEAD rolls out per epoch); the
# last two shapes make deadlines tight and L^w short, where abandoning a task to move a worker pays.
SHAPES = [dict(num_workers=2, decision_interval=30.0, min_duration=30.0, max_duration=120.0),
          dict(num_skills=3, decision_interval=10.0, min_duration=20.0, max_duration=90.0, arrival_window=120.0),
          dict(num_tasks=4, num_workers=2, max_subtasks=2, decision_interval=15.0, min_duration=30.0,
               max_duration=90.0),
          dict(num_tasks=2, decision_interval=5.0, min_duration=20.0, max_duration=60.0, arrival_window=60.0),
          dict(num_workers=2, decision_interval=30.0),
          dict(num_tasks=4, num_skills=2, decision_interval=20.0, min_duration=30.0, max_duration=150.0,
               arrival_window=100.0, deadline_factor=1.6, expected_factor=1.1),
          dict(num_workers=4, num_skills=3, decision_interval=10.0, min_duration=30.0, max_duration=120.0,
               worker_range=800.0, worker_speed=3.0)]
METHOD_SEEDS = [170, 188, 237, *range(53)]
"""Seeds 170, 188 and 237 are episodes where GREEDY, ODTA and GAME beat a model that forbade abandoning tasks."""


def method_episode(seed: int) -> DASCParallelEnv:
    """The drawn episode of ``seed`` the methods are scored on (its shape cycles through ``SHAPES``)."""
    return drawn_episode(seed, **SHAPES[seed % len(SHAPES)])


METHOD_OPTIONS = {"tuned-km": {"cells": "0110", "eta": "0.5,0.5"}}
"""Options of the rule methods that need some off the suite (TUNED-KM has no shipped tuning there)."""


def rule_methods() -> list[str]:
    """Every registered method but the learned ones (those come from other packages' entry points)."""
    learned = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return [m for m in available_methods() if m not in learned]
