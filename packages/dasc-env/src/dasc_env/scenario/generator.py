"""Seeded scenario generation following the paper's "Experimental Setup".

* Workers: start node uniform over the road graph; skill count
  ~ Normal(worker_skill_mean, worker_skill_std), rounded, clipped to 1..K;
  the skills themselves uniform without replacement.
* Tasks: creation times t_c uniform over the arrival window; |T| uniform in
  |T|_min..|T|_max; a random DAG (``dag_edge_prob``); each subtask at a
  uniform node, with floor(SkewNormal(loc, scale, skew)) clipped to 1..3
  required skills (the paper's mu=1.5, sigma^2=0.5, gamma=10 give a mean of
  about 1.5) and a uniform duration.
* t_e, t_d and rho from the per-task sum of durations (see ``DASCConfig``).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..config import DASCConfig
from .dag import random_dag
from .scenario import Scenario

MAX_SUBTASK_SKILLS = 3


def generate_scenario(config: DASCConfig, num_nodes: int, rng: np.random.Generator) -> Scenario:
    """Draw workers and a task stream on a graph of ``num_nodes`` nodes."""
    k = config.num_skills
    worker_nodes = rng.integers(0, num_nodes, size=config.num_workers)
    worker_counts = np.clip(np.rint(rng.normal(config.worker_skill_mean, config.worker_skill_std,
                                               size=config.num_workers)), 1, k).astype(np.int64)
    worker_skills = _random_skill_sets(worker_counts, k, rng)

    q = config.num_tasks
    created = np.sort(rng.uniform(0.0, config.arrival_window, size=q))
    sizes = rng.integers(config.min_subtasks, config.max_subtasks + 1, size=q)
    task_ptr = np.concatenate([[0], np.cumsum(sizes)])
    s = int(task_ptr[-1])
    subtask_nodes = rng.integers(0, num_nodes, size=s)
    draws = stats.skewnorm.rvs(config.subtask_skill_skew, loc=config.subtask_skill_loc,
                               scale=config.subtask_skill_scale, size=s, random_state=rng)
    skill_counts = np.clip(np.floor(draws), 1, min(MAX_SUBTASK_SKILLS, k)).astype(np.int64)
    subtask_skills = _random_skill_sets(skill_counts, k, rng)
    durations = rng.uniform(config.min_duration, config.max_duration, size=s)
    edges = np.concatenate(
        [random_dag(int(n), config.dag_edge_prob, rng) + task_ptr[i] for i, n in enumerate(sizes)]
    ).reshape(-1, 2)

    work = np.add.reduceat(durations, task_ptr[:-1])
    return Scenario(
        worker_nodes=worker_nodes,
        worker_skills=worker_skills,
        task_created=created,
        task_expected=created + config.expected_factor * work,
        task_deadline=created + config.deadline_factor * work,
        task_payment=config.payment_per_minute * work / 60.0,
        task_ptr=task_ptr,
        subtask_nodes=subtask_nodes,
        subtask_skills=subtask_skills,
        subtask_durations=durations,
        edges=edges,
    )


def _random_skill_sets(counts: np.ndarray, num_skills: int, rng: np.random.Generator) -> np.ndarray:
    """(n, K) bool rows with ``counts[i]`` skills each, chosen uniformly without replacement."""
    rank = np.argsort(rng.random((counts.size, num_skills)), axis=1).argsort(axis=1)
    return rank < counts[:, None]
