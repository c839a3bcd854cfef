"""The relaxed upper bound: >= the hindsight optimum on hand-made cases, tight where it should be, and >= every
non-learning method's Eq. 2 revenue on generated episodes."""

import numpy as np
import pytest

import dasc_env
from dasc_env import DASCConfig
from dasc_env.baselines import make_method
from dasc_env.bounds import solve_exact
from dasc_env.bounds.relaxed import RelaxedBound, relaxed_bound
from dasc_env.city import RoadGraph, load_city
from dasc_env.evaluation.runner import run_episode
from dasc_env.scenario import ScenarioBuilder
from tests.dasc_env.bounds.brute import brute_force
from tests.dasc_env.bounds.cases import BRUTE_CASES, METHOD_OPTIONS, METHOD_SEEDS, method_episode, rule_methods

CITY = load_city("small", 0)


def config_for(scenario, **changes) -> DASCConfig:
    return scenario.fit_config(city="small", min_subtasks=1, **changes)


def env_revenue(scenario, config, method="greedy") -> float:
    env = dasc_env.parallel_env(config, scenario=scenario)
    return run_episode(env, make_method(method), 0)["revenue"]


# ---------------------------------------------------------------- (a) hand-made optima
def test_one_task_one_worker_at_its_node_is_tight():
    b = ScenarioBuilder(city="small", num_skills=3)
    b.task(created=0.0, expected=600.0, deadline=900.0, payment=50.0).subtask(node=40, skills=[0], duration=120.0)
    b.worker(node=40, skills=[0, 1])
    scenario = b.build()
    config = config_for(scenario)
    result = relaxed_bound(scenario, CITY, config)
    assert result.bound == pytest.approx(50.0) and result.binding == "sum"
    assert env_revenue(scenario, config) == pytest.approx(50.0)


def test_chain_travel_is_tight():
    """A -> B at nodes a, b; the one worker starts at a: the optimum walks a -> b once (t_e is generous)."""
    a, b_node = 40, 47
    d = CITY.distance(a, b_node)
    b = ScenarioBuilder(city="small", num_skills=3)
    t = b.task(created=0.0, expected=1500.0, deadline=2000.0, payment=80.0)
    first = t.subtask(node=a, skills=[0], duration=100.0)
    t.subtask(node=b_node, skills=[1], duration=100.0, after=[first])
    b.worker(node=a, skills=[0, 1])
    scenario = b.build()
    config = config_for(scenario, kappa=0.01)
    optimum = 80.0 - 0.01 * d
    result = relaxed_bound(scenario, CITY, config)
    assert result.bound == pytest.approx(optimum, rel=1e-5) and result.bound >= optimum
    assert result.travel_lower[0] == pytest.approx(d, rel=1e-5)
    assert env_revenue(scenario, config) == pytest.approx(optimum, rel=1e-5)


def test_lateness_from_the_nearest_worker_is_tight():
    """One subtask, the worker d metres away: the task ends d / v + t after t_c, d / v past t_e = t_c + t."""
    d = CITY.distance(3, 40)
    b = ScenarioBuilder(city="small", num_skills=1)
    b.task(created=10.0, expected=130.0, deadline=2000.0, payment=80.0).subtask(node=40, skills=[0], duration=120.0)
    b.worker(node=3, skills=[0])
    scenario = b.build()
    config = config_for(scenario, decision_interval=5.0, worker_speed=4.0, worker_range=5000.0, zeta=0.05)
    optimum = 80.0 * (1 - 0.05 * d / 4.0 / 60.0) - config.kappa * d
    assert 0 < optimum < 80.0 - config.kappa * d
    result = relaxed_bound(scenario, CITY, config)
    assert result.bound == pytest.approx(optimum, rel=1e-5) and result.bound >= optimum
    assert env_revenue(scenario, config) == pytest.approx(optimum, rel=1e-5)


def test_capacity_cuts_two_tasks_one_worker_can_not_both_do():
    """Two 600 s tasks at the worker's node, both due by 900 s: one completes (optimum 100); the LP over the
    window [0, 900] gives 100 + 60 * (300 / 600) = 130 < 160 = sum of U_q."""
    b = ScenarioBuilder(city="small", num_skills=3)
    for payment in (100.0, 60.0):
        b.task(created=0.0, expected=600.0, deadline=900.0, payment=payment).subtask(
            node=40, skills=[0], duration=600.0)
    b.worker(node=40, skills=[0])
    scenario = b.build()
    result = relaxed_bound(scenario, CITY, config_for(scenario))
    assert result.sum_bound == pytest.approx(160.0)
    assert result.bound == pytest.approx(130.0) and result.binding == "capacity" and result.capacity_rows >= 1
    assert result.bound >= 100.0
    assert relaxed_bound(scenario, CITY, config_for(scenario), max_rows=0).bound == pytest.approx(160.0)


@pytest.mark.parametrize("name", BRUTE_CASES)
def test_bound_is_at_least_the_brute_force_optimum(name):
    """Every tiny instance the brute force solves, abandoning tasks included (``brute.brute_force``)."""
    scenario, graph, config = BRUTE_CASES[name]()
    optimum = brute_force(scenario, graph, config).revenue
    assert relaxed_bound(scenario, graph, config).bound >= optimum - 1e-9


@pytest.mark.parametrize("seed", METHOD_SEEDS)
def test_bound_is_at_least_every_proven_optimum(seed):
    """The 56 episodes the methods are scored on against ``solve_exact``: where it proves optimality, its plan's
    revenue (the optimum) stays within the bound. (Its ``bound`` adds a rounding margin and may exceed ours.)"""
    pytest.importorskip("ortools")
    env = method_episode(seed)
    plan = solve_exact(env.scenario, env.graph, env.config, time_limit=10.0, workers=1)
    assert plan.status == "optimal"
    assert relaxed_bound(env.scenario, env.graph, env.config).bound >= plan.revenue - 1e-9 * max(1.0, plan.revenue)


