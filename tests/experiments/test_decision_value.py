"""``experiments.decision_value`` on the shipped checkpoint: every valued decision lands in one of the two rows,
and the needed-decisions column follows from the mean and the RMS."""

import pytest

from experiments import decision_value
from tests.experiments import SHIPPED


def test_decision_values_split_by_ready_with_consistent_columns():
    rows = decision_value.main([str(SHIPPED), "--task", "small-quick", "--episodes", "1", "--per-episode", "12"])
    assert [r["situation"] for r in rows] == ["ready", "not ready"]
    assert sum(r["decisions"] for r in rows) == 12
    for r in rows:
        assert 0.0 <= r["nonzero"] <= 1.0 and r["rms"] >= abs(r["mean"])
        if r["mean"]:
            assert r["needed"] == pytest.approx((2 * r["rms"] / r["mean"]) ** 2)
