"""Fig. 6: the utility weights eta = (alpha, beta) over RMO training from three initial values.

Each (initial eta, seed) is a ``practical``-preset run of the ``rmo`` variant with ``meta.alpha0`` and
``meta.beta0`` set; eta after every update is recorded. The paper's claim: from (0.2, 0.2), (0.5, 0.5)
and (0.8, 0.8) eta converges to a similar range (it reports (0.95, 0.10) on Chengdu, (0.96, 0.06) on Haikou).

    python benchmarks/paper/fig6_eta.py --scale local --out results/paper/fig6

Scales (``--scale``):

* smoke: small city, 4 tasks x 12 workers, 30 s epochs, 2 episodes, one seed (seconds);
* local: small city, 20 tasks x 25 workers, 15 s epochs, 40 episodes, seeds 0-1 (about an hour on 2 cores
  with ``--jobs 2``);
* full: Chengdu-sized city, 60 tasks x 300 workers, 400 episodes, seeds 0-2.

Writes ``fig6.csv`` (init, seed, update, episodes, env_steps, transitions, alpha, beta, train_revenue,
eval_revenue), ``fig6.png`` (alpha and beta against env steps, mean and 95 % band over seeds per initial
value) and prints the final eta per initial value.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import SCALES, confidence_band, curves, pyplot, run_jobs, training_run, write_csv

INITIAL = ((0.2, 0.2), (0.5, 0.5), (0.8, 0.8))
SETTINGS = {
    "smoke": dict(point=dict(city="small", tasks=4, workers=12, dasc={"arrival_window": 300.0,
                                                                      "decision_interval": 30.0}),
                  episodes=2, seeds=(0,)),
    "local": dict(point=dict(city="small", tasks=20, workers=25, dasc={"decision_interval": 15.0}),
                  episodes=40, seeds=(0, 1)),
    "full": dict(point=dict(city="chengdu", tasks=60, workers=300, dasc={}), episodes=400, seeds=(0, 1, 2)),
}


def eta_run(alpha0: float, beta0: float, seed: int, point: dict, episodes: int, out: str) -> list[dict]:
    """One rmo run from eta0 = (alpha0, beta0), without evaluations; its rows labelled with the initial value."""
    rows = training_run("rmo", seed, point, episodes, eval_every=1, eval_seeds=1, out=out,
                        overrides=(f"meta.alpha0={alpha0}", f"meta.beta0={beta0}"), evaluate=False)
    return [{"init": f"({alpha0}, {beta0})", **{k: v for k, v in r.items() if k != "variant"}} for r in rows]


def plot(rows: list[dict], path: Path) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, name in zip(axes, ("alpha", "beta")):
        for init, (xs, ys) in curves(rows, "init", name, "env_steps").items():
            mean, low, high = confidence_band(ys)
            ax.plot(xs, mean, label=f"eta0 = {init}")
            ax.fill_between(xs, low, high, alpha=0.2)
        ax.set_xlabel("training env steps")
        ax.set_title(name)
        ax.set_ylim(-0.02, 1.02)
    axes[0].legend()
    fig.suptitle("Fig. 6: eta over training (mean, 95 % CI over seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="local")
    parser.add_argument("--jobs", type=int, default=2, help="training runs in parallel processes")
    parser.add_argument("--out", type=Path, default=Path("results/paper/fig6"))
    args = parser.parse_args(argv)
    setting = SETTINGS[args.scale]
    start = time.perf_counter()
    jobs = [(a, b, seed, setting["point"], setting["episodes"], str(args.out / f"eta{a}-{b}-s{seed}"))
            for a, b in INITIAL for seed in setting["seeds"]]
    rows = [r for run in run_jobs(eta_run, jobs, args.jobs) for r in run]
    write_csv(args.out / "fig6.csv", rows)
    plot(rows, args.out / "fig6.png")

    print(f"Fig. 6 at scale {args.scale}: {setting['point']}, {setting['episodes']} episodes, seeds "
          f"{list(setting['seeds'])}")
    print(f"{'eta0':>12} {'final alpha (per seed)':>28} {'final beta (per seed)':>28}")
    for init in dict.fromkeys(r["init"] for r in rows):
        last = [r for r in rows if r["init"] == init and r["episodes"] == setting["episodes"]]
        alphas = ", ".join(f"{r['alpha']:.3f}" for r in last)
        betas = ", ".join(f"{r['beta']:.3f}" for r in last)
        print(f"{init:>12} {alphas:>28} {betas:>28}")
    finals = {init: ys[:, -1].mean() for init, (_, ys) in curves(rows, "init", "alpha", "env_steps").items()}
    print(f"spread of the final mean alpha over initial values: {max(finals.values()) - min(finals.values()):.3f}")
    print(f"wrote {args.out / 'fig6.csv'}, {args.out / 'fig6.png'} in {time.perf_counter() - start:.0f} s")
    return rows


if __name__ == "__main__":
    main()
