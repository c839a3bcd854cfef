"""Validation: every bad value is refused by name, each field's rules are declared once (Literal, range metadata)
and checked generically, and validation.py does not import config.py."""

import ast
import dataclasses
import math
import re
from pathlib import Path
from typing import Literal, get_args, get_origin

import pytest

from rmo_agents import validation
from rmo_agents.config import EnvConfig, RMOConfig
from rmo_agents.validation import AT_LEAST_1, check_section, choices, hints

SECTIONS = {f.name: f.type for f in dataclasses.fields(RMOConfig)}
FREE_TEXT = {"env.city", "env.ray_address", "env.scenario", "env.graph", "run.out"}
"""String fields that take any text (dasc-env checks the city and reads the files, Ray the address)."""


def section_fields():
    """(section.field, resolved annotation, metadata) of every field of every section."""
    cfg = RMOConfig()
    for section in SECTIONS:
        obj = getattr(cfg, section)
        hint_of = hints(type(obj))
        for f in dataclasses.fields(obj):
            yield f"{section}.{f.name}", hint_of[f.name], f.metadata


LITERALS = [(dotted, choices(hint)) for dotted, hint, _ in section_fields() if choices(hint) is not None]
RANGED = [(dotted, hint, dict(meta)) for dotted, hint, meta in section_fields() if meta]


def outside(hint, rule):
    """A value of the field's type just outside its declared range."""
    if "min" in rule:
        value = rule["min"] - 1
    elif "gt" in rule:
        value = rule["gt"]
    else:
        value = rule["max"] + 1
    if get_origin(hint) is tuple:
        return (value,)
    return float(value) if float in (hint, *get_args(hint)) else value


# ------------------------------------------------------------------ bad values
BAD_VALUES = [
    ("ppo.gamma", 2, ValueError),
    ("ppo.gae_lambda", -0.1, ValueError),
    ("ppo.clip_eps", 0.0, ValueError),
    ("ppo.epochs", 0, ValueError),
    ("ppo.epochs", 2.5, TypeError),
    ("ppo.epochs", True, TypeError),
    ("ppo.gamma", math.nan, TypeError),
    ("ppo.max_grad_norm", 0.0, ValueError),
    ("ppo.value_loss", "l1", ValueError),
    ("meta.variant", "x", ValueError),
    ("meta.outer", "pre", ValueError),
    ("meta.meta_inner_lr", -1e-3, ValueError),
    ("meta.eta_lr", 0.0, ValueError),
    ("meta.alpha0", 1.5, ValueError),
    ("optim.optimizer", "rmsprop", ValueError),
    ("optim.chi", 2.0, ValueError),
    ("optim.lr_theta", 0.0, ValueError),
    ("model.gat_heads", 0, ValueError),
    ("model.gat_edges", "both", ValueError),
    ("model.actor_hidden", (64, 0), ValueError),
    ("run.device", "tpu", ValueError),
    ("run.seed", -1, ValueError),
    ("env.num_envs", 0, ValueError),
    ("env.num_tasks", "60", TypeError),
    ("env.backend", 3, TypeError),
]


@pytest.mark.parametrize(("dotted", "value", "error"), BAD_VALUES, ids=[f"{d}={v!r}" for d, v, _ in BAD_VALUES])
def test_bad_value_is_refused_naming_field_and_value(dotted, value, error):
    with pytest.raises(error) as info:
        RMOConfig().replace_path(dotted, value)
    assert dotted in str(info.value) and repr(value) in str(info.value)


@pytest.mark.parametrize("dotted", ["optim.lr_theta", "optim.lr_phi", "meta.eta_lr", "meta.xi0"])
def test_infinite_rate_is_refused_by_name(dotted):
    with pytest.raises((ValueError, TypeError), match=dotted.replace(".", r"\.")):
        RMOConfig().replace_path(dotted, math.inf)


def test_infinite_max_grad_norm_is_accepted():
    assert RMOConfig().replace_path("ppo.max_grad_norm", math.inf).ppo.max_grad_norm == math.inf


def test_none_is_accepted_where_the_annotation_allows_it():
    cfg = RMOConfig().replace_path("optim.chi", None).replace_path("meta.meta_inner_lr", None)
    assert cfg.optim.chi is None and cfg.meta.meta_inner_lr is None


def test_empty_actor_hidden_is_refused_by_name():
    with pytest.raises(ValueError, match=r"model\.actor_hidden=\(\)"):
        RMOConfig().replace_path("model.actor_hidden", ())


def test_type_error_names_the_annotation():
    with pytest.raises(TypeError, match=r"meta\.meta_inner_lr must be float \| None, got 'fast'"):
        RMOConfig().replace_path("meta.meta_inner_lr", "fast")