# ---------------------------------------------------------------- (b) every method, generated episodes
def episode_config(seed: int) -> DASCConfig:
    rng = np.random.default_rng(1000 + seed)
    expected = float(rng.uniform(1.0, 1.6))
    return DASCConfig(
        city="small", num_tasks=int(rng.integers(2, 7)), num_workers=int(rng.integers(1, 10)),
        num_skills=int(rng.integers(1, 5)), worker_skill_mean=2.0, min_subtasks=1,
        max_subtasks=int(rng.integers(1, 5)), arrival_window=float(rng.uniform(0, 900)),
        decision_interval=float(rng.choice([5.0, 10.0, 30.0, 60.0])), worker_range=float(rng.uniform(500, 3000)),
        worker_speed=float(rng.uniform(2, 15)), zeta=float(rng.uniform(0, 0.1)),
        kappa=float(rng.choice([1e-3, 1e-2, 5e-2])), min_duration=30.0, max_duration=float(rng.uniform(60, 600)),
        expected_factor=expected, deadline_factor=expected + float(rng.uniform(0.2, 1.5)),
        horizon=None if rng.random() < 0.8 else float(rng.uniform(300, 1500)))


METHODS = rule_methods()
OPTIONS = {**METHOD_OPTIONS, "lookahead": {"horizon": 10, "max_candidates": 3}}
"""Rollouts capped so each episode takes seconds; any policy must stay under the bound."""


@pytest.mark.parametrize("seed", range(60))
def test_bound_is_at_least_every_method_on_generated_episodes(seed):
    config = episode_config(seed)
    env = dasc_env.parallel_env(config)
    env.reset(seed=seed)
    scenario = env.sim.scenario
    result = relaxed_bound(scenario, env.graph, config)
    for method in METHODS:
        revenue = run_episode(env, make_method(method, **OPTIONS.get(method, {})), seed)["revenue"]
        replayed = env.sim.scenario  # run_episode resets with the same seed: the same scenario again
        assert np.array_equal(replayed.subtask_nodes, scenario.subtask_nodes)
        assert np.array_equal(replayed.task_created, scenario.task_created)
        assert revenue <= result.bound + 1e-6, (method, revenue, result)
        per_task = np.array([t.revenue for t in sorted(env.ledger.tasks, key=lambda t: t.task)])
        assert (per_task <= result.task_values + 1e-6).all(), (method, per_task, result.task_values)


# ---------------------------------------------------------------- (c) skills nobody has
def test_task_needing_a_skill_no_worker_has_contributes_zero():
    b = ScenarioBuilder(city="small", num_skills=3)
    b.task(created=0.0, expected=600.0, deadline=900.0, payment=50.0).subtask(node=40, skills=[0], duration=60.0)
    t = b.task(created=0.0, expected=600.0, deadline=900.0, payment=500.0)
    s = t.subtask(node=41, skills=[0], duration=60.0)
    t.subtask(node=42, skills=[2], duration=60.0, after=[s])
    b.worker(node=40, skills=[0, 1])
    scenario = b.build()
    result = relaxed_bound(scenario, CITY, config_for(scenario))
    assert result.task_feasible.tolist() == [True, False]
    assert result.task_values[1] == 0.0 and result.bound == pytest.approx(50.0)


def test_subtask_beyond_every_workers_range_makes_its_task_worthless():
    b = ScenarioBuilder(city="small", num_skills=1)
    b.task(created=0.0, expected=600.0, deadline=900.0, payment=50.0).subtask(node=0, skills=[0], duration=60.0)
    b.worker(node=CITY.num_nodes - 1, skills=[0])
    scenario = b.build()
    result = relaxed_bound(scenario, CITY, config_for(scenario, worker_range=300.0))
    assert result.bound == 0.0 and not result.task_feasible.any()


# ---------------------------------------------------------------- (d) bad input
def small_case():
    b = ScenarioBuilder(city="small", num_skills=1)
    b.task(created=0.0, expected=600.0, deadline=900.0, payment=50.0).subtask(node=4, skills=[0], duration=60.0)
    b.worker(node=4, skills=[0])
    scenario = b.build()
    return scenario, config_for(scenario)


@pytest.mark.parametrize("position", range(3))
def test_wrong_types_raise_type_error(position):
    args = list(small_case())
    args.insert(1, CITY)
    args[position] = "nope"
    with pytest.raises(TypeError, match=("scenario", "graph", "config")[position]):
        relaxed_bound(*args)


def test_bad_max_rows_and_foreign_graph_raise():
    scenario, config = small_case()
    with pytest.raises(TypeError, match="max_rows"):
        relaxed_bound(scenario, CITY, config, max_rows=1.5)
    with pytest.raises(ValueError, match="max_rows"):
        relaxed_bound(scenario, CITY, config, max_rows=-1)
    two_nodes = RoadGraph([[0.0, 0.0], [100.0, 0.0]], [0, 1], [1, 0], [100.0, 100.0])
    with pytest.raises(ValueError, match="node"):
        relaxed_bound(scenario, two_nodes, config)


def test_result_fields():
    scenario, config = small_case()
    result = relaxed_bound(scenario, CITY, config)
    assert isinstance(result, RelaxedBound) and result.wall_s >= 0
    assert result.task_values.shape == result.earliest_finish.shape == result.travel_lower.shape == (1,)
    assert result.earliest_finish[0] == pytest.approx(60.0, abs=1e-5) and result.travel_lower[0] == 0.0
