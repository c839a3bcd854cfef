"""Validation of an ``RMOConfig``: the first bad field raises ``ValueError``/``TypeError`` naming it and its value."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import RMOConfig

VARIANTS = ("sparse", "shaped", "meta", "rec", "rmo")
"""What a run trains (see ``MetaConfig.variant``)."""
BACKENDS = ("sync", "subprocess", "ray")
"""Where the env copies of the rollouts run (see ``EnvConfig.backend``)."""


def validate(cfg: RMOConfig) -> None:
    """Raise ``ValueError``/``TypeError`` naming the first bad field and its value."""
    env, model, ppo, meta, optim, run = cfg.env, cfg.model, cfg.ppo, cfg.meta, cfg.optim, cfg.run
    for section, obj in (("env", env), ("model", model), ("ppo", ppo), ("meta", meta), ("optim", optim),
                         ("run", run)):
        _check_types(section, obj)
    if not isinstance(env.dasc, dict):
        raise TypeError(f"env.dasc must be a dict of DASCConfig fields, got {env.dasc!r}")
    env.dasc_config()
    _positive("env.num_envs", env.num_envs)
    _choice("env.backend", env.backend, BACKENDS)
    for name in ("gat_heads", "gat_hidden", "gat_out", "critic_hidden"):
        _positive(f"model.{name}", getattr(model, name))
    if not model.actor_hidden or any(h < 1 for h in model.actor_hidden):
        raise ValueError(f"model.actor_hidden={model.actor_hidden!r} must be a non-empty tuple of positive ints")
    _choice("model.gat_edges", model.gat_edges, ("undirected", "directed"))
    _choice("model.gat_backend", model.gat_backend, ("dense", "sparse"))
    _choice("model.critic_encoder", model.critic_encoder, ("gru", "deepsets"))
    for name in ("gamma", "gae_lambda"):
        _unit(f"ppo.{name}", getattr(ppo, name))
    _open_positive("ppo.clip_eps", ppo.clip_eps)
    for name in ("epochs", "minibatch_size", "critic_minibatch_size"):
        _positive(f"ppo.{name}", getattr(ppo, name))
    _nonneg("ppo.entropy_coef", ppo.entropy_coef)
    if not ppo.max_grad_norm > 0:
        raise ValueError(f"ppo.max_grad_norm={ppo.max_grad_norm!r} must be > 0 (inf: no clipping)")
    _choice("ppo.value_loss", ppo.value_loss, ("mse", "huber"))
    _choice("ppo.team_advantage", ppo.team_advantage, ("shared", "split"))
    _choice("ppo.team_reward", ppo.team_reward, ("env", "revenue_delta"))
    _choice("ppo.sampling", ppo.sampling, ("groups", "shuffle", "window"))
    _choice("meta.variant", meta.variant, VARIANTS)
    _nonneg("meta.xi0", meta.xi0)
    _unit("meta.xi_decay", meta.xi_decay)
    if meta.meta_inner_lr is not None:
        _open_positive("meta.meta_inner_lr", meta.meta_inner_lr)
    _choice("meta.outer", meta.outer, ("same", "post"))
    for name in ("alpha0", "beta0", "fixed_alpha", "fixed_beta"):
        _unit(f"meta.{name}", getattr(meta, name))
    _open_positive("meta.eta_lr", meta.eta_lr)
    _choice("meta.eta_chain", meta.eta_chain, ("paper", "gae"))
    _choice("meta.eta_param", meta.eta_param, ("clip", "logit"))
    _choice("meta.eta_samples", meta.eta_samples, ("matched", "positive_shaped"))
    _choice("optim.optimizer", optim.optimizer, ("sgd", "adam"))
    for name in ("lr_theta", "lr_theta_hat", "lr_phi"):
        _open_positive(f"optim.{name}", getattr(optim, name))
    if optim.chi is not None:
        _open_positive("optim.chi", optim.chi)
        if optim.chi > 1:
            raise ValueError(f"optim.chi={optim.chi!r} must be in (0, 1]")
        if optim.optimizer != "sgd":
            raise ValueError(f"optim.chi={optim.chi!r} needs optim.optimizer='sgd' (set chi to None with Adam)")
    _nonneg("run.seed", run.seed)
    _positive("run.episodes", run.episodes)
    _choice("run.device", run.device, ("auto", "cpu", "cuda"))
    _nonneg("run.eval_every", run.eval_every)
    _positive("run.eval_seeds", run.eval_seeds)
    _nonneg("run.threads", run.threads)


UNBOUNDED = ("max_grad_norm",)
"""Float fields that may be infinite."""


def _check_types(section: str, obj) -> None:
    for f in fields(obj):
        value = getattr(obj, f.name)
        if not _type_ok(f.type, value, f.name in UNBOUNDED):
            raise TypeError(f"{section}.{f.name} must be {f.type}, got {value!r}")


def _type_ok(hint: str, value, may_be_inf: bool) -> bool:
    def real(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and (
            math.isfinite(v) or (may_be_inf and v == math.inf))

    if hint == "float | None":
        return value is None or real(value)
    if hint == "str | None":
        return value is None or isinstance(value, str)
    if hint == "float":
        return real(value)
    if hint == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if hint == "tuple[int, ...]":
        return isinstance(value, tuple) and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
    return isinstance(value, {"bool": bool, "str": str, "dict": dict}[hint])


def _choice(name: str, value, options) -> None:
    if value not in options:
        raise ValueError(f"{name}={value!r} must be one of {options}")


def _positive(name: str, value) -> None:
    if value < 1:
        raise ValueError(f"{name}={value!r} must be >= 1")


def _nonneg(name: str, value) -> None:
    if value < 0:
        raise ValueError(f"{name}={value!r} must be >= 0")


def _open_positive(name: str, value) -> None:
    if not value > 0:
        raise ValueError(f"{name}={value!r} must be > 0")


def _unit(name: str, value) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name}={value!r} must be in [0, 1]")
