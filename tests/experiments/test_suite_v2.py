"""``experiments.suite_v2``: the winnable headroom of a candidate, from its episodes, and one measured episode."""

import csv

import pytest

from dasc_env import benchmarks
from experiments import suite_v2

pytest.importorskip("ortools")


def episode(seed, best_known, **revenue):
    return dict(task="t", seed=seed, best_known=best_known, wall_s=1.0,
                **{m: revenue.get(m.replace("-", "_"), 0.0) for m in benchmarks.REFERENCE_METHODS})


def test_winnable_is_the_best_known_mean_over_the_best_methods_mean_with_the_per_seed_interval():
    rows = [episode(0, 130.0, km=100.0, wait_km=90.0), episode(1, 110.0, km=100.0, wait_km=105.0)]
    summary = suite_v2.winnable(rows)
    # KM's mean 100 beats WAIT-KM's 97.5; best-known mean 120; per-seed ratios 1.3 and 1.1 (t_0.975,1 = 12.706)
    assert (summary["best_method"], summary["method_mean"], summary["best_known_mean"]) == ("km", 100.0, 120.0)
    assert summary["winnable"] == pytest.approx(1.2)
    assert summary["winnable_lo"] == pytest.approx(1.2 - 12.706 * 0.1, abs=1e-3)
    assert summary["winnable_hi"] == pytest.approx(1.2 + 12.706 * 0.1, abs=1e-3)


def test_candidates_are_named_once_and_use_held_out_seeds():
    names = [t.name for _, t in suite_v2.candidates()]
    assert len(names) == len(set(names))
    assert all(not set(t.test_seeds) & set(t.train_seeds[:10]) for _, t in suite_v2.candidates())


def test_a_measured_episode_has_a_best_known_plan_at_least_every_methods_revenue(tmp_path):
    [row] = suite_v2.main(["--tasks", "small-quick", "--seeds", "1", "--time-limit", "1", "--out",
                           str(tmp_path / "v2.csv")])
    with (tmp_path / "v2_episodes.csv").open() as f:
        [episode_row] = list(csv.DictReader(f))
    assert float(episode_row["best_known"]) >= max(float(episode_row[m]) for m in benchmarks.REFERENCE_METHODS) - 1e-9
    assert row["winnable"] >= 1.0 - 1e-12 and row["seeds"] == 1
