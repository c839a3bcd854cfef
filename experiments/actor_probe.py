"""What a trained actor does: pi(recommend | allowed) split by the ``ready`` decision feature, on test episodes.

    python -m experiments.actor_probe examples/checkpoints/small-quick-practical-s0.pt --task small-quick
    python -m experiments.actor_probe runs/x/first.pt runs/x/last.pt --task small-quick --seeds 3

Each checkpoint plays the task's first ``--seeds`` test episodes as ``RMOPolicy`` acts (actions sampled, seeded
by the episode); at every decision the actor's probability of "recommend" is recorded for each agent allowed to
recommend, split by whether every predecessor of its subtask has finished (``ready``: where KM recommends) or a
predecessor still runs (where KM waits). Prints the mean and the 10th, 50th and 90th percentiles.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

import dasc_env
from dasc_env.evaluation import run_episode
from rmo_agents import RMOPolicy
from rmo_agents.batch import observe, ready, to_tensors


class Probe(RMOPolicy):
    """An ``RMOPolicy`` that records pi(recommend | o) of the allowed agents as it acts."""

    def __init__(self, policy: RMOPolicy):
        super().__init__(policy.actor, policy.eta, policy.matcher, policy.name, policy.sample, policy.device,
                         observation_space=policy.observation_space, trained_on=policy.trained_on)
        self.seen: dict[str, list[np.ndarray]] = {"ready": [], "not ready": []}

    def act(self, env, observations: dict) -> dict[str, int]:
        _, batch = observe(env)
        if batch is not None:
            obs = to_tensors(batch, self.device)
            with torch.no_grad():
                p = torch.softmax(self.actor(obs), dim=-1)[:, 1]
            allowed = obs["action_mask"][:, 1] > 0
            is_ready = ready(obs)
            self.seen["ready"].append(p[allowed & is_ready].numpy())
            self.seen["not ready"].append(p[allowed & ~is_ready].numpy())
        return super().act(env, observations)


def probe(checkpoint: Path, task, seeds: int) -> dict[str, np.ndarray]:
    policy = Probe(RMOPolicy.load(checkpoint))
    for seed in task.test_seeds[:seeds]:
        run_episode(dasc_env.benchmarks.make(task.name, seed), policy, seed)
    return {k: np.concatenate(v) if v else np.zeros(0) for k, v in policy.seen.items()}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoints", type=Path, nargs="+")
    parser.add_argument("--task", default="small-quick", help="a task of dasc_env.benchmarks")
    parser.add_argument("--seeds", type=int, default=3, help="the first N test seeds")
    args = parser.parse_args(argv)
    task = dasc_env.benchmarks.get(args.task)
    rows = []
    print(f"pi(recommend | allowed) on {task.name}'s first {args.seeds} test episodes")
    print(f"{'checkpoint':<48} {'situation':>10} {'decisions':>9} {'mean':>6} {'p10':>6} {'p50':>6} {'p90':>6}")
    for checkpoint in args.checkpoints:
        for situation, p in probe(checkpoint, task, args.seeds).items():
            q = np.percentile(p, [10, 50, 90]) if p.size else [np.nan] * 3
            rows.append({"checkpoint": str(checkpoint), "situation": situation, "decisions": int(p.size),
                         "mean": float(p.mean()) if p.size else np.nan, "p10": q[0], "p50": q[1], "p90": q[2]})
            r = rows[-1]
            print(f"{str(checkpoint)[-48:]:<48} {situation:>10} {r['decisions']:>9} {r['mean']:>6.3f} "
                  f"{r['p10']:>6.3f} {r['p50']:>6.3f} {r['p90']:>6.3f}")
    return rows


if __name__ == "__main__":
    main()
