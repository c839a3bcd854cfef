"""``benchmarks/decision_value.py`` on the shipped checkpoint: every valued decision lands in one of the two rows,
and the needed-decisions column follows from the mean and the RMS."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SHIPPED = BENCHMARKS.parent / "examples" / "checkpoints" / "small-quick-practical-s0.pt"


def test_decision_values_split_by_ready_with_consistent_columns():
    spec = importlib.util.spec_from_file_location("decision_value", BENCHMARKS / "decision_value.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    rows = module.main([str(SHIPPED), "--task", "small-quick", "--episodes", "1", "--per-episode", "12"])
    assert [r["situation"] for r in rows] == ["ready", "not ready"]
    assert sum(r["decisions"] for r in rows) == 12
    for r in rows:
        assert 0.0 <= r["nonzero"] <= 1.0 and r["rms"] >= abs(r["mean"])
        if r["mean"]:
            assert r["needed"] == pytest.approx((2 * r["rms"] / r["mean"]) ** 2)
