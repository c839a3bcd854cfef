"""``experiments.actor_probe`` on the shipped checkpoint: every allowed decision lands in one of the two rows."""

from experiments import actor_probe
from tests.experiments import SHIPPED


def test_probe_splits_the_allowed_decisions_by_ready_and_records_probabilities():
    rows = actor_probe.main([str(SHIPPED), "--task", "small-quick", "--seeds", "1"])
    assert [r["situation"] for r in rows] == ["ready", "not ready"]
    for r in rows:
        assert r["decisions"] > 0 and 0.0 < r["p10"] <= r["p50"] <= r["p90"] < 1.0
