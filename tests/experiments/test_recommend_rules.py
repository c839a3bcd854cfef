"""``experiments.recommend_rules``: at p = 1 "ready only" is KM's rule and "ready, none sooner busy" WAIT-KM's, so
each earns what that baseline earns."""

import pytest

import dasc_env
from dasc_env.evaluation import run_suite
from experiments import recommend_rules


def test_the_rules_at_rate_one_earn_exactly_what_km_and_wait_km_earn():
    rows = recommend_rules.main(["--task", "small-quick", "--rates", "1.0", "--seeds", "2"])
    suite = run_suite([dasc_env.benchmarks.get("small-quick")], ["km", "wait-km"], seeds=2, bound=None,
                      progress=False)
    baseline = {m: sum(r["revenue"] for r in suite if r["method"] == m) / 2 for m in ("km", "wait-km")}
    revenue = {r["rule"]: r["revenue"] for r in rows}
    assert revenue["ready"] == pytest.approx(baseline["km"], rel=1e-12)
    assert revenue["ready_wait"] == pytest.approx(baseline["wait-km"], rel=1e-12)
    assert revenue["every"] != pytest.approx(revenue["ready"])
    assert revenue["ready_wait"] != pytest.approx(revenue["ready"])  # it waits for a busy worker somewhere
