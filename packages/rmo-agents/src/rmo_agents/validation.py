"""Validation of config dataclasses: the first bad field raises ``ValueError``/``TypeError`` naming it and its value.

Each rule of a single field is declared once, on the field itself (``config.py``), and checked here generically:

* its annotation: ``int``, ``float`` (finite), ``bool``, ``str``, ``dict``, ``tuple[int, ...]``, ``X | None``,
  or ``Literal[...]``, whose arguments are the allowed values (also of each item of a ``tuple[Literal[...], ...]``);
* its numeric range, in ``dataclasses.field(metadata=...)``: ``min`` (>=), ``gt`` (>), ``max`` (<=), and
  ``inf`` (True: the float may be +inf). The range of a tuple applies to each item of a non-empty tuple;
* ``schemes`` in the metadata of a ``credit`` field: the credit schemes that read it (``validate``).

Nothing here imports ``config``: the checker sees dataclasses only, plus the rules that join fields of an
``RMOConfig`` (``validate``).
"""

from __future__ import annotations

import functools
import math
import types
from dataclasses import fields
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

AT_LEAST_0 = {"min": 0}
AT_LEAST_1 = {"min": 1}
POSITIVE = {"gt": 0}
UNIT = {"min": 0, "max": 1}


def validate(cfg: Any) -> None:
    """Check every section of ``cfg`` (a dataclass of dataclass sections, an ``RMOConfig``), then the rules
    that join fields: ``env.dasc`` must build a ``DASCConfig``; chi (Alg. 1 line 13) needs SGD; an option of one
    credit scheme (its field's ``"schemes"`` metadata) keeps its default under the others; replay credit needs the
    sparse variant and all of its decisions sampled."""
    for f in fields(cfg):
        check_section(f.name, getattr(cfg, f.name))
    cfg.env.dasc_config()
    if cfg.optim.chi is not None and cfg.optim.optimizer != "sgd":
        raise ValueError(f"optim.chi={cfg.optim.chi!r} needs optim.optimizer='sgd' (set chi to None with Adam)")
    credit = cfg.credit
    for f in fields(credit):
        owners, value = f.metadata.get("schemes"), getattr(credit, f.name)
        if owners and credit.scheme not in owners and value != f.default:
            raise ValueError(f"credit.{f.name}={value!r} is an option of credit.scheme {' or '.join(map(repr, owners))}"
                             f", got credit.scheme={credit.scheme!r}")
    if credit.scheme == "replay" and cfg.meta.variant != "sparse":
        raise ValueError(f"credit.scheme='replay' trains theta alone on the replayed decisions: it needs "
                         f"meta.variant='sparse', got {cfg.meta.variant!r}")
    if credit.scheme == "replay" and cfg.ppo.sampling == "window":
        raise ValueError("ppo.sampling='window' would drop replayed decisions outside its windows: credit.scheme="
                         "'replay' needs ppo.sampling 'groups' or 'shuffle'")


def check_section(section: str, obj: Any) -> None:
    """Check every field of the dataclass ``obj`` against its annotation and its declared range."""
    hint_of = hints(type(obj))
    for f in fields(obj):
        name, value, hint, rule = f"{section}.{f.name}", getattr(obj, f.name), hint_of[f.name], f.metadata
        if not _type_ok(hint, value, rule.get("inf", False)):
            raise TypeError(f"{name} must be {_describe(hint)}, got {value!r}")
        if value is None:
            continue
        allowed = choices(hint)
        if allowed is not None and value not in allowed:
            raise ValueError(f"{name}={value!r} must be one of {allowed}")
        item_allowed = choices(get_args(hint)[0]) if get_origin(hint) is tuple else None
        if item_allowed is not None and not set(value) <= set(item_allowed):
            raise ValueError(f"{name}={value!r}: each item must be one of {item_allowed}")
        if _bounded(rule) and not _in_range(value, rule):
            what = f"a non-empty tuple of values {_range_text(rule)}" if isinstance(value, tuple) else _range_text(rule)
            raise ValueError(f"{name}={value!r} must be {what}")


@functools.cache
def hints(cls: type) -> dict[str, Any]:
    """The resolved annotations of a dataclass (under postponed evaluation its fields' ``f.type`` are strings)."""
    return get_type_hints(cls)


def choices(hint: Any) -> tuple | None:
    """The allowed values of a ``Literal[...]`` annotation (or of ``Literal[...] | None``), else None."""
    if get_origin(hint) is Literal:
        return get_args(hint)
    if _is_union(hint):
        return next((c for c in map(choices, get_args(hint)) if c is not None), None)
    return None


def _is_union(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType)


def _type_ok(hint: Any, value: Any, may_be_inf: bool) -> bool:
    if _is_union(hint):
        return any(_type_ok(arg, value, may_be_inf) for arg in get_args(hint))
    if hint is type(None):
        return value is None
    if get_origin(hint) is Literal:  # the type of the allowed values; membership is a ValueError
        return isinstance(value, tuple({type(arg) for arg in get_args(hint)}))
    if get_origin(hint) is tuple:
        item = get_args(hint)[0]
        return isinstance(value, tuple) and all(_type_ok(item, x, may_be_inf) for x in value)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and (
            math.isfinite(value) or (may_be_inf and value == math.inf))
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _describe(hint: Any) -> str:
    if _is_union(hint):
        return " | ".join(map(_describe, get_args(hint)))
    if hint is type(None):
        return "None"
    if get_origin(hint) is Literal:
        return " | ".join(sorted({type(arg).__name__ for arg in get_args(hint)}))
    if get_origin(hint) is tuple:
        return f"tuple[{', '.join('...' if a is Ellipsis else _describe(a) for a in get_args(hint))}]"
    return hint.__name__


def _bounded(rule) -> bool:
    return any(key in rule for key in ("min", "gt", "max"))


def _in_range(value, rule) -> bool:
    items = value if isinstance(value, tuple) else (value,)
    return bool(items) and all(
        ("min" not in rule or x >= rule["min"]) and ("gt" not in rule or x > rule["gt"])
        and ("max" not in rule or x <= rule["max"]) for x in items)


def _range_text(rule) -> str:
    low = f"[{rule['min']}" if "min" in rule else f"({rule['gt']}" if "gt" in rule else None
    if "max" in rule and low is not None:
        text = f"in {low}, {rule['max']}]"
    elif "max" in rule:
        text = f"<= {rule['max']}"
    else:
        text = f">= {rule['min']}" if "min" in rule else f"> {rule['gt']}"
    return text + (" (inf allowed)" if rule.get("inf") else "")