# ------------------------------------------------------------------ rules declared once, checked generically
def test_every_option_with_fixed_choices_is_a_literal():
    plain_str = [dotted for dotted, hint, _ in section_fields() if hint in (str, str | None)]
    assert set(plain_str) == FREE_TEXT


@pytest.mark.parametrize(("dotted", "allowed"), LITERALS, ids=[d for d, _ in LITERALS])
def test_literal_field_refuses_a_value_outside_it_listing_the_allowed_values(dotted, allowed):
    with pytest.raises(ValueError) as info:
        RMOConfig().replace_path(dotted, "not-a-choice")
    assert str(info.value) == f"{dotted}='not-a-choice' must be one of {allowed}"


@pytest.mark.parametrize(("dotted", "allowed"), LITERALS, ids=[d for d, _ in LITERALS])
def test_literal_field_accepts_each_of_its_values(dotted, allowed):
    # a base that the rules joining fields accept for every value: Adam needs no chi, replay credit the sparse
    # variant
    base = {"optim.optimizer": ["optim.chi=null"], "credit.scheme": ["meta.variant=sparse"]}
    cfg = RMOConfig().with_overrides(base.get(dotted, []))
    section, _, name = dotted.partition(".")
    for value in allowed:
        assert getattr(getattr(cfg.replace_path(dotted, value), section), name) == value


@pytest.mark.parametrize(("dotted", "hint", "rule"), RANGED, ids=[d for d, _, _ in RANGED])
def test_ranged_field_refuses_a_value_outside_its_range_by_name(dotted, hint, rule):
    value = outside(hint, rule)
    with pytest.raises(ValueError, match=rf"^{re.escape(dotted)}={re.escape(repr(value))} must be "):
        RMOConfig().replace_path(dotted, value)


@pytest.mark.parametrize(("dotted", "text"), [
    ("ppo.gamma", "must be in [0, 1]"),
    ("ppo.epochs", "must be >= 1"),
    ("run.seed", "must be >= 0"),
    ("meta.eta_lr", "must be > 0"),
    ("optim.chi", "must be in (0, 1]"),
])
def test_range_message_states_the_range(dotted, text):
    hint, rule = next((h, r) for d, h, r in RANGED if d == dotted)
    with pytest.raises(ValueError) as info:
        RMOConfig().replace_path(dotted, outside(hint, rule))
    assert str(info.value).endswith(text)


def test_check_section_works_on_any_dataclass():
    @dataclasses.dataclass(frozen=True)
    class Toy:
        mode: Literal["a", "b"] = "a"
        size: int = dataclasses.field(default=1, metadata=AT_LEAST_1)

    check_section("toy", Toy())
    with pytest.raises(ValueError, match=r"toy\.mode='c' must be one of \('a', 'b'\)"):
        check_section("toy", Toy(mode="c"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"toy\.size=0 must be >= 1"):
        check_section("toy", Toy(size=0))


def test_validation_does_not_import_config():
    tree = ast.parse(Path(validation.__file__).read_text())
    imported = [f"{node.module or ''}.{alias.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if "config" in name.split(".") or name.startswith("rmo_agents")]


# ------------------------------------------------------------------ cross-field rules
def test_chi_with_adam_is_refused_by_name():
    with pytest.raises(ValueError, match=r"optim\.chi=0\.001.*sgd"):
        RMOConfig().replace_path("optim.optimizer", "adam")


def test_env_dasc_unknown_field_is_refused_by_name():
    with pytest.raises(ValueError, match=r"dasc=\{'bogus': 1\}.*bogus"):
        RMOConfig(env=EnvConfig(dasc={"bogus": 1}))


def test_env_dasc_bad_dasc_value_is_refused_by_name():
    with pytest.raises(ValueError, match="deadline_factor"):
        RMOConfig(env=EnvConfig(dasc={"deadline_factor": -1.0}))


@pytest.mark.parametrize("reserved", ["alpha", "beta", "matcher", "reward_mode", "city", "num_tasks", "num_workers"])
def test_env_dasc_setting_a_reserved_field_is_refused_by_name(reserved):
    with pytest.raises(ValueError, match=f"dasc.*'{reserved}'"):
        RMOConfig(env=EnvConfig(dasc={reserved: 0.5}))


def test_a_tuple_of_literals_is_checked_item_by_item():
    with pytest.raises(ValueError, match=r"model.decision_bias_features=\('ready', 'nope'\): each item must be one of"):
        RMOConfig().with_overrides(['model.decision_bias_features=["ready", "nope"]'])
    assert RMOConfig().with_overrides(["model.decision_bias_features=[]"]).model.decision_bias_features == ()


def test_a_decision_bias_on_a_feature_that_is_not_0_or_1_is_refused_by_name():
    with pytest.raises(ValueError, match=r"decision_bias_features=\('competitors',\): each item must be one of"):
        RMOConfig().with_overrides(['model.decision_bias_features=["competitors"]'])
