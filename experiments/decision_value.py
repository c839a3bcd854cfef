"""What one decision is worth to E(M): Q(recommend) - Q(wait) by replaying episodes on common random numbers.

    python -m experiments.decision_value examples/checkpoints/small-quick-practical-s0.pt --task small-quick
    python -m experiments.decision_value runs/x/first.pt runs/x/last.pt --episodes 40 --per-episode 32

Each checkpoint plays ``--episodes`` training-range episodes of the task (seeds 0..N-1, never its test seeds),
sampling as in training; in each, ``--per-episode`` decisions with a choice are drawn and valued by the replay
credit of ``rmo_agents.credit.replay``: D = final E(M) of the twin that recommends minus that of the twin that waits,
both played on by the same actor on common random numbers. Split by the agent's ``ready`` decision feature
(ready: every predecessor finished, where KM recommends; not ready: a predecessor still runs, where KM waits):
how many flips change E(M) at all (D != 0; the others changed no match, or ended level), the mean D with its
95 % interval, its RMS, and the decisions a learner needs before that mean stands out of the noise (two
standard errors: (2 RMS / mean)^2).

This is the signal a per-decision credit (``credit.scheme="replay"``) gets; its sign is what the team
objective says about recommending in that situation, which per-task credit cannot see.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

import dasc_env
from benchmarks.report import fmt
from dasc_env.evaluation.regret import interval95
from rmo_agents import RMOPolicy
from rmo_agents.adapter import DascAdapter
from rmo_agents.batch import ready, to_tensors
from rmo_agents.credit.replay import choose_replays, difference_rewards
from rmo_agents.env_source import EnvSource
from rmo_agents.rollout import collect
from rmo_agents.vec_env import make_vec_env


def decision_values(checkpoint: Path, task, episodes: int, per_episode: int) -> dict[str, np.ndarray]:
    """D of the drawn decisions, split into "ready" and "not ready"."""
    policy = RMOPolicy.load(checkpoint)
    source, device = EnvSource(task.config), torch.device("cpu")
    envs, adapter = make_vec_env(source, 1, "sync", policy.matcher), DascAdapter(source, policy.matcher)
    rng = np.random.default_rng(0)
    out: dict[str, list[np.ndarray]] = {"ready": [], "not ready": []}
    try:
        for seed in task.train_seeds[:episodes]:
            episode = collect(envs, policy.actor, [seed], policy.eta, torch.Generator().manual_seed(seed), device)[0]
            rows = choose_replays(episode, per_episode, rng)
            gain = difference_rewards(adapter, policy.actor, [episode], [seed], [rows], device)[0]
            is_ready = ready(to_tensors(episode.obs, device)).numpy()[rows]
            out["ready"].append(gain[is_ready])
            out["not ready"].append(gain[~is_ready])
    finally:
        envs.close()
    return {k: np.concatenate(v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoints", type=Path, nargs="+")
    parser.add_argument("--task", default="small-quick", help="a task of dasc_env.benchmarks")
    parser.add_argument("--episodes", type=int, default=20, help="training-range episodes per checkpoint")
    parser.add_argument("--per-episode", type=int, default=32, help="decisions valued per episode")
    args = parser.parse_args(argv)
    task = dasc_env.benchmarks.get(args.task)
    rows = []
    print(f"Q(recommend) - Q(wait) of decisions with a choice on {task.name} ({args.episodes} episodes x "
          f"{args.per_episode} decisions)")
    print(f"{'checkpoint':<44} {'situation':>10} {'decisions':>9} {'D != 0':>8} {'mean D':>7} {'95% CI':>16} "
          f"{'RMS':>6} {'needed':>8}")
    for checkpoint in args.checkpoints:
        for situation, d in decision_values(checkpoint, task, args.episodes, args.per_episode).items():
            mean, lo, hi = interval95(d)
            rms = float(np.sqrt(np.mean(d ** 2))) if d.size else np.nan
            needed = (2 * rms / mean) ** 2 if mean else np.inf  # NaN when no decision
            rows.append({"checkpoint": str(checkpoint), "situation": situation, "decisions": int(d.size),
                         "nonzero": float(np.mean(d != 0)) if d.size else np.nan, "mean": mean, "lo": lo, "hi": hi,
                         "rms": rms, "needed": needed})
            r = rows[-1]
            print(f"{str(checkpoint)[-44:]:<44} {situation:>10} {r['decisions']:>9} {r['nonzero']:>8.0%} "
                  f"{mean:>+7.1f} [{lo:>+6.1f}, {hi:>+6.1f}] {rms:>6.1f} {fmt(needed):>8}")
    return rows


if __name__ == "__main__":
    main()
