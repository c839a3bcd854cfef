"""``benchmarks/decision_value.py`` on the shipped checkpoint: every valued decision lands in one of the two rows,
and the needed-decisions column follows from the mean and the RMS."""

import pytest

from tests.benchmarks.scripts import SHIPPED, load_script


def test_decision_values_split_by_ready_with_consistent_columns():
    module = load_script("decision_value.py")
    rows = module.main([str(SHIPPED), "--task", "small-quick", "--episodes", "1", "--per-episode", "12"])
    assert [r["situation"] for r in rows] == ["ready", "not ready"]
    assert sum(r["decisions"] for r in rows) == 12
    for r in rows:
        assert 0.0 <= r["nonzero"] <= 1.0 and r["rms"] >= abs(r["mean"])
        if r["mean"]:
            assert r["needed"] == pytest.approx((2 * r["rms"] / r["mean"]) ** 2)
