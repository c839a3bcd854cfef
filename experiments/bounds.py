"""How tight and how fast the bounds of ``dasc_env.bounds`` are (issue 18). Writes ``results/bounds/bounds.csv``.

Per small-city family (tasks x workers 5 x 8, 10 x 15, 20 x 30; generator knobs ``FAMILY``) and seed:
``solve_exact``'s status, wall time and gap (its proven bound against the best plan it found), ``relaxed_bound``
and its wall time, and the tightness ratio relaxed / optimum where the solver proves optimality, relaxed /
best found otherwise (an upper estimate of the true ratio then). ``best_gap`` is the gap against the smaller of
the two bounds. Then ``relaxed_bound``'s wall time at Chengdu 60 x 500 and 60 x 300 (the paper's defaults).
Every episode is drawn by ``DASCParallelEnv.reset(seed=...)``; CP-SAT runs ``--solver-threads`` threads.

    nice -n 10 python -m experiments.bounds --seeds 3 --time-limit 60
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from benchmarks.report import fmt, write_csv
from dasc_env import DASCConfig, DASCParallelEnv
from dasc_env.bounds import relaxed_bound, solve_exact

FAMILY = dict(city="small", num_skills=4, worker_skill_mean=2.0, min_subtasks=1, max_subtasks=4,
              arrival_window=900.0, decision_interval=15.0)
"""The small-city instances: paper defaults but for these (the default 6-16 subtasks of 10 skills leave no task
of the small city's few workers completable, so every bound would be 0)."""
SMALL_SIZES = ((5, 8), (10, 15), (20, 30))
CHENGDU_SIZES = ((60, 500), (60, 300))
COLUMNS = ("city", "num_tasks", "num_workers", "seed", "subtasks", "status", "exact_wall_s", "revenue", "exact_bound",
           "gap", "relaxed", "relaxed_wall_s", "binding", "tightness", "tightness_vs", "best_gap")


def episode(seed: int, **config):
    env = DASCParallelEnv(DASCConfig(**config))
    env.reset(seed=seed)
    return env.scenario, env.graph, env.config


def small_row(tasks: int, workers: int, seed: int, time_limit: float, threads: int) -> dict:
    scenario, graph, config = episode(seed, num_tasks=tasks, num_workers=workers, **FAMILY)
    relaxed = relaxed_bound(scenario, graph, config)
    plan = solve_exact(scenario, graph, config, time_limit=time_limit, workers=threads, seed=seed)
    best = min(plan.bound, relaxed.bound)
    return dict(city="small", num_tasks=tasks, num_workers=workers, seed=seed, subtasks=scenario.num_subtasks,
                status=plan.status, exact_wall_s=plan.wall_s, revenue=plan.revenue, exact_bound=plan.bound,
                gap=plan.gap, relaxed=relaxed.bound, relaxed_wall_s=relaxed.wall_s, binding=relaxed.binding,
                tightness=relaxed.bound / plan.revenue if plan.revenue > 0 else math.nan,
                tightness_vs="optimum" if plan.status == "optimal" else "best found",
                best_gap=(best - plan.revenue) / best if best > 0 else 0.0)


def chengdu_row(tasks: int, workers: int, seed: int) -> dict:
    scenario, graph, config = episode(seed, num_tasks=tasks, num_workers=workers, city="chengdu")
    relaxed = relaxed_bound(scenario, graph, config)
    return dict.fromkeys(COLUMNS, math.nan) | dict(
        city="chengdu", num_tasks=tasks, num_workers=workers, seed=seed, subtasks=scenario.num_subtasks,
        status="-", tightness_vs="-", relaxed=relaxed.bound, relaxed_wall_s=relaxed.wall_s, binding=relaxed.binding)


SHOWN = ("city", "num_tasks", "num_workers", "seed", "status", "exact_wall_s", "revenue", "exact_bound", "gap",
         "relaxed", "relaxed_wall_s", "tightness", "tightness_vs")
"""The columns of the printed table."""


def print_row(row: dict | None) -> None:
    """One line of the table (the header for ``None``), as soon as it is measured."""
    cells = SHOWN if row is None else (row[c] if isinstance(row[c], int) else fmt(row[c]) for c in SHOWN)
    print(" ".join(f"{c:>13}" for c in cells), flush=True)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per family and Chengdu point")
    parser.add_argument("--time-limit", type=float, default=60.0, help="solve_exact's limit per instance, seconds")
    parser.add_argument("--solver-threads", type=int, default=2, help="CP-SAT search threads")
    parser.add_argument("--out", type=Path, default=Path("results/bounds/bounds.csv"))
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        parser.error(f"--time-limit must be a positive number of seconds, got {args.time_limit}")
    measure = [lambda t=t, w=w, s=s: small_row(t, w, s, args.time_limit, args.solver_threads)
               for t, w in SMALL_SIZES for s in range(args.seeds)]
    measure += [lambda t=t, w=w, s=s: chengdu_row(t, w, s) for t, w in CHENGDU_SIZES for s in range(args.seeds)]
    print_row(None)
    rows = []
    for run in measure:
        rows.append(run())
        print_row(rows[-1])
    write_csv(args.out, rows)
    print(f"wrote {args.out}")
    return rows


if __name__ == "__main__":
    main()
