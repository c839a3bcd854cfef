"""Learning sanity: the ``practical`` preset, trained on each hand-made scenario, reaches its known optimum.

The gate of every learner change (``../shared/LEARNING.md``: known optima first). Each scenario of
``dasc_env.benchmarks.sanity`` isolates one decision; its optimum is established without any learner
(``test_scenarios.py``). Three training seeds each. A seed passes when its trained actor, acting by arg-max,
scores within 5 % of the optimum; and over the seeds the trained actors, acting by sampling as in training,
beat their own untrained actors (the control) by more than the seeds' spread can explain.
"""

import numpy as np
import pytest

import dasc_env
from dasc_env.benchmarks.sanity import OPTIMA, SCENARIOS, config_for
from experiments.sanity import EPISODES, scores, training_config
from rmo_agents import Trainer

SEEDS = (0, 1, 2)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_practical_preset_learns_the_optimum(name, tmp_path):
    scenario = SCENARIOS[name]()
    path = tmp_path / f"{name}.npz"
    dasc_env.save_scenario(scenario, path)
    env = dasc_env.parallel_env(config_for(scenario), scenario=scenario)
    untrained, trained = [], []
    for seed in SEEDS:
        for episodes, results in ((0, untrained), (EPISODES, trained)):
            out = tmp_path / f"seed{seed}-{episodes}"
            Trainer(training_config(name, path, out, seed, episodes)).run()
            results.append(scores(out / "last.pt", env))
    (greedy, sampled), (_, before) = np.array(trained).T, np.array(untrained).T
    optimum = OPTIMA[name]
    assert greedy.min() >= 0.95 * optimum, f"{name}: arg-max {greedy}, sampled {sampled}, optimum {optimum}"
    gain = sampled - before
    assert gain.mean() > 2 * gain.std() + 0.01 * optimum, f"{name}: sampled {sampled} vs untrained {before}"
