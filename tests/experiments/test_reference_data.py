"""``experiments.reference_data``: the published row is the better plan and the tighter bound, and it replays."""

import pytest

from dasc_env import benchmarks
from dasc_env.bounds import Reference, reference, reference_data, replay_plan
from experiments import reference_data as command

pytest.importorskip("ortools")

SEED = benchmarks.get("small-quick").test_seeds[0]


def row(best_known, bound, found_by="lns"):
    return Reference("v1", "small-quick", SEED, best_known, found_by, 30.0, bound, "relaxed",
                     reference_data.status_of(best_known, bound))


def test_merge_keeps_the_better_plan_and_the_tighter_bound_of_old_and_new():
    old = row(100.0, 200.0, "method:km")
    merged, plan, what = command.merge(old, row(110.0, 210.0), "new plan")
    assert (merged.best_known, merged.found_by, merged.bound, plan, what) == (110.0, "lns", 200.0, "new plan", "plan")
    merged, plan, what = command.merge(old, row(90.0, 150.0), "new plan")
    assert (merged.best_known, merged.bound, plan, what) == (100.0, 150.0, None, "bound")
    assert command.merge(old, row(100.0, 200.0), "new plan") == (old, None, "unchanged")
    assert command.merge(None, row(1.0, 2.0), "p") == (row(1.0, 2.0), "p", "new")


def test_a_run_publishes_a_plan_that_replays_at_its_value_and_a_dry_run_publishes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(reference_data, "DATA", tmp_path)
    command.main(["--tasks", "small-quick", "--seeds", "1", "--time-limit", "2", "--dry-run"])
    assert reference("small-quick", SEED) is None
    [entry] = command.main(["--tasks", "small-quick", "--seeds", "1", "--time-limit", "2"])
    assert reference("small-quick", SEED) == entry
    env = benchmarks.make("small-quick", SEED)
    replay = replay_plan(entry.plan(), env.scenario, env.graph, env.config)
    assert replay.problems == [] and replay.revenue == pytest.approx(entry.best_known)
    assert entry.best_known <= entry.bound and entry.status == "open"


@pytest.mark.parametrize("argv", [["--seeds", "0"], ["--time-limit", "0"], ["--jobs", "0"]])
def test_bad_options_are_refused(argv):
    with pytest.raises(SystemExit):
        command.main(["--tasks", "small-quick", *argv])
