"""A KM rule at a tuned eta: the bar for a learner that learns eta (``meta.variant="rmo"``).

    python -m experiments.eta_grid --task small-quick --methods km,all --jobs 2

KM matches on the utility of Eq. 12 with weights v = (alpha beta, alpha (1 - beta), 1 - alpha) (Eq. 13), and the
suite scores it at the task's eta (the paper's (0.95, 0.10): mostly distance). Which weights earn most depends on
the point, and a learner that learns eta gains whatever a better eta is worth, recommendation aside. This script
measures that: for each method (a rule with KM matching: ``km``, ``ready-km``, ``all``), E(M) at every
(alpha, beta) of the grid on the task's first ``--tune-seeds`` training seeds; the best of them is the tuned
eta. Then, on the task's test seeds, the method at the task's eta and at the tuned eta, and the paired
difference with its 95 % Student-t interval over the test seeds. Writes ``grid.csv`` and ``summary.csv`` under
``--out`` when given.
"""

from __future__ import annotations

import argparse
import itertools
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

import dasc_env
from benchmarks.report import fmt, write_csv
from dasc_env.evaluation.regret import interval95
from dasc_env.evaluation.runner import EvalPoint, evaluate_point, single_threaded

METHODS = ("km", "ready-km", "all")
"""The rules with KM matching that take an ``eta`` option."""


def revenues(task, method: str, eta: tuple[float, float], seeds, pool: ProcessPoolExecutor | None) -> np.ndarray:
    """E(M) of ``method`` matching with ``eta`` on each episode of ``task`` in ``seeds``."""
    config = task.config
    points = [EvalPoint(method, config.city, config.num_tasks, config.num_workers, s) for s in seeds]
    run = pool.map if pool else map
    rows = run(evaluate_point, points, [config] * len(points), [{method: {"eta": eta}}] * len(points))
    return np.array([r["revenue"] for r in rows])


def tune(task, method: str, grid: list[tuple[float, float]], seeds, pool) -> list[dict]:
    """One row per eta of ``grid``: mean E(M) of ``method`` on ``seeds``."""
    return [{"task": task.name, "method": method, "alpha": a, "beta": b,
             "revenue": float(revenues(task, method, (a, b), seeds, pool).mean())} for a, b in grid]


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="small-quick", help="a task of dasc_env.benchmarks")
    parser.add_argument("--methods", default="km", help=f"comma-separated, of {', '.join(METHODS)}")
    parser.add_argument("--alphas", default="0.1,0.3,0.5,0.7,0.95", help="comma-separated alpha values")
    parser.add_argument("--betas", default="0.1,0.3,0.5,0.7,0.9", help="comma-separated beta values")
    parser.add_argument("--tune-seeds", type=int, default=20, help="the first N training seeds tune eta")
    parser.add_argument("--test-seeds", type=int, default=None, help="only the first N test seeds")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", default=None, help="folder for grid.csv and summary.csv")
    args = parser.parse_args(argv)
    task = dasc_env.benchmarks.get(args.task)
    methods = args.methods.split(",")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"--methods {unknown} not among {METHODS}")
    grid = list(itertools.product(*(sorted({float(v) for v in text.split(",")}) for text in (args.alphas, args.betas))))
    tune_seeds, test_seeds = list(task.train_seeds[:args.tune_seeds]), list(task.test_seeds[:args.test_seeds])
    given = (task.config.alpha, task.config.beta)
    pool = ProcessPoolExecutor(args.jobs, initializer=single_threaded) if args.jobs > 1 else None
    grid_rows, summary = [], []
    try:
        for method in methods:
            rows = tune(task, method, grid, tune_seeds, pool)
            grid_rows += rows
            best = max(rows, key=lambda r: r["revenue"])
            tuned = (best["alpha"], best["beta"])
            at_given = revenues(task, method, given, test_seeds, pool)
            at_tuned = revenues(task, method, tuned, test_seeds, pool)
            mean, low, high = interval95(at_tuned - at_given)
            summary.append({"task": task.name, "method": method, "given_eta": f"{given[0]},{given[1]}",
                            "revenue_given": float(at_given.mean()), "tuned_eta": f"{tuned[0]},{tuned[1]}",
                            "revenue_tuned": float(at_tuned.mean()), "diff": mean, "diff_low": low,
                            "diff_high": high, "test_seeds": len(test_seeds)})
    finally:
        if pool:
            pool.shutdown()
    print(f"{task.name}: eta tuned on {len(tune_seeds)} training seeds over {len(grid)} points, scored on "
          f"{len(test_seeds)} test seeds (tuned minus given, 95 % interval)")
    print(f"{'method':<10} {'task eta':>10} {'E(M)':>7} {'tuned eta':>10} {'E(M)':>7} {'difference':>26}")
    for r in summary:
        print(f"{r['method']:<10} {r['given_eta']:>10} {fmt(r['revenue_given']):>7} {r['tuned_eta']:>10} "
              f"{fmt(r['revenue_tuned']):>7} {r['diff']:+8.0f} [{r['diff_low']:+.0f}, {r['diff_high']:+.0f}]")
    if args.out:
        write_csv(Path(args.out) / "grid.csv", grid_rows)
        write_csv(Path(args.out) / "summary.csv", summary)
    return summary


if __name__ == "__main__":
    main()
