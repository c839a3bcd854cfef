"""How the RMO learner trains on the learning-sanity scenarios and is scored on them.

The scenarios and their proven optima are ``dasc_env.benchmarks.sanity``; this module adds the training setup
(a small model, ``EPISODES`` episodes) and the scoring that ``tests/rmo_agents/learning/test_learning.py`` and
``python -m experiments.learning_sanity`` share.
"""

from __future__ import annotations

import numpy as np

from dasc_env.benchmarks.sanity import SCENARIOS, config_for
from dasc_env.evaluation import run_episode
from rmo_agents import RMOPolicy, preset

EPISODES = 200
"""Training episodes per seed: 50 updates of the practical preset's 4 episodes. The practical preset reaches every
optimum by arg-max in 5 seeds of 5 at 200 (docs/EXPERIMENTS.md, 2026-12-07); the gate used 400 before."""
SAMPLED_EPISODES = 16


def training_config(name: str, scenario_path, out, seed: int, episodes: int, preset_name: str = "practical"):
    """``preset(preset_name)`` on scenario ``name`` (saved at ``scenario_path``) with a small model."""
    env = config_for(SCENARIOS[name]())
    dasc = {"decision_interval": env.decision_interval, "zeta": env.zeta, "num_skills": env.num_skills,
            "max_subtasks": env.max_subtasks}
    return preset(preset_name).with_overrides([
        f"env.scenario={scenario_path}", "env.city=small", f"run.episodes={episodes}", f"run.seed={seed}",
        "run.eval_every=0", "run.progress=false", f"run.out={out}", "run.device=cpu", "run.threads=1",
        "model.gat_heads=2", "model.gat_hidden=8", "model.actor_hidden=[32]", "model.critic_hidden=16",
    ]).replace_path("env.dasc", dasc)


def scores(checkpoint, env) -> tuple[float, float]:
    """(arg-max revenue, mean sampled revenue over ``SAMPLED_EPISODES`` action seeds) on the fixed scenario."""
    greedy = run_episode(env, RMOPolicy.load(checkpoint, sample=False), seed=0)["revenue"]
    policy = RMOPolicy.load(checkpoint)
    sampled = np.mean([run_episode(env, policy, seed=s)["revenue"] for s in range(SAMPLED_EPISODES)])
    return greedy, float(sampled)
