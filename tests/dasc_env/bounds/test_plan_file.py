"""A hindsight plan written by ``save_plan`` loads back equal and replays from the file."""

from __future__ import annotations

import numpy as np
import pytest

from dasc_env.baselines import make_method, run_episode
from dasc_env.bounds import build_instance, ledger_routes, load_plan, plan_of_routes, replay_plan, save_plan
from tests.dasc_env.bounds.cases import method_episode

pytest.importorskip("ortools")


def a_plan(seed=2):
    env = method_episode(seed)
    run_episode(env, make_method("km"), seed)
    inst = build_instance(env.scenario, env.graph, env.config)
    return env, plan_of_routes(inst, ledger_routes(env.ledger, env.scenario.num_workers, env.config.decision_interval))


def test_a_saved_plan_loads_back_equal_and_replays_from_the_file(tmp_path):
    env, plan = a_plan()
    assert plan.matches
    loaded = load_plan(save_plan(plan, tmp_path / "plan.npz"))
    assert loaded == plan
    assert replay_plan(loaded, env.scenario, env.graph, env.config).problems == []


def test_a_plan_with_an_idle_worker_and_no_match_survives_the_round_trip(tmp_path):
    _, plan = a_plan()
    empty = type(plan)(((),) * 3, (), (), 0.0, float("inf"), "time_limit", 0.5, 0.0, 15.0)
    assert load_plan(save_plan(empty, tmp_path / "empty.npz")) == empty


def test_a_file_that_is_not_a_plan_is_named(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        load_plan(tmp_path / "missing.npz")
    other = tmp_path / "other.npz"
    np.savez(other, format=np.str_("dasc-scenario"), version=np.int64(1))
    with pytest.raises(ValueError, match="not a dasc-hindsight-plan file"):
        load_plan(other)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="broken.npz"):
        load_plan(broken)
    with pytest.raises(TypeError, match="HindsightPlan"):
        save_plan("plan", tmp_path / "x.npz")
