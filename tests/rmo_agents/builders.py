"""Builders shared by the rmo_agents tests: small observation spaces, random observation batches, actors."""

import os
import signal

import numpy as np
import torch
from gymnasium import spaces

from dasc_env import DASCConfig
from rmo_agents import RMOConfig, Trainer
from rmo_agents.adapter import DascAdapter
from rmo_agents.batch import AGENT_KEYS, GRAPH_KEYS
from rmo_agents.buffer import EpisodeRecorder
from rmo_agents.config import EnvConfig, MetaConfig, ModelConfig, OptimConfig, PPOConfig, RunConfig
from rmo_agents.env_source import EnvSource
from rmo_agents.nets import Actor
from rmo_agents.rollout import collect

T, K, KW, KS = 6, 3, 4, 3
FN, FW, FS = 7 + K, 4 + K, 7 + K
SMALL = dict(gat_heads=2, gat_hidden=4, gat_out=3, actor_hidden=(16, 8))


def observation_space() -> spaces.Dict:
    """The layout of dasc-env's per-agent observation space, at small sizes."""
    box = lambda shape, dtype=np.float32: spaces.Box(-np.inf, np.inf, shape, dtype)  # noqa: E731
    return spaces.Dict({
        "task_nodes": box((T, FN)), "task_adjacency": box((T, T), np.int8), "task_mask": box((T,), np.int8),
        "self_index": spaces.Discrete(T), "workers": box((KW, FW)), "workers_mask": box((KW,), np.int8),
        "subtasks": box((KS, FS)), "subtasks_mask": box((KS,), np.int8), "action_mask": box((2,), np.int8),
    })


def make_obs(n=16, seed=0, dtype=torch.float64) -> dict[str, torch.Tensor]:
    """A random batch of observations laid out as dasc-env's, with padded rows zeroed."""
    gen = torch.Generator().manual_seed(seed)
    sizes = torch.randint(1, T + 1, (n,), generator=gen)
    mask = torch.arange(T)[None] < sizes[:, None]
    self_index = (torch.rand(n, generator=gen) * sizes).long()
    adjacency = (torch.rand(n, T, T, generator=gen) < 0.4).triu(1) & mask[:, :, None] & mask[:, None, :]
    workers_mask = torch.rand(n, KW, generator=gen) < 0.6
    subtasks_mask = torch.rand(n, KS, generator=gen) < 0.6
    action_mask = torch.stack([torch.ones(n, dtype=torch.bool), torch.rand(n, generator=gen) < 0.5], dim=1)
    return {
        "task_nodes": torch.randn(n, T, FN, generator=gen, dtype=dtype) * mask[..., None],
        "task_adjacency": adjacency.to(torch.int8),
        "task_mask": mask.to(torch.int8),
        "self_index": self_index,
        "workers": torch.randn(n, KW, FW, generator=gen, dtype=dtype) * workers_mask[..., None],
        "workers_mask": workers_mask.to(torch.int8),
        "subtasks": torch.randn(n, KS, FS, generator=gen, dtype=dtype) * subtasks_mask[..., None],
        "subtasks_mask": subtasks_mask.to(torch.int8),
        "action_mask": action_mask.to(torch.int8),
    }


def make_actor(seed=0, dtype=torch.float64, **overrides) -> Actor:
    torch.manual_seed(seed)
    return Actor.from_space(observation_space(), ModelConfig(**{**SMALL, **overrides})).to(dtype)


def tiny_config(tmp_path, variant="rmo", episodes=2, seed=0, **run) -> RMOConfig:
    """A run that takes about a second: 4 tasks, 12 workers on the small city, a small actor."""
    return RMOConfig(
        env=EnvConfig(city="small", num_tasks=4, num_workers=12,
                      dasc={"arrival_window": 300.0, "decision_interval": 30.0}),
        model=ModelConfig(gat_heads=2, gat_hidden=4, gat_out=4, actor_hidden=(16,), critic_hidden=8),
        ppo=PPOConfig(epochs=2, minibatch_size=128, critic_minibatch_size=64),
        meta=MetaConfig(variant=variant, eta_lr=0.01, eta_param="logit", eta_chain="gae"),
        optim=OptimConfig(optimizer="adam", lr_theta=1e-3, lr_theta_hat=1e-3, chi=None),
        run=RunConfig(**{"seed": seed, "episodes": episodes, "eval_every": 0, "progress": False, "out": str(tmp_path),
                         "deterministic": True, "threads": 1, **run}),
    )


