"""Any method's ledger is a hindsight plan (``dasc_env.bounds.incumbent``), and a warm start of ``solve_exact``."""

from __future__ import annotations

import pytest

from dasc_env import DASCParallelEnv
from dasc_env.baselines import make_method, run_episode
from dasc_env.bounds import REPLAY_TOL, build_instance, ledger_routes, plan_of_routes, replay_plan, solve_exact
from dasc_env.bounds.incumbent import tick_plan
from tests.dasc_env.bounds.brute import brute_force
from tests.dasc_env.bounds.cases import DRAWN_SEEDS, drawn_case, method_episode

pytest.importorskip("ortools")

METHODS = ("greedy", "km", "wait-km", "all", "random")


def played(seed: int, method: str):
    env = method_episode(seed)
    run_episode(env, make_method(method), seed)
    inst = build_instance(env.scenario, env.graph, env.config)
    return env, inst, ledger_routes(env.ledger, env.scenario.num_workers, env.config.decision_interval)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", range(0, 14, 3))
def test_a_ledger_is_a_plan_worth_its_revenue_that_replays_cleanly(seed, method):
    env, inst, routes = played(seed, method)
    plan = plan_of_routes(inst, routes)
    assert plan.revenue == pytest.approx(env.total_revenue, abs=REPLAY_TOL)
    assert len(plan.matches) == len(env.ledger.matches)
    replay = replay_plan(plan, env.scenario, env.graph, env.config)
    assert replay.problems == [] and replay.revenue == pytest.approx(env.total_revenue, abs=REPLAY_TOL)


def test_routes_follow_each_worker_in_the_order_it_was_matched():
    env, _, routes = played(4, "km")
    for w, route in enumerate(routes):
        mine = sorted((r.matched_at, r.subtask) for r in env.ledger.matches if r.worker == w)
        assert [s for s, _ in route] == [s for _, s in mine]
        assert [k * env.config.decision_interval for _, k in route] == pytest.approx([t for t, _ in mine])


@pytest.mark.parametrize("seed", range(6))
def test_a_ledger_with_a_tick_of_slack_keeps_every_match_on_the_ticks(seed):
    env, inst, routes = played(seed, "km")
    tick = tick_plan(inst, routes)
    assert tick.routes == routes
    assert sorted(tick.start) == sorted(r.subtask for r in env.ledger.matches)


def last_single_subtask_match(seed: int):
    """A worker's last match whose task has that one subtask, or None."""
    env, inst, routes = played(seed, "km")
    for w, route in enumerate(routes):
        if route and env.scenario.task_sizes()[env.scenario.subtask_task[route[-1][0]]] == 1:
            return env, inst, routes, w
    return None


def test_a_match_the_model_forbids_drops_its_task_and_no_other():
    env, inst, routes, w = next(c for c in map(last_single_subtask_match, range(30)) if c is not None)
    s, _ = routes[w][-1]
    broken = [list(r) for r in routes]
    broken[w][-1] = (s, int(inst.first_epoch[env.scenario.subtask_task[s]]) - 1)  # before its task is published
    tick = tick_plan(inst, broken)
    assert tick.routes == [r for r in routes[:w]] + [routes[w][:-1]] + [r for r in routes[w + 1:]]
    assert env.scenario.subtask_task[s] not in tick.tasks and s not in tick.start


@pytest.mark.parametrize("seed", range(0, 21, 4))
def test_solve_exact_with_a_ledger_is_never_below_it(seed):
    env = method_episode(seed)
    ledgers, scores = [], []
    for method in ("wait-km", "greedy"):
        scores.append(run_episode(env, make_method(method), seed)["revenue"])
        ledgers.append(env.ledger)
    plan = solve_exact(env.scenario, env.graph, env.config, time_limit=0.2, workers=1, incumbents=ledgers)
    assert plan.revenue >= max(scores) - REPLAY_TOL
    assert replay_plan(plan, env.scenario, env.graph, env.config).problems == []


@pytest.mark.parametrize("seed", DRAWN_SEEDS)
def test_a_warm_start_still_reaches_the_brute_force_optimum(seed):
    sc, graph, cfg = drawn_case(seed)
    env = DASCParallelEnv(cfg, city=graph, scenario=sc)
    run_episode(env, make_method("km"), 0)
    plan = solve_exact(sc, graph, cfg, time_limit=10.0, workers=1, incumbents=[env.ledger])
    assert plan.status == "optimal"
    assert plan.revenue == pytest.approx(brute_force(sc, graph, cfg).revenue, abs=1e-6)


def test_incumbents_must_be_plans_or_ledgers():
    env = method_episode(0)
    with pytest.raises(TypeError, match="HindsightPlan or Ledger"):
        solve_exact(env.scenario, env.graph, env.config, time_limit=1.0, incumbents=["km"])
