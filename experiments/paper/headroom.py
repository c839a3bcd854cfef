"""How much revenue Fig. 7's scenarios leave to win: the payments on offer, how many are in reach, and (``--bound``)
how far the best method is from an upper bound on Eq. 2.

A task pays rho only when every subtask is done by a worker with its skills who is within L^w (Eq. 1 and the
constraints of Sec. 2). Per city and grid point of ``fig7_grid.py`` at the same scale, mean over its seeds:

* ``payment``: sum of rho over all tasks, what a method could earn at most;
* ``skilled_payment``: sum of rho over the tasks whose every subtask some worker of the fleet has the skills for
  (K^tau subset of K^w); the rest can never complete;
* ``reachable_payment``: sum of rho over the tasks whose every subtask has such a worker within L^w of where the
  workers start. Not a bound (workers move as they serve tasks, so more comes into reach), but it shows how much
  of the payment any method can reach without relocating workers.

With ``--fig7 fig7.csv`` (that script's output) each row also gets the best baseline's revenue and its share of
``payment``. With ``--bound relaxed|exact|auto`` the script scores ``--methods`` (default: the cheap non-learning
ones) through ``dasc-eval``'s harness at every point and seed, with each episode's upper bound (see
``dasc-eval --help``), and each row gets the mean ``bound``, the best method (highest mean revenue), its revenue
and its share of the bound (mean of revenue / bound over the seeds, with a 95 % interval); the harness's rows go
to ``results.csv`` beside ``--out``.

    python -m experiments.paper.headroom --scale local --fig7 results/paper/fig7/fig7.csv
    python -m experiments.paper.headroom --scale full --seeds 3 --bound relaxed --jobs 2   # Table 2, 3 seeds
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from dasc_env.benchmarks import CHEAP_METHODS

from .common import SCALES, write_csv
from .fig7_grid import BASELINES, SETTINGS, grid_sizes


def payments(config, seed: int) -> tuple[float, float, float]:
    """(payment, skilled_payment, reachable_payment) of the scenario ``dasc-eval`` plays for ``config`` and seed."""
    from dasc_env import DASCParallelEnv

    env = DASCParallelEnv(config)
    env.reset(seed=seed)
    sc = env.scenario
    skilled, dist = env.reach(np.arange(sc.num_subtasks), np.arange(sc.num_workers))
    near = skilled & (dist <= env.config.worker_range)

    def paid(covered: np.ndarray) -> float:
        missing = np.bincount(sc.subtask_task, weights=~covered.any(axis=1), minlength=sc.num_tasks)
        return float(sc.task_payment[missing == 0].sum())

    return float(sc.task_payment.sum()), paid(skilled), paid(near)


def best_baselines(path: Path) -> dict[tuple, tuple[str, float]]:
    """(city, tasks, workers) -> (method, mean revenue) of the best baseline in a ``fig7.csv``."""
    best: dict[tuple, tuple[str, float]] = {}
    with path.open() as f:
        for r in csv.DictReader(f):
            key = (r["city"], int(r["num_tasks"]), int(r["num_workers"]))
            if r["method"] in BASELINES and float(r["revenue_mean"]) > best.get(key, ("", -np.inf))[1]:
                best[key] = (r["method"], float(r["revenue_mean"]))
    return best


def bounded_best(setting: dict, seeds: int, methods: list[str], how: str, jobs: int, out: Path) -> dict[tuple, dict]:
    """(city, tasks, workers) -> the mean bound and the best method's revenue and share of the bound."""
    from dasc_env import DASCConfig
    from dasc_env.evaluation import EvalPoint, run_grid, summarize

    points = [EvalPoint(m, c, t, w, s) for c in setting["cities"] for t, w in grid_sizes(setting)
              for s in range(seeds) for m in methods]
    rows = run_grid(points, DASCConfig(**setting["dasc"]), jobs=jobs, progress=False, bound=how)
    write_csv(out.with_name("results.csv"), rows)
    best: dict[tuple, dict] = {}
    for s in summarize(rows):
        key = (s["city"], s["num_tasks"], s["num_workers"])
        if s["revenue_mean"] > best.get(key, {}).get("best_method_revenue", -np.inf):
            best[key] = dict(bound=s["bound_mean"], bound_kind=s["bound_kind"], best_method=s["method"],
                             best_method_revenue=s["revenue_mean"], share_of_bound=s["share_mean"],
                             share_lo=s["share_lo"], share_hi=s["share_hi"])
    return best


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="local")
    parser.add_argument("--fig7", type=Path, help="fig7.csv of the same scale: add the best baseline's share")
    parser.add_argument("--bound", choices=("relaxed", "exact", "auto"),
                        help="score --methods with each episode's upper bound: the best method's share of it")
    parser.add_argument("--methods", default=",".join(CHEAP_METHODS), help="methods scored with --bound")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (default: the scale's)")
    parser.add_argument("--jobs", type=int, default=1, help="processes for --bound")
    parser.add_argument("--out", type=Path, default=Path("results/paper/headroom.csv"))
    args = parser.parse_args(argv)
    if args.fig7 is not None and not args.fig7.is_file():
        parser.error(f"--fig7 {args.fig7}: no such file")
    if args.seeds is not None and args.seeds < 1:
        parser.error(f"--seeds {args.seeds} must be >= 1")
    setting = SETTINGS[args.scale]
    seeds = args.seeds or setting["seeds"]
    best = best_baselines(args.fig7) if args.fig7 else {}
    bounded = bounded_best(setting, seeds, [m for m in args.methods.split(",") if m], args.bound, args.jobs,
                           args.out) if args.bound else {}
    rows = []
    for city in setting["cities"]:
        for tasks, workers in grid_sizes(setting):
            config = _config(setting, city, tasks, workers)
            payment, skilled, reachable = np.mean([payments(config, s) for s in range(seeds)], axis=0)
            row = dict(city=city, num_tasks=tasks, num_workers=workers, payment=payment, skilled_payment=skilled,
                       reachable_payment=reachable)
            if best:
                method, revenue = best[(city, tasks, workers)]
                row.update(best_baseline=method, best_revenue=revenue, best_share=revenue / payment)
            row.update(bounded.get((city, tasks, workers), {}))
            rows.append(row)
    write_csv(args.out, rows)
    print_table(rows, bool(best), bool(bounded))
    print(f"wrote {args.out}")
    return rows


def _config(setting: dict, city: str, tasks: int, workers: int):
    from dasc_env import DASCConfig

    return DASCConfig(**setting["dasc"]).replace(city=city, num_tasks=tasks, num_workers=workers)


def print_table(rows: list[dict], fig7: bool, bounded: bool) -> None:
    print(f"{'city':>8} {'tasks':>5} {'workers':>7} {'payment':>9} {'skilled':>9} {'reachable':>9}"
          + f" {'best baseline':>22} {'share':>6}" * fig7
          + f" {'bound':>9} {'best of --methods':>22} {'share of bound [95 % interval]':>31}" * bounded)
    for r in rows:
        line = (f"{r['city']:>8} {r['num_tasks']:>5} {r['num_workers']:>7} {r['payment']:>9.0f} "
                f"{r['skilled_payment']:>9.0f} {r['reachable_payment']:>9.0f}")
        if fig7:
            line += f" {r['best_baseline']:>12} {r['best_revenue']:>9.0f} {r['best_share']:>6.2f}"
        if bounded:
            line += (f" {r['bound']:>9.0f} {r['best_method']:>12} {r['best_method_revenue']:>9.0f}"
                     f" {r['share_of_bound']:>12.3f} [{r['share_lo']:.3f}, {r['share_hi']:.3f}]")
        print(line)


if __name__ == "__main__":
    main()
