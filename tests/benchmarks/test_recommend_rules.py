"""``benchmarks/recommend_rules.py``: "ready only" at p = 1 is KM's rule, so it earns what KM earns."""

import importlib.util
import sys
from pathlib import Path

import pytest

import dasc_env
from dasc_env.evaluation import run_suite

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_ready_only_at_rate_one_earns_exactly_what_km_earns(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("recommend_rules", BENCHMARKS / "recommend_rules.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    rows = module.main(["--task", "small-quick", "--rates", "1.0", "--seeds", "2"])
    km = run_suite([dasc_env.benchmarks.get("small-quick")], ["km"], seeds=2, bound=None, progress=False)
    revenue = {r["rule"]: r["revenue"] for r in rows}
    assert revenue["ready"] == pytest.approx(sum(r["revenue"] for r in km) / 2, rel=1e-12)
    assert revenue["every"] != pytest.approx(revenue["ready"])
    assert revenue["ready_wait"] != pytest.approx(revenue["ready"])  # it waits for a busy worker somewhere
