"""Large-neighbourhood search (``dasc_env.bounds.improve_plan``) against the brute force and the methods."""

from __future__ import annotations

import pytest

from dasc_env import DASCParallelEnv
from dasc_env.baselines import make_method, run_episode
from dasc_env.bounds import NEIGHBOURHOODS, REPLAY_TOL, improve_plan, replay_plan
from tests.dasc_env.bounds.brute import brute_force
from tests.dasc_env.bounds.cases import DRAWN_SEEDS, drawn_case, method_episode

pytest.importorskip("ortools")


def ledger_of(env, method: str, seed: int = 0):
    run_episode(env, make_method(method), seed)
    return env.ledger, env.total_revenue


@pytest.mark.parametrize("seed", DRAWN_SEEDS)
def test_freeing_every_worker_reaches_the_brute_force_optimum_from_a_random_start(seed):
    sc, graph, cfg = drawn_case(seed)
    ledger, _ = ledger_of(DASCParallelEnv(cfg, city=graph, scenario=sc), "random")
    plan, steps = improve_plan(sc, graph, cfg, [ledger], time_limit=0.5, free_workers=sc.num_workers)
    assert plan.revenue == pytest.approx(brute_force(sc, graph, cfg).revenue, abs=1e-6)
    assert steps and all(set(s.freed) == set(range(sc.num_workers)) for s in steps)


@pytest.mark.parametrize("seed", range(0, 28, 3))
def test_one_worker_at_a_time_never_loses_and_replays_cleanly(seed):
    env = method_episode(seed)
    ledgers = [ledger_of(env, m, seed) for m in ("km", "greedy")]
    plan, steps = improve_plan(env.scenario, env.graph, env.config, [lg for lg, _ in ledgers], time_limit=1.0,
                               free_workers=1, step_limit=0.2, seed=seed)
    assert plan.revenue >= max(r for _, r in ledgers) - REPLAY_TOL
    assert all(s.after >= s.before and len(s.freed) == 1 for s in steps)
    assert all(a.after == b.before for a, b in zip(steps, steps[1:]))  # each step starts from the incumbent
    replay = replay_plan(plan, env.scenario, env.graph, env.config)
    assert replay.problems == [] and replay.revenue == pytest.approx(plan.revenue, abs=REPLAY_TOL)


def test_steps_cycle_through_the_neighbourhoods_asked_for():
    env = method_episode(6)
    ledger, _ = ledger_of(env, "km")
    _, steps = improve_plan(env.scenario, env.graph, env.config, [ledger], time_limit=1.0, free_workers=1,
                            step_limit=0.1, neighbourhoods=("tasks", "window"))
    assert [s.kind for s in steps[:4]] == ["tasks", "window", "tasks", "window"]
    assert set(NEIGHBOURHOODS) == {"workers", "tasks", "window"}


@pytest.mark.parametrize("field, value", [("free_workers", 0), ("step_limit", 0.0), ("neighbourhoods", ("rings",)),
                                          ("neighbourhoods", "workers"), ("time_limit", -1.0)])
def test_bad_arguments_are_named(field, value):
    env = method_episode(0)
    ledger, _ = ledger_of(env, "km")
    with pytest.raises(ValueError, match=field):
        improve_plan(env.scenario, env.graph, env.config, [ledger], **{"time_limit": 1.0, field: value})


def test_no_start_is_refused():
    env = method_episode(0)
    with pytest.raises(ValueError, match="at least one"):
        improve_plan(env.scenario, env.graph, env.config, [], time_limit=1.0)
