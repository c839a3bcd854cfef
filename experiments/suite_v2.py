"""Suite v2's small tasks, chosen on winnable headroom (issue #33): the best-known hindsight plan against the best
online reference method.

Per candidate (v1's small tasks, and the new ones of ``CANDIDATES``), on its first ``--seeds`` test seeds: the
reference methods (``REFERENCE_METHODS``, WAIT-KM included; TUNED-KM is not one) play the episode, and
``improve_plan`` searches ``--time-limit`` seconds from their ledgers (``experiments.reference_data.best_known``:
the plan replays clean or the run stops). Per candidate:

* ``best_method``, ``method_mean``: the reference method with the highest mean E(M) over the seeds, and that mean;
* ``best_known_mean``: the mean E(M) of the plans found;
* ``winnable``: best_known_mean / method_mean, with the 95 % interval of the per-seed ratio to that method.

A task is kept when ``winnable`` >= ``WINNABLE`` (1.2). The best-known plan is a lower bound on the hindsight
optimum, so a longer search can only raise ``winnable``: a candidate below the bar was measured at that budget.

    nice python -m experiments.suite_v2 --seeds 5 --time-limit 30 --jobs 2    # writes results/benchmarks/suite_v2.csv
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.report import write_csv
from dasc_env import DASCParallelEnv, benchmarks
from dasc_env.benchmarks.suite import SMALL_TEST_SEEDS, TRAIN_SEEDS, SuiteTask
from dasc_env.evaluation.regret import interval95
from dasc_env.evaluation.runner import single_threaded
from experiments.leaderboard import write_between_markers
from experiments.reference_data import best_known
from experiments.suite_selection import NOT_KEPT

WINNABLE = 1.2
"""A v2 task's mean best-known plan over its test seeds is at least this times the best reference method's mean."""
_SMALL = benchmarks.get("small-scarce-skilled", "v1").config
_RUSH = benchmarks.get("small-rush-hour", "v1").config


def _new(name: str, config, about: str) -> SuiteTask:
    return SuiteTask(name, config, TRAIN_SEEDS, SMALL_TEST_SEEDS, about)


CANDIDATES = (
    _new("small-rush-tight", _RUSH.replace(expected_factor=1.05, deadline_factor=1.5),
         "30 tasks in 10 minutes for 12 workers, with tight deadlines (1.05x, 1.5x)"),
    _new("small-rush-40", _RUSH.replace(num_tasks=40), "40 tasks in 10 minutes for 12 workers"),
    _new("small-rush-40-tight", _RUSH.replace(num_tasks=40, expected_factor=1.05, deadline_factor=1.5),
         "40 tasks in 10 minutes for 12 workers, with tight deadlines (1.05x, 1.5x)"),
    _new("small-tight-6-workers", _SMALL.replace(num_workers=6, expected_factor=1.05, deadline_factor=1.5),
         "20 tasks for 6 workers with tight deadlines (1.05x, 1.5x)"),
    *(t for t in NOT_KEPT if t.name == "small-tight-20-workers"),  # v1's candidate not kept, screened again
    _new("small-costly-delay", _SMALL.replace(zeta=0.1, expected_factor=1.05),
         "a tenth of the payment lost per minute late (zeta 0.1) and t_e close to the work (1.05x)"),
    _new("small-deep-tight", _SMALL.replace(dag_edge_prob=0.8, expected_factor=1.05, deadline_factor=1.5),
         "long dependency chains (edge probability 0.8) with tight deadlines (1.05x, 1.5x)"),
    _new("small-long-subtasks", _SMALL.replace(min_duration=300.0, max_duration=900.0),
         "subtasks of 5-15 minutes: a worker taken is gone for long"),
    _new("small-slow-workers", _SMALL.replace(worker_speed=3.0, worker_range=3000.0),
         "workers on foot (3 m/s, range 3 km): who goes where costs minutes"),
)
"""New candidates, beside v1's small tasks."""


