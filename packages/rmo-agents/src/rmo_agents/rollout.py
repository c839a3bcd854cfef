"""Rollouts (Alg. 1 line 4): theta acts in several env copies in lock-step, one batched actor forward per step.

Each env copy (an ``EnvWorker`` of a ``VecEnv``: in process, in a subprocess or a Ray actor) plays
one episode per call; the live agents of all copies are stacked into one observation batch, the
actor samples their actions from a seeded ``torch.Generator``, and each copy records its own steps
into an ``Episode``. The actions depend only on the seeds, so every backend gives the same rollouts.
A copy whose worker dies is replaced and replays its episode from its seed; from then on the actions of
that collection differ from an undisturbed one (the shared generator has moved on), but every episode is
still played once, whole. A copy that dies more than ``MAX_RESTARTS`` times in one collection stops the run.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from .buffer import Episode, concat_shared
from .nets import Actor
from .vec_env import MAX_RESTARTS, VecEnv, warn_restart


def to_tensors(batch: dict[str, np.ndarray], device: torch.device) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.ascontiguousarray(v)).to(device) for k, v in batch.items()}


@torch.no_grad()
def collect(envs: VecEnv, actor: Actor, seeds: list[int], eta: tuple[float, float], generator: torch.Generator,
            device: torch.device, record: bool = True) -> list[Episode | dict]:
    """Play one episode in each of the first ``len(seeds)`` env copies (``seeds[j]`` for copy j) with
    ``actor``; the recorded episodes, or with ``record=False`` only each episode's ledger metrics."""
    if not 1 <= len(seeds) <= envs.num_envs:
        raise ValueError(f"seeds has {len(seeds)} entries; expected 1 to {envs.num_envs} (one per env copy)")
    out = _play(envs, actor, dict(enumerate(seeds)), (float(eta[0]), float(eta[1])), generator, device, record,
                restarts={})
    return [out[j] for j in range(len(seeds))]


def _play(envs: VecEnv, actor: Actor, seeds: dict[int, int], eta: tuple[float, float], generator: torch.Generator,
          device: torch.device, record: bool, restarts: dict[int, int]) -> dict[int, Episode | dict]:
    """One episode on each copy j of ``seeds`` (copy -> episode seed), in lock-step; ``restarts`` counts
    the replacements of each copy in this collection."""

    def restart(lost: set[int], step: int) -> None:
        for j in sorted(lost):
            restarts[j] = restarts.get(j, 0) + 1
            if restarts[j] > MAX_RESTARTS:
                raise RuntimeError(f"rollout worker {j} died {restarts[j]} times in one collection (episode seed "
                                   f"{seeds[j]}); giving up. Its output above may say why; with the subprocess "
                                   "backend, a script without an `if __name__ == '__main__':` guard kills every "
                                   "worker as it starts")
            warn_restart(j, seeds[j], step)
            envs.restart(j)

    def replace(lost: set[int], step: int) -> dict[int, dict | None]:
        restart(lost, step)
        return reset(sorted(lost), step)

    def reset(copies: list[int], step: int = 0) -> dict[int, dict | None]:
        results, lost = envs.call({j: ("reset", (seeds[j], eta, record)) for j in copies})
        return {**results, **replace(lost, step)} if lost else results

    current = reset(sorted(seeds))
    running = [j for j in sorted(current) if current[j] is not None]
    start, steps = time.perf_counter(), 0
    while running:
        batches = [current[j] for j in running]
        sizes = [b["action_mask"].shape[0] for b in batches]
        actions, log_prob = actor.sample(to_tensors(concat_shared(batches), device), generator)
        actions, log_prob = actions.cpu().numpy(), log_prob.float().cpu().numpy()
        bounds = np.cumsum([0] + sizes)
        calls = {j: ("step", (actions[a:b], log_prob[a:b])) for j, a, b in zip(running, bounds[:-1], bounds[1:])}
        results, lost = envs.call(calls)
        current.update(results)
        if lost:  # a replaced copy rejoins the lock-step from its episode's first step
            current.update(replace(lost, steps))
        running = [j for j in running if current[j] is not None]
        steps += 1
    metrics = {"rollout_s": time.perf_counter() - start, "lockstep_steps": float(steps)}
    finished, lost = envs.call({j: ("finish", (metrics,)) for j in sorted(seeds)})
    if lost:  # the recorded episode died with the worker: play it again
        restart(lost, steps)
        finished.update(_play(envs, actor, {j: seeds[j] for j in lost}, eta, generator, device, record, restarts))
    return finished
