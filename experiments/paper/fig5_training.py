"""Fig. 5: sparse-only vs shaped-only vs meta-gradient-guided training, held-out revenue per training step.

Each (variant, seed) is a ``practical``-preset run (``meta.variant`` sparse, shaped, meta; the relative xi scale
of earlier versions, which collapsed 3 of 5 seeds, was removed: docs/EXPERIMENTS.md); every ``eval_every``
updates theta is evaluated on the same held-out scenarios (seeds 10^6 + i). The paper's claim: shaped leads
early, meta and sparse overtake it, meta gets there sooner than sparse.

    python -m experiments.paper.fig5_training --scale local --out results/paper/fig5
    python -m experiments.paper.fig5_training --scale full --jobs 3        # a GPU box

Scales (``--scale``):

* smoke: small city, 4 tasks x 12 workers, 30 s epochs, 2 episodes, one seed (seconds);
* local: suite v1's task small-quick (small city, 10 tasks x 6 skilled workers, 15 s epochs: a point where the
  relaxed bound is 1.65x the best cheap method), 60 episodes, seeds 0-4, evaluation every 5 updates (20
  episodes) on its 10 test seeds (10^6 + i; about an hour on 2 cores with ``--jobs 2``);
* full: Chengdu-sized city, 60 tasks x 300 workers, 400 episodes (about 8e5 env steps, the paper's x axis),
  seeds 0-2, evaluation every 20 updates on 5 scenarios.

Writes ``fig5.csv`` (variant, seed, update, episodes, env_steps, transitions, alpha, beta, train_revenue,
eval_revenue: one row per update, eval_revenue NaN between evaluations), ``fig5.png`` (mean and 95 %
confidence band over seeds, against env steps and against agent-transitions), and prints the final table
with the dasc-env baselines on the same held-out scenarios.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

from .common import SCALES, SMALL_QUICK, confidence_band, curves, pyplot, run_jobs, training_run, write_csv

VARIANTS = {"sparse": ("sparse", ()), "shaped": ("shaped", ()), "meta": ("meta", ())}
"""Label -> (``meta.variant``, further overrides)."""
SETTINGS = {
    "smoke": dict(point=dict(city="small", tasks=4, workers=12, dasc={"arrival_window": 300.0,
                                                                      "decision_interval": 30.0}),
                  episodes=2, eval_every=1, eval_seeds=1, seeds=(0,)),
    "local": dict(point=SMALL_QUICK, episodes=60, eval_every=5, eval_seeds=10, seeds=(0, 1, 2, 3, 4)),
    "full": dict(point=dict(city="chengdu", tasks=60, workers=300, dasc={}),
                 episodes=400, eval_every=20, eval_seeds=5, seeds=(0, 1, 2)),
}
BASELINES = ("greedy", "km", "ready-km", "admit-km", "all", "random")


def held_out_baselines(point: dict, eval_seeds: int) -> dict[str, float]:
    """Mean revenue of dasc-env methods on the held-out scenarios theta is evaluated on (the dasc-eval harness)."""
    from dasc_env import DASCConfig
    from dasc_env.evaluation.runner import EvalPoint, run_grid
    from rmo_agents.config import EVAL_SEED_BASE

    points = [EvalPoint(m, point["city"], point["tasks"], point["workers"], EVAL_SEED_BASE + i)
              for m in BASELINES for i in range(eval_seeds)]
    rows = run_grid(points, config=DASCConfig(**point["dasc"]), progress=False)
    return {m: float(np.mean([r["revenue"] for r in rows if r["method"] == m])) for m in BASELINES}


def plot(rows: list[dict], baselines: dict[str, float], path: Path) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, x, label in zip(axes, ("env_steps", "transitions"), ("env steps", "agent-transitions")):
        for variant, (xs, ys) in curves(rows, "variant", "eval_revenue", x).items():
            mean, low, high = confidence_band(ys)
            ax.plot(xs, mean, label=variant)
            ax.fill_between(xs, low, high, alpha=0.2)
        for (name, value), style in zip(baselines.items(), itertools.cycle(("--", ":", "-.", (0, (1, 4))))):
            ax.axhline(value, linestyle=style, linewidth=0.9, color="grey", label=f"{name} (held-out)")
        ax.set_xlabel(f"training {label}")
    axes[0].set_ylabel("held-out revenue E(M)")
    axes[0].legend(fontsize=8)
    fig.suptitle("Fig. 5: training variants (mean, 95 % CI over seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="local")
    parser.add_argument("--jobs", type=int, default=2, help="training runs in parallel processes")
    parser.add_argument("--out", type=Path, default=Path("results/paper/fig5"))
    args = parser.parse_args(argv)
    setting = SETTINGS[args.scale]
    start = time.perf_counter()
    jobs = [(variant, seed, setting["point"], setting["episodes"], setting["eval_every"], setting["eval_seeds"],
             str(args.out / f"{label}-s{seed}"), overrides, True, label)
            for label, (variant, overrides) in VARIANTS.items() for seed in setting["seeds"]]
    rows = [r for run in run_jobs(training_run, jobs, args.jobs) for r in run]
    baselines = held_out_baselines(setting["point"], setting["eval_seeds"])
    write_csv(args.out / "fig5.csv", rows)
    plot(rows, baselines, args.out / "fig5.png")

    print(f"Fig. 5 at scale {args.scale}: {setting['point']}, {setting['episodes']} episodes, seeds "
          f"{list(setting['seeds'])}")
    print(f"{'variant':>8} {'env steps':>10} {'start':>9} {'final mean':>11} {'95% CI':>19}")
    for variant, (xs, ys) in curves(rows, "variant", "eval_revenue", "env_steps").items():
        mean, low, high = confidence_band(ys)
        print(f"{variant:>8} {xs[-1]:>10.0f} {mean[0]:>9.1f} {mean[-1]:>11.1f} [{low[-1]:>8.1f}, {high[-1]:>8.1f}]")
    for name, value in baselines.items():
        print(f"{name:>8} {'-':>10} {'-':>9} {value:>11.1f}   (same held-out scenarios)")
    print(f"wrote {args.out / 'fig5.csv'}, {args.out / 'fig5.png'} in {time.perf_counter() - start:.0f} s")
    return rows


if __name__ == "__main__":
    main()
