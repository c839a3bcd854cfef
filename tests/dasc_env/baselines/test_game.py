import numpy as np
import pytest

import dasc_env
from dasc_env.baselines import GamePolicy, best_response_equilibrium, marginal_gains
from dasc_env.baselines.game import settle


def is_equilibrium(value, choice):
    for w in range(value.shape[1]):
        gain = marginal_gains(value, choice, w)
        current = gain[choice[w]] if choice[w] >= 0 else 0.0
        if gain.max(initial=0.0) > current + 1e-9:
            return False
    return True


@pytest.mark.parametrize("seed", range(30))
def test_best_response_stops_at_an_equilibrium(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 7), rng.integers(1, 9)
    value = np.where(rng.random((n, m)) < 0.6, rng.normal(1.0, 1.0, (n, m)), -np.inf)
    choice, rounds = best_response_equilibrium(value)
    assert rounds >= 1
    assert is_equilibrium(value, choice)
    rows, cols = settle(value, choice)
    assert len(set(rows)) == len(rows) and len(set(cols)) == len(cols)
    assert np.isfinite(value[rows, cols]).all() and (value[rows, cols] > 0).all()


def test_two_workers_one_subtask_the_more_valuable_keeps_it():
    value = np.array([[5.0, 3.0]])
    choice, _ = best_response_equilibrium(value)
    rows, cols = settle(value, choice)
    assert rows.tolist() == [0] and cols.tolist() == [0]


def test_second_worker_moves_to_the_subtask_where_it_adds_most():
    # Worker 0 is much better on subtask 0; worker 1 adds more on subtask 1 (4) than on 0 (0).
    value = np.array([[9.0, 5.0], [-np.inf, 4.0]])
    choice, _ = best_response_equilibrium(value)
    assert choice.tolist() == [0, 1]


def test_game_policy_runs_an_episode_through_the_env():
    env = dasc_env.parallel_env(num_tasks=4, num_workers=30, city="small")
    policy = GamePolicy()
    obs, _ = env.reset(seed=1)
    policy.reset(env.unwrapped, 1)
    env.unwrapped.set_matcher(policy.matcher)
    while env.agents:
        obs, *_ = env.step(policy.act(env.unwrapped, obs))
    assert env.unwrapped.ledger.count("completed") > 0
