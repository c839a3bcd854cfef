"""Learning curves of the training variants (Fig. 5 style): held-out revenue of theta vs training episodes.

    python benchmarks/learning_curve.py --variants sparse,shaped,meta,rmo --seeds 0,1,2 --episodes 50 \\
        --workers 25 --out results/curves

Each (variant, seed) is one ``rmo-train`` run from the ``practical`` preset at one point (city, tasks, workers);
every ``--eval-every`` updates theta is evaluated greedily on the same held-out scenarios. Writes
``curves.csv`` (variant, seed, episodes, env_steps, transitions, eval_revenue, alpha, beta), ``train.csv`` (the
revenue of every training episode), ``curves.png``
(mean and min-max band over seeds) and prints the final table. Runs go in parallel over ``--jobs`` processes.
"""

from __future__ import annotations

import argparse
import csv
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np


def run_one(variant: str, seed: int, args: dict) -> list[dict]:
    from rmo_agents import Trainer, preset

    config = preset("practical").with_overrides([
        f"env.city={args['city']}", f"env.num_tasks={args['tasks']}", f"env.num_workers={args['workers']}",
        f"env.dasc={json.dumps(args['dasc'])}", f"meta.variant={variant}", f"run.seed={seed}",
        f"run.episodes={args['episodes']}", f"run.eval_every={args['eval_every']}",
        f"run.eval_seeds={args['eval_seeds']}",
        "run.threads=1", "run.progress=false", f"run.out={args['out']}/{variant}-s{seed}",
        *args["set"]])
    trainer = Trainer(config)
    rows, train, env_steps, transitions = [], [], 0, 0
    rows.append(dict(variant=variant, seed=seed, episodes=0, env_steps=0, transitions=0,
                     eval_revenue=trainer.evaluate(), alpha=trainer.learner.eta.pair()[0],
                     beta=trainer.learner.eta.pair()[1]))
    while trainer.episodes_done < config.run.episodes:
        stats = trainer.train_iteration()
        env_steps += int(stats["env_steps"])
        transitions += int(stats["transitions"])
        train.append(dict(variant=variant, seed=seed, episodes=trainer.episodes_done, revenue=stats["revenue"],
                          failed_recommendations=stats["failed_recommendations"], entropy=stats["entropy"]))
        if trainer.learner.updates % config.run.eval_every == 0 or trainer.episodes_done >= config.run.episodes:
            rows.append(dict(variant=variant, seed=seed, episodes=trainer.episodes_done, env_steps=env_steps,
                             transitions=transitions, eval_revenue=trainer.evaluate(), alpha=stats["alpha"],
                             beta=stats["beta"]))
    trainer.save(Path(config.run.out) / "last.pt")
    return rows, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default="sparse,shaped,meta,rmo")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--city", default="small")
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--workers", type=int, default=25)
    parser.add_argument("--dasc", default='{"decision_interval": 15.0}', help="JSON of extra DASCConfig fields")
    parser.add_argument("--episodes", type=int, default=50)
    parser.add_argument("--eval-every", type=int, default=5, help="updates between evaluations")
    parser.add_argument("--eval-seeds", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], help="extra section.field=value for every run")
    parser.add_argument("--baselines", default="greedy,km,ready-km,random",
                        help="dasc-env methods scored on the same held-out episodes ('' for none)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("results/curves"))
    args = parser.parse_args()
    common = dict(city=args.city, tasks=args.tasks, workers=args.workers, dasc=json.loads(args.dasc),
                  episodes=args.episodes, eval_every=args.eval_every, eval_seeds=args.eval_seeds, set=args.set,
                  out=str(args.out))
    jobs = [(v, int(s)) for v in args.variants.split(",") for s in args.seeds.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, *zip(*jobs), [common] * len(jobs)))
    rows = [r for rs, _ in results for r in rs]
    for name, table in (("curves.csv", rows), ("train.csv", [r for _, ts in results for r in ts])):
        with (args.out / name).open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows(table)
    print(f"{'variant':>8} {'episodes':>8} {'eval revenue (mean over seeds)':>32} {'min':>8} {'max':>8}  eta")
    for variant in args.variants.split(","):
        last = [rs[-1] for rs, _ in results if rs[0]["variant"] == variant]
        first = [rs[0] for rs, _ in results if rs[0]["variant"] == variant]
        rev = np.array([r["eval_revenue"] for r in last])
        print(f"{variant:>8} {last[0]['episodes']:>8} {rev.mean():>32.1f} {rev.min():>8.1f} {rev.max():>8.1f}  "
              + ", ".join(f"({r['alpha']:.2f}, {r['beta']:.2f})" for r in last)
              + f"   [untrained: {np.mean([r['eval_revenue'] for r in first]):.1f}]")
    baselines = evaluate_baselines(args.baselines.split(",") if args.baselines else [], common)
    for name, value in baselines.items():
        print(f"{name:>8} {'-':>8} {value:>32.1f}   (same held-out episodes)")
    plot(rows, baselines, args.out / "curves.png")
    print(f"wrote {args.out / 'curves.csv'}, {args.out / 'curves.png'}")


def evaluate_baselines(methods: list[str], args: dict) -> dict[str, float]:
    """Mean revenue of dasc-env methods on the held-out episodes the trained policies are evaluated on."""
    import dasc_env
    from dasc_env.baselines import make_method
    from dasc_env.evaluation import run_episode
    from rmo_agents.trainer import EVAL_SEED_BASE

    config = dasc_env.DASCConfig(city=args["city"], num_tasks=args["tasks"], num_workers=args["workers"],
                                 **args["dasc"])
    return {m: float(np.mean([run_episode(dasc_env.parallel_env(config), make_method(m), EVAL_SEED_BASE + i)
                              ["revenue"] for i in range(args["eval_seeds"])])) for m in methods}


def plot(rows: list[dict], baselines: dict[str, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for variant in dict.fromkeys(r["variant"] for r in rows):
        mine = [r for r in rows if r["variant"] == variant]
        episodes = sorted({r["episodes"] for r in mine})
        values = np.array([[r["eval_revenue"] for r in mine if r["episodes"] == e] for e in episodes], dtype=object)
        mean = np.array([np.mean(v) for v in values])
        ax.plot(episodes, mean, label=variant)
        ax.fill_between(episodes, [np.min(v) for v in values], [np.max(v) for v in values], alpha=0.2)
    for name, value in baselines.items():
        ax.axhline(value, linestyle="--", linewidth=0.8, color="grey")
        ax.annotate(name, (0, value), fontsize=7, color="grey")
    ax.set_xlabel("training episodes")
    ax.set_ylabel("held-out revenue E(M)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
