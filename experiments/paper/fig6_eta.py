"""Fig. 6: the utility weights eta = (alpha, beta) over RMO training from three initial values, as the paper's
surrogate meta-gradient and as revenue itself move them.

Each (estimator, initial eta, seed) is a ``practical``-preset run of the ``rmo`` variant with
an eta estimator (``surrogate``: Eq. 14-19; ``paired``: central differences of E(M) with common random
numbers, ``search.eta``), ``meta.alpha0`` and ``meta.beta0`` set; eta after every update is recorded. Then each
run's final actor is scored on the point's held-out scenarios with its learned eta, with (0.5, 0.5) and with the paper's
(0.95, 0.10) (``dasc-eval``'s ``rmo`` method, option ``eta``): which eta each estimator finds, and what it earns.
The paper's claim: from (0.2, 0.2), (0.5, 0.5) and (0.8, 0.8) eta converges to a similar range (it reports
(0.95, 0.10) on Chengdu, (0.96, 0.06) on Haikou).

    python -m experiments.paper.fig6_eta --scale local --out results/paper/fig6

Scales (``--scale``):

* smoke: small city, 4 tasks x 12 workers, 30 s epochs, 2 episodes, one seed, one held-out scenario (seconds);
* local: suite v1's small-quick (10 tasks x 6 workers, 15 s epochs), 32 episodes, seed 0, 5 held-out scenarios
  (about 20 minutes on 2 cores with ``--jobs 2``; a paired run plays 3x the episodes of a surrogate one);
* full: Chengdu-sized city, 60 tasks x 300 workers, 400 episodes, seeds 0-2, 5 held-out scenarios.

Writes ``fig6.csv`` (estimator, init, seed, update, episodes, env_steps, transitions, alpha, beta,
train_revenue, eval_revenue), ``fig6_revenue.csv`` (estimator, init, seed, the learned eta, and the held-out
revenue with it, with (0.5, 0.5) and with (0.95, 0.10)), ``fig6.png`` (alpha and beta against env steps, mean
and 95 % band over seeds per estimator and initial value) and prints both tables.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from rmo_agents.config import MetaConfig

from .common import SCALES, SMALL_QUICK, confidence_band, curves, pyplot, run_jobs, training_run, write_csv

ESTIMATORS = ("surrogate", "paired")
INITIAL = ((0.2, 0.2), (0.5, 0.5), (0.8, 0.8))
FIXED = {"(0.5, 0.5)": (0.5, 0.5), "paper (0.95, 0.10)": (MetaConfig.fixed_alpha, MetaConfig.fixed_beta)}
"""The fixed weights each run's final actor is also scored with."""
SETTINGS = {
    "smoke": dict(point=dict(city="small", tasks=4, workers=12, dasc={"arrival_window": 300.0,
                                                                      "decision_interval": 30.0}),
                  episodes=2, seeds=(0,), eval_seeds=1),
    "local": dict(point=SMALL_QUICK, episodes=32, seeds=(0,), eval_seeds=5),
    "full": dict(point=dict(city="chengdu", tasks=60, workers=300, dasc={}), episodes=400, seeds=(0, 1, 2),
                 eval_seeds=5),
}


def eta_run(estimator: str, alpha0: float, beta0: float, seed: int, point: dict, episodes: int,
            out: str) -> list[dict]:
    """One rmo run from eta0 = (alpha0, beta0), without evaluations; rows labelled with estimator and start."""
    rows = training_run("rmo", seed, point, episodes, eval_every=1, eval_seeds=1, out=out, evaluate=False,
                        overrides=(f"search.eta={str(estimator == 'paired').lower()}", f"meta.alpha0={alpha0}",
                                   f"meta.beta0={beta0}"))
    return [{"estimator": estimator, "init": f"({alpha0}, {beta0})",
             **{k: v for k, v in r.items() if k != "variant"}} for r in rows]


