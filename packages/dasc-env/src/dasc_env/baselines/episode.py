"""Play one episode of a method on an env and read its metrics off the ledger.

The one episode loop of the package: the evaluation harness, ``bounds.replay_plan`` and the learner's
policy all play through it. Metrics come from the ledger:

* ``revenue``: E(M), Eq. 2;
* ``completed``, ``failed``: task counts;
* ``on_time_share``: share of all tasks completed by t_e;
* ``mean_delay_s``: mean max(0, finish - t_e) over completed tasks;
* ``travel_km``: total worker travel;
* ``wall_s``: wall time of the episode.
"""

from __future__ import annotations

import time

import numpy as np

from ..env import DASCParallelEnv
from ..simulator.ledger import COMPLETED, FAILED
from .policy import Policy


def run_episode(env: DASCParallelEnv, policy: Policy, seed: int) -> dict:
    """Play one episode of ``policy`` on ``env`` reset with ``seed``; the ledger's metrics.

    The episode starts from KM with the config's eta = (``config.alpha``, ``config.beta``), whatever an
    earlier episode on this env set; ``policy.reset`` may then set its own matcher and eta. A policy that does not
    read observations (``policy.observes`` False) plays without their encoding; ``env.observe`` is restored after.
    """
    start = time.perf_counter()
    observe, env.observe = env.observe, policy.observes
    try:
        observations, _ = env.reset(seed=seed)
        env.set_matcher("km")
        env.set_utility_params(env.config.alpha, env.config.beta)
        policy.reset(env, seed)
        env.set_matcher(policy.matcher)
        while env.agents:
            observations, *_ = env.step(policy.act(env, observations))
    finally:
        env.observe = observe
    wall = time.perf_counter() - start
    tasks = env.ledger.tasks
    completed = [t for t in tasks if t.status == COMPLETED]
    return {
        "revenue": env.total_revenue,
        "completed": len(completed),
        "failed": sum(t.status == FAILED for t in tasks),
        "on_time_share": sum(t.finish <= t.expected for t in completed) / max(1, len(tasks)),
        "mean_delay_s": float(np.mean([max(0.0, t.finish - t.expected) for t in completed])) if completed else 0.0,
        "travel_km": sum(m.distance for m in env.ledger.matches) / 1000.0,
        "wall_s": wall,
    }
