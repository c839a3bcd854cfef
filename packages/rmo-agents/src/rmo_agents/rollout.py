"""Rollouts (Alg. 1 line 4): theta acts in several env copies in lock-step.

Each env copy (an ``EnvWorker`` of a ``VecEnv``: in process, in a subprocess or a Ray actor) plays one
episode per call. Per decision step the live agents of all copies are stacked into one shared-graph batch
and the actor samples their actions in one forward, from one seeded ``torch.Generator``; or, given one
generator per copy (evaluation), each copy's agents are sampled from their own generator, so an episode's
actions depend only on its own seed, as with ``RMOPolicy``. Each copy records its own steps into an
``Episode``. The actions depend only on the seeds, so every backend gives the same rollouts.

A copy whose worker dies is replaced and replays its episode from its seed (a per-copy generator is
rewound; the shared one has moved on, so from then on the actions of that collection differ from an
undisturbed one), and every episode is still played once, whole. A copy that dies more than
``MAX_RESTARTS`` times in one collection stops the run.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from .batch import concat_shared, sample_actions
from .buffer import Episode
from .nets import Actor
from .vec_env import MAX_RESTARTS, VecEnv, warn_restart


@torch.no_grad()
def collect(envs: VecEnv, actor: Actor, seeds: list[int], eta: tuple[float, float],
            generator: torch.Generator | list[torch.Generator], device: torch.device,
            record: bool = True) -> list[Episode | dict]:
    """Play one episode in each of the first ``len(seeds)`` env copies (``seeds[j]`` for copy j) with
    ``actor``; the recorded episodes, or with ``record=False`` only each episode's ledger metrics.

    ``generator``: one generator for all copies (one batched draw per step), or one per copy."""
    if not 1 <= len(seeds) <= envs.num_envs:
        raise ValueError(f"seeds has {len(seeds)} entries; expected 1 to {envs.num_envs} (one per env copy)")
    if isinstance(generator, list) and len(generator) != len(seeds):
        raise ValueError(f"{len(generator)} generators for {len(seeds)} env copies; expected one per copy")
    collection = _Collection(envs, actor, dict(enumerate(seeds)), (float(eta[0]), float(eta[1])), generator,
                             device, record)
    finished: dict[int, Episode | dict] = {}
    pending = sorted(collection.seeds)
    while pending:  # a copy that died with its recorded episode plays it again
        done, pending = collection.play(pending)
        finished.update(done)
    return [finished[j] for j in range(len(seeds))]


class _Collection:
    """One ``collect`` call: the copies' seeds and generators, and how often each copy was replaced."""

    def __init__(self, envs: VecEnv, actor: Actor, seeds: dict[int, int], eta: tuple[float, float],
                 generator: torch.Generator | list[torch.Generator], device: torch.device, record: bool):
        self.envs, self.actor, self.seeds, self.eta = envs, actor, seeds, eta
        self.generator, self.device, self.record = generator, device, record
        self.starts = [g.get_state() for g in generator] if isinstance(generator, list) else None
        self.restarts: dict[int, int] = {}

    def play(self, copies: list[int]) -> tuple[dict[int, Episode | dict], list[int]]:
        """One episode on each of ``copies`` in lock-step; (finished episodes, copies that died at the end)."""
        current = self.reset(copies, step=0)
        running = [j for j in copies if current[j] is not None]
        start, steps = time.perf_counter(), 0
        while running:
            actions = self.act({j: current[j] for j in running})
            results, lost = self.envs.call({j: ("step", actions[j]) for j in running})
            current.update(results)
            if lost:  # a replaced copy rejoins the lock-step from its episode's first step
                self.restart(lost, steps)
                current.update(self.reset(sorted(lost), steps))
            running = [j for j in running if current[j] is not None]
            steps += 1
        metrics = {"rollout_s": time.perf_counter() - start, "lockstep_steps": float(steps)}
        finished, lost = self.envs.call({j: ("finish", (metrics,)) for j in copies})
        self.restart(lost, steps)
        return finished, sorted(lost)

    def act(self, batches: dict[int, dict]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """(actions, log-probabilities) of each copy's live agents."""
        if isinstance(self.generator, list):
            return {j: sample_actions(self.actor, b, self.generator[j], self.device) for j, b in batches.items()}
        actions, log_prob = sample_actions(self.actor, concat_shared(list(batches.values())), self.generator,
                                           self.device)
        bounds = np.cumsum([0] + [b["action_mask"].shape[0] for b in batches.values()])
        return {j: (actions[a:b], log_prob[a:b]) for j, a, b in zip(batches, bounds[:-1], bounds[1:])}

    def reset(self, copies: list[int], step: int) -> dict[int, dict | None]:
        """Start the episodes of ``copies``; a copy that dies meanwhile is replaced and reset again."""
        out: dict[int, dict | None] = {}
        while copies:
            results, lost = self.envs.call({j: ("reset", (self.seeds[j], self.eta, self.record)) for j in copies})
            out.update(results)
            self.restart(lost, step)
            copies = sorted(lost)
        return out

    def restart(self, lost: set[int], step: int) -> None:
        """Replace the workers of the ``lost`` copies (their episodes start over, their generators rewound)."""
        for j in sorted(lost):
            self.restarts[j] = self.restarts.get(j, 0) + 1
            if self.restarts[j] > MAX_RESTARTS:
                raise RuntimeError(f"rollout worker {j} died {self.restarts[j]} times in one collection (episode "
                                   f"seed {self.seeds[j]}); giving up. Its output above may say why; with the "
                                   "subprocess backend, a script without an `if __name__ == '__main__':` guard "
                                   "kills every worker as it starts")
            warn_restart(j, self.seeds[j], step)
            self.envs.restart(j)
            if self.starts is not None:
                self.generator[j].set_state(self.starts[j])
