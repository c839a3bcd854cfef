"""Seconds per episode of a rule method, played with and without the observation encoding it does not read.

``run_episode`` skips the encoding for a policy with ``observes = False`` (every rule method); this prints what that
saves, per suite task, for KM on the task's first three test seeds (the same episodes both ways).

    python benchmarks/rule_episode.py [--tasks small-quick,small-deep-dags] [--method km]
"""

from __future__ import annotations

import argparse
import time

from report import fmt

from dasc_env.baselines import make_method, run_episode
from dasc_env.benchmarks import get, make


def seconds_per_episode(task: str, method: str, observes: bool) -> float:
    seeds = get(task).test_seeds[:3]
    env = make(task, seeds[0])
    policy = make_method(method)
    policy.observes = observes
    begin = time.perf_counter()
    for seed in seeds:
        run_episode(env, policy, seed)
    return (time.perf_counter() - begin) / len(seeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="small-quick,small-deep-dags,small-rush-hour")
    parser.add_argument("--method", default="km")
    args = parser.parse_args()
    print(f"{'task':<24}{'encoded s':>11}{'skipped s':>11}{'speed-up':>10}")
    for task in args.tasks.split(","):
        encoded, skipped = (seconds_per_episode(task, args.method, o) for o in (True, False))
        print(f"{task:<24}{fmt(encoded):>11}{fmt(skipped):>11}{fmt(encoded / skipped):>10}", flush=True)


if __name__ == "__main__":
    main()
