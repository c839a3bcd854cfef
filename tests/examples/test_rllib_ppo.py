"""``examples/rllib_ppo.py`` at its smoke scale: RLlib PPO, one shared policy, on ``FixedSlots``."""

import math

import pytest

pytest.importorskip("ray.rllib")
pytest.importorskip("torch")
ray = pytest.importorskip("ray")

@pytest.fixture(scope="module")
def smoke(load_example) -> dict:
    """What ``main(Args.smoke())`` returns; the example trains once for all the tests of this module.
    Ray is shut down afterwards even if ``main`` fails half-way."""
    module = load_example("rllib_ppo")
    try:
        return module.main(module.Args.smoke())
    finally:
        if ray.is_initialized():
            ray.shutdown()


def test_training_passes_an_episode_end(smoke):
    assert smoke["episodes"] >= 1


def test_training_reports_a_finite_ppo_loss(smoke):
    assert isinstance(smoke["loss"], float)
    assert math.isfinite(smoke["loss"])


def test_training_runs_the_smoke_iterations(smoke):
    assert smoke["iterations"] == 2
    assert smoke["env_steps"] >= 2 * 64
