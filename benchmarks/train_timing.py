"""The timed pieces of ``train_step.py`` on a ``Trainer`` built from its command line: a rollout, one full update
(with its ``prepare``/``actor_step``/``critic_step`` split and peak memory), a minibatch's fused meta step vs two
plain PPO steps, the released-shape loop (``released_loop.py``), and whole training iterations per rollout backend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from dataclasses import dataclass

import numpy as np
import torch
from measure import OtherLoad, RssSampler, SectionTimer, Stopwatch, max_rss_bytes, rss_bytes
from released_loop import run_reference

from rmo_agents import Trainer, preset
from rmo_agents.batch import select
from rmo_agents.learner import UpdateBatch
from rmo_agents.meta import meta_step, ppo_step
from rmo_agents.rollout import collect
from rmo_agents.trainer import episode_seed


def make_trainer(args: argparse.Namespace, out: str, extra: dict | None = None) -> Trainer:
    cfg = preset("practical")
    changes = {"env.city": args.city, "env.num_tasks": args.tasks, "env.num_workers": args.workers,
               "run.progress": False, "run.out": out, "run.device": args.device, "run.threads": args.threads,
               "run.seed": args.seed, **(extra or {})}
    if args.minibatch:
        changes["ppo.minibatch_size"] = args.minibatch
    if args.epochs:
        changes["ppo.epochs"] = args.epochs
    for key, value in changes.items():
        cfg = cfg.replace_path(key, value)
    return Trainer(cfg.with_overrides(getattr(args, "set", None) or []))


def run_rollout(trainer: Trainer, episodes: int) -> tuple[list, float]:
    learner, cfg = trainer.learner, trainer.config
    recorded, seconds = [], 0.0
    for k in range(episodes):
        with Stopwatch(trainer.device) as clock:
            recorded += collect(trainer.envs, learner.actor, [episode_seed(cfg.run.seed, k)], learner.eta.pair(),
                                trainer.sample_gen, trainer.device)
        seconds += clock.seconds
    return recorded, seconds


def run_update(trainer: Trainer, episodes: list) -> dict:
    """``Learner.update`` once, timed (``prepare``/actor/critic split) with its peak memory."""
    learner, device = trainer.learner, trainer.device
    timer = SectionTimer(learner, {"prepare": "prepare", "actor_step": "actor", "critic_step": "critic"}, device)
    out: dict = {"rss_before": rss_bytes(), "maxrss_before": max_rss_bytes()}
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        out["cuda_before"] = torch.cuda.memory_allocated(device)
    try:
        with RssSampler() as sampler, Stopwatch(device) as clock:
            learner.update(episodes, trainer.shuffle_gen)
    finally:
        timer.remove()
    out.update(timer.totals, seconds=clock.seconds, rss_peak=sampler.peak, rss_start=sampler.start,
               maxrss_after=max_rss_bytes())
    if device.type == "cuda":
        out["cuda_peak"] = torch.cuda.max_memory_allocated(device)
    return out


def compare_minibatch(trainer: Trainer, batch: UpdateBatch, size: int, repeats: int, gen: torch.Generator) -> dict:
    """Median seconds of the fused meta step vs two plain PPO steps on the same ``size`` samples."""
    learner, cfg = trainer.learner, trainer.config
    idx = learner.epoch_samples(batch, gen)[:size].to(trainer.device)  # the learner's minibatch order (ppo.sampling)
    obs = select(batch.obs, idx)
    actions, old, adv, adv_hat = batch.actions[idx], batch.log_prob[idx], batch.adv[idx], batch.adv_hat[idx]
    theta = dict(learner.actor.named_parameters())
    theta_hat = dict(learner.actor_hat.named_parameters())
    kw = {"clip_eps": cfg.ppo.clip_eps, "entropy_coef": cfg.ppo.entropy_coef}

    def fused():
        meta_step(learner.actor, theta, theta_hat, obs, actions, old, adv, adv_hat, xi=1.0, inner_lr=cfg.inner_lr,
                  want_sensitivity=True, **kw)

    def plain():
        ppo_step(learner.actor, theta, obs, actions, old, adv, **kw)
        ppo_step(learner.actor, theta_hat, obs, actions, old, adv_hat, **kw)

    times: dict[str, list[float]] = {"fused": [], "plain": []}
    for rep in range(repeats + 1):  # interleaved, so a change of machine load hits both; rep 0 is a warm-up
        for name, fn in (("fused", fused), ("plain", plain)):
            with Stopwatch(trainer.device) as clock:
                fn()
            if rep:
                times[name].append(clock.seconds)
    return {**{k: statistics.median(v) for k, v in times.items()}, "graphs": int(obs["task_mask"].shape[0])}


def backend_rows(args: argparse.Namespace) -> list[dict]:
    """Whole training iterations (``Trainer.run``) per ``--backends`` entry (backend, env copies): throughput and
    the rollout/learner split over ``--iterations`` iterations after a warm-up one."""
    rows, keys = [], ("env_steps", "transitions", "rollout_s", "learner_s")
    for spec in args.backends.split(","):
        backend, _, num_envs = spec.partition(":")
        if not num_envs.isdigit():
            raise SystemExit(f"--backends {spec!r}: expected BACKEND:COPIES, e.g. subprocess:2")
        iterations: list[dict] = []
        with tempfile.TemporaryDirectory(prefix="train_step_") as out:
            with make_trainer(args, out, {"env.backend": backend, "env.num_envs": int(num_envs), "run.eval_every": 0,
                                          "run.episodes": int(num_envs) * (args.iterations + 1)}) as trainer:
                trainer.run(callback=iterations.append)
        # the first iteration is a warm-up (worker start, distance caches, allocator)
        totals = {k: sum(stats[k] for stats in iterations[1:]) for k in keys}
        wall = totals["rollout_s"] + totals["learner_s"]
        rows.append({"backend": backend, "env_copies": int(num_envs), "iterations": args.iterations,
                     "rollout_steps_per_s": totals["env_steps"] / totals["rollout_s"],
                     "rollout_transitions_per_s": totals["transitions"] / totals["rollout_s"],
                     "iteration_steps_per_s": totals["env_steps"] / wall,
                     "iteration_transitions_per_s": totals["transitions"] / wall,
                     "rollout_share": totals["rollout_s"] / wall, "learner_share": totals["learner_s"] / wall})
    return rows


@dataclass
class Measured:
    """What one benchmark run measured, for the table."""

    trainer: Trainer
    episodes: list
    rollout_s: float
    update: dict
    minibatch: dict[int, dict]
    reference: dict | None
    others: OtherLoad
    load: tuple[tuple[float, ...], tuple[float, ...]]
    """The load average (1, 5, 15 min) before and after."""

    @property
    def steps(self) -> int:
        return sum(e.num_steps for e in self.episodes)

    @property
    def transitions(self) -> int:
        return sum(e.num_transitions for e in self.episodes)

    @property
    def update_tps(self) -> float:
        """The full update's agent-transitions/s per epoch: transitions x epochs / seconds."""
        return self.transitions * self.trainer.config.ppo.epochs / self.update["seconds"]


def measure(args: argparse.Namespace) -> Measured:
    """Rollout, one full update, the minibatch comparison and the released-shape loop, in this order."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="train_step_") as out, make_trainer(args, out) as trainer:
        others = OtherLoad("train_step")
        with others.phase("rollout"):
            episodes, rollout_s = run_rollout(trainer, args.episodes)
        with others.phase("update"):
            update = run_update(trainer, episodes)
        batch = trainer.learner.prepare(episodes)
        n = batch.num_transitions
        gen = torch.Generator().manual_seed(args.seed)
        sizes = [s for s in (int(x) for x in args.sizes.split(",")) if s <= n]
        with others.phase("minibatches"):
            minibatch = {s: compare_minibatch(trainer, batch, s, args.repeats, gen) for s in sizes}
        positive = torch.from_numpy(np.concatenate([e.reward_shaped for e in episodes]) > 0).to(trainer.device)
        reference = None
        if args.reference_cap > 0:
            with others.phase("reference"):
                reference = run_reference(trainer, batch, positive, min(args.reference_cap, n))
    return Measured(trainer, episodes, rollout_s, update, minibatch, reference, others,
                    (load_before, os.getloadavg()))
