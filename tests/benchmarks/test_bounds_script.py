"""``benchmarks/bounds.py`` at a tiny size: one seed, a short time limit, every column written."""

import csv
import importlib
from pathlib import Path

import pytest

pytest.importorskip("ortools")
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_bounds_script_writes_a_row_per_instance_with_the_relaxed_bound_above_the_best_plan(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    out = tmp_path / "bounds.csv"
    importlib.import_module("bounds").main(["--seeds", "1", "--time-limit", "3", "--out", str(out)])
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert rows
    assert {"status", "revenue", "exact_bound", "gap", "relaxed", "tightness"} <= set(rows[0])
    for r in rows:
        if r["status"] == "optimal":
            assert float(r["relaxed"]) >= float(r["revenue"]) - 1e-6
