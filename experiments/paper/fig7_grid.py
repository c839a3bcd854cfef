"""Fig. 7: total revenue of RMO, REC and every baseline over Table 2's grid, on both synthetic cities.

Per city: one RMO run is trained (``rmo`` variant, ``practical`` preset) at the grid's centre point, then
``dasc-eval``'s harness scores RMO (learned recommendation, KM, learned eta), REC (the same
recommendations, greedy matching) and the baselines on the same scenarios per seed, over the tasks
sweep (at the centre's workers) and the workers sweep (at the centre's tasks). Every method is scored
by the same simulator and ledger. As a control, the untrained actor (the same run before its first update,
with eta at its initial value) is scored the same way, as ``rmo-untrained`` and ``rec-untrained``: what training
added is the difference. The paper's claim: RMO earns 2.2x-6.6x the baselines' revenue, stays
ahead of REC as tasks grow, and holds its revenue with few workers.

    python -m experiments.paper.fig7_grid --scale local --out results/paper/fig7

Scales (``--scale``):

* smoke: small city only, 4 tasks x 12 workers (30 s epochs), RMO trained 1 episode, tasks 3-4,
  workers 10-12, one seed (seconds);
* local: Chengdu- and Haikou-sized cities with the paper's env settings, RMO trained 12 episodes at
  60 x 300, tasks 20/60/100 at 300 workers and workers 100/300/500 at 60 tasks, seeds 0-2 (about an hour
  on 2 cores with ``--jobs 2``);
* full: the whole of Table 2 (tasks 20-100, workers 100-500), RMO trained 400 episodes per city, 5 seeds.

Writes per city ``<city>/results.csv``, ``summary.csv`` and the Fig. 7 plots (dasc-eval's outputs), and
``fig7.csv``: for every city and grid point, each method's revenue (mean, std) and RMO's and REC's ratio
to it; prints that table.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .common import SCALES, training_run, write_csv

BASELINES = ("greedy", "km", "game", "odta", "ready-km", "admit-km")
METHODS = ("rmo", "rec", *BASELINES)
SETTINGS = {
    "smoke": dict(cities=("small",), centre=(4, 12), tasks=(3, 4), workers=(10, 12), seeds=1, episodes=1,
                  dasc={"arrival_window": 300.0, "decision_interval": 30.0}),
    "local": dict(cities=("chengdu", "haikou"), centre=(60, 300), tasks=(20, 60, 100), workers=(100, 300, 500),
                  seeds=3, episodes=12, dasc={}),
    "full": dict(cities=("chengdu", "haikou"), centre=(60, 300), tasks=(20, 40, 60, 80, 100),
                 workers=(100, 200, 300, 400, 500), seeds=5, episodes=400, dasc={}),
}


def grid_sizes(setting: dict) -> list[tuple[int, int]]:
    """(tasks, workers) of the grid: the tasks sweep at the centre's workers and the workers sweep at its tasks."""
    tasks0, workers0 = setting["centre"]
    return sorted({(t, workers0) for t in setting["tasks"]} | {(tasks0, w) for w in setting["workers"]})


def grid_points(setting: dict, city: str, methods: tuple[str, ...] = METHODS) -> list:
    from dasc_env.evaluation.runner import EvalPoint

    return [EvalPoint(m, city, t, w, s) for t, w in grid_sizes(setting) for s in range(setting["seeds"])
            for m in methods]


def ratios(summary: list[dict]) -> list[dict]:
    """Per (city, tasks, workers, method): revenue mean and std, and RMO's and REC's ratio to that mean."""
    by_point: dict[tuple, dict[str, dict]] = {}
    for s in summary:
        by_point.setdefault((s["city"], s["num_tasks"], s["num_workers"]), {})[s["method"]] = s
    rows = []
    for (city, tasks, workers), methods in sorted(by_point.items()):
        for method, s in methods.items():
            mean = s["revenue_mean"]
            rows.append(dict(city=city, num_tasks=tasks, num_workers=workers, method=method, revenue_mean=mean,
                             revenue_std=s["revenue_std"],
                             rmo_ratio=methods["rmo"]["revenue_mean"] / mean if mean else float("nan"),
                             rec_ratio=methods["rec"]["revenue_mean"] / mean if mean else float("nan")))
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    from dasc_env import DASCConfig
    from dasc_env.evaluation.cli import report
    from dasc_env.evaluation.runner import run_grid

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="local")
    parser.add_argument("--jobs", type=int, default=2, help="evaluation episodes in parallel processes")
    parser.add_argument("--out", type=Path, default=Path("results/paper/fig7"))
    args = parser.parse_args(argv)
    setting = SETTINGS[args.scale]
    start = time.perf_counter()
    table = []
    for city in setting["cities"]:
        tasks0, workers0 = setting["centre"]
        point = dict(city=city, tasks=tasks0, workers=workers0, dasc=setting["dasc"])
        run = args.out / city / "rmo-train"
        training_run("rmo", 0, point, setting["episodes"], eval_every=1, eval_seeds=1, out=str(run), evaluate=False)
        config = DASCConfig(**setting["dasc"])
        rows = []
        for checkpoint, suffix, methods in (("last.pt", "", METHODS), ("first.pt", "-untrained", ("rmo", "rec"))):
            options = {"checkpoint": str(run / checkpoint)}
            scored = run_grid(grid_points(setting, city, methods), config=config, jobs=args.jobs, progress=False,
                              method_options={"rmo": options, "rec": options})
            rows += [{**r, "method": r["method"] + suffix} for r in scored]
        table += ratios(report(rows, args.out / city, time.perf_counter() - start))
    write_csv(args.out / "fig7.csv", table)

    print(f"\nFig. 7 at scale {args.scale}: RMO trained {setting['episodes']} episodes per city; "
          f"{setting['seeds']} seed(s) per point")
    print(f"{'city':>8} {'tasks':>5} {'workers':>7} {'method':>13} {'revenue':>18} {'RMO / it':>9} {'REC / it':>9}")
    for r in table:
        print(f"{r['city']:>8} {r['num_tasks']:>5} {r['num_workers']:>7} {r['method']:>13} "
              f"{r['revenue_mean']:>9.1f} +- {r['revenue_std']:>5.1f} {r['rmo_ratio']:>9.2f} {r['rec_ratio']:>9.2f}")
    print(f"wrote {args.out / 'fig7.csv'} and per-city results in {time.perf_counter() - start:.0f} s")
    return table


if __name__ == "__main__":
    main()
