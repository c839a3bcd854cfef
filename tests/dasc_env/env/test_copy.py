"""DASCParallelEnv.copy: a copy continues identically, and stepping it leaves the original untouched."""

import numpy as np
import pytest

import dasc_env

CONFIG = dict(city="small", num_tasks=8, num_workers=10, arrival_window=300.0)


def midway(steps: int = 6):
    env = dasc_env.parallel_env(**CONFIG)
    env.reset(seed=2)
    rng = np.random.default_rng(0)
    for _ in range(steps):
        env.step_subtasks(env.observation_batch[0][rng.random(len(env.agents)) < 0.5])
    return env


def play_out(env, seed: int) -> list:
    """Step to the end with seeded random recommendations; every step's live agents and observations."""
    rng, seen = np.random.default_rng(seed), []
    while env.agents:
        live, batch = env.observation_batch
        seen.append((live.copy(), {k: v.copy() for k, v in batch.items()}))
        env.step_subtasks(live[rng.random(live.size) < 0.5])
    return seen


def test_a_copy_continues_exactly_as_the_original():
    env = midway()
    twin = env.copy()
    original, copied = play_out(env, seed=5), play_out(twin, seed=5)
    assert len(original) == len(copied) > 0
    for (live_a, obs_a), (live_b, obs_b) in zip(original, copied):
        np.testing.assert_array_equal(live_a, live_b)
        for key in obs_a:
            np.testing.assert_array_equal(obs_a[key], obs_b[key], err_msg=key)
    assert env.ledger.matches == twin.ledger.matches and env.ledger.tasks == twin.ledger.tasks
    assert env.total_revenue == twin.total_revenue


def test_stepping_a_copy_leaves_the_original_untouched():
    env = midway()
    now, agents, matches = env.now, list(env.agents), len(env.ledger.matches)
    status = env.subtask_status
    twin = env.copy()
    play_out(twin, seed=1)
    assert twin.episode_over and not env.episode_over
    assert env.now == now and env.agents == agents and len(env.ledger.matches) == matches
    np.testing.assert_array_equal(env.subtask_status, status)
    assert dasc_env.verify_ledger(twin.scenario, twin.ledger, twin.config) == []


def test_a_copy_shares_the_read_only_parts():
    env = midway()
    twin = env.copy()
    assert twin.graph is env.graph and twin.scenario is env.scenario and twin.distances is env.distances
    assert twin.sim is not env.sim and twin.ledger is not env.ledger


def test_copy_before_reset_raises():
    with pytest.raises(RuntimeError, match="reset"):
        dasc_env.parallel_env(**CONFIG).copy()


def test_a_planning_copy_skips_observations_and_still_continues_identically():
    env = midway()
    twin = env.copy(observe=False)
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    while env.agents:
        assert twin.agents == env.agents and twin.observation_batch[1] == {}
        live = env.observation_batch[0]
        env.step_subtasks(live[rng_a.random(live.size) < 0.5])
        twin.step_subtasks(twin.observation_batch[0][rng_b.random(live.size) < 0.5])
    assert twin.ledger.matches == env.ledger.matches and twin.total_revenue == env.total_revenue


def test_a_copy_without_future_tasks_never_publishes_an_unseen_task():
    env = dasc_env.parallel_env(**CONFIG)
    env.reset(seed=2)
    seen = np.flatnonzero(env.subtask_status != dasc_env.SubtaskStatus.UNPUBLISHED)
    assert seen.size < env.scenario.num_subtasks  # some tasks are still to come
    twin = env.copy(future_tasks=False)
    play_out(twin, seed=0)
    published = np.flatnonzero(twin.subtask_status != dasc_env.SubtaskStatus.UNPUBLISHED)
    np.testing.assert_array_equal(published, seen)
    assert {t.task for t in twin.ledger.tasks} == set(env.scenario.subtask_task[seen].tolist())