def revenue_by_eta(runs: dict[tuple, str], point: dict, eval_seeds: int) -> list[dict]:
    """Per run: its final actor's mean held-out revenue with its learned eta (the checkpoint's) and with each
    ``FIXED`` eta, on the same scenarios and action seeds (dasc-eval's ``rmo`` method with its ``eta`` option)."""
    from dasc_env import DASCConfig
    from dasc_env.evaluation.runner import EvalPoint, run_grid
    from rmo_agents import RMOPolicy
    from rmo_agents.config import EVAL_SEED_BASE

    points = [EvalPoint("rmo", point["city"], point["tasks"], point["workers"], EVAL_SEED_BASE + i)
              for i in range(eval_seeds)]
    out = []
    for key, folder in runs.items():
        alpha, beta = RMOPolicy.load(f"{folder}/last.pt").eta
        row = dict(zip(("estimator", "init", "seed"), key), alpha=alpha, beta=beta)
        for name, eta in {"learned": None, **FIXED}.items():
            options = {"rmo": {"checkpoint": f"{folder}/last.pt"}}
            if eta is not None:
                options["rmo"]["eta"] = f"{eta[0]},{eta[1]}"
            got = run_grid(points, config=DASCConfig(**point["dasc"]), progress=False, method_options=options)
            row[f"revenue {name}"] = float(np.mean([r["revenue"] for r in got]))
        out.append(row)
    return out


def plot(rows: list[dict], path: Path) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    labelled = [{**r, "run": f"{r['estimator']}, eta0 = {r['init']}"} for r in rows]
    for ax, name in zip(axes, ("alpha", "beta")):
        for run, (xs, ys) in curves(labelled, "run", name, "env_steps").items():
            mean, low, high = confidence_band(ys)
            ax.plot(xs, mean, label=run, linestyle="-" if run.startswith("surrogate") else "--")
            ax.fill_between(xs, low, high, alpha=0.2)
        ax.set_xlabel("training env steps")
        ax.set_title(name)
        ax.set_ylim(-0.02, 1.02)
    axes[0].legend(fontsize=7)
    fig.suptitle("Fig. 6: eta over training, surrogate (solid) and paired revenue differences (dashed)")
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
    folders = {(e, f"({a}, {b})", seed): str(args.out / f"{e}-eta{a}-{b}-s{seed}")
               for e in ESTIMATORS for a, b in INITIAL for seed in setting["seeds"]}
    jobs = [(e, a, b, seed, setting["point"], setting["episodes"], folders[e, f"({a}, {b})", seed])
            for e in ESTIMATORS for a, b in INITIAL for seed in setting["seeds"]]
    rows = [r for run in run_jobs(eta_run, jobs, args.jobs) for r in run]
    write_csv(args.out / "fig6.csv", rows)
    plot(rows, args.out / "fig6.png")
    revenue = revenue_by_eta(folders, setting["point"], setting["eval_seeds"])
    write_csv(args.out / "fig6_revenue.csv", revenue)

    print(f"Fig. 6 at scale {args.scale}: {setting['point']}, {setting['episodes']} episodes, seeds "
          f"{list(setting['seeds'])}; held-out revenue on {setting['eval_seeds']} scenarios")
    print(f"{'estimator':>10} {'eta0':>11} {'seed':>4} {'alpha':>6} {'beta':>6} {'learned eta':>12} "
          f"{'(0.5, 0.5)':>11} {'(0.95, 0.10)':>13}")
    for r in revenue:
        print(f"{r['estimator']:>10} {r['init']:>11} {r['seed']:>4} {r['alpha']:>6.3f} {r['beta']:>6.3f} "
              f"{r['revenue learned']:>12.1f} {r['revenue (0.5, 0.5)']:>11.1f} "
              f"{r['revenue paper (0.95, 0.10)']:>13.1f}")
    for estimator in ESTIMATORS:
        mine = {init: ys[:, -1].mean() for init, (_, ys) in
                curves([r for r in rows if r["estimator"] == estimator], "init", "alpha", "env_steps").items()}
        print(f"{estimator}: spread of the final mean alpha over initial values "
              f"{max(mine.values()) - min(mine.values()):.3f}")
    print(f"wrote {args.out} in {time.perf_counter() - start:.0f} s")
    return rows


if __name__ == "__main__":
    main()
