"""The named starting points of an ``RMOConfig``, described once: ``PRESETS`` (read by ``rmo-train --help`` and
checked against the README's table) and ``preset(name)``.

* ``paper``: Table 1 exactly (SGD, mu_theta = mu_phi = 1e-3, mu_eta = 1e-4, chi = 1e-3, xi_0 = 1, the paper's eta
  chain), the defaults of every config section.
* ``practical``: per-task plus team credit, gamma and lambda per simulated second (0.999 each: credit spans a task's
  life, about 17 min), failed recommendations worth 0 in theta's signals, four episodes per update, advantages in
  revenue units (not standardised per batch), Adam 5e-4 on both policies and 1e-3 on the critic with no soft
  update (chi has no meaning under Adam), and eta by the exact GAE chain with Adam on a logit, so eta cannot stick
  at 0 or 1.
* ``revenue``: ``practical`` with advantages standardised per batch, eta learned by paired central differences of
  E(M) at +-0.2 (``search.eta``), and a decision bias on the "recommend" logit with one offset per cell of the
  agent's ``ready`` and ``busy_sooner`` features, each moved by the sign of its own paired difference at +-1.0 on
  two episodes a side, step 0.5: KM's wait rule is b_(not ready) < 0, WAIT-KM's b_(ready, busy sooner) < 0. The
  searches cost 24 extra episodes per update.

How each was chosen, and what it measured, is in docs/EXPERIMENTS.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from .config import CreditConfig, EnvConfig, MetaConfig, ModelConfig, OptimConfig, PPOConfig, RMOConfig, SearchConfig


@dataclass(frozen=True)
class Preset:
    """A named configuration: what it is in one line, and how it is built."""

    summary: str
    build: Callable[[], RMOConfig]


def _practical() -> RMOConfig:
    return RMOConfig(
        env=EnvConfig(city="small", num_tasks=20, num_workers=40, num_envs=4),
        ppo=PPOConfig(time_unit="second", gamma=0.999, gae_lambda=0.999, normalize_advantages=False),
        credit=CreditConfig(scheme="task+team", failed_reward=0.0),
        optim=OptimConfig(optimizer="adam", lr_theta=5e-4, lr_theta_hat=5e-4, lr_phi=1e-3, chi=None),
        meta=MetaConfig(meta_inner_lr=5e-4, eta_lr=0.05, eta_chain="gae", eta_param="logit"),
    )


def _revenue() -> RMOConfig:
    practical = _practical()
    return replace(practical, ppo=replace(practical.ppo, normalize_advantages=True),
                   model=ModelConfig(decision_bias=True, decision_bias_features=("ready", "busy_sooner")),
                   search=SearchConfig(eta=True, eta_delta=0.2, bias_delta=1.0, bias_lr=0.5, bias_episodes=2))


PRESETS: dict[str, Preset] = {
    "paper": Preset("Table 1 of the paper: SGD, mu_theta = mu_phi = 1e-3, mu_eta = 1e-4, chi = 1e-3, xi_0 = 1, the "
                    "shared team advantage, gamma 0.99 and lambda 0.95 per decision step", RMOConfig),
    "practical": Preset("the CLI default, what learns on the learning-sanity scenarios: per-task plus team credit, "
                        "gamma = lambda = 0.999 per simulated second, no reward for a failed recommendation, four "
                        "episodes per update, Adam", _practical),
    "revenue": Preset("practical, plus eta and a decision bias per cell of the ready and busy_sooner features, "
                      "learned from E(M) itself by paired episodes (24 extra per update)", _revenue),
}
"""Every preset by name (module docstring: what each sets); the README's preset table shows the summaries."""


def preset(name: str) -> RMOConfig:
    """The configuration of preset ``name`` (one of ``PRESETS``)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; presets: {list(PRESETS)}")
    return PRESETS[name].build()
