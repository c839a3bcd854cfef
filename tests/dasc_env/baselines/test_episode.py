"""``run_episode``: a method that reads no observations plays the same episode without their encoding."""

import dataclasses

import pytest

import dasc_env
from dasc_env.baselines import Policy, make_method, run_episode


@pytest.mark.parametrize("method", ["km", "wait-km", "admit-km", "random"])
def test_a_rule_method_plays_the_same_episode_without_observations(method):
    env = dasc_env.parallel_env(num_tasks=4, num_workers=10, city="small")
    episodes = []
    for observes in (False, True):
        policy = make_method(method)
        assert policy.observes is False
        policy.observes = observes  # True: played with the observations encoded, as before the flag
        revenue = run_episode(env, policy, seed=5)["revenue"]
        episodes.append((revenue, [dataclasses.astuple(m) for m in env.ledger.matches]))
    assert episodes[0] == episodes[1]


def test_run_episode_gives_a_reading_policy_observations_and_restores_the_flag():
    seen = []

    class Reading(Policy):
        def act(self, env, observations):
            seen.append(all(len(o) > 0 for o in observations.values()))
            return {a: 1 for a in env.agents}

    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small")
    env.observe = False
    run_episode(env, Reading(), seed=0)
    assert seen and all(seen) and env.observe is False
    run_episode(env, make_method("km"), seed=0)
    assert env.observe is False


def test_without_observe_the_observations_are_empty_and_the_rest_is_as_usual():
    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small")
    env.observe = False
    observations, _ = env.reset(seed=1)
    assert observations and all(o == {} for o in observations.values()) and env.observation_batch[1] == {}
    with pytest.raises(TypeError, match="observe must be a bool"):
        env.observe = "no"
