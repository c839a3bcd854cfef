"""The hindsight optimum (``dasc_env.bounds.solve_exact``) against a brute force, on hand-made and drawn episodes."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from dasc_env.bounds import HindsightPlan, replay_plan, solve_exact
from dasc_env.simulator.revenue import task_revenue
from tests.builders import line_city, make_scenario, tiny_config
from tests.dasc_env.bounds.brute import brute_force, drawn_episode
from tests.dasc_env.bounds.cases import DRAWN_SEEDS, drawn, drawn_case, line_case, small_city_case, task

pytest.importorskip("ortools")

TOL = 1e-6


def solve(scenario, graph, config) -> HindsightPlan:
    return solve_exact(scenario, graph, config, time_limit=10.0, workers=1)


def assert_matches_brute_force(scenario, graph, config) -> HindsightPlan:
    """Proven optimal, equal to the brute-force optimum, never above the bound."""
    plan = solve(scenario, graph, config)
    brute = brute_force(scenario, graph, config)
    assert plan.status == "optimal"
    assert plan.revenue <= brute.revenue + TOL  # the plan is a schedule the brute force also tries
    assert brute.revenue <= plan.bound + TOL  # nothing beats the proven bound
    assert plan.revenue == pytest.approx(brute.revenue, abs=TOL)
    assert plan.revenue <= plan.bound + TOL
    return plan


# ------------------------------------------------------------------ hand-made cases on the line city
def test_one_subtask_one_worker_is_matched_at_publication():
    sc, line, cfg = line_case("one subtask, one worker")
    plan = assert_matches_brute_force(sc, line, cfg)
    (m,) = plan.matches
    assert (m.subtask, m.worker, m.matched, m.distance) == (0, 0, 15.0, 300.0)  # first epoch >= t_c = 12 s
    assert (m.start, m.finish) == pytest.approx((45.0, 145.0))  # 300 m at 10 m/s
    assert plan.revenue == pytest.approx(50.0 - cfg.kappa * 300.0)
    assert plan.completed == (0,)


def test_skills_send_the_far_worker():
    plan = assert_matches_brute_force(*line_case("skills send the far worker"))
    assert [m.worker for m in plan.matches] == [1]


def test_precedence_across_workers_and_lateness():
    sc, line, cfg = line_case("precedence and lateness")
    plan = assert_matches_brute_force(sc, line, cfg)
    first, second = plan.matches
    assert second.start == pytest.approx(first.finish)  # 20 s travel + 120 s, then 20 s travel is done
    expected = task_revenue(60.0, second.finish, 100.0, 2000.0, 400.0, cfg.zeta, cfg.kappa)
    assert plan.revenue == pytest.approx(float(expected))


def test_a_task_that_cannot_meet_its_deadline_is_left_unstarted():
    plan = assert_matches_brute_force(*line_case("a deadline out of reach"))
    assert plan.completed == (1,)


def test_one_worker_two_tasks_keeps_the_better_one():
    plan = assert_matches_brute_force(*line_case("one worker, two tasks"))
    assert plan.completed == (1,)


def test_range_is_measured_from_where_the_worker_stands():
    plan = assert_matches_brute_force(*line_case("range from where the worker stands"))
    assert [m.subtask for m in plan.routes[0]] == [0, 1]


def test_a_busy_worker_is_matched_again_only_after_finishing():
    plan = assert_matches_brute_force(*line_case("a busy worker"))
    first, second = plan.routes[0]
    assert second.matched >= first.finish and second.matched % 5.0 == 0  # the epoch after 103 s is 105 s
    assert second.matched == 105.0


# ------------------------------------------------------------------ abandoned tasks move workers
def assert_abandons(sc, graph, config, completed, abandoned) -> HindsightPlan:
    plan = assert_matches_brute_force(sc, graph, config)
    assert (plan.completed, plan.abandoned) == (completed, abandoned)
    result = replay_plan(plan, sc, graph, config)
    assert result.problems == []
    assert {t.task: t.status for t in result.ledger.tasks}[abandoned[0]] == "failed"
    return plan


def test_an_abandoned_subtask_brings_a_worker_within_range():
    sc, line, cfg = line_case("abandoning brings a worker within range")
    plan = assert_abandons(sc, line, cfg, completed=(1,), abandoned=(0,))
    assert plan.revenue == pytest.approx(50.0 - cfg.kappa * 800.0)


def test_without_abandon_the_model_keeps_to_completed_tasks():
    plan = solve_exact(*line_case("abandoning brings a worker within range"), workers=1, abandon=False)
    assert (plan.status, plan.revenue, plan.completed, plan.abandoned) == ("optimal", 0.0, (), ())


def test_an_abandoned_subtask_brings_a_worker_early():
    sc, line, cfg = line_case("abandoning brings a worker early")
    plan = assert_abandons(sc, line, cfg, completed=(1,), abandoned=(0,))
    assert plan.revenue == pytest.approx(60.0 - cfg.kappa * 1000.0)  # on time, one trip


def test_a_task_can_only_be_abandoned_while_the_env_keeps_it():
    sc, line, cfg = line_case("abandoning only while the env keeps the task")
    plan = assert_abandons(sc, line, cfg, completed=(1,), abandoned=(2,))
    assert plan.revenue == pytest.approx(50.0 - cfg.kappa * 800.0)


# ------------------------------------------------------------------ drawn episodes on the small city
@pytest.mark.parametrize("seed", DRAWN_SEEDS)
def test_drawn_tiny_episodes_match_the_brute_force(seed):
    assert_matches_brute_force(*drawn_case(seed))


def test_hand_built_small_city_case_matches_the_brute_force():
    assert_matches_brute_force(*small_city_case())


def test_plan_fields():
    sc, graph, cfg = drawn(3, num_workers=3)
    plan = solve(sc, graph, cfg)
    assert len(plan.routes) == sc.num_workers and plan.wall_s > 0 and 0 <= plan.gap < 1e-2
    assert plan.status == "optimal" and plan.margin >= 0
    for w, route in enumerate(plan.routes):
        assert all(m.worker == w for m in route)
        assert [m.matched for m in route] == sorted(m.matched for m in route)
        for m in route:
            assert m.matched / cfg.decision_interval == pytest.approx(round(m.matched / cfg.decision_interval))
            assert m.matched + TOL >= sc.task_created[sc.subtask_task[m.subtask]]
    done = {int(sc.subtask_task[m.subtask]) for m in plan.matches}
    assert done == set(plan.completed)
    assert sum(len(r) for r in plan.routes) == sum(sc.task_sizes()[list(plan.completed)])


def test_no_task_is_doable_gives_the_empty_plan(line):
    sc = make_scenario([(0, [0])], [task(0.0, 10.0, 20.0, 80.0, [(20, [1], 100.0)])])  # nobody has skill 1
    plan = solve(sc, line, tiny_config(sc))
    assert (plan.status, plan.revenue, plan.completed, plan.matches) == ("optimal", 0.0, (), [])
    assert plan.bound == pytest.approx(0.0, abs=TOL)


def test_a_solve_stopped_before_cp_sat_has_a_plan_proves_no_bound():
    """20 tasks x 30 workers in 0.1 s: CP-SAT (measured: no plan within 3 s) stops with UNKNOWN and reports 0 as its
    bound, which the greedy plan beats; nothing was proven, so the bound is inf."""
    env = drawn_episode(0, num_tasks=20, num_workers=30, max_subtasks=4, worker_skill_mean=2.0, arrival_window=900.0,
                        decision_interval=15.0)
    plan = solve_exact(env.scenario, env.graph, env.config, time_limit=0.1, workers=1)
    assert plan.status == "time_limit" and plan.revenue > 0
    assert plan.bound == math.inf and math.isnan(plan.gap)


# ------------------------------------------------------------------ bad input
def test_bad_arguments_are_named(line):
    sc = make_scenario([(0, [0])], [task(0.0, 100.0, 200.0, 10.0, [(1, [0], 30.0)])])
    cfg = tiny_config(sc)
    with pytest.raises(TypeError, match="scenario must be a Scenario"):
        solve_exact("nope", line, cfg)
    with pytest.raises(TypeError, match="graph must be a RoadGraph"):
        solve_exact(sc, "small", cfg)
    with pytest.raises(TypeError, match="config must be a DASCConfig"):
        solve_exact(sc, line, {})
    with pytest.raises(ValueError, match="time_limit"):
        solve_exact(sc, line, cfg, time_limit=0)
    with pytest.raises(TypeError, match="time_limit"):
        solve_exact(sc, line, cfg, time_limit="60")
    with pytest.raises(ValueError, match="workers"):
        solve_exact(sc, line, cfg, workers=0)
    with pytest.raises(TypeError, match="workers"):
        solve_exact(sc, line, cfg, workers=2.0)
    with pytest.raises(ValueError, match="resolution"):
        solve_exact(sc, line, cfg, resolution=0.0)
    with pytest.raises(ValueError, match="node indices < 3"):
        solve_exact(make_scenario([(5, [0])], [task(0.0, 100.0, 200.0, 10.0, [(1, [0], 30.0)])]), line_city(3), cfg)


def test_missing_ortools_names_the_extra(monkeypatch):
    sc = make_scenario([(0, [0])], [task(0.0, 100.0, 200.0, 10.0, [(1, [0], 30.0)])])
    monkeypatch.setitem(sys.modules, "ortools.sat.python", None)
    with pytest.raises(ImportError, match=r"pip install 'dasc-env\[bounds\]'"):
        solve_exact(sc, line_city(), tiny_config(sc))


def test_distances_are_directed():
    """On the small city's one-way streets d(u, v) != d(v, u): the plan uses worker -> subtask."""
    sc, graph, cfg = drawn(1, num_workers=2)
    plan = solve(sc, graph, cfg)
    for route in plan.routes:
        here = sc.worker_nodes[route[0].worker] if route else None
        for m in route:
            assert m.distance == pytest.approx(graph.distance(int(here), int(sc.subtask_nodes[m.subtask])), rel=1e-6)
            here = sc.subtask_nodes[m.subtask]
    assert np.isfinite(plan.bound)
