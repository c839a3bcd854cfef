"""RMOConfig: the paper preset is Table 1, the variants and backends, the env section (files and overrides:
test_config_io.py; bad field values: test_validation.py)."""

import dataclasses
import re

import pytest

from dasc_env import DASCConfig
from rmo_agents.config import BACKENDS, VARIANTS, CreditConfig, EnvConfig, MetaConfig, RMOConfig, SearchConfig
from rmo_agents.presets import PRESETS, preset


# ------------------------------------------------------------------ presets
def test_paper_preset_is_table_1():
    cfg = preset("paper")
    assert cfg.optim.optimizer == "sgd"
    assert cfg.optim.lr_theta == 1e-3 and cfg.optim.lr_theta_hat == 1e-3 and cfg.optim.lr_phi == 1e-3
    assert cfg.meta.eta_lr == 1e-4
    assert cfg.optim.chi == 1e-3
    assert cfg.ppo.gamma == 0.99 and cfg.ppo.gae_lambda == 0.95 and cfg.ppo.clip_eps == 0.2
    assert cfg.meta.xi0 == 1.0
    assert cfg.meta.variant == "rmo" and cfg.meta.eta_chain == "paper" and cfg.meta.eta_param == "clip"


def test_paper_preset_is_the_default_config():
    assert preset("paper") == RMOConfig()


def test_practical_preset_uses_adam_without_soft_update():
    cfg = preset("practical")
    assert cfg.optim.optimizer == "adam" and cfg.optim.chi is None
    assert cfg.optim.lr_theta == 5e-4 and cfg.optim.lr_theta_hat == 5e-4 and cfg.meta.meta_inner_lr == 5e-4
    assert cfg.meta.eta_chain == "gae" and cfg.meta.eta_param == "logit"


def test_practical_preset_leaves_advantages_in_revenue_units():
    assert preset("practical").ppo.normalize_advantages is False


def test_revenue_preset_is_practical_with_eta_and_a_bias_per_ready_and_busy_sooner_cell_learned_from_revenue():
    assert preset("revenue") == preset("practical").with_overrides([
        "ppo.normalize_advantages=true", "search.eta=true", "search.eta_delta=0.2", "model.decision_bias=true",
        'model.decision_bias_features=["ready","busy_sooner"]', "search.bias_delta=1.0", "search.bias_lr=0.5",
        "search.bias_episodes=2"])
    assert preset("revenue").meta.learns_eta


def test_a_config_of_the_earlier_layout_loads_with_its_options_where_they_moved():
    """The shipped checkpoints' configs were written before the credit and search sections: they load unchanged."""
    old = {"ppo": {"team_advantage": "task+team", "failed_reward": 0.0, "replays": 8, "worker_price": 0.0},
           "model": {"decision_bias": True, "decision_bias_features": ["ready", "busy_sooner"],
                     "decision_bias_basis": "cells"},
           "meta": {"eta_estimator": "paired", "eta_delta": 0.2, "bias_directions": "coordinate", "bias_lr": 0.5,
                    "xi_scale": "absolute"}}
    cfg = RMOConfig.from_dict(old)
    assert cfg.credit == CreditConfig(scheme="task+team", failed_reward=0.0)
    assert cfg.search == SearchConfig(eta=True, eta_delta=0.2, bias_lr=0.5)
    assert cfg.model.decision_bias_features == ("ready", "busy_sooner")


@pytest.mark.parametrize(("section", "values", "name"), [
    ("model", {"decision_bias": True, "decision_bias_basis": "affine"}, "model.decision_bias_basis='affine'"),
    ("meta", {"bias_directions": "random"}, "meta.bias_directions='random'"),
    ("meta", {"xi_scale": "relative"}, "meta.xi_scale='relative'"),
    ("ppo", {"team_advantage": "split"}, "credit.scheme='split'"),
])
def test_a_removed_option_at_a_value_that_went_is_refused_by_name(section, values, name):
    data = {section: values, "model": {"decision_bias": True, **(values if section == "model" else {})}}
    with pytest.raises(ValueError, match=re.escape(name) + " was removed"):
        RMOConfig.from_dict(data)


def test_a_moved_option_set_by_its_old_name_says_where_it_went():
    with pytest.raises(ValueError, match="'ppo.team_advantage' is now 'credit.scheme'"):
        RMOConfig().with_overrides(["ppo.team_advantage=task"])


