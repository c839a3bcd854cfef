"""Regenerate the suite's reference data (``dasc_env.bounds.reference``): per test seed, the best-known plan and bound.

    python -m experiments.reference_data --tasks small-quick --time-limit 30 --jobs 2

Per task and test seed (the first ``--seeds``): every reference method (``REFERENCE_METHODS``, and TUNED-KM where
the task has a shipped tuning) plays the episode; ``improve_plan`` starts from their ledgers (and the clairvoyant
greedy plan) and searches for ``--time-limit`` seconds, one CP-SAT thread, seeded by the episode's seed. The plan
is replayed in the env (``replay_plan``; a plan that does not execute cleanly stops the run: it is a bug), and
the relaxed bound is computed. The published row changes only where the new plan earns more or the new bound is
tighter (``--dry-run``: print, publish nothing). Prints one line per episode.
"""

from __future__ import annotations

import argparse
import math
import time
from concurrent.futures import ProcessPoolExecutor

from benchmarks.report import fmt
from dasc_env.benchmarks import LATEST, REFERENCE_METHODS, TUNED_KM, get, make, tasks
from dasc_env.bounds import Reference, improve_plan, publish, reference, relaxed_bound, replay_plan
from dasc_env.bounds.reference_data import status_of
from dasc_env.evaluation.runner import single_threaded
from experiments.best_known import method_ledgers

SMALL = tuple(t.name for t in tasks(LATEST) if t.name.startswith("small-"))
"""The small-city tasks of the latest suite: the default ``--tasks``."""


def methods_of(task: str) -> list[str]:
    """The methods whose ledgers start the search: ``REFERENCE_METHODS``, and TUNED-KM where ``task`` is tuned."""
    return [*REFERENCE_METHODS, *(["tuned-km"] if task in TUNED_KM else [])]


def best_known(env, methods, seed: int, time_limit: float) -> tuple[object, dict[str, float]]:
    """The plan ``improve_plan`` finds in ``time_limit`` s from ``methods``' ledgers on ``env``'s episode ``seed``,
    replayed clean (RuntimeError otherwise: a plan that does not execute is a bug), and each method's E(M)."""
    scenario, graph, config = env.scenario, env.graph, env.config
    ledgers = method_ledgers(env, methods, seed)
    plan, _ = improve_plan(scenario, graph, config, [ledger for _, ledger in ledgers.values()],
                           time_limit=time_limit, seed=seed)
    replay = replay_plan(plan, scenario, graph, config)
    if replay.problems:
        raise RuntimeError(f"seed {seed}: the plan found does not replay cleanly: {replay.problems[:3]}")
    return plan, {method: revenue for method, (revenue, _) in ledgers.items()}


def search(suite: str, task: str, seed: int, time_limit: float) -> tuple[Reference, object, str, float, float]:
    """The reference of one episode found now, its plan, the best method, its E(M) and the wall time."""
    begin = time.perf_counter()
    env = make(task, seed, suite)
    plan, revenues = best_known(env, methods_of(task), seed, time_limit)
    best_method = max(revenues, key=revenues.get)
    bound = relaxed_bound(env.scenario, env.graph, env.config).bound
    found_by = "lns" if plan.revenue > revenues[best_method] else f"method:{best_method}"
    entry = Reference(suite, task, seed, plan.revenue, found_by, time_limit, bound, "relaxed",
                      status_of(plan.revenue, bound))
    return entry, plan, best_method, revenues[best_method], time.perf_counter() - begin


def merge(old: Reference | None, new: Reference, plan) -> tuple[Reference, object | None, str]:
    """The entry to publish (the better plan and the tighter bound of ``old`` and ``new``), the plan to write
    (None: keep the published one) and what changed."""
    if old is None:
        return new, plan, "new"
    better_plan = new.best_known > old.best_known + 1e-6 * max(1.0, old.best_known)
    tighter = new.bound < old.bound - 1e-6 * max(1.0, old.bound)
    primal = new if better_plan else old
    dual = new if tighter else old
    merged = Reference(new.suite, new.task, new.seed, primal.best_known, primal.found_by, primal.budget_s, dual.bound,
                       dual.bound_by, status_of(primal.best_known, dual.bound))
    what = ", ".join(w for w, yes in (("plan", better_plan), ("bound", tighter)) if yes) or "unchanged"
    return merged, plan if better_plan else None, what


def main(argv: list[str] | None = None) -> list[Reference]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default=LATEST)
    parser.add_argument("--tasks", default=",".join(SMALL), help="comma-separated task names (default: the small ones)")
    parser.add_argument("--seeds", type=int, default=None, help="only the first N test seeds of each task")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds of search per episode")
    parser.add_argument("--jobs", type=int, default=1, help="episodes in parallel processes")
    parser.add_argument("--dry-run", action="store_true", help="print what was found, publish nothing")
    args = parser.parse_args(argv)
    chosen = [get(name, args.suite) for name in args.tasks.split(",") if name]
    if args.seeds is not None and args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        parser.error(f"--time-limit must be a positive number of seconds, got {args.time_limit}")
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    jobs = [(args.suite, t.name, s, args.time_limit) for t in chosen for s in t.test_seeds[:args.seeds]]
    print(f"{'task':>22} {'seed':>8} {'best method':>16} {'best-known':>10} {'bound':>8} {'gap':>6} {'change':>12} "
          f"{'wall s':>7}", flush=True)
    published = []
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=single_threaded) as pool:
        for entry, plan, best_method, method_revenue, wall_s in pool.map(search, *zip(*jobs)):
            merged, new_plan, what = merge(reference(entry.task, entry.seed, entry.suite), entry, plan)
            if not args.dry_run and what != "unchanged":
                publish(merged, new_plan)
            published.append(merged)
            print(f"{merged.task:>22} {merged.seed:>8} {best_method:>7} {fmt(method_revenue):>8} "
                  f"{fmt(merged.best_known):>10} {fmt(merged.bound):>8} {merged.gap:>6.2f} {what:>12} "
                  f"{wall_s:>7.0f}", flush=True)
    return published


if __name__ == "__main__":
    main()
