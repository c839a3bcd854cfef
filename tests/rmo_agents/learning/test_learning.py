"""Learning sanity: the ``practical`` preset, trained on each hand-made scenario, reaches its known optimum.

The gate of every learner change (``../shared/LEARNING.md``: known optima first). Each scenario of
``scenarios.py`` isolates one decision; its optimum is established without any learner
(``test_scenarios.py``). Three training seeds each. A seed passes when its trained actor, acting by arg-max,
scores within 5 % of the optimum; and over the seeds the trained actors, acting by sampling as in training,
beat their own untrained actors (the control) by more than the seeds' spread can explain.
"""

import numpy as np
import pytest

import dasc_env
from dasc_env.evaluation import run_episode
from rmo_agents import RMOPolicy, Trainer, preset
from tests.rmo_agents.learning.scenarios import OPTIMA, SCENARIOS, config_for

SEEDS = (0, 1, 2)
EPISODES = 400
"""Training episodes per seed: 100 updates of the preset's 4 episodes."""
SAMPLED_EPISODES = 16


def _config(name: str, scenario_path, out, seed: int, episodes: int):
    env = config_for(SCENARIOS[name]())
    dasc = {"decision_interval": env.decision_interval, "zeta": env.zeta, "num_skills": env.num_skills,
            "max_subtasks": env.max_subtasks}
    return preset("practical").with_overrides([
        f"env.scenario={scenario_path}", "env.city=small", f"run.episodes={episodes}", f"run.seed={seed}",
        "run.eval_every=0", "run.progress=false", f"run.out={out}", "run.device=cpu", "run.threads=1",
        "model.gat_heads=2", "model.gat_hidden=8", "model.actor_hidden=[32]", "model.critic_hidden=16",
    ]).replace_path("env.dasc", dasc)


def _scores(checkpoint, env) -> tuple[float, float]:
    """(arg-max revenue, mean sampled revenue over ``SAMPLED_EPISODES`` action seeds) on the fixed scenario."""
    greedy = run_episode(env, RMOPolicy.load(checkpoint, sample=False), seed=0)["revenue"]
    policy = RMOPolicy.load(checkpoint)
    sampled = np.mean([run_episode(env, policy, seed=s)["revenue"] for s in range(SAMPLED_EPISODES)])
    return greedy, float(sampled)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_practical_preset_learns_the_optimum(name, tmp_path):
    scenario = SCENARIOS[name]()
    path = tmp_path / f"{name}.npz"
    dasc_env.save_scenario(scenario, path)
    env = dasc_env.parallel_env(config_for(scenario), scenario=scenario)
    untrained, trained = [], []
    for seed in SEEDS:
        for episodes, scores in ((0, untrained), (EPISODES, trained)):
            out = tmp_path / f"seed{seed}-{episodes}"
            Trainer(_config(name, path, out, seed, episodes)).run()
            scores.append(_scores(out / "last.pt", env))
    (greedy, sampled), (_, before) = np.array(trained).T, np.array(untrained).T
    optimum = OPTIMA[name]
    assert greedy.min() >= 0.95 * optimum, f"{name}: arg-max {greedy}, sampled {sampled}, optimum {optimum}"
    gain = sampled - before
    assert gain.mean() > 2 * gain.std() + 0.01 * optimum, f"{name}: sampled {sampled} vs untrained {before}"
