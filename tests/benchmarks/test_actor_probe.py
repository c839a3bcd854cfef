"""``benchmarks/actor_probe.py`` on the shipped checkpoint: every allowed decision lands in one of the two rows."""

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SHIPPED = BENCHMARKS.parent / "examples" / "checkpoints" / "small-quick-practical-s0.pt"


def test_probe_splits_the_allowed_decisions_by_ready_and_records_probabilities():
    spec = importlib.util.spec_from_file_location("actor_probe", BENCHMARKS / "actor_probe.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    rows = module.main([str(SHIPPED), "--task", "small-quick", "--seeds", "1"])
    assert [r["situation"] for r in rows] == ["ready", "not ready"]
    for r in rows:
        assert r["decisions"] > 0 and 0.0 < r["p10"] <= r["p50"] <= r["p90"] < 1.0
