"""``experiments.best_known`` on one small-quick test seed with a short budget."""

import csv

import pytest

pytest.importorskip("ortools")

from experiments import best_known  # noqa: E402  (after the skip: the script runs CP-SAT)


def test_every_search_starts_from_the_best_method_and_replays_cleanly(tmp_path):
    out = tmp_path / "plans.csv"
    best_known.main(["--tasks", "small-quick", "--seeds", "1", "--time-limit", "2", "--out", str(out)])
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert [r["search"].split(":")[0] for r in rows] == ["method", "cpsat", "lns"]
    best = float(rows[0]["best_revenue"])
    assert float(rows[0]["revenue"]) == best
    for r in rows[1:]:
        assert r["clean"] == "True" and float(r["revenue"]) >= best - 1e-6
        assert float(r["relaxed"]) >= float(r["revenue"])


def test_an_unknown_task_is_named_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="small-nowhere"):
        best_known.main(["--tasks", "small-nowhere", "--out", str(tmp_path / "x.csv")])
