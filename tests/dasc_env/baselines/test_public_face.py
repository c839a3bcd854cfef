"""The built-in methods act through the env's public face: they run unchanged on an env whose simulator is hidden."""

import pytest

import dasc_env
from dasc_env.baselines import make_method
from tests.builders import WithoutSimulator

BUILT_IN = ("greedy", "km", "wait-km", "game", "odta", "ready-km", "admit-km", "all", "random")


def play(method, view):
    env = dasc_env.parallel_env(num_tasks=6, num_workers=12, city="small")
    seen = view(env)
    obs, _ = env.reset(seed=1)
    policy = make_method(method)
    policy.reset(seen, 1)
    env.set_matcher(policy.matcher)
    while env.agents:
        obs, *_ = env.step(policy.act(seen, obs))
    return [(m.subtask, m.worker, m.start, m.finish) for m in env.ledger.matches]


@pytest.mark.parametrize("method", BUILT_IN)
def test_a_method_plays_the_same_episode_without_the_simulator(method):
    assert play(method, WithoutSimulator) == play(method, lambda env: env)
