"""The built-in methods act through the env's public face: they run unchanged on an env whose simulator is hidden."""

import pytest

import dasc_env
from dasc_env.baselines import make_method

BUILT_IN = ("greedy", "km", "game", "odta", "ready-km", "admit-km", "all", "random")


class WithoutSimulator:
    """What a policy sees: the env, except that ``sim`` raises."""

    def __init__(self, env):
        self._env = env

    def __getattr__(self, name):
        if name == "sim":
            raise AttributeError("a policy must not read env.sim")
        return getattr(self._env, name)


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
