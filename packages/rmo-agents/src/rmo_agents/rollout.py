"""Rollouts (Alg. 1 line 4): theta acts in several env copies in lock-step, one batched actor forward per step.

Each env plays one episode per call; the live agents of all envs are stacked
into one observation batch, the actor samples their actions from a seeded
``torch.Generator``, and each env's steps are recorded into an ``Episode``.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from .adapter import DascAdapter
from .buffer import Episode, EpisodeRecorder, concat_shared, share_graphs
from .nets import Actor


def to_tensors(batch: dict[str, np.ndarray], device: torch.device) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.ascontiguousarray(v)).to(device) for k, v in batch.items()}


def shared_batch(env, agents: np.ndarray, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``batch`` of the live ``agents`` of a dasc-env env with one graph per task (``buffer.share_graphs``)."""
    return share_graphs(batch, env.scenario.subtask_task[agents])


@torch.no_grad()
def collect(adapters: list[DascAdapter], actor: Actor, seeds: list[int], eta: tuple[float, float],
            generator: torch.Generator, device: torch.device, team_reward: str = "env",
            record: bool = True) -> list[Episode | dict]:
    """Play one episode in each env (``seeds[j]`` for env j) with ``actor``; the recorded episodes.

    With ``record=False`` only the ledger metrics of each episode are returned (evaluation).
    """
    if len(seeds) != len(adapters):
        raise ValueError(f"seeds has {len(seeds)} entries; expected one per env ({len(adapters)})")
    failed_reward = adapters[0].config.failed_recommendation_reward
    recorders = [EpisodeRecorder(team_reward, eta) for _ in adapters]
    current = []
    for adapter, seed in zip(adapters, seeds):
        adapter.set_eta(*eta)
        current.append(adapter.reset(seed))
    running = [j for j, (agents, _) in enumerate(current) if agents.size]
    start, steps = time.perf_counter(), 0
    while running:
        batches = [shared_batch(adapters[j].env, *current[j]) for j in running]
        sizes = [current[j][0].size for j in running]
        actions, log_prob = actor.sample(to_tensors(concat_shared(batches), device), generator)
        actions, log_prob = actions.cpu().numpy(), log_prob.float().cpu().numpy()
        bounds = np.cumsum([0] + sizes)
        still = []
        for j, batch, a, b in zip(running, batches, bounds[:-1], bounds[1:]):
            adapter, agents = adapters[j], current[j][0]
            state = adapter.state_tables() if record else None
            result, live, obs = adapter.step(actions[a:b])
            if record:
                recorders[j].add(agents, batch, state, actions[a:b], log_prob[a:b], result, failed_reward)
            current[j] = (live, obs)
            if not result.done:
                still.append(j)
        running = still
        steps += 1
    elapsed = time.perf_counter() - start
    out = []
    for adapter, recorder in zip(adapters, recorders):
        metrics = {**adapter.episode_metrics(), "rollout_s": elapsed, "lockstep_steps": float(steps)}
        out.append(recorder.finish(metrics) if record else metrics)
    return out