def test_every_preset_is_described_in_the_registry_and_builds():
    assert set(PRESETS) == {"paper", "practical", "revenue"}
    for name, entry in PRESETS.items():
        assert entry.summary and isinstance(preset(name), RMOConfig)


def test_unknown_preset_is_refused_by_name():
    with pytest.raises(ValueError, match="'tablet'"):
        preset("tablet")


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        preset("paper").ppo.gamma = 0.5  # type: ignore[misc]


# ------------------------------------------------------------------ variants
@pytest.mark.parametrize(("variant", "trains_meta", "learns_eta", "matcher"), [
    ("sparse", False, False, "km"),
    ("shaped", False, False, "km"),
    ("meta", True, False, "km"),
    ("rec", True, False, "greedy"),
    ("rmo", True, True, "km"),
])
def test_variant_properties(variant, trains_meta, learns_eta, matcher):
    meta = MetaConfig(variant=variant)
    assert (meta.trains_meta, meta.learns_eta, meta.matcher) == (trains_meta, learns_eta, matcher)


def test_the_five_variants():
    assert VARIANTS == ("sparse", "shaped", "meta", "rec", "rmo")


def test_the_three_backends():
    assert BACKENDS == ("sync", "subprocess", "ray")


# ------------------------------------------------------------------ inner step size
def test_inner_lr_defaults_to_half_of_theta_hats_learning_rate():
    cfg = RMOConfig().replace_path("optim.lr_theta_hat", 3e-3)
    assert cfg.meta.meta_inner_lr is None and cfg.inner_lr == 1.5e-3


def test_inner_lr_is_meta_inner_lr_when_set():
    assert RMOConfig().replace_path("meta.meta_inner_lr", 7e-4).inner_lr == 7e-4


# ------------------------------------------------------------------ env
def test_dasc_config_carries_the_env_fields_and_the_extra_dasc_fields():
    dasc = EnvConfig(city="small", num_tasks=5, num_workers=7, dasc={"deadline_factor": 2.0}).dasc_config()
    assert (dasc.city, dasc.num_tasks, dasc.num_workers, dasc.deadline_factor) == ("small", 5, 7, 2.0)


# ------------------------------------------------------------------ EnvConfig.from_dasc
def test_env_config_from_dasc_describes_the_same_env():
    dasc = DASCConfig(city="small", num_tasks=20, num_workers=12, worker_skill_mean=8.0, arrival_window=1200.0)
    env = EnvConfig.from_dasc(dasc, num_envs=2)
    assert env.dasc_config() == dasc and env.num_envs == 2
    assert env.dasc == {"worker_skill_mean": 8.0, "arrival_window": 1200.0}


def test_env_config_from_dasc_leaves_the_learners_own_fields_out():
    env = EnvConfig.from_dasc(DASCConfig(city="small", matcher="greedy", alpha=0.3, beta=0.7, reward_mode="shaped"))
    assert env.dasc_config() == DASCConfig(city="small")


def test_env_config_from_dasc_rejects_what_is_not_a_dasc_config():
    with pytest.raises(TypeError, match="DASCConfig"):
        EnvConfig.from_dasc({"city": "small"})


def test_worker_price_needs_per_task_credit():
    with pytest.raises(ValueError, match="credit.worker_price=0.05 is an option of credit.scheme 'task' or "
                                         "'task\\+team', got credit.scheme='shared'"):
        RMOConfig().with_overrides(["credit.worker_price=0.05"])
    assert preset("practical").with_overrides(["credit.worker_price=0.05"]).credit.worker_price == 0.05


def test_replay_credit_needs_the_sparse_variant():
    with pytest.raises(ValueError, match="credit.scheme='replay' .* needs meta.variant='sparse', got 'rmo'"):
        RMOConfig().with_overrides(["meta.variant=rmo", "credit.scheme=replay"])
    cfg = RMOConfig().with_overrides(["meta.variant=sparse", "credit.scheme=replay", "credit.replays=3"])
    assert (cfg.credit.scheme, cfg.credit.replays) == ("replay", 3)


def test_replays_are_an_option_of_replay_credit_alone():
    with pytest.raises(ValueError, match="credit.replays=3 is an option of credit.scheme 'replay', got"):
        RMOConfig().with_overrides(["credit.replays=3"])


def test_replay_credit_refuses_the_window_sampler():
    with pytest.raises(ValueError, match="ppo.sampling='window' would drop replayed decisions"):
        RMOConfig().with_overrides(["meta.variant=sparse", "credit.scheme=replay", "ppo.sampling=window"])
