"""Hindsight plans executed by the env (``dasc_env.bounds.replay``), and no rule method above a proven optimum."""

from __future__ import annotations

import dataclasses

import pytest

from dasc_env.baselines import make_method
from dasc_env.bounds import PlanNotExecutable, ReplayPolicy, replay_plan, solve_exact
from dasc_env.bounds.replay import REPLAY_TOL
from dasc_env.evaluation.runner import run_episode
from tests.builders import make_scenario, tiny_config
from tests.dasc_env.bounds.brute import drawn_episode
from tests.dasc_env.bounds.cases import METHOD_OPTIONS, METHOD_SEEDS, method_episode, rule_methods

pytest.importorskip("ortools")


def two_task_case():
    """Worker 0 chains two subtasks of one task at nodes 3 and 8; worker 1 does the other task."""
    tasks = [dict(created=3.0, expected=400.0, deadline=900.0, payment=30.0,
                  subtasks=[(3, [0], 50.0), (8, [0], 40.0)], edges=[(0, 1)]),
             dict(created=7.0, expected=400.0, deadline=900.0, payment=20.0, subtasks=[(15, [1], 30.0)])]
    return make_scenario([(2, [0]), (14, [1])], tasks)


@pytest.mark.parametrize("seed", range(8))
def test_replayed_plans_book_the_planned_revenue(seed):
    env = drawn_episode(seed, num_tasks=2 + seed % 3)
    plan = solve_exact(env.scenario, env.graph, env.config, time_limit=2.0, workers=1)  # optimal or not
    result = replay_plan(plan, env.scenario, env.graph, env.config)
    assert result.problems == []  # verify_ledger, every match as planned, the same completed tasks
    assert abs(result.revenue - plan.revenue) <= REPLAY_TOL * max(1.0, abs(plan.revenue))
    assert len(result.ledger.matches) == len(plan.matches)


def test_replay_on_the_line_city(line):
    sc = two_task_case()
    plan = solve_exact(sc, line, tiny_config(sc), workers=1)
    assert [[m.subtask for m in r] for r in plan.routes] == [[0, 1], [2]]
    result = replay_plan(plan, sc, line, tiny_config(sc))
    assert result.problems == [] and result.revenue == pytest.approx(plan.revenue, abs=REPLAY_TOL)


def tampered(plan, subtask: int, **changes):
    """``plan`` with the match of ``subtask`` changed."""
    routes = tuple(tuple(dataclasses.replace(m, **changes) if m.subtask == subtask else m for m in r)
                   for r in plan.routes)
    return dataclasses.replace(plan, routes=routes)


def test_a_plan_the_env_cannot_execute_is_caught(line):
    sc = two_task_case()
    cfg = tiny_config(sc)
    plan = solve_exact(sc, line, cfg, workers=1)
    first, second = plan.routes[0]
    cases = {
        "before publication": (tampered(plan, 2, matched=5.0), "not live"),
        "a worker without the skill": (tampered(plan, 2, worker=0), "not idle|infeasible"),
        "matched again while busy": (tampered(plan, 1, matched=first.matched + 5.0), "not idle"),
        "a successor before its predecessor": (tampered(plan, 0, matched=second.matched + 5.0), "not made"),
    }
    for name, (bad, message) in cases.items():
        with pytest.raises(PlanNotExecutable, match=message):
            replay_plan(bad, sc, line, cfg)
            pytest.fail(name)
    never = replay_plan(tampered(plan, 2, matched=1e6), sc, line, cfg)  # the episode ends first
    assert any("subtask 2: planned for worker 1" in p for p in never.problems)
    assert any("revenue" in p for p in never.problems)


def test_replay_policy_checks_its_inputs(line):
    with pytest.raises(TypeError, match="HindsightPlan"):
        ReplayPolicy("plan")
    sc = two_task_case()
    plan = solve_exact(sc, line, tiny_config(sc), workers=1)
    with pytest.raises(ValueError, match="decision_interval"):
        replay_plan(plan, sc, line, tiny_config(sc, decision_interval=10.0))


@pytest.mark.slow
def test_no_rule_method_beats_a_proven_optimum():
    """56 tiny drawn episodes: every non-learning method's revenue stays within the proven bound."""
    methods = rule_methods()
    assert {"greedy", "km", "wait-km", "game", "odta", "ready-km", "admit-km", "all", "random"} <= set(methods)
    for seed in METHOD_SEEDS:
        env = method_episode(seed)
        plan = solve_exact(env.scenario, env.graph, env.config, time_limit=10.0, workers=1)
        assert plan.status == "optimal", seed
        scores = {m: run_episode(env, make_method(m, **METHOD_OPTIONS.get(m, {})), seed)["revenue"] for m in methods}
        best = max(scores, key=scores.get)
        assert scores[best] <= plan.bound + 1e-9, (seed, best, scores[best], plan.revenue, plan.bound)
