"""What a recommend-rate policy can earn: scripted rules through the env on a suite task's test seeds.

    python benchmarks/recommend_rules.py --task small-quick

Each rule recommends every allowed subtask (``action_mask``) with probability p, or only the allowed subtasks
that are ready (every predecessor finished: KM's and GREEDY's rule, the ``ready`` decision feature) with
probability p; KM matches with the task's eta. p = 0.5 without the rule is what an untrained actor does; p = 1
with it is KM. The table shows how much of KM's lead over an untrained actor is the rate, and how much the
rule, and what share of the recommendations got no worker. Each episode's coin flips come from its own seed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import dasc_env
from dasc_env.baselines import km

sys.path.insert(0, str(Path(__file__).parent))
from report import fmt  # noqa: E402

KM_RULE = km()
"""KM's recommendation rule: open subtasks whose predecessors have all finished."""


def play(task, seed: int, p: float, ready_only: bool) -> tuple[float, int, int]:
    """(E(M), recommendations, recommendations that got no worker) of one test episode under the rule."""
    env = dasc_env.benchmarks.make(task.name, seed)
    rng = np.random.default_rng(seed)
    recommended = failed = 0
    while env.agents:
        live, batch = env.observation_batch
        allowed = batch["action_mask"][:, 1].astype(bool)
        if ready_only:
            allowed &= KM_RULE.recommend(env)[live]
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
        for ready in (False, True):
            played = np.array([play(task, s, p, ready) for s in seeds], dtype=float)
            rows.append({"p": p, "ready_only": ready, "revenue": float(played[:, 0].mean()),
                         "failed_share": float(played[:, 2].sum() / max(played[:, 1].sum(), 1))})
    print(f"{task.name}, {len(seeds)} test seeds: mean E(M) of recommending allowed subtasks with probability p "
          "(and the share of recommendations that got no worker)")
    print(f"{'p':>5} {'every allowed':>22} {'ready only':>22}")
    for p in dict.fromkeys(r["p"] for r in rows):
        cells = [f"{fmt(r['revenue'])} ({r['failed_share']:.0%} failed)" for r in rows if r["p"] == p]
        print(f"{p:>5} {cells[0]:>22} {cells[1]:>22}")
    return rows


if __name__ == "__main__":
    main()
