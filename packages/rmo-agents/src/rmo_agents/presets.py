"""The named presets of an ``RMOConfig``: ``preset("paper")``, ``preset("practical")`` and ``preset("revenue")``.

* ``paper`` -- Table 1 exactly: SGD, mu_theta = mu_phi = 1e-3, mu_eta = 1e-4, chi = 1e-3, xi_0 = 1, paper eta chain.
* ``practical`` -- what learns best on the learning-sanity scenarios (``tests/rmo_agents/learning``): per-task credit
  plus the team advantage (``ppo.team_advantage="task+team"``), gamma and lambda per simulated second (0.999 each:
  credit spans a task's life, ~17 min), no reward for a failed recommendation in theta's signals
  (``ppo.failed_reward=0``: where workers are scarce, -1 each drove P(recommend) down, 0.50 -> 0.33 in 40
  episodes on suite task small-quick, and revenue with it), four episodes per update (``env.num_envs=4``),
  advantages in revenue units, not normalised per batch (``ppo.normalize_advantages=False``: with it the waiting
  scenario stayed at KM's 212.3 in 3 training seeds of 6, where every return of a batch is alike and
  normalising scales the critic's noise up to unit size; without it all 3 scenarios x 6 seeds reach the
  optimum), Adam 5e-4 on both policies and the critic, no soft update (chi is meaningless under Adam), the exact
  GAE chain for eta with Adam on a logit so eta cannot stick at 0 or 1.
* ``revenue`` -- ``practical`` (with per-batch advantage normalisation kept on, as its suite evidence was measured)
  with the policy-level parameters learned from E(M) itself, by paired episodes on
  common random numbers: eta by central differences at +-0.2 (``meta.eta_estimator="paired"``; the paper's
  surrogate drives eta to (1, 0), which earns less), and a decision bias on the "recommend" logit with one offset
  per cell of the agent's ``ready`` and ``busy_sooner`` features (``model.decision_bias_basis="cells"``), four
  offsets, each moved by the sign of its own paired difference at +-1.0 on 2 episodes a side, step 0.5
  (``meta.bias_directions="coordinate"``): KM's wait rule is b_(not ready) < 0, WAIT-KM's is b_(ready, busy sooner)
  < 0. 24 extra episodes per update. The README's "Does it learn beyond the baselines?" has its evidence at three
  suite tasks; cells over ``ready`` alone (before) could not tell "wait for the busy near worker" from "recommend
  now", and the affine bias before that (b_0 + b_ready x ready, random directions at +-0.3, step 0.2) learned only
  to recommend more.
"""

from __future__ import annotations

from dataclasses import replace

from .config import EnvConfig, MetaConfig, ModelConfig, OptimConfig, PPOConfig, RMOConfig

PRESETS = ("paper", "practical", "revenue")


def preset(name: str) -> RMOConfig:
    """The named preset: "paper" (Table 1), "practical" or "revenue" (see the module docstring)."""
    if name == "paper":
        return RMOConfig()
    if name == "practical":
        return RMOConfig(
            env=EnvConfig(city="small", num_tasks=20, num_workers=40, num_envs=4),
            ppo=PPOConfig(team_advantage="task+team", time_unit="second", gamma=0.999, gae_lambda=0.999,
                          failed_reward=0.0, normalize_advantages=False),
            optim=OptimConfig(optimizer="adam", lr_theta=5e-4, lr_theta_hat=5e-4, lr_phi=1e-3, chi=None),
            meta=MetaConfig(meta_inner_lr=5e-4, eta_lr=0.05, eta_chain="gae", eta_param="logit"),
        )
    if name == "revenue":
        practical = preset("practical")
        return replace(practical, ppo=replace(practical.ppo, normalize_advantages=True),
                       model=ModelConfig(decision_bias=True, decision_bias_features=("ready", "busy_sooner"),
                                         decision_bias_basis="cells"),
                       meta=replace(practical.meta, eta_estimator="paired", eta_delta=0.2, bias_directions="coordinate",
                                    bias_delta=1.0, bias_lr=0.5, bias_episodes=2))
    raise ValueError(f"unknown preset {name!r}; presets: {list(PRESETS)}")
