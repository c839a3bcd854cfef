"""``experiments.tune_km``: the coordinate search keeps the best candidate on the training seeds."""

import csv

import numpy as np
import pytest

import dasc_env
from dasc_env.baselines import make_method
from dasc_env.evaluation import run_episode
from experiments import tune_km


def revenue(task, seed, method, **options):
    return run_episode(dasc_env.benchmarks.make(task.name, seed), make_method(method, **options), seed)["revenue"]


def test_the_tuned_rule_is_the_best_candidate_and_is_scored_against_km_on_test_seeds(tmp_path):
    task = dasc_env.benchmarks.get("small-quick")
    row = tune_km.main(["--task", "small-quick", "--alphas", "0.95", "--betas", "0.1", "--tune-seeds", "1",
                        "--rounds", "1", "--test-seeds", "1", "--out", str(tmp_path)])
    with (tmp_path / "search.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["cells"] for r in rows) == sorted(tune_km.CELL_SETS)  # one eta: every cell set once
    for r in rows[::5]:  # a candidate's score is TUNED-KM's revenue on the training seed
        assert float(r["revenue"]) == pytest.approx(revenue(task, 0, "tuned-km", cells=r["cells"], eta=(0.95, 0.1)))
    best = max(float(r["revenue"]) for r in rows)
    assert row["train_revenue"] == best
    assert float(next(r for r in rows if r["cells"] == row["cells"])["revenue"]) == best
    seed = task.test_seeds[0]
    tuned = revenue(task, seed, "tuned-km", cells=row["cells"], eta=(row["alpha"], row["beta"]))
    assert row["diff_km"] == pytest.approx(tuned - revenue(task, seed, "km"))
    assert row["tuned_km"] == pytest.approx(np.mean([tuned]))
