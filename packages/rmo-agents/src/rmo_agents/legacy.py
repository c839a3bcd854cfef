"""Configs of earlier versions (config files, ``config.json`` of a run, checkpoints): options that moved or went.

``upgrade`` turns such a dict of sections into today's layout before it is built, so a run saved before an option
moved still loads, trains and evaluates exactly as it did. An option that was removed is dropped where its value
is the behaviour that stayed (or where it had no effect); any other value raises ``ValueError`` naming the option
and the commit at which that run can still be reproduced. Each removal's finding is in docs/EXPERIMENTS.md.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

LAST_COMMIT = "8822281"
"""The last commit with every removed option below (``git checkout 8822281`` runs them)."""

MOVED: dict[str, tuple[str, dict | None]] = {
    "ppo.team_advantage": ("credit.scheme", None),
    "ppo.team_reward": ("credit.team_reward", None),
    "ppo.failed_reward": ("credit.failed_reward", None),
    "ppo.worker_price": ("credit.worker_price", None),
    "ppo.replays": ("credit.replays", None),
    "meta.eta_estimator": ("search.eta", {"surrogate": False, "paired": True}),
    "meta.eta_delta": ("search.eta_delta", None),
    "meta.eta_episodes": ("search.eta_episodes", None),
    "meta.bias_delta": ("search.bias_delta", None),
    "meta.bias_lr": ("search.bias_lr", None),
    "meta.bias_episodes": ("search.bias_episodes", None),
}
"""old ``section.field`` -> (new ``section.field``, a map of old values to new ones or None: the same values)."""


def _bias_on(data: dict) -> bool:
    return bool(data.get("model", {}).get("decision_bias", False))


def _meta_on(data: dict) -> bool:
    return data.get("meta", {}).get("variant", "rmo") in ("meta", "rec", "rmo")


REMOVED: dict[str, tuple[object, Callable[[dict], bool]]] = {
    "model.decision_bias_basis": ("cells", _bias_on),
    "meta.bias_directions": ("coordinate", _bias_on),
    "meta.xi_scale": ("absolute", _meta_on),
}
"""removed ``section.field`` -> (the value whose behaviour stayed, whether the option had an effect in a config)."""

REMOVED_VALUES = {("credit.scheme", "split")}
"""(``section.field``, value) pairs that are no longer allowed."""


def upgrade(data: dict) -> dict:
    """``data`` (a dict of sections) in today's layout; the input is not modified."""
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        return data  # not a dict of sections: config_io names the problem
    out = copy.deepcopy(data)
    for dotted, (kept, matters) in REMOVED.items():
        section, name = dotted.split(".")
        if name in out.get(section, {}):
            value = out[section].pop(name)
            if value != kept and matters(out):
                raise ValueError(f"{dotted}={value!r} was removed (only {kept!r} stayed; docs/EXPERIMENTS.md has "
                                 f"why); a run with it can be reproduced at commit {LAST_COMMIT}")
    if not _bias_on(out) and "decision_bias_features" in out.get("model", {}):
        out["model"].pop("decision_bias_features")  # earlier default: every feature, unused without the bias
    for dotted, (target, values) in MOVED.items():
        section, name = dotted.split(".")
        if name in out.get(section, {}):
            value = out[section].pop(name)
            new_section, new_name = target.split(".")
            out.setdefault(new_section, {})[new_name] = values.get(value, value) if values else value
    for dotted, value in REMOVED_VALUES:
        section, name = dotted.split(".")
        if out.get(section, {}).get(name) == value:
            raise ValueError(f"{dotted}={value!r} was removed (docs/EXPERIMENTS.md has why); a run with it can be "
                             f"reproduced at commit {LAST_COMMIT}")
    return out


def check_path(dotted: str) -> None:
    """``ValueError`` for a ``section.field`` that moved or was removed, naming where it went."""
    if dotted in MOVED:
        raise ValueError(f"{dotted!r} is now {MOVED[dotted][0]!r}")
    if dotted in REMOVED:
        raise ValueError(f"{dotted!r} was removed (only {REMOVED[dotted][0]!r} stayed; docs/EXPERIMENTS.md has why)")