def candidates() -> list[tuple[str, SuiteTask]]:
    """(where from, task) of every candidate: v1's small tasks, then ``CANDIDATES``."""
    return [("v1", t) for t in benchmarks.tasks("v1") if t.name.startswith("small-")] + \
        [("new", t) for t in CANDIDATES]


def measure(task: SuiteTask, seed: int, time_limit: float) -> dict:
    """One episode: every reference method's E(M), the best-known plan's, and the wall time."""
    begin = time.perf_counter()
    env = DASCParallelEnv(task.config)
    env.reset(seed=seed)
    plan, revenues = best_known(env, benchmarks.REFERENCE_METHODS, seed, time_limit)
    return dict(task=task.name, seed=seed, best_known=plan.revenue, wall_s=time.perf_counter() - begin, **revenues)


def winnable(rows: list[dict]) -> dict:
    """The summary of one candidate's episodes (the module docstring's columns)."""
    means = {m: float(np.mean([r[m] for r in rows])) for m in benchmarks.REFERENCE_METHODS}
    best = max(means, key=means.get)
    known = float(np.mean([r["best_known"] for r in rows]))
    _, lo, hi = interval95([r["best_known"] / r[best] for r in rows])
    return dict(task=rows[0]["task"], seeds=len(rows), best_method=best, method_mean=means[best],
                best_known_mean=known, winnable=known / means[best], winnable_lo=lo, winnable_hi=hi,
                wall_s_per_seed=float(np.mean([r["wall_s"] for r in rows])))


def markdown(table: list[dict], tasks: dict[str, tuple[str, SuiteTask]]) -> str:
    lines = ["| candidate | from | tasks x workers | best reference method | best-known | best-known / best method "
             "[95 %] | kept |", "|---|---|---|---|---|---|---|"]
    for r in table:
        origin, task = tasks[r["task"]]
        lines.append(f"| {r['task']} | {origin} | {task.config.num_tasks} x {task.config.num_workers} | "
                     f"{r['best_method'].upper()} {r['method_mean']:,.0f} | {r['best_known_mean']:,.0f} | "
                     f"{r['winnable']:.3f} [{r['winnable_lo']:.3f}, {r['winnable_hi']:.3f}] | "
                     f"{'yes' if r['winnable'] >= WINNABLE else 'no'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default=None, help="comma-separated candidate names (default: every candidate)")
    parser.add_argument("--seeds", type=int, default=5, help="the first N test seeds of each candidate")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds of search per episode")
    parser.add_argument("--jobs", type=int, default=1, help="episodes in parallel processes")
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/suite_v2.csv"))
    parser.add_argument("--doc", type=Path, default=None,
                        help="also write the table between <!-- selection v2 begin/end --> in this file")
    args = parser.parse_args(argv)
    everything = {t.name: (origin, t) for origin, t in candidates()}
    names = args.tasks.split(",") if args.tasks else list(everything)
    unknown = [n for n in names if n not in everything]
    if unknown:
        parser.error(f"unknown candidates {unknown}; the candidates: {', '.join(everything)}")
    if not 1 <= args.seeds <= len(SMALL_TEST_SEEDS):
        parser.error(f"--seeds must be in 1..{len(SMALL_TEST_SEEDS)}, got {args.seeds}")
    if not args.time_limit > 0 or args.jobs < 1:
        parser.error("--time-limit must be > 0 and --jobs >= 1")
    start = time.perf_counter()
    jobs = [(everything[n][1], s, args.time_limit) for n in names for s in everything[n][1].test_seeds[:args.seeds]]
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=single_threaded) as pool:
        rows = list(pool.map(measure, *zip(*jobs)))
    write_csv(args.out.with_name(args.out.stem + "_episodes.csv"), rows)
    table = [winnable([r for r in rows if r["task"] == n]) for n in names]
    write_csv(args.out, table)
    command = shlex.join(argv if argv is not None else sys.argv[1:])
    text = (f"{markdown(table, everything)}\n\n`python -m experiments.suite_v2 {command}`: "
            f"{time.perf_counter() - start:,.0f} s.")
    print(text)
    if args.doc is not None:
        write_between_markers(args.doc, "selection v2", text)
    return table


if __name__ == "__main__":
    main()
