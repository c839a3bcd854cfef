"""The time-indexed route bound: >= the hindsight optimum on every brute-forced instance and every proven optimum,
>= every method, never above the relaxed bound, and tight where a worker cannot be in two places."""

import numpy as np
import pytest

import dasc_env
from dasc_env.baselines import make_method
from dasc_env.bounds import TimeIndexedBound, solve_exact, time_indexed_bound
from dasc_env.city import load_city
from dasc_env.evaluation.runner import run_episode
from dasc_env.scenario import ScenarioBuilder
from tests.dasc_env.bounds.brute import brute_force
from tests.dasc_env.bounds.cases import BRUTE_CASES, METHOD_SEEDS, method_episode

CITY = load_city("small", 0)


def config_for(scenario, **changes):
    return scenario.fit_config(city="small", min_subtasks=1, **changes)


def two_tasks_one_worker(distance_node=40):
    """Two 600 s tasks, both due by 900 s, one worker: it can complete one of them (the optimum is 100)."""
    b = ScenarioBuilder(city="small", num_skills=1)
    for payment in (100.0, 60.0):
        b.task(created=0.0, expected=600.0, deadline=900.0, payment=payment).subtask(
            node=distance_node, skills=[0], duration=600.0)
    b.worker(node=40, skills=[0])
    return b.build()


@pytest.mark.parametrize("name", BRUTE_CASES)
def test_bound_is_at_least_the_brute_force_optimum_and_at_most_the_relaxed_bound(name):
    scenario, graph, config = BRUTE_CASES[name]()
    optimum = brute_force(scenario, graph, config).revenue
    result = time_indexed_bound(scenario, graph, config)
    assert result.converged
    assert optimum - 1e-6 <= result.bound <= result.relaxed.bound + 1e-9


@pytest.mark.parametrize("seed", METHOD_SEEDS[:8])
def test_bound_is_at_least_the_proven_optimum_and_every_method(seed):
    pytest.importorskip("ortools")
    env = method_episode(seed)
    scenario, graph, config = env.scenario, env.graph, env.config
    result = time_indexed_bound(scenario, graph, config)
    plan = solve_exact(scenario, graph, config, time_limit=10.0, workers=1)
    assert plan.status == "optimal"
    assert result.bound >= plan.revenue - 1e-6 * max(1.0, plan.revenue)
    for method in ("greedy", "km", "wait-km"):
        assert run_episode(env, make_method(method), seed)["revenue"] <= result.bound + 1e-6


def test_a_worker_that_can_not_do_both_tasks_earns_one():
    """The relaxed bound's capacity rows give 130 (one task and half the other); routes give the optimum."""
    scenario = two_tasks_one_worker()
    config = config_for(scenario)
    result = time_indexed_bound(scenario, CITY, config)
    assert result.relaxed.bound == pytest.approx(130.0)
    assert result.converged and result.bound == pytest.approx(100.0, abs=1e-6)
    env = dasc_env.parallel_env(config, scenario=scenario)
    assert run_episode(env, make_method("km"), 0)["revenue"] == pytest.approx(100.0)


def test_travel_between_tasks_lowers_the_bound_below_the_relaxed_one():
    """One worker, two 100 s tasks 0 and ~D metres away, both expected by 100 s: whichever it does second is
    late by at least its travel, which the relaxed bound (a task at a time) does not see."""
    far = 47 if np.isfinite(CITY.distance(40, 47)) else 41
    assert CITY.distance(40, far) > 100.0
    b = ScenarioBuilder(city="small", num_skills=1)
    b.task(created=0.0, expected=100.0, deadline=5000.0, payment=100.0).subtask(node=40, skills=[0], duration=100.0)
    b.task(created=0.0, expected=100.0, deadline=5000.0, payment=100.0).subtask(node=far, skills=[0], duration=100.0)
    b.worker(node=40, skills=[0])
    scenario = b.build()
    config = config_for(scenario, zeta=0.05, worker_range=1e6)
    result = time_indexed_bound(scenario, CITY, config)
    optimum = brute_force(scenario, CITY, config).revenue
    assert optimum - 1e-6 <= result.bound < result.relaxed.bound - 1.0


def test_nothing_matchable_bounds_zero():
    b = ScenarioBuilder(city="small", num_skills=2)
    b.task(created=0.0, expected=600.0, deadline=900.0, payment=50.0).subtask(node=40, skills=[1], duration=60.0)
    b.worker(node=40, skills=[0])
    scenario = b.build()
    result = time_indexed_bound(scenario, CITY, config_for(scenario))
    assert result.bound == 0.0 and result.converged


def test_stopping_early_still_bounds():
    scenario, graph, config = BRUTE_CASES["drawn 2"]()
    optimum = brute_force(scenario, graph, config).revenue
    early = time_indexed_bound(scenario, graph, config, max_rounds=1)
    assert isinstance(early, TimeIndexedBound) and early.rounds == 1 and not early.converged
    assert optimum - 1e-6 <= early.bound <= early.relaxed.bound


@pytest.mark.parametrize("changes, match", [
    ({"bin_seconds": 0.0}, "bin_seconds"), ({"bin_seconds": "15"}, "bin_seconds"),
    ({"bin_seconds": 601.0}, "shortest"), ({"time_limit": -1.0}, "time_limit"), ({"max_rounds": 0}, "max_rounds"),
    ({"ng": 0}, "ng"), ({"ng": 2.5}, "ng"), ({"ng": 11}, "ng")])
def test_bad_options_raise_value_error_naming_them(changes, match):
    scenario = two_tasks_one_worker()
    with pytest.raises(ValueError, match=match):
        time_indexed_bound(scenario, CITY, config_for(scenario), **changes)


def test_wrong_types_raise_type_error():
    scenario = two_tasks_one_worker()
    with pytest.raises(TypeError, match="graph"):
        time_indexed_bound(scenario, "city", config_for(scenario))
