"""config_io: RMOConfig files round-trip (JSON, TOML), overrides parse, malformed files and paths are refused by
name, and nothing is half-applied (bad field values: test_validation.py)."""

import dataclasses
import json
import math

import pytest

from rmo_agents.config import RMOConfig
from rmo_agents.presets import preset


def odd_config() -> RMOConfig:
    """Non-default values everywhere a file format could lose them: None, inf, a tuple, a nested dict."""
    cfg = preset("practical")
    return cfg.with_overrides([
        "ppo.max_grad_norm=inf", "meta.meta_inner_lr=null", "optim.chi=null", "model.actor_hidden=[32, 8]",
        "meta.outer=post", "run.deterministic=true", "ppo.epochs=2", "meta.alpha0=0.25",
    ]).replace_path("env.dasc", {"deadline_factor": 2.0, "horizon": None})


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


def test_with_overrides_checks_rules_that_join_fields_after_every_assignment_in_any_order():
    for order in (["credit.scheme=replay", "meta.variant=sparse"],
                  ["meta.variant=sparse", "credit.scheme=replay"]):
        cfg = RMOConfig().with_overrides(order)
        assert (cfg.credit.scheme, cfg.meta.variant) == ("replay", "sparse")


def test_with_overrides_later_assignment_to_the_same_field_wins():
    assert RMOConfig().with_overrides(["ppo.epochs=2", "ppo.epochs=3"]).ppo.epochs == 3


def test_with_overrides_refuses_an_unknown_field_before_applying_anything():
    with pytest.raises(ValueError, match="ppo has no field 'nope'"):
        RMOConfig().with_overrides(["ppo.epochs=2", "ppo.nope=1"])
