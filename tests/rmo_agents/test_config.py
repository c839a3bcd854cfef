"""RMOConfig: the paper preset is Table 1, files round-trip, malformed files and paths are refused by name
(bad field values: test_validation.py)."""

import dataclasses
import json
import math

import pytest

from dasc_env import DASCConfig
from rmo_agents.config import BACKENDS, VARIANTS, EnvConfig, MetaConfig, RMOConfig
from rmo_agents.presets import preset


def odd_config() -> RMOConfig:
    """Non-default values everywhere a file format could lose them: None, inf, a tuple, a nested dict."""
    cfg = preset("practical")
    return cfg.with_overrides([
        "ppo.max_grad_norm=inf", "meta.meta_inner_lr=null", "optim.chi=null", "model.actor_hidden=[32, 8]",
        "meta.outer=post", "run.deterministic=true", "ppo.epochs=2", "meta.alpha0=0.25",
    ]).replace_path("env.dasc", {"deadline_factor": 2.0, "horizon": None})


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


def test_unknown_preset_is_refused_by_name():
    with pytest.raises(ValueError, match="'tablet'"):
        preset("tablet")


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        preset("paper").ppo.gamma = 0.5  # type: ignore[misc]


# ------------------------------------------------------------------ files
@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_file_round_trip_keeps_none_inf_tuples_and_dicts(tmp_path, suffix):
    cfg = odd_config()
    assert cfg.optim.chi is None and cfg.meta.meta_inner_lr is None and math.isinf(cfg.ppo.max_grad_norm)
    path = tmp_path / f"run{suffix}"
    cfg.save(path)
    back = RMOConfig.from_file(path)
    assert back == cfg
    assert back.model.actor_hidden == (32, 8) and back.env.dasc == {"deadline_factor": 2.0, "horizon": None}


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_file_round_trip_of_the_presets(tmp_path, suffix):
    for name in ("paper", "practical"):
        path = tmp_path / f"{name}{suffix}"
        preset(name).save(path)
        assert RMOConfig.from_file(path) == preset(name)


def test_dict_round_trip():
    cfg = odd_config()
    assert RMOConfig.from_dict(cfg.to_dict()) == cfg


def test_partial_file_keeps_defaults_for_missing_sections_and_fields(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"ppo": {"epochs": 7}}))
    cfg = RMOConfig.from_file(path)
    assert cfg == RMOConfig().replace_path("ppo.epochs", 7)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_file_round_trip_keeps_a_string_field_spelled_none(tmp_path, suffix):
    cfg = RMOConfig().replace_path("run.out", "none")
    path = tmp_path / f"run{suffix}"
    cfg.save(path)
    assert RMOConfig.from_file(path) == cfg


# ------------------------------------------------------------------ malformed input
def test_unknown_section_is_refused_by_name():
    with pytest.raises(ValueError, match="'learner'"):
        RMOConfig.from_dict({"learner": {}})


def test_section_that_is_not_a_table_is_refused():
    with pytest.raises(TypeError, match="'ppo'"):
        RMOConfig.from_dict({"ppo": 3})


def test_config_that_is_not_a_dict_is_refused():
    with pytest.raises(TypeError):
        RMOConfig.from_dict([1, 2])


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_unknown_field_in_a_file_is_refused_by_name(tmp_path, suffix):
    path = tmp_path / f"run{suffix}"
    path.write_text(json.dumps({"ppo": {"epochz": 3}}) if suffix == ".json" else "[ppo]\nepochz = 3\n")
    with pytest.raises(ValueError, match="'epochz'.*'ppo'"):
        RMOConfig.from_file(path)


def test_bad_value_in_a_file_is_refused_by_name(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("[ppo]\ngamma = 2.0\n")
    with pytest.raises(ValueError, match=r"ppo\.gamma=2\.0"):
        RMOConfig.from_file(path)


def test_unreadable_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="missing.json"):
        RMOConfig.from_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.toml"
    broken.write_text("[ppo\n")
    with pytest.raises(ValueError, match="broken.toml"):
        RMOConfig.from_file(broken)


def test_replace_path_refuses_unknown_section_and_field():
    with pytest.raises(ValueError, match="'nope.x'"):
        RMOConfig().replace_path("nope.x", 1)
    with pytest.raises(ValueError, match="'epochz'"):
        RMOConfig().replace_path("ppo.epochz", 1)


# ------------------------------------------------------------------ overrides
def test_with_overrides_parses_ints_and_bare_strings():
    cfg = RMOConfig().with_overrides(["ppo.epochs=2", "meta.outer=post"])
    assert cfg.ppo.epochs == 2 and isinstance(cfg.ppo.epochs, int)
    assert cfg.meta.outer == "post"
    assert cfg == RMOConfig(ppo=dataclasses.replace(RMOConfig().ppo, epochs=2),
                            meta=dataclasses.replace(RMOConfig().meta, outer="post"))


def test_with_overrides_parses_null_inf_lists_and_bools():
    cfg = preset("practical").with_overrides(
        ["meta.meta_inner_lr=null", "ppo.max_grad_norm=inf", "model.actor_hidden=[16,16]", "run.progress=false"])
    assert cfg.meta.meta_inner_lr is None and cfg.ppo.max_grad_norm == math.inf
    assert cfg.model.actor_hidden == (16, 16) and cfg.run.progress is False


def test_with_overrides_leaves_the_original_unchanged():
    cfg = RMOConfig()
    cfg.with_overrides(["ppo.epochs=2"])
    assert cfg.ppo.epochs == 4


def test_with_overrides_refuses_an_item_without_equals_sign():
    with pytest.raises(ValueError, match="ppo.epochs"):
        RMOConfig().with_overrides(["ppo.epochs"])


def test_with_overrides_validates_the_value():
    with pytest.raises(ValueError, match=r"ppo\.gamma=2"):
        RMOConfig().with_overrides(["ppo.gamma=2"])


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
    with pytest.raises(ValueError, match="ppo.worker_price=0.05 needs ppo.team_advantage 'task' or 'task\\+team'"):
        RMOConfig().with_overrides(["ppo.worker_price=0.05"])
    assert preset("practical").with_overrides(["ppo.worker_price=0.05"]).ppo.worker_price == 0.05
