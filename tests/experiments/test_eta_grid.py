"""``experiments.eta_grid``: KM at the eta that earns most on training seeds, scored on test seeds."""

import csv

import numpy as np
import pytest

import dasc_env
from dasc_env.baselines import km
from dasc_env.evaluation import run_episode
from experiments import eta_grid


def km_revenue(task, seed, eta):
    return run_episode(dasc_env.benchmarks.make(task.name, seed), km(eta=eta), seed)["revenue"]


@pytest.mark.slow
def test_the_tuned_eta_is_the_best_of_the_grid_on_training_seeds_and_is_scored_on_test_seeds(tmp_path):
    task = dasc_env.benchmarks.get("small-quick")
    [row] = eta_grid.main(["--task", "small-quick", "--methods", "km", "--alphas", "0.3,0.95", "--betas", "0.1,0.5",
                           "--tune-seeds", "2", "--test-seeds", "2", "--out", str(tmp_path)])
    with (tmp_path / "grid.csv").open() as f:
        grid = list(csv.DictReader(f))
    assert {(float(r["alpha"]), float(r["beta"])) for r in grid} == {(0.3, 0.1), (0.3, 0.5), (0.95, 0.1), (0.95, 0.5)}
    for r in grid:  # each grid cell is KM's mean over the first two training seeds
        eta = (float(r["alpha"]), float(r["beta"]))
        expected = np.mean([km_revenue(task, s, eta) for s in task.train_seeds[:2]])
        assert float(r["revenue"]) == pytest.approx(expected)
    best = max(grid, key=lambda r: float(r["revenue"]))
    assert row["tuned_eta"] == f"{float(best['alpha'])},{float(best['beta'])}"
    tuned = tuple(float(v) for v in row["tuned_eta"].split(","))
    at_given = [km_revenue(task, s, (0.95, 0.10)) for s in task.test_seeds[:2]]
    at_tuned = [km_revenue(task, s, tuned) for s in task.test_seeds[:2]]
    assert row["revenue_given"] == pytest.approx(np.mean(at_given))
    assert row["revenue_tuned"] == pytest.approx(np.mean(at_tuned))
    assert row["diff"] == pytest.approx(np.mean(at_tuned) - np.mean(at_given))


def test_unknown_methods_are_refused():
    with pytest.raises(SystemExit):
        eta_grid.main(["--methods", "greedy"])
