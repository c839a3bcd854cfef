"""Methods by name. Anything that builds a ``Policy`` can register, with no change to the harness.

Other packages register by calling ``register_method`` on import, or through
the entry-point group ``dasc_env.methods`` (name = a factory). A factory is
called with no arguments, or with the keyword options given for its method
(``dasc-eval --<method>-<option> VALUE``, e.g. ``--rmo-checkpoint best.pt``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib.metadata import entry_points

from .admission import admit_km
from .game import GamePolicy
from .heuristics import RandomPolicy, greedy, km, ready_km, recommend_all, wait_km
from .lookahead import lookahead
from .odta import ODTAPolicy
from .policy import Policy
from .tuned import TunedKMPolicy

ENTRY_POINT_GROUP = "dasc_env.methods"

_METHODS: dict[str, Callable[[], Policy]] = {
    "greedy": greedy,
    "km": km,
    "wait-km": wait_km,
    "game": GamePolicy,
    "odta": ODTAPolicy,
    "ready-km": ready_km,
    "admit-km": admit_km,
    "all": recommend_all,
    "random": RandomPolicy,
    "lookahead": lookahead,
    "tuned-km": TunedKMPolicy,
}


def register_method(name: str, factory: Callable[[], Policy], overwrite: bool = False) -> None:
    """Make ``factory()`` available as method ``name`` (e.g. to ``dasc-eval --methods``)."""
    if not isinstance(name, str) or not name or "," in name:
        raise ValueError(f"method name {name!r} must be a non-empty string without commas")
    if not callable(factory):
        raise TypeError(f"factory for {name!r} must be callable")
    if name in _METHODS and not overwrite:
        raise ValueError(f"method {name!r} is already registered (pass overwrite=True to replace it)")
    _METHODS[name] = factory


def available_methods() -> list[str]:
    _load_entry_points()
    return list(_METHODS)


def make_method(name: str, **options) -> Policy:
    """A fresh policy of method ``name``; ``options`` go to its factory (e.g. a learned method's checkpoint)."""
    _load_entry_points()
    if name not in _METHODS:
        raise ValueError(f"unknown method {name!r}; available: {', '.join(_METHODS)}")
    factory = _METHODS[name]
    try:
        inspect.signature(factory).bind(**options)
    except TypeError as err:
        raise ValueError(f"method {name!r} does not take options {sorted(options)}: {err}") from None
    except ValueError:  # no signature to inspect (some builtins): let the call decide
        pass
    policy = factory(**options)
    if not isinstance(policy, Policy):
        raise TypeError(f"method {name!r} built a {type(policy).__name__}, not a dasc_env Policy")
    return policy


def _load_entry_points() -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in _METHODS:
            _METHODS[ep.name] = ep.load()
