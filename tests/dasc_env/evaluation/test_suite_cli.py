"""``dasc-eval --suite``: methods scored on a benchmark suite's held-out test seeds, with the bound."""

import csv

from dasc_env import benchmarks
from dasc_env.baselines import RulePolicy, register_method
from dasc_env.evaluation import BOUND_COLUMNS, COLUMNS, REFERENCE_COLUMNS
from dasc_env.evaluation.cli import main


def test_suite_scores_every_method_including_a_registered_one_on_the_test_seeds(tmp_path):
    register_method("suite-test-finished", lambda: RulePolicy("suite-test-finished", "finished", "km"),
                    overwrite=True)
    code = main(["--suite", "v1", "--suite-tasks", "small-quick", "--seeds", "1", "--methods",
                 "greedy,suite-test-finished", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    with (tmp_path / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["task", *COLUMNS, *BOUND_COLUMNS, *REFERENCE_COLUMNS]
    test_seeds = benchmarks.get("small-quick", "v1").test_seeds[:1]
    assert sorted((r["method"], int(r["seed"])) for r in rows) == sorted(
        (m, s) for m in ("greedy", "suite-test-finished") for s in test_seeds)
    assert {r["task"] for r in rows} == {"small-quick"}
    assert all(float(r["revenue"]) <= float(r["bound"]) + 1e-6 for r in rows)
    assert not list(tmp_path.glob("*.png"))


def test_an_unknown_suite_task_is_named(tmp_path, capsys):
    assert main(["--suite", "v1", "--suite-tasks", "small-nope", "--methods", "km", "--out", str(tmp_path)]) == 2
    assert "'small-nope'" in capsys.readouterr().err


def test_suite_refuses_grid_options(tmp_path, capsys):
    assert main(["--suite", "v1", "--city", "small", "--methods", "km", "--out", str(tmp_path)]) == 2
    assert "--city cannot be used with --suite" in capsys.readouterr().err


def test_suite_tasks_without_a_suite_is_refused(tmp_path, capsys):
    assert main(["--suite-tasks", "small-quick", "--methods", "km", "--out", str(tmp_path)]) == 2
    assert "give --suite too" in capsys.readouterr().err


def test_suite_rows_carry_the_published_best_known_plan_and_the_share_of_it(tmp_path, monkeypatch):
    from dasc_env.bounds import Reference, publish, reference_data

    monkeypatch.setattr(reference_data, "DATA", tmp_path / "data")
    seed = benchmarks.get("small-quick", "v1").test_seeds[0]
    publish(Reference("v1", "small-quick", seed, 2500.0, "lns", 30.0, 3300.0, "relaxed", "open"), None)
    assert main(["--suite", "v1", "--suite-tasks", "small-quick", "--seeds", "2", "--methods", "km", "--bound",
                 "relaxed", "--out", str(tmp_path), "--quiet"]) == 0
    with (tmp_path / "results.csv").open() as f:
        rows = {int(r["seed"]): r for r in csv.DictReader(f)}
    assert float(rows[seed]["best_known"]) == 2500.0
    assert float(rows[seed]["of_best_known"]) == float(rows[seed]["revenue"]) / 2500.0
    assert rows[seed + 1]["best_known"] == "nan"
    with (tmp_path / "summary.csv").open() as f:
        summary = next(csv.DictReader(f))
    assert float(summary["of_best_known_mean"]) == float(rows[seed]["of_best_known"])
