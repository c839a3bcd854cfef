"""Tune TUNED-KM on a suite task's training seeds: which (ready, busy_sooner) cells to recommend, and eta.

    python -m experiments.tune_km --task small-quick --tune-seeds 10 --jobs 2

Coordinate search from KM (cells "0101" at the task's eta), every candidate on the same first ``--tune-seeds``
training seeds (common random numbers, so candidates differ only by their rule): the (alpha, beta) grid at the
current cells, then the 16 cell sets at the current eta, repeated until a round changes neither (at most
``--rounds``). Ties keep the current value. Then, on the task's test seeds, TUNED-KM against KM and WAIT-KM,
the paired differences with their 95 % Student-t intervals. Prints the ``TunedRule`` to ship in
``dasc_env.benchmarks.tuned.TUNED_KM``; writes ``search.csv`` and ``summary.csv`` under ``--out`` when given.
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

CELL_SETS = tuple("".join(bits) for bits in itertools.product("01", repeat=4))
"""Every on/off choice of the four cells, spelled as ``TunedKMPolicy``'s ``cells``."""


def revenues(task, method: str, options: dict, seeds, pool: ProcessPoolExecutor | None) -> np.ndarray:
    """E(M) of ``method`` built with ``options`` on each episode of ``task`` in ``seeds``."""
    config = task.config
    points = [EvalPoint(method, config.city, config.num_tasks, config.num_workers, s) for s in seeds]
    run = pool.map if pool else map
    rows = run(evaluate_point, points, [config] * len(points), [{method: options}] * len(points))
    return np.array([r["revenue"] for r in rows])


def search(task, grid, seeds, rounds: int, pool) -> tuple[str, tuple[float, float], list[dict]]:
    """The coordinate search; returns the cells, the eta and one row per candidate scored."""
    cells, eta = "0101", (task.config.alpha, task.config.beta)
    rows, seen = [], {}

    def score(c, e):
        if (c, e) not in seen:
            seen[c, e] = float(revenues(task, "tuned-km", {"cells": c, "eta": e}, seeds, pool).mean())
            rows.append({"task": task.name, "cells": c, "alpha": e[0], "beta": e[1], "revenue": seen[c, e]})
        return seen[c, e]

    for _ in range(rounds):
        before = (cells, eta)
        eta = max(grid, key=lambda e: (score(cells, e), e == eta))
        cells = max(CELL_SETS, key=lambda c: (score(c, eta), c == cells))
        if (cells, eta) == before:
            break
    return cells, eta, rows


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="small-quick", help="a task of dasc_env.benchmarks")
    parser.add_argument("--alphas", default="0.1,0.3,0.5,0.7,0.95", help="comma-separated alpha values")
    parser.add_argument("--betas", default="0.1,0.3,0.5,0.7,0.9", help="comma-separated beta values")
    parser.add_argument("--tune-seeds", type=int, default=10, help="the first N training seeds tune the rule")
    parser.add_argument("--rounds", type=int, default=3, help="at most this many rounds of the coordinate search")
    parser.add_argument("--test-seeds", type=int, default=None, help="only the first N test seeds")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", default=None, help="folder for search.csv and summary.csv")
    args = parser.parse_args(argv)
    task = dasc_env.benchmarks.get(args.task)
    grid = list(itertools.product(*(sorted({float(v) for v in text.split(",")}) for text in (args.alphas, args.betas))))
    given = (task.config.alpha, task.config.beta)
    if given not in grid:
        grid.append(given)
    tune_seeds, test_seeds = list(task.train_seeds[:args.tune_seeds]), list(task.test_seeds[:args.test_seeds])
    pool = ProcessPoolExecutor(args.jobs, initializer=single_threaded) if args.jobs > 1 else None
    try:
        cells, eta, rows = search(task, grid, tune_seeds, args.rounds, pool)
        tuned = revenues(task, "tuned-km", {"cells": cells, "eta": eta}, test_seeds, pool)
        rivals = {m: revenues(task, m, {}, test_seeds, pool) for m in ("km", "wait-km")}
    finally:
        if pool:
            pool.shutdown()
    summary = {"task": task.name, "cells": cells, "alpha": eta[0], "beta": eta[1], "tune_seeds": len(tune_seeds),
               "candidates": len(rows), "train_revenue": max(r["revenue"] for r in rows),
               "test_seeds": len(test_seeds), "tuned_km": float(tuned.mean())}
    for m, values in rivals.items():
        mean, low, high = interval95(tuned - values)
        summary |= {m: float(values.mean()), f"diff_{m}": mean, f"diff_{m}_low": low, f"diff_{m}_high": high}
    print(f"{task.name}: {len(rows)} candidates on {len(tune_seeds)} training seeds; tuned cells {cells}, eta "
          f"{eta[0]},{eta[1]} (training E(M) {fmt(summary['train_revenue'])})")
    print(f"test seeds ({len(test_seeds)}): tuned-km {fmt(summary['tuned_km'])}, " + ", ".join(
        f"{m} {fmt(summary[m])} (tuned minus {m} {summary[f'diff_{m}']:+.0f} [{summary[f'diff_{m}_low']:+.0f}, "
        f"{summary[f'diff_{m}_high']:+.0f}])" for m in rivals))
    flags = ", ".join(str(ch == "1") for ch in cells)
    print(f'ship: "{task.name}": TunedRule(cells=({flags}), eta=({eta[0]}, {eta[1]})),')
    if args.out:
        write_csv(Path(args.out) / "search.csv", rows)
        write_csv(Path(args.out) / "summary.csv", [summary])
    return summary


if __name__ == "__main__":
    main()
