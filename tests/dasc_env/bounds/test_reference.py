"""The suite's reference data: a published best-known plan and bound read back, and the shipped rows hold up."""

from __future__ import annotations

import math

import pytest

from dasc_env import benchmarks
from dasc_env.baselines import make_method, run_episode
from dasc_env.bounds import (
    REPLAY_TOL,
    Reference,
    build_instance,
    ledger_routes,
    plan_of_routes,
    publish,
    published,
    reference,
    references,
    relaxed_bound,
    replay_plan,
)
from dasc_env.bounds import reference_data as module
from dasc_env.bounds.reference_data import status_of

pytest.importorskip("ortools")

TASK, SEED = "small-quick", 1000000


@pytest.fixture
def private_data(tmp_path, monkeypatch):
    """Reference data read from and published to an empty folder, not the package's."""
    monkeypatch.setattr(module, "DATA", tmp_path)
    return tmp_path


def km_plan():
    env = benchmarks.make(TASK, SEED)
    run_episode(env, make_method("km"), SEED)
    inst = build_instance(env.scenario, env.graph, env.config)
    return env, plan_of_routes(inst, ledger_routes(env.ledger, env.scenario.num_workers, env.config.decision_interval))


def test_a_published_reference_reads_back_with_its_plan(private_data):
    env, plan = km_plan()
    bound = relaxed_bound(env.scenario, env.graph, env.config).bound
    status = status_of(plan.revenue, bound)
    entry = Reference("v1", TASK, SEED, plan.revenue, "method:km", 0.0, bound, "relaxed", status)
    assert reference(TASK, SEED) is None
    publish(entry, plan)
    assert reference(TASK, SEED) == entry == published(benchmarks.get(TASK))[SEED]
    assert entry.plan() == plan
    assert entry.gap == pytest.approx(bound / plan.revenue - 1)
    assert (private_data / "v1" / "reference.csv").read_text().splitlines()[0] == ",".join(module.COLUMNS)


def test_publishing_again_replaces_the_row_of_that_episode_only(private_data):
    first = Reference("v1", TASK, SEED, 10.0, "lns", 30.0, 20.0, "relaxed", "open")
    other = Reference("v1", TASK, SEED + 1, 5.0, "lns", 30.0, 5.0, "relaxed", "optimal")
    publish(first, None)
    publish(other, None)
    better = Reference("v1", TASK, SEED, 12.0, "lns", 60.0, 20.0, "relaxed", "open")
    publish(better, None)
    assert references("v1") == {(TASK, SEED): better, (TASK, SEED + 1): other}


def test_status_is_optimal_only_where_the_plan_reaches_the_bound():
    assert status_of(100.0, 100.0) == "optimal"
    assert status_of(100.0 - 1e-5, 100.0) == "optimal"
    assert status_of(99.0, 100.0) == "open"


@pytest.mark.parametrize("task, seed, error, match", [
    ("small-nope", SEED, ValueError, "small-nope"),
    (TASK, 0, ValueError, "not a test seed"),
    (TASK, True, TypeError, "seed must be an int"),
])
def test_a_bad_episode_is_named(task, seed, error, match):
    with pytest.raises(error, match=match):
        reference(task, seed)


def test_an_unknown_suite_version_is_named():
    with pytest.raises(ValueError, match="v0"):
        references("v0")


def test_a_bad_status_is_refused_before_anything_is_written(private_data):
    with pytest.raises(ValueError, match="status"):
        publish(Reference("v1", TASK, SEED, 1.0, "lns", 1.0, 2.0, "relaxed", "solved"), None)
    assert not (private_data / "v1").exists()


SHIPPED = references("v1")


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_every_shipped_row_is_consistent_and_its_plan_loads_with_its_value(key):
    entry = SHIPPED[key]
    assert entry.seed in benchmarks.get(entry.task).test_seeds
    assert entry.best_known <= entry.bound + REPLAY_TOL * max(1.0, entry.bound)
    assert entry.status == status_of(entry.best_known, entry.bound)
    assert math.isclose(entry.plan().revenue, entry.best_known, rel_tol=1e-9)


@pytest.mark.parametrize("task", sorted({task for task, _ in SHIPPED}))
def test_the_first_shipped_plan_of_each_task_replays_cleanly_and_beats_km(task):
    entry = min((r for (t, _), r in SHIPPED.items() if t == task), key=lambda r: r.seed)
    env = benchmarks.make(task, entry.seed)
    replay = replay_plan(entry.plan(), env.scenario, env.graph, env.config)
    assert replay.problems == []
    assert replay.revenue == pytest.approx(entry.best_known, rel=REPLAY_TOL)
    run_episode(env, make_method("km"), entry.seed)
    assert env.total_revenue <= entry.best_known + 1e-6
    assert entry.bound == pytest.approx(relaxed_bound(env.scenario, env.graph, env.config).bound, rel=1e-9)
