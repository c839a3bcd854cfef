"""Best-known hindsight plans of suite episodes (issue 33): what a warm start and each search add.

Per suite task and test seed: every reference method (``dasc_env.benchmarks.REFERENCE_METHODS``) plays the
episode; the best ledger is the warm start. Then, each with the same ``--time-limit``:

* ``cpsat``: ``solve_exact`` on the whole model, hinted with the warm start (``incumbents``), ``--solver-threads``;
* ``lns``: ``improve_plan`` from the warm start, one thread, every neighbourhood in turn;
* ``lns-<kind>``: the same with one neighbourhood only (with ``--ablate``).

Every plan is replayed in the env (``replay_plan``); a row records its revenue, whether the replay was clean,
the relaxed bound, and the ratios plan / best method and bound / plan. Writes ``results/best_known/plans.csv``.

    nice -n 10 python -m experiments.best_known --tasks small-quick,small-deep-dags --seeds 3 --time-limit 60
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from benchmarks.report import fmt, write_csv
from dasc_env.baselines import make_method, run_episode
from dasc_env.benchmarks import REFERENCE_METHODS, get, make
from dasc_env.bounds import NEIGHBOURHOODS, improve_plan, relaxed_bound, replay_plan, solve_exact

SHOWN = ("task", "seed", "search", "revenue", "vs_best_method", "bound_vs_plan", "status", "clean", "wall_s")


def method_ledgers(env, methods, seed: int) -> dict[str, tuple[float, object]]:
    """Method name -> (E(M), ledger) of each of ``methods`` playing ``env``'s episode ``seed``."""
    ledgers = {}
    for method in methods:
        run_episode(env, make_method(method), seed)
        ledgers[method] = (env.total_revenue, env.ledger)
    return ledgers


def measure(task: str, seed: int, time_limit: float, threads: int, ablate: bool) -> list[dict]:
    """The rows of one episode: the best method, then each search."""
    env = make(task, seed)
    scenario, graph, config = env.scenario, env.graph, env.config
    ledgers = method_ledgers(env, REFERENCE_METHODS, seed)
    best_method = max(ledgers, key=lambda m: ledgers[m][0])
    best, start = ledgers[best_method]
    bound = relaxed_bound(scenario, graph, config).bound
    base = dict(task=task, seed=seed, subtasks=scenario.num_subtasks, best_method=best_method, best_revenue=best,
                relaxed=bound)
    rows = [base | dict(search=f"method:{best_method}", revenue=best, status="-", clean=True, wall_s=0.0,
                        exact_bound=math.nan)]
    searches = {"cpsat": lambda: solve_exact(scenario, graph, config, time_limit=time_limit, workers=threads,
                                             seed=seed, incumbents=[start]),
                "lns": lambda: improve_plan(scenario, graph, config, [start], time_limit=time_limit, seed=seed)[0]}
    if ablate:
        searches |= {f"lns-{k}": (lambda k=k: improve_plan(scenario, graph, config, [start], time_limit=time_limit,
                                                            seed=seed, neighbourhoods=(k,))[0]) for k in NEIGHBOURHOODS}
    for name, search in searches.items():
        begin = time.perf_counter()
        plan = search()
        wall = time.perf_counter() - begin
        replay = replay_plan(plan, scenario, graph, config)
        rows.append(base | dict(search=name, revenue=plan.revenue, status=plan.status, clean=not replay.problems,
                                wall_s=wall, exact_bound=plan.bound))
    for row in rows:
        row["vs_best_method"] = row["revenue"] / best if best > 0 else math.nan
        row["bound_vs_plan"] = bound / row["revenue"] if row["revenue"] > 0 else math.nan
    return rows


def print_row(row: dict | None) -> None:
    cells = SHOWN if row is None else (row[c] if isinstance(row[c], (int, str)) else fmt(row[c]) for c in SHOWN)
    print(" ".join(f"{c:>22}" if i < 3 else f"{c:>14}" for i, c in enumerate(cells)), flush=True)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="small-quick", help="comma-separated suite v1 task names")
    parser.add_argument("--seeds", type=int, default=3, help="the first N test seeds of each task")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per search and episode")
    parser.add_argument("--solver-threads", type=int, default=1, help="CP-SAT threads of the whole-model search")
    parser.add_argument("--ablate", action="store_true", help="also run LNS with each neighbourhood alone")
    parser.add_argument("--out", type=Path, default=Path("results/best_known/plans.csv"))
    args = parser.parse_args(argv)
    tasks = [t for t in args.tasks.split(",") if t]
    for t in tasks:
        get(t)  # a ValueError naming an unknown task before anything runs
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        parser.error(f"--time-limit must be a positive number of seconds, got {args.time_limit}")
    print_row(None)
    rows = []
    for task in tasks:
        for seed in get(task).test_seeds[:args.seeds]:
            for row in measure(task, seed, args.time_limit, args.solver_threads, args.ablate):
                rows.append(row)
                print_row(row)
    write_csv(args.out, rows)
    print(f"wrote {args.out}")
    return rows


if __name__ == "__main__":
    main()
