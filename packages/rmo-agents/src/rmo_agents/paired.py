"""Paired evaluation on common random numbers, and the named seed streams of the trainer's extra episodes.

``PairedEvaluator.mean_revenue`` plays a policy on given episode seeds; each episode's env and action draws depend
on its own seed only (its actions come from a generator seeded by it, as ``RMOPolicy`` acts in dasc-env's harness),
so two settings compared on the same seeds differ by what the policy does, not by noise. The held-out evaluation
and every search (``search``) measure E(M) through it.
"""

from __future__ import annotations

import numpy as np
import torch

from .rollout import collect
from .vec_env import VecEnv

SEED_STREAMS = {"eta": 7, "replay": 11, "bias": 13}
"""The independent streams of the trainer's extra draws, by use: the episodes of eta's paired step (``search``),
the decisions replay credit replays (``credit.replay``), the episodes of the decision bias's step. Stream k of
update u of a run with seed s is ``SeedSequence([s, k, u])``, so a resumed run draws what an unbroken one does."""


def seed_stream(run_seed: int, name: str, update: int) -> np.random.SeedSequence:
    """The ``SeedSequence`` of stream ``name`` (a key of ``SEED_STREAMS``) at update ``update``."""
    return np.random.SeedSequence([run_seed, SEED_STREAMS[name], update])


def stream_seeds(run_seed: int, name: str, update: int, count: int) -> list[int]:
    """``count`` episode seeds of stream ``name`` at update ``update``."""
    return [int(s) for s in seed_stream(run_seed, name, update).generate_state(count)]


class PairedEvaluator:
    """Mean E(M) of an actor over episode seeds, played on the env copies of ``envs``, on common random numbers."""

    def __init__(self, envs: VecEnv, device: torch.device):
        self.envs, self.device = envs, device

    def mean_revenue(self, actor, seeds: list[int], eta: tuple[float, float]) -> float:
        """Mean E(M) of ``actor`` with ``eta`` over the episodes of ``seeds``; each episode's actions come from a
        generator seeded by its own seed, so the result is a function of (actor, seeds, eta) alone."""
        revenues = []
        for first in range(0, len(seeds), self.envs.num_envs):
            chunk = seeds[first:first + self.envs.num_envs]
            generators = [torch.Generator(device=self.device).manual_seed(seed) for seed in chunk]
            metrics = collect(self.envs, actor, chunk, eta, generators, self.device, record=False)
            revenues += [m["revenue"] for m in metrics]
        return float(np.mean(revenues))
