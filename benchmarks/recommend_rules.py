"""What a recommend-rate policy can earn: scripted rules through the env on a suite task's test seeds.

    python benchmarks/recommend_rules.py --task small-quick

Each rule recommends every allowed subtask (``action_mask``) with probability p, or only the allowed subtasks
that are ready (every predecessor finished: KM's and GREEDY's rule, the ``ready`` decision feature) with
probability p; KM matches with the task's eta. p = 0.5 without the rule is what an untrained actor does; p = 1
with it is KM. The table shows how much of KM's lead over an untrained actor is the rate, and how much the
rule. Each episode's coin flips come from its own seed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import dasc_env
from dasc_env.env import SubtaskStatus

sys.path.insert(0, str(Path(__file__).parent))
from report import fmt  # noqa: E402


def play(task, seed: int, p: float, ready_only: bool) -> float:
    """E(M) of one test episode under the rule."""
    env = dasc_env.benchmarks.make(task.name, seed)
    rng = np.random.default_rng(seed)
    while env.agents:
        live, batch = env.observation_batch
        allowed = batch["action_mask"][:, 1].astype(bool)
        if ready_only:
            finished = env.subtask_status == SubtaskStatus.FINISHED
            allowed &= env.scenario.all_predecessors(finished)[live]
        env.step_subtasks(live[allowed & (rng.random(live.size) < p)])
    return env.total_revenue


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="small-quick", help="a task of dasc_env.benchmarks")
    parser.add_argument("--rates", default="0.5,0.8,1.0", help="comma-separated probabilities p")
    parser.add_argument("--seeds", type=int, default=None, help="only the first N test seeds")
    args = parser.parse_args(argv)
    task = dasc_env.benchmarks.get(args.task)
    seeds = task.test_seeds[:args.seeds]
    rows = [{"p": p, "ready_only": ready, "revenue": float(np.mean([play(task, s, p, ready) for s in seeds]))}
            for p in (float(x) for x in args.rates.split(",")) for ready in (False, True)]
    print(f"{task.name}, {len(seeds)} test seeds: mean E(M) of recommending allowed subtasks with probability p")
    print(f"{'p':>5} {'every allowed':>14} {'ready only':>11}")
    for p in dict.fromkeys(r["p"] for r in rows):
        cells = [fmt(r["revenue"]) for r in rows if r["p"] == p]
        print(f"{p:>5} {cells[0]:>14} {cells[1]:>11}")
    return rows


if __name__ == "__main__":
    main()
