"""A signal without noise: how many recommendations fail, and how many agent-steps have only "wait".

For each point (small city 20 tasks x 25 workers, Chengdu 60 x 100) and seed, two recommenders play one
episode each under every variant below, on the same scenarios and seeds:

* ``all``: recommend every allowed live subtask; ``random``: each allowed one with p = 0.5 (seeded);
* ``mask``: what "allowed" means: ``none`` (every live subtask, as the ``all`` and ``random`` baselines do),
  ``old`` (the mask before issue 17: an idle worker with the skills within L^w) or ``new`` (this epoch can
  match it: ``Simulator.epoch_reach``, deadline and predecessors included);
* ``failure``: ``DASCConfig.task_failure`` ("paper", "skills", "travel").

Columns: recommendations per episode, the share of them that got no worker (``failed_share``), the share of
agent-steps whose mask (old for ``none``) allows only "wait" (``wait_only_share``), agent-steps per episode,
revenue E(M) and the failed-recommendation penalty per episode. Means over the seeds.

A second table scores the deterministic baselines (KM, READY-KM, GREEDY) under each ``task_failure`` rule on
the same seeds: mean revenue and the paired per-seed change against "paper" (mean, min, max).

Writes ``results/signal/signal.csv`` and ``results/signal/baselines.csv``; ``results/signal/signal.txt`` is
the printed output of

    nice -n 10 python -m experiments.recommendation_signal | tee results/signal/signal.txt   # 3 seeds, ~25 min
    python -m experiments.recommendation_signal --seeds 1 --points small:20x25              # a quick look

(Not ``signal.py``: when these scripts ran by path, a script of that name shadowed the standard library's
``signal`` module for every sibling script, whose folder led ``sys.path``.)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import dasc_env
from benchmarks.report import write_csv
from dasc_env.baselines import make_method
from dasc_env.config import TASK_FAILURES
from dasc_env.evaluation.runner import run_episode

VARIANTS = (("none", "paper"), ("old", "paper"), ("new", "paper"), ("new", "skills"), ("new", "travel"))
"""(mask, task_failure) of each row, per recommender."""
RECOMMENDERS = {"all": 1.0, "random": 0.5}
"""Recommender name -> probability of recommending an allowed subtask."""
BASELINES = ("km", "ready-km", "greedy")


def play(city: str, tasks: int, workers: int, seed: int, p: float, mask: str, failure: str) -> dict:
    """One episode: every step, each subtask allowed by ``mask`` is recommended with probability ``p``."""
    env = dasc_env.parallel_env(num_tasks=tasks, num_workers=workers, city=city, task_failure=failure)
    env.reset(seed=seed)
    rng = np.random.default_rng([seed, 17])
    recommended = failed = agent_steps = wait_only = 0
    while env.agents:
        live, batch = env.observation_batch
        new = batch["action_mask"][:, 1].astype(bool)
        skilled, distance = env.reach(live, env.idle_workers)
        old = (skilled & (distance <= env.config.worker_range)).any(axis=1)
        allowed = {"none": np.ones(live.size, dtype=bool), "old": old, "new": new}[mask]
        shown = new if mask == "new" else old
        agent_steps += live.size
        wait_only += int((~shown).sum())
        out = env.step_subtasks(live[allowed & (rng.random(live.size) < p)])
        recommended += out.recommended.size
        failed += out.failed.size
    problems = dasc_env.verify_ledger(env.scenario, env.ledger, env.config)
    if problems:
        raise RuntimeError(f"ledger violations at {city} seed {seed} ({mask}, {failure}): {problems[:3]}")
    return {"recommended": recommended, "failed_share": failed / max(recommended, 1),
            "wait_only_share": wait_only / max(agent_steps, 1), "agent_steps": agent_steps,
            "revenue": env.total_revenue, "penalty": failed * env.config.failed_recommendation_reward}


def table(points: list[tuple[str, int, int]], seeds: int) -> list[dict]:
    rows = []
    for city, tasks, workers in points:
        for name, p in RECOMMENDERS.items():
            for mask, failure in VARIANTS:
                start = time.perf_counter()
                runs = [play(city, tasks, workers, seed, p, mask, failure) for seed in range(seeds)]
                mean = {key: float(np.mean([r[key] for r in runs])) for key in runs[0]}
                rows.append({"point": f"{city} {tasks}x{workers}", "recommender": name, "mask": mask,
                             "failure": failure, "seeds": seeds, **mean,
                             "wall_s": time.perf_counter() - start})
                print_row(rows[-1])
    return rows


def baselines(points: list[tuple[str, int, int]], seeds: int) -> list[dict]:
    """Revenue of each deterministic baseline under each ``task_failure`` rule, paired by seed."""
    print(f"\n{'point':>18} {'method':>8} {'failure':>7} {'revenue':>9} {'vs paper':>9} {'min':>8} {'max':>8}")
    rows = []
    for city, tasks, workers in points:
        for method in BASELINES:
            revenue = {rule: np.array([run_episode(dasc_env.parallel_env(
                num_tasks=tasks, num_workers=workers, city=city, task_failure=rule), make_method(method),
                seed)["revenue"] for seed in range(seeds)]) for rule in TASK_FAILURES}
            for rule in TASK_FAILURES:
                change = revenue[rule] - revenue["paper"]
                rows.append({"point": f"{city} {tasks}x{workers}", "method": method, "failure": rule,
                             "seeds": seeds, "revenue": float(revenue[rule].mean()),
                             "change_vs_paper": float(change.mean()), "change_min": float(change.min()),
                             "change_max": float(change.max())})
                r = rows[-1]
                print(f"{r['point']:>18} {method:>8} {rule:>7} {r['revenue']:>9.1f} {r['change_vs_paper']:>+9.1f} "
                      f"{r['change_min']:>+8.1f} {r['change_max']:>+8.1f}", flush=True)
    return rows


def print_row(r: dict) -> None:
    print(f"{r['point']:>18} {r['recommender']:>7} {r['mask']:>5} {r['failure']:>7} {r['recommended']:>9.0f} "
          f"{100 * r['failed_share']:>8.1f} % {100 * r['wait_only_share']:>8.1f} % {r['agent_steps']:>9.0f} "
          f"{r['revenue']:>9.0f} {r['penalty']:>9.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--points", default="small:20x25,chengdu:60x100", help="CITY:TASKSxWORKERS,...")
    parser.add_argument("--out", type=Path, default=Path("results/signal"), help="folder of the CSV files")
    args = parser.parse_args()
    points = []
    for spec in args.points.split(","):
        city, size = spec.split(":")
        tasks, workers = (int(v) for v in size.lower().split("x"))
        points.append((city, tasks, workers))
    print(f"{'point':>18} {'rec':>7} {'mask':>5} {'failure':>7} {'recs/ep':>9} {'failed':>10} {'wait-only':>10} "
          f"{'agent-steps':>9} {'revenue':>9} {'penalty':>9}")
    write_csv(args.out / "signal.csv", table(points, args.seeds))
    write_csv(args.out / "baselines.csv", baselines(points, args.seeds))
    print(f"wrote {args.out / 'signal.csv'} and {args.out / 'baselines.csv'}")


if __name__ == "__main__":
    main()
