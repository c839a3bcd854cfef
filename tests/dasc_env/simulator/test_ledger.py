"""The ledger alone proves the constraints and Eq. 1-2; random episodes never break them."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dasc_env
from dasc_env import verify_ledger
from dasc_env.config import MATCHERS


def finished_episode(seed=0, p=0.7, **config):
    env = dasc_env.parallel_env(city="small", **config)
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    sparse_paid = 0.0
    while env.agents:
        _, _, _, _, infos = env.step({a: int(rng.random() < p) for a in env.agents})
        sparse_paid += sum(i["reward_sparse"] for i in infos.values() if i["reward_sparse"] != -1.0)
    return env.unwrapped, sparse_paid


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), tasks=st.integers(1, 8), workers=st.integers(1, 40),
       matcher=st.sampled_from(MATCHERS), p=st.floats(0.1, 1.0),
       window=st.floats(0.0, 900.0))
def test_random_episodes_never_break_a_constraint(seed, tasks, workers, matcher, p, window):
    env, sparse_paid = finished_episode(seed, p, num_tasks=tasks, num_workers=workers, matcher=matcher,
                                        arrival_window=window)
    ledger = env.ledger
    assert verify_ledger(env.scenario, ledger, env.config, graph=env.graph) == []
    assert len(ledger.tasks) == tasks
    assert env.total_revenue == sum(t.revenue for t in ledger.tasks)
    completed = sum(t.revenue for t in ledger.tasks if t.status == "completed")
    assert np.isclose(sparse_paid, completed)


def test_verify_ledger_catches_a_skill_violation():
    env, _ = finished_episode(num_tasks=4, num_workers=30)
    ledger = env.ledger
    match = ledger.matches[0]
    lacking = np.flatnonzero(~(env.scenario.worker_skills >= env.scenario.subtask_skills[match.subtask]).all(axis=1))
    ledger.matches[0] = dataclasses.replace(match, worker=int(lacking[0]))
    assert any(p.startswith("skill") for p in verify_ledger(env.scenario, ledger, env.config))


def test_verify_ledger_catches_an_order_violation():
    env, _ = finished_episode(num_tasks=6, num_workers=40, p=1.0)
    ledger = env.ledger
    succ = {int(s) for s in env.scenario.edges[:, 1]}
    i = next(i for i, m in enumerate(ledger.matches) if m.subtask in succ)
    m = ledger.matches[i]
    ledger.matches[i] = dataclasses.replace(m, start=m.start - 10_000, finish=m.finish - 10_000)
    assert any(p.startswith("order") for p in verify_ledger(env.scenario, ledger, env.config))


def test_verify_ledger_catches_a_distance_that_is_not_the_road_distance():
    env, _ = finished_episode(num_tasks=3, num_workers=30)
    ledger = env.ledger
    assert verify_ledger(env.scenario, ledger, env.config, graph=env.graph) == []
    ledger.matches[0] = dataclasses.replace(ledger.matches[0], distance=ledger.matches[0].distance + 50.0)
    assert any(p.startswith("distance") for p in verify_ledger(env.scenario, ledger, env.config, graph=env.graph))


def test_verify_ledger_catches_a_wrong_revenue():
    env, _ = finished_episode(num_tasks=3, num_workers=30)
    ledger = env.ledger
    ledger.tasks[0] = dataclasses.replace(ledger.tasks[0], revenue=ledger.tasks[0].revenue + 1.0)
    assert any(p.startswith("revenue") for p in verify_ledger(env.scenario, ledger, env.config))


def test_verify_ledger_catches_a_failed_reason_on_the_wrong_task():
    env, _ = finished_episode(num_tasks=3, num_workers=30)
    ledger = env.ledger
    assert {t.failed_reason for t in ledger.tasks if t.status != "failed"} == {""}
    ledger.tasks[0] = dataclasses.replace(ledger.tasks[0], failed_reason="deadline" if ledger.tasks[0].status
                                          != "failed" else "")
    assert any("failed_reason" in p for p in verify_ledger(env.scenario, ledger, env.config))
