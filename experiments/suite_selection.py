"""How the benchmark suite's headroom tasks were chosen: the relaxed bound against the best cheap method.

Every candidate (the headroom tasks of the suite and the candidates that were not kept, all on the small city)
is scored on its held-out test seeds by ``dasc-eval --suite``'s harness: the cheap non-learning methods
(``dasc_env.benchmarks.CHEAP_METHODS``) with each episode's relaxed upper bound on Eq. 2. Per candidate:

* ``bound``: the mean relaxed bound over the test seeds;
* ``best_method``, ``best_revenue``: the cheap method with the highest mean revenue, and that mean;
* ``headroom``: bound / best_revenue; a task is kept when it is >= ``HEADROOM`` (1.3);
* ``unskilled_share``: the share of the payment (sum of rho) on tasks that no worker of the fleet has the skills
  for (a task needs K^tau subset of K^w for every subtask), mean over the test seeds: headroom that sits there
  is headroom nobody can win.

The paper-scale tasks are in the suite for continuity, not for headroom, and are not candidates here.

    python -m experiments.suite_selection --jobs 2     # prints the table, writes results/benchmarks/suite_selection.csv

``--reuse RESULTS_CSV`` reads the rows of tasks already scored the same way (the leaderboard's
``results/benchmarks/leaderboard/methods/results.csv``: the same harness, methods, test seeds and bound) instead
of playing them again.
"""

from __future__ import annotations

import argparse
import csv
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.report import write_csv
from dasc_env import benchmarks
from dasc_env.benchmarks.suite import SMALL_TEST_SEEDS, TRAIN_SEEDS, SuiteTask
from dasc_env.evaluation import run_suite, summarize
from experiments.leaderboard import write_between_markers
from experiments.paper.headroom import payments

_SMALL = benchmarks.get("small-scarce-skilled", "v1").config
NOT_KEPT = (
    SuiteTask("small-plain-skills", _SMALL.replace(worker_skill_mean=3.5), TRAIN_SEEDS, SMALL_TEST_SEEDS,
              "the paper's skill mean (3.5 of 10) with 12 workers: most of the payment needs skills nobody has"),
    SuiteTask("small-tight-20-workers", _SMALL.replace(num_workers=20, expected_factor=1.05, deadline_factor=1.3),
              TRAIN_SEEDS, SMALL_TEST_SEEDS, "tight deadlines (1.05x, 1.3x) with 20 workers"),
)
"""Candidates measured and not kept, beside the suite's own headroom tasks."""


def candidates(version: str) -> list[SuiteTask]:
    return [t for t in benchmarks.tasks(version) if not t.name.startswith("paper-")] + list(NOT_KEPT)


def unskilled_share(task: SuiteTask) -> float:
    """Mean over the test seeds of the payment share on tasks no worker of the fleet has the skills for."""
    shares = [(total - skilled) / total for total, skilled, _ in (payments(task.config, s) for s in task.test_seeds)]
    return float(np.mean(shares))


def select(version: str, jobs: int, out: Path, reuse: Path | None = None) -> list[dict]:
    tasks = candidates(version)
    methods = list(benchmarks.CHEAP_METHODS)
    rows = reused_rows(reuse, tasks, methods) if reuse is not None else []
    done = {r["task"] for r in rows}
    rows += run_suite([t for t in tasks if t.name not in done], methods, bound="relaxed", jobs=jobs, progress=False)
    write_csv(out.with_name("suite_selection_episodes.csv"), rows)
    summary = summarize(rows)
    in_suite = {t.name for t in benchmarks.tasks(version)}
    table = []
    for task in tasks:
        mine = [s for s in summary if s["task"] == task.name]
        best = max(mine, key=lambda s: s["revenue_mean"])
        table.append(dict(task=task.name, in_suite=task.name in in_suite, num_tasks=task.config.num_tasks,
                          num_workers=task.config.num_workers, seeds=best["seeds"], bound=best["bound_mean"],
                          best_method=best["method"], best_revenue=best["revenue_mean"],
                          headroom=best["bound_mean"] / best["revenue_mean"],
                          unskilled_share=unskilled_share(task), about=task.about))
    write_csv(out, table)
    return table


def reused_rows(path: Path, tasks: list[SuiteTask], methods: list[str]) -> list[dict]:
    """The rows of ``path`` for the tasks it holds completely: every method at every test seed, relaxed bound."""
    with path.open() as f:
        found = [r for r in csv.DictReader(f) if r["method"] in methods]
    rows = []
    for task in tasks:
        mine = [r for r in found if r["task"] == task.name]
        if {(r["method"], int(r["seed"])) for r in mine if r["bound_kind"] == "relaxed"} == \
                {(m, s) for m in methods for s in task.test_seeds}:
            rows += [{k: v if k in ("task", "method", "city", "bound_kind") else float(v) for k, v in r.items()}
                     for r in mine]
    return rows


def markdown(table: list[dict], version: str) -> str:
    lines = [f"| candidate | in {version} | tasks x workers | bound | best cheap method | bound / best | "
             "payment nobody has the skills for |", "|---|---|---|---|---|---|---|"]
    for r in table:
        lines.append(f"| {r['task']} | {'yes' if r['in_suite'] else 'no'} | {r['num_tasks']} x {r['num_workers']} | "
                     f"{r['bound']:,.0f} | {r['best_method'].upper()} {r['best_revenue']:,.0f} | "
                     f"{r['headroom']:.2f} | {100 * r['unskilled_share']:.0f} % |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default=benchmarks.LATEST, help="suite version whose headroom tasks to measure")
    parser.add_argument("--jobs", type=int, default=1, help="processes")
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/suite_selection.csv"))
    parser.add_argument("--reuse", type=Path, default=None, help="a results.csv of dasc-eval --suite to read from")
    parser.add_argument("--doc", type=Path, default=None,
                        help="also write the table between <!-- selection VERSION begin/end --> in this file")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    table = select(args.suite, args.jobs, args.out, args.reuse)
    kept_low = [r["task"] for r in table if r["in_suite"] and r["headroom"] < benchmarks.HEADROOM]
    if kept_low:
        print(f"WARNING: suite tasks below {benchmarks.HEADROOM}x headroom: {', '.join(kept_low)}")
    command = shlex.join(argv if argv is not None else sys.argv[1:])
    text = (f"{markdown(table, args.suite)}\n\n`python -m experiments.suite_selection {command}`: "
            f"{time.perf_counter() - start:,.0f} s.")
    print(text)
    if args.doc is not None:
        write_between_markers(args.doc, f"selection {args.suite}", text)
    return table


if __name__ == "__main__":
    main()
