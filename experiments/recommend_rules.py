"""What a recommend-rate policy can earn: scripted rules through the env on a suite task's test seeds.

    python -m experiments.recommend_rules --task small-quick

Each rule recommends, with probability p, the allowed subtasks (``action_mask``) of one kind: every one; only the
ready ones (every predecessor finished: KM's and GREEDY's rule, the ``ready`` decision feature); or the ready ones
for which no busy skilled worker could arrive before every feasible idle one (``busy_sooner`` is 0: KM's rule, but
waiting for a nearer worker about to be free; at p = 1 the baseline WAIT-KM). KM matches with the task's eta. p =
0.5 on every allowed subtask is what an untrained actor does; p = 1 on the ready ones is KM. The table shows how
much of KM's lead over an untrained actor is the rate, and how much the rule, and what share of the recommendations
got no worker. Each episode's coin flips come from its own seed.
"""

from __future__ import annotations

import argparse

import numpy as np

import dasc_env
from benchmarks.report import fmt
from dasc_env.baselines import km, wait_km

RULES = {"every": "every allowed", "ready": "ready only", "ready_wait": "ready, none sooner busy"}
"""Rule name -> column heading."""
BASELINE_RULES = {"ready": km(), "ready_wait": wait_km()}
"""The rules as baselines: KM's (open subtasks whose predecessors have all finished) and WAIT-KM's."""


def play(task, seed: int, p: float, rule: str) -> tuple[float, int, int]:
    """(E(M), recommendations, recommendations that got no worker) of one test episode under ``rule``."""
    env = dasc_env.benchmarks.make(task.name, seed)
    rng = np.random.default_rng(seed)
    recommended = failed = 0
    while env.agents:
        live, batch = env.observation_batch
        allowed = batch["action_mask"][:, 1].astype(bool)
        if rule != "every":
            allowed &= BASELINE_RULES[rule].recommend(env)[live]
        out = env.step_subtasks(live[allowed & (rng.random(live.size) < p)])
        recommended, failed = recommended + out.recommended.size, failed + out.failed.size
    return env.total_revenue, recommended, failed


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="small-quick", help="a task of dasc_env.benchmarks")
    parser.add_argument("--rates", default="0.5,0.8,1.0", help="comma-separated probabilities p")
    parser.add_argument("--seeds", type=int, default=None, help="only the first N test seeds")
    args = parser.parse_args(argv)
    task = dasc_env.benchmarks.get(args.task)
    seeds = task.test_seeds[:args.seeds]
    rows = []
    for p in (float(x) for x in args.rates.split(",")):
        for rule in RULES:
            played = np.array([play(task, s, p, rule) for s in seeds], dtype=float)
            rows.append({"p": p, "rule": rule, "revenue": float(played[:, 0].mean()),
                         "failed_share": float(played[:, 2].sum() / max(played[:, 1].sum(), 1))})
    print(f"{task.name}, {len(seeds)} test seeds: mean E(M) of recommending allowed subtasks with probability p "
          "(and the share of recommendations that got no worker)")
    print(f"{'p':>5}" + "".join(f" {heading:>24}" for heading in RULES.values()))
    for p in dict.fromkeys(r["p"] for r in rows):
        cells = [f"{fmt(r['revenue'])} ({r['failed_share']:.0%} failed)" for r in rows if r["p"] == p]
        print(f"{p:>5}" + "".join(f" {cell:>24}" for cell in cells))
    return rows


if __name__ == "__main__":
    main()
