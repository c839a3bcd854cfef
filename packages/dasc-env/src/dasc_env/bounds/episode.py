"""The upper bound of one episode on Eq. 2, of the kind ``dasc-eval --bound`` names.

Kinds (``BOUNDS``):

* ``relaxed``: ``relaxed_bound``, provably >= every method's revenue (seconds at the paper's scale);
* ``exact``: CP-SAT's hindsight optimum (``solve_exact``, ``pip install 'dasc-env[bounds]'``) when it proves
  optimality within the time limit; ``exact-limit`` when it stops first: the smaller of CP-SAT's proven bound
  and the relaxed bound (both are upper bounds);
* ``auto``: ``exact`` on episodes of at most ``AUTO_EXACT_SUBTASKS`` subtasks when CP-SAT proves the optimum
  within ``AUTO_TIME_LIMIT`` seconds, otherwise ``relaxed`` (also when OR-Tools is not installed).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from .exact import solve_exact
from .relaxed import relaxed_bound

BOUNDS = ("exact", "relaxed", "auto")
AUTO_EXACT_SUBTASKS = 12
"""Largest episode (subtasks) ``auto`` gives to CP-SAT (how it was chosen: docs/EXPERIMENTS.md, 2026-12-07)."""
AUTO_TIME_LIMIT = 10.0
"""Seconds ``auto`` gives CP-SAT before it falls back to the relaxed bound."""


@dataclass(frozen=True)
class EpisodeBound:
    value: float
    kind: str
    """"relaxed", "exact" (proven optimum) or "exact-limit" (min of CP-SAT's bound at its time limit and the
    relaxed bound)."""
    wall_s: float


def check_bound_option(how: str | None) -> None:
    """``ValueError`` unless ``how`` is None or one of ``BOUNDS``."""
    if how is not None and how not in BOUNDS:
        raise ValueError(f"--bound {how!r} must be one of {', '.join(BOUNDS)}")


def episode_bound(env, how: str, time_limit: float) -> EpisodeBound:
    """The upper bound of the episode ``env`` was last reset to (``how``: one of ``BOUNDS``)."""
    check_bound_option(how)
    scenario, graph, config = env.scenario, env.graph, env.config
    small = scenario.num_subtasks <= AUTO_EXACT_SUBTASKS and importlib.util.find_spec("ortools") is not None
    if how == "exact" or (how == "auto" and small):
        limit = time_limit if how == "exact" else min(time_limit, AUTO_TIME_LIMIT)
        plan = solve_exact(scenario, graph, config, time_limit=limit)
        if plan.status == "optimal":
            return EpisodeBound(plan.bound, "exact", plan.wall_s)
        if how == "exact":
            relaxed = relaxed_bound(scenario, graph, config)
            return EpisodeBound(min(plan.bound, relaxed.bound), "exact-limit", plan.wall_s + relaxed.wall_s)
    relaxed = relaxed_bound(scenario, graph, config)
    return EpisodeBound(relaxed.bound, "relaxed", relaxed.wall_s)
