"""ADMIT-KM on hand-made scenarios (straight road, 100 m blocks, d(i, j) = 100 |i - j| m)."""

import pytest

import dasc_env
from dasc_env.baselines import make_method
from dasc_env.evaluation.runner import run_episode
from tests.builders import line_city, make_scenario, tiny_config

# Task 0 needs skill 2, which no worker has; task 1 arrives 10 s later and needs both workers at once.
IMPOSSIBLE = dict(created=0.0, expected=1000.0, deadline=2000.0, payment=50.0,
                  subtasks=[(2, [0], 600.0), (3, [2], 60.0)])
URGENT = dict(created=10.0, expected=710.0, deadline=810.0, payment=100.0,
              subtasks=[(2, [0], 600.0), (4, [0], 600.0)])
WORKERS = [(0, [0]), (1, [0])]


def env_for(workers, tasks):
    scenario = make_scenario(workers, tasks)
    return dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)


def test_a_task_no_worker_can_finish_is_never_started():
    env = env_for(WORKERS, [IMPOSSIBLE, URGENT])
    run_episode(env, make_method("admit-km"), seed=0)
    assert {m.task for m in env.ledger.matches} == {1}


def test_admission_beats_ready_km_where_starting_a_hopeless_task_blocks_an_urgent_one():
    revenue = {}
    for method in ("ready-km", "admit-km"):
        env = env_for(WORKERS, [IMPOSSIBLE, URGENT])
        revenue[method] = run_episode(env, make_method(method), seed=0)["revenue"]
        assert dasc_env.verify_ledger(env.scenario, env.ledger, env.config) == []
    # READY-KM sends a worker to task 0 (which fails) and task 1 then lacks its second worker in time:
    # both fail and only travel is booked. ADMIT-KM completes task 1 on time: 100 - kappa (200 + 300 m).
    assert revenue["ready-km"] < 0
    assert revenue["admit-km"] == pytest.approx(100.0 - 1e-3 * 500.0)


def test_every_subtask_of_an_admitted_task_is_staffed_in_its_first_epoch():
    chain = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0,
                 subtasks=[(10, [0], 300.0), (12, [0], 100.0)], edges=[(0, 1)])
    env = env_for([(0, [0]), (12, [0])], [chain])
    policy = make_method("admit-km")
    env.reset(seed=0)
    policy.reset(env.unwrapped, 0)
    _, _, terms, _, _ = env.step(policy.act(env.unwrapped, {}))
    assert terms == {"subtask_0_0": True, "subtask_0_1": True}  # the successor's worker waits on site
