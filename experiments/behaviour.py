"""Did a refactor change dasc-env's behaviour? Dump what it could change at two commits and compare bit for bit.

``dump`` plays greedy, KM, WAIT-KM, READY-KM and ALL on the first three test seeds of four small suite tasks (with
``task_failure`` travel; and on small-quick also skills, a 400 s horizon and 0.7 s epochs, where float drift in
the epoch clock shows) and records each ledger (every task outcome and match record) and metric, the relaxed
bound, and on small-quick the clairvoyant instance's arrays. ``compare`` reports the entries that differ (wall
times aside).

    git worktree add /tmp/before <commit>
    (cd /tmp/before && PYTHONPATH=packages/dasc-env/src python -m experiments.behaviour dump before.pkl)
    python -m experiments.behaviour dump after.pkl && python -m experiments.behaviour compare before.pkl after.pkl
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import pickle

import numpy as np

from dasc_env import DASCParallelEnv
from dasc_env.baselines import make_method, run_episode
from dasc_env.benchmarks import get
from dasc_env.bounds import build_instance, relaxed_bound

TASKS = ("small-quick", "small-tight-deadlines", "small-deep-dags", "small-scarce-skilled")
VARIANTS = {"asis": {}, "travel": dict(task_failure="travel"), "skills": dict(task_failure="skills"),
            "short-h": dict(horizon=400.0), "drift": dict(decision_interval=0.7)}
METHODS = ("greedy", "km", "wait-km", "ready-km", "all")


def dump() -> dict:
    out = {}
    for name in TASKS:
        task = get(name)
        for vname, changes in VARIANTS.items():
            if name != "small-quick" and vname not in ("asis", "travel"):
                continue
            config = dataclasses.replace(task.config, **changes)
            for seed in task.test_seeds[:3]:
                env = DASCParallelEnv(config)
                for method in METHODS:
                    metrics = run_episode(env, make_method(method), seed)
                    out[name, vname, seed, method] = (metrics, [dataclasses.astuple(t) for t in env.ledger.tasks],
                                                      [dataclasses.astuple(r) for r in env.ledger.matches])
                bound = relaxed_bound(env.scenario, env.graph, config)
                out[name, vname, seed, "relaxed"] = (bound.bound, bound.sum_bound, bound.task_values.tolist())
                if name == "small-quick":
                    inst = build_instance(env.scenario, env.graph, config)
                    out[name, vname, seed, "instance"] = {
                        k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in vars(inst).items()
                        if isinstance(v, (np.ndarray, int, float))}
    return out


def same(x, y) -> bool:
    """Equal, nan equal to nan, keys ending in ``_s`` (wall times) ignored."""
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    if isinstance(x, dict) and isinstance(y, dict):
        keys = {k for k in x if not str(k).endswith("_s")}
        return keys == {k for k in y if not str(k).endswith("_s")} and all(same(x[k], y[k]) for k in keys)
    return x == y


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("out")
    cmp = sub.add_parser("compare")
    cmp.add_argument("before")
    cmp.add_argument("after")
    args = parser.parse_args(argv)
    if args.command == "dump":
        out = dump()
        with open(args.out, "wb") as f:
            pickle.dump(out, f)
        print(f"{len(out)} entries written to {args.out}")
        return 0
    with open(args.before, "rb") as f:
        before = pickle.load(f)
    with open(args.after, "rb") as f:
        after = pickle.load(f)
    if before.keys() != after.keys():
        print(f"different entries: {sorted(set(before) ^ set(after))[:5]}")
        return 1
    differ = [k for k in before if not same(before[k], after[k])]
    records = sum(len(v[2]) for k, v in before.items() if k[3] in METHODS)
    print(f"{len(before)} entries ({records} match records): {len(differ)} differ {differ[:5]}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
