"""``benchmarks/bounds.py`` at a tiny size: one seed, a short time limit, every column written."""

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("ortools")
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load_script():
    """``benchmarks/bounds.py`` by its path: a plain ``import bounds`` may find the test package of that name."""
    spec = importlib.util.spec_from_file_location("bounds_benchmark", BENCHMARKS / "bounds.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script is executed
    spec.loader.exec_module(module)
    return module


def test_bounds_script_writes_a_row_per_instance_with_the_relaxed_bound_above_the_best_plan(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    out = tmp_path / "bounds.csv"
    load_script().main(["--seeds", "1", "--time-limit", "3", "--out", str(out)])
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert rows
    assert {"status", "revenue", "exact_bound", "gap", "relaxed", "tightness"} <= set(rows[0])
    for r in rows:
        if r["status"] == "optimal":
            assert float(r["relaxed"]) >= float(r["revenue"]) - 1e-6
