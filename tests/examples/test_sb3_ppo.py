"""``examples/sb3_ppo.py`` at its smoke scale: SB3 PPO through SuperSuit on ``FixedSlots``."""

import math

import pytest

pytest.importorskip("stable_baselines3")
pytest.importorskip("supersuit")

@pytest.fixture(scope="module")
def smoke(load_example) -> dict:
    """What ``main(Args.smoke())`` returns; the example trains once for all the tests of this module."""
    module = load_example("sb3_ppo")
    return module.main(module.Args.smoke())


def test_training_passes_an_episode_end(smoke):
    assert smoke["episodes"] >= 1


def test_training_reports_a_finite_ppo_loss(smoke):
    assert isinstance(smoke["loss"], float)
    assert math.isfinite(smoke["loss"])


def test_evaluation_reports_a_finite_revenue(smoke):
    assert isinstance(smoke["revenue"], float)
    assert math.isfinite(smoke["revenue"])
