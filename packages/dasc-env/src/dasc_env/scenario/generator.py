"""Seeded scenario generation following the paper's "Experimental Setup".

* Workers: start node drawn from the city's demand (``CityDemand``); skill
  count ~ Normal(worker_skill_mean, worker_skill_std), rounded, clipped to
  1..K; the skills themselves uniform without replacement.
* Tasks: creation times t_c uniform over the arrival window; |T| uniform in
  |T|_min..|T|_max; a random DAG (``dag_edge_prob``); each subtask at a node
  drawn from the demand, with floor(SkewNormal(loc, scale, skew)) clipped to
  1..3 required skills (the paper's mu=1.5, sigma^2=0.5, gamma=10 give a mean
  of about 1.5) drawn from its area's POI categories, and a uniform duration.
* t_e, t_d and rho from the per-task sum of durations (see ``DASCConfig``).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..config import DASCConfig
from .dag import random_dag
from .demand import CityDemand
from .scenario import Scenario

MAX_SUBTASK_SKILLS = 3


def generate_scenario(config: DASCConfig, demand: CityDemand, rng: np.random.Generator) -> Scenario:
    """Draw workers and a task stream from a city's ``demand``."""
    worker_nodes = demand.sample_nodes(config.num_workers, rng)
    worker_skills = worker_skill_sets(config, config.num_workers, rng)
    created = np.sort(rng.uniform(0.0, config.arrival_window, size=config.num_tasks))
    sizes = rng.integers(config.min_subtasks, config.max_subtasks + 1, size=config.num_tasks)
    s = int(sizes.sum())
    subtask_nodes = demand.sample_nodes(s, rng)
    subtask_skills = demand.sample_skills(subtask_nodes, subtask_skill_counts(config, s, rng), rng)
    durations = rng.uniform(config.min_duration, config.max_duration, size=s)
    return assemble_scenario(config, worker_nodes, worker_skills, created, sizes, subtask_nodes, subtask_skills,
                             durations, rng)


def assemble_scenario(config: DASCConfig, worker_nodes, worker_skills, created, sizes, subtask_nodes,
                      subtask_skills, durations, rng: np.random.Generator) -> Scenario:
    """Group subtasks into tasks of ``sizes``, draw each task's DAG and derive t_e, t_d and rho."""
    task_ptr = np.concatenate([[0], np.cumsum(sizes)])
    edges = np.concatenate(
        [random_dag(int(n), config.dag_edge_prob, rng) + task_ptr[i] for i, n in enumerate(sizes)]
    ).reshape(-1, 2)
    expected, deadline, payment = task_terms(config, created, np.add.reduceat(durations, task_ptr[:-1]))
    return Scenario(
        worker_nodes=worker_nodes,
        worker_skills=worker_skills,
        task_created=created,
        task_expected=expected,
        task_deadline=deadline,
        task_payment=payment,
        task_ptr=task_ptr,
        subtask_nodes=subtask_nodes,
        subtask_skills=subtask_skills,
        subtask_durations=durations,
        edges=edges,
    )


def task_terms(config: DASCConfig, created, work) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """t_e, t_d and rho of tasks created at t_c = ``created`` whose durations sum to S_q = ``work``:
    ``t_e = t_c + expected_factor * S_q``, ``t_d = t_c + deadline_factor * S_q``,
    ``rho = payment_per_minute * S_q / 60`` (the config's fields)."""
    created, work = np.asarray(created, dtype=np.float64), np.asarray(work, dtype=np.float64)
    return (created + config.expected_factor * work, created + config.deadline_factor * work,
            config.payment_per_minute * work / 60.0)


def worker_skill_sets(config: DASCConfig, size: int, rng: np.random.Generator) -> np.ndarray:
    """(size, K) bool: round(Normal(mean, std)) clipped to 1..K skills each, uniform without replacement."""
    k = config.num_skills
    counts = np.clip(np.rint(rng.normal(config.worker_skill_mean, config.worker_skill_std, size=size)), 1, k)
    rank = np.argsort(rng.random((size, k)), axis=1).argsort(axis=1)
    return rank < counts.astype(np.int64)[:, None]


def subtask_skill_counts(config: DASCConfig, size: int, rng: np.random.Generator) -> np.ndarray:
    """floor(SkewNormal(loc, scale, skew)) clipped to 1..min(3, K): required skills per subtask."""
    draws = stats.skewnorm.rvs(config.subtask_skill_skew, loc=config.subtask_skill_loc,
                               scale=config.subtask_skill_scale, size=size, random_state=rng)
    return np.clip(np.floor(draws), 1, min(MAX_SUBTASK_SKILLS, config.num_skills)).astype(np.int64)
