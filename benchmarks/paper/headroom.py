"""How much revenue Fig. 7's scenarios leave to win: the payments on offer, and how many of them are in reach.

A task pays rho only when every subtask is done by a worker with its skills who is within L^w (Eq. 1 and the
constraints of Sec. 2). Per city and grid point of ``fig7_grid.py`` at the same scale, mean over its seeds:

* ``payment``: sum of rho over all tasks, what a method could earn at most;
* ``skilled_payment``: sum of rho over the tasks whose every subtask some worker of the fleet has the skills for
  (K^tau subset of K^w); the rest can never complete;
* ``reachable_payment``: sum of rho over the tasks whose every subtask has such a worker within L^w of where the
  workers start. Not a bound (workers move as they serve tasks, so more comes into reach), but it shows how much
  of the payment any method can reach without relocating workers.

With ``--fig7 fig7.csv`` (that script's output) each row also gets the best baseline's revenue and its share of
``payment``.

    python benchmarks/paper/headroom.py --scale local --fig7 results/paper/fig7/fig7.csv
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from common import SCALES, write_csv
from fig7_grid import BASELINES, SETTINGS, grid_sizes


def payments(city: str, tasks: int, workers: int, seed: int, dasc: dict) -> tuple[float, float, float]:
    """(payment, skilled_payment, reachable_payment) of the scenario ``dasc-eval`` plays at this point and seed."""
    from dasc_env import DASCConfig, DASCParallelEnv

    env = DASCParallelEnv(DASCConfig(**dasc).replace(city=city, num_tasks=tasks, num_workers=workers))
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


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="local")
    parser.add_argument("--fig7", type=Path, help="fig7.csv of the same scale: add the best baseline's share")
    parser.add_argument("--out", type=Path, default=Path("results/paper/headroom.csv"))
    args = parser.parse_args(argv)
    if args.fig7 is not None and not args.fig7.is_file():
        parser.error(f"--fig7 {args.fig7}: no such file")
    setting = SETTINGS[args.scale]
    best = best_baselines(args.fig7) if args.fig7 else {}
    rows = []
    for city in setting["cities"]:
        for tasks, workers in grid_sizes(setting):
            seeds = [payments(city, tasks, workers, s, setting["dasc"]) for s in range(setting["seeds"])]
            payment, skilled, reachable = np.mean(seeds, axis=0)
            row = dict(city=city, num_tasks=tasks, num_workers=workers, payment=payment, skilled_payment=skilled,
                       reachable_payment=reachable)
            if best:
                method, revenue = best[(city, tasks, workers)]
                row.update(best_baseline=method, best_revenue=revenue, best_share=revenue / payment)
            rows.append(row)
    write_csv(args.out, rows)
    print(f"{'city':>8} {'tasks':>5} {'workers':>7} {'payment':>9} {'skilled':>9} {'reachable':>9} "
          f"{'best baseline':>22} {'share':>6}")
    for r in rows:
        tail = f"{r['best_baseline']:>12} {r['best_revenue']:>9.0f} {r['best_share']:>6.2f}" if best else ""
        print(f"{r['city']:>8} {r['num_tasks']:>5} {r['num_workers']:>7} {r['payment']:>9.0f} "
              f"{r['skilled_payment']:>9.0f} {r['reachable_payment']:>9.0f} {tail}")
    print(f"wrote {args.out}")
    return rows


if __name__ == "__main__":
    main()
