"""Builders for hand-made cases: a straight road of 100 m blocks and scenarios on it."""

from __future__ import annotations

import numpy as np

import dasc_env
from dasc_env import DASCConfig, RoadGraph, Scenario
from dasc_env.city import DistanceCache
from dasc_env.simulator import Simulator

BLOCK = 100.0


def line_city(num_nodes: int = 21) -> RoadGraph:
    """Nodes 0..n-1 on the x axis, 100 m apart, joined by two-way streets: d(i, j) = 100 |i - j|."""
    xy = np.stack([np.arange(num_nodes) * BLOCK, np.zeros(num_nodes)], axis=1)
    i = np.arange(num_nodes - 1)
    tails = np.concatenate([i, i + 1])
    heads = np.concatenate([i + 1, i])
    return RoadGraph(xy, tails, heads, np.full(tails.size, BLOCK), name="line")


def make_scenario(workers, tasks, num_skills: int = 3) -> Scenario:
    """workers: [(node, [skills])]; tasks: [dict(created, expected, deadline, payment,
    subtasks=[(node, [skills], duration)], edges=[(i, j)] local)]."""
    worker_skills = np.zeros((len(workers), num_skills), dtype=bool)
    for w, (_, skills) in enumerate(workers):
        worker_skills[w, skills] = True
    subs = [s for t in tasks for s in t["subtasks"]]
    sub_skills = np.zeros((len(subs), num_skills), dtype=bool)
    for i, (_, skills, _) in enumerate(subs):
        sub_skills[i, skills] = True
    ptr = np.concatenate([[0], np.cumsum([len(t["subtasks"]) for t in tasks])])
    edges = [(ptr[q] + a, ptr[q] + b) for q, t in enumerate(tasks) for a, b in t.get("edges", [])]
    return Scenario(
        worker_nodes=np.array([n for n, _ in workers]),
        worker_skills=worker_skills,
        task_created=np.array([t["created"] for t in tasks], dtype=float),
        task_expected=np.array([t["expected"] for t in tasks], dtype=float),
        task_deadline=np.array([t["deadline"] for t in tasks], dtype=float),
        task_payment=np.array([t["payment"] for t in tasks], dtype=float),
        task_ptr=ptr,
        subtask_nodes=np.array([n for n, _, _ in subs]),
        subtask_skills=sub_skills,
        subtask_durations=np.array([d for _, _, d in subs], dtype=float),
        edges=np.array(edges, dtype=np.int64).reshape(-1, 2),
    )


def tiny_config(scenario: Scenario, **changes) -> DASCConfig:
    fields = dict(num_tasks=scenario.num_tasks, num_workers=scenario.num_workers,
                  num_skills=scenario.num_skills, min_subtasks=1, max_subtasks=4, city="small")
    fields.update(changes)
    return DASCConfig(**fields)


def line_simulator(workers, tasks, **config):
    """A ``Simulator`` on ``line_city()`` for ``make_scenario(workers, tasks)`` and ``tiny_config(**config)``."""
    graph = line_city()
    scenario = make_scenario(workers, tasks)
    cfg = tiny_config(scenario, **config)
    return Simulator(cfg, graph, scenario, DistanceCache(graph, cfg.worker_range))


def line_env(workers, tasks, **config):
    """A ``DASCParallelEnv`` on ``line_city()`` replaying ``make_scenario(workers, tasks)``."""
    scenario = make_scenario(workers, tasks)
    return dasc_env.parallel_env(tiny_config(scenario, **config), city=line_city(), scenario=scenario)


class WithoutSimulator:
    """What a policy sees: the env, except that ``sim`` raises."""

    def __init__(self, env):
        self._env = env

    def __getattr__(self, name):
        if name == "sim":
            raise AttributeError("a policy must not read env.sim")
        return getattr(self._env, name)
