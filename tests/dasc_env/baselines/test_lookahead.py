"""LOOKAHEAD: candidates from its base rule, scored on planning copies of the env; it finds what READY-KM misses."""

import numpy as np
import pytest

import dasc_env
from dasc_env.baselines import LookaheadPolicy, make_method
from dasc_env.evaluation import run_episode
from dasc_env.scenario import ScenarioBuilder
from tests.builders import WithoutSimulator


def urgent_and_side(worker_node: int):
    """One worker; an urgent two-step task and a long one-step side job, both published at t = 0.

    With the worker at node 180, next to the side job, KM's distance utility sends it there first and
    the urgent task then misses its deadline: READY-KM earns 9.91. Serving the urgent task first earns
    44.33 (both tasks complete), as GREEDY happens to do.
    """
    b = ScenarioBuilder(city="small", num_skills=10)
    urgent = b.task(created=0.0, expected=600.0, deadline=900.0, payment=40.0)
    survey = urgent.subtask(node=12, skills=[0], duration=20.0)
    urgent.subtask(node=40, skills=[1], duration=300.0, after=[survey])
    b.task(created=0.0, expected=1500.0, deadline=2400.0, payment=10.0).subtask(node=200, skills=[0], duration=600.0)
    b.worker(node=worker_node, skills=[0, 1])
    scenario = b.build()
    return dasc_env.parallel_env(scenario.fit_config(city="small"), scenario=scenario)


def test_lookahead_serves_the_urgent_task_that_ready_km_lets_fail():
    env = urgent_and_side(worker_node=180)
    ready = run_episode(env, make_method("ready-km"), seed=0)["revenue"]
    ahead = run_episode(env, make_method("lookahead"), seed=0)["revenue"]
    assert ready == pytest.approx(9.91, abs=0.01)
    assert ahead == pytest.approx(44.33, abs=0.01)
    assert env.ledger.count("completed") == 2


def test_a_myopic_horizon_books_the_side_job_first():
    env = urgent_and_side(worker_node=180)
    assert run_episode(env, LookaheadPolicy(horizon=3), seed=0)["revenue"] == pytest.approx(9.91, abs=0.01)


def test_candidates_are_the_base_set_waiting_and_the_base_set_without_each_task():
    env = urgent_and_side(worker_node=180)
    env.reset(seed=0)
    base, wait, *without = LookaheadPolicy().candidates(env)
    task = env.scenario.subtask_task
    assert base.sum() == 2 and not wait.any()
    assert sorted(sorted(task[m].tolist()) for m in without) == [[0], [1]]


def test_simulating_a_candidate_leaves_the_episode_untouched():
    env = urgent_and_side(worker_node=180)
    env.reset(seed=0)
    policy = LookaheadPolicy()
    before = (env.now, list(env.agents), env.subtask_status.copy())
    policy.simulate(env, policy.candidates(env)[0])
    assert (env.now, list(env.agents)) == before[:2]
    np.testing.assert_array_equal(env.subtask_status, before[2])


@pytest.mark.parametrize(("options", "message"), [({"horizon": -1}, "horizon=-1"), ({"max_candidates": 1},
                                                  "max_candidates=1"), ({"horizon": "soon"}, "horizon='soon'")])
def test_bad_options_raise_naming_them(options, message):
    with pytest.raises(ValueError, match=message):
        make_method("lookahead", **options)


def test_dasc_eval_options_arrive_as_strings():
    policy = make_method("lookahead", horizon="20", max_candidates="3")
    assert (policy.horizon, policy.max_candidates) == (20, 3)
    assert make_method("lookahead", horizon="end").horizon is None


def test_lookahead_never_breaks_a_constraint():
    env = dasc_env.parallel_env(num_tasks=4, num_workers=8, city="small", arrival_window=300.0, decision_interval=15.0)
    run_episode(env, LookaheadPolicy(horizon=6, max_candidates=3), seed=3)
    assert dasc_env.verify_ledger(env.scenario, env.ledger, env.config) == [] and env.ledger.matches


def test_lookahead_acts_through_the_public_face():
    """The simulator is hidden from the policy: only ``copy`` (the env's own method) reaches it."""
    env = dasc_env.parallel_env(num_tasks=4, num_workers=8, city="small")
    env.reset(seed=1)
    policy = LookaheadPolicy(horizon=5, max_candidates=3)
    policy.reset(WithoutSimulator(env), 1)
    mask = policy.recommend(WithoutSimulator(env))
    assert mask.shape == (env.scenario.num_subtasks,)
