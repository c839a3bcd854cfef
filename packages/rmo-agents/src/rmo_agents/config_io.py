"""Reading and writing a config of sections (an ``RMOConfig``): dicts, JSON and TOML files, ``section.field=value``.

Generic over a dataclass whose fields are dataclass sections, so nothing here imports ``config``: a section's
class is its field's annotation. Every value passes the sections' own validation (``validation``) when the
dataclasses are built, so a bad file or override raises ``ValueError``/``TypeError`` naming the field, and a
config is never half-applied.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

from .validation import hints

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

C = TypeVar("C")


def from_dict(cls: type[C], data: dict) -> C:
    """``cls`` built from a dict of sections (each a dict of fields); missing sections and fields keep defaults."""
    sections = hints(cls)
    if not isinstance(data, dict):
        raise TypeError(f"an {cls.__name__} is a dict of sections, got {type(data).__name__}")
    if unknown := set(data) - set(sections):
        raise ValueError(f"unknown {cls.__name__} section(s) {sorted(unknown)}; sections: {sorted(sections)}")
    return cls(**{name: _section(sections[name], data[name], name) for name in data})


def read(cls: type[C], path: str | Path, prepare: Callable[[dict], dict] = lambda data: data) -> C:
    """``cls`` from a JSON or (``.toml``) TOML file, its dict passed through ``prepare`` first."""
    path = Path(path)
    try:
        data = (tomllib.loads if path.suffix == ".toml" else json.loads)(path.read_text())
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read config {path}: {err}") from None
    return from_dict(cls, prepare(data))


def write(cfg: Any, path: str | Path) -> None:
    """Write ``cfg`` as JSON (``.json``) or TOML (``.toml``)."""
    path = Path(path)
    if path.suffix == ".toml":
        import tomli_w

        path.write_text(tomli_w.dumps(_toml_safe(asdict(cfg))))
    else:
        path.write_text(json.dumps(asdict(cfg), indent=2))


def replace_path(cfg: C, dotted: str, value: Any) -> C:
    """A copy of ``cfg`` with ``section.field`` set to ``value`` (validated)."""
    return _apply(cfg, [(dotted, value)])


def with_overrides(cfg: C, assignments: list[str]) -> C:
    """A copy of ``cfg`` with ``section.field=value`` strings applied (values parsed as JSON, else taken as
    strings; a later assignment to the same field wins). The result is validated once, so rules that join
    fields (e.g. ``credit.scheme="replay"`` needs ``meta.variant="sparse"``) do not depend on the order."""
    parsed = []
    for item in assignments:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"--set {item!r}: expected section.field=value")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        parsed.append((key.strip(), value))
    return _apply(cfg, parsed)


def _apply(cfg: C, assignments: list[tuple[str, Any]]) -> C:
    """``cfg`` with every (``section.field``, value) set, each section rebuilt once and the whole validated once."""
    sections = {f.name for f in fields(cfg)}
    changes: dict[str, dict[str, Any]] = {}
    for dotted, value in assignments:
        section, _, name = dotted.partition(".")
        if section not in sections or not name:
            raise ValueError(f"{dotted!r}: expected section.field with section in {sorted(sections)}")
        names = [f.name for f in fields(getattr(cfg, section))]
        if name not in names:
            raise ValueError(f"{dotted!r}: {section} has no field {name!r}; fields: {names}")
        changes.setdefault(section, {})[name] = value
    if not changes:
        return cfg
    return replace(cfg, **{section: _section(type(getattr(cfg, section)), {**asdict(getattr(cfg, section)), **values},
                                             section) for section, values in changes.items()})


def _section(cls, values, name: str):
    if not isinstance(values, dict):
        raise TypeError(f"config section {name!r} must be a table/dict, got {values!r}")
    known = hints(cls)  # field name -> resolved annotation
    if unknown := set(values) - set(known):
        raise ValueError(f"unknown field(s) {sorted(unknown)} in section {name!r}; fields: {sorted(known)}")
    cleaned = dict(values)
    for key, value in values.items():
        hint = known[key]
        if get_origin(hint) is tuple and isinstance(value, list):
            cleaned[key] = tuple(value)
        if hint is float and isinstance(value, str) and value in ("inf", "Infinity"):
            cleaned[key] = math.inf
        if type(None) in get_args(hint) and value == "none":  # TOML has no null: see _toml_safe
            cleaned[key] = None
        if hint is dict and isinstance(value, dict):  # DASCConfig fields: no str field takes "none"
            cleaned[key] = {k: None if v == "none" else v for k, v in value.items()}
    return cls(**cleaned)


def _toml_safe(data):
    """TOML has no null and no infinity: None becomes the string "none", inf the string "inf"
    (``_section`` reads them back for the fields that may hold None or inf)."""
    if isinstance(data, dict):
        return {k: _toml_safe(v) for k, v in data.items()}
    return "none" if data is None else "inf" if isinstance(data, float) and math.isinf(data) else data
