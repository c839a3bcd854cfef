"""Builders shared by the rmo_agents tests: small observation spaces, random observation batches, actors."""

import numpy as np
import torch
from gymnasium import spaces

from rmo_agents import RMOConfig
from rmo_agents.config import EnvConfig, MetaConfig, ModelConfig, OptimConfig, PPOConfig, RunConfig
from rmo_agents.nets import Actor

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