# A 3-step episode with four agents (global subtask indices 2, 4, 9, 10), flat transitions in step order:
#   t0: 2, 4, 10     agent 2 is dropped at t0 (truncated)
#   t1: 4, 9, 10     agent 4 is matched at t1 (terminated); agent 9 appears mid-episode
#   t2: 9, 10        the episode ends
STEP = np.array([0, 0, 0, 1, 1, 1, 2, 2])
AGENT = np.array([2, 4, 10, 4, 9, 10, 9, 10])
NEXT = np.array([-1, 3, 5, -1, 6, 7, -1, -1])  # worked out by hand from the table above

PLAYED_CONFIG = DASCConfig(city="small", num_tasks=6, num_workers=6, arrival_window=300.0, min_subtasks=2,
                           max_subtasks=4)
PLAYED_ETA = (0.4, 0.6)


def play_recorded(config: DASCConfig, eta: tuple[float, float], seed: int = 3):
    """One random-action episode through a ``DascAdapter``, recorded by an ``EpisodeRecorder``:
    (the ``Episode``, what was seen at every step, the env's final E(M))."""
    adapter = DascAdapter(EnvSource(config))
    adapter.set_eta(*eta)
    rng = np.random.default_rng(0)
    recorder = EpisodeRecorder(eta)
    seen = []
    agents, batch = adapter.reset(seed)
    while agents.size:
        state = adapter.state_tables()
        actions = rng.integers(0, 2, agents.size)
        log_prob = rng.uniform(-2.0, 0.0, agents.size)
        per_agent = {k: batch[k][batch["graph_index"]] if k in GRAPH_KEYS else batch[k].copy()
                     for k in AGENT_KEYS + GRAPH_KEYS}
        seen.append(dict(agents=agents.copy(), obs=per_agent,
                         state={k: v.copy() for k, v in state.items()}, actions=actions))
        result, next_agents, next_batch = adapter.step(actions)
        seen[-1]["result"] = result
        recorder.add(agents, batch, state, actions, log_prob, result)
        agents, batch = next_agents, next_batch
    return recorder.finish(adapter.episode_metrics(), *adapter.task_outcomes()), seen, adapter.env.total_revenue


SEEDS = [11, 12]


def rollouts(trainer: Trainer, seeds=SEEDS) -> list:
    """The episodes of ``seeds`` played by the trainer's actor (action generator seeded 5)."""
    gen = torch.Generator().manual_seed(5)
    return collect(trainer.envs, trainer.learner.actor, seeds, trainer.learner.eta.pair(), gen, trainer.device)


def with_backend(tmp_path, backend: str, **changes) -> Trainer:
    """A tiny-config trainer with two env copies on ``backend``."""
    config = tiny_config(tmp_path, **changes).replace_path("env.num_envs", 2).replace_path("env.backend", backend)
    return Trainer(config)


def kill_during_step(envs, victim: int, at_call: int, again: bool = False) -> None:
    """Make ``envs.call`` kill worker ``victim`` just before its ``at_call``-th step request (and, with
    ``again``, before every later one)."""
    calls, original = [0], envs.call

    def call(requests):
        if victim in requests and requests[victim][0] == "step":
            calls[0] += 1
            if calls[0] == at_call or (again and calls[0] > at_call):
                os.kill(envs.pid(victim), signal.SIGKILL)
        return original(requests)

    envs.call = call


def assert_same_episodes(a, b) -> None:
    """Two lists of recorded episodes hold the same steps, observations and revenue."""
    for ea, eb in zip(a, b, strict=True):
        for name in ("actions", "log_prob", "step", "agent", "reward_sparse", "reward_shaped", "revenue_delta",
                     "failed_recommendations", "state_workers", "state_subtasks"):
            np.testing.assert_array_equal(getattr(ea, name), getattr(eb, name), err_msg=name)
        for key in ea.obs:
            np.testing.assert_array_equal(ea.obs[key], eb.obs[key], err_msg=key)
        assert ea.metrics["revenue"] == eb.metrics["revenue"]
