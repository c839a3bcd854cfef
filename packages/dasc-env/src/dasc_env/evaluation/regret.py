"""Regret everywhere: each episode's upper bound on Eq. 2 and every method's share of it (``dasc-eval --bound``).

The bound of an episode (one scenario: a city, tasks, workers and seed) is computed once and joined to
every method's row; ``share = revenue / bound``. Kinds:

* ``relaxed``: ``bounds.relaxed_bound``, provably >= every method's revenue (seconds at the paper's scale);
* ``exact``: CP-SAT's hindsight optimum (``bounds.solve_exact``, ``pip install 'dasc-env[bounds]'``) when it
  proves optimality within the time limit; ``exact-limit`` when it stops first: the smaller of CP-SAT's proven
  bound and the relaxed bound (both are upper bounds; the relaxed one was the tighter on every unproven instance
  of ``docs/BOUNDS.md``);
* ``auto``: ``exact`` on episodes of at most ``AUTO_EXACT_SUBTASKS`` subtasks when CP-SAT proves the
  optimum within ``AUTO_TIME_LIMIT`` seconds, otherwise ``relaxed`` (also when OR-Tools is not installed).

A method's revenue above its episode's bound is a bug in the bound or in the env: ``check_under_bound``
raises ``BoundViolation`` naming the episode.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

BOUNDS = ("exact", "relaxed", "auto")
AUTO_EXACT_SUBTASKS = 12
"""Largest episode (subtasks) ``auto`` gives to CP-SAT. On the small city (skill mean 8, 2 cores) it proved 4 drawn
episodes of 5-12 subtasks optimal within 1.5 s, and none of 17 drawn with 2-10 tasks of 6-16 subtasks each, or
13-16 subtasks in all, within 10-60 s."""
AUTO_TIME_LIMIT = 10.0
"""Seconds ``auto`` gives CP-SAT before it falls back to the relaxed bound."""
BOUND_COLUMNS = ("bound", "bound_kind", "bound_wall_s", "share")
"""Columns ``--bound`` adds to each row of ``results.csv``."""
EPISODE_FIELDS = ("city", "num_tasks", "num_workers", "seed")
"""What identifies an episode of a grid (the same scenario for every method)."""
TOLERANCE = 1e-6
"""Relative slack of the bound check (the exact plan's revenue matches the env's to 1e-6 relative)."""


class BoundViolation(RuntimeError):
    """A method earned more than its episode's upper bound."""


@dataclass(frozen=True)
class EpisodeBound:
    value: float
    kind: str
    """"relaxed", "exact" (proven optimum) or "exact-limit" (min of CP-SAT's bound at its time limit and the
    relaxed bound)."""
    wall_s: float


def check_bound_option(how: str | None) -> None:
    if how is not None and how not in BOUNDS:
        raise ValueError(f"--bound {how!r} must be one of {', '.join(BOUNDS)}")


def episode_bound(env, how: str, time_limit: float) -> EpisodeBound:
    """The upper bound of the episode ``env`` was last reset to (``how``: one of ``BOUNDS``)."""
    from ..bounds import relaxed_bound, solve_exact

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


def episode_key(row: dict) -> tuple:
    return tuple(row[f] for f in EPISODE_FIELDS)


def join_bounds(rows: list[dict], bounds: dict[tuple, EpisodeBound]) -> list[dict]:
    """``rows`` with ``BOUND_COLUMNS`` from ``bounds[episode_key(row)]``; raises ``BoundViolation`` first if a
    row's revenue exceeds its bound."""
    check_under_bound(rows, bounds)
    return [{**r, "bound": b.value, "bound_kind": b.kind, "bound_wall_s": b.wall_s,
             "share": r["revenue"] / b.value if b.value > 0 else math.nan}
            for r in rows for b in (bounds[episode_key(r)],)]


def check_under_bound(rows: list[dict], bounds: dict[tuple, EpisodeBound]) -> None:
    for r in rows:
        b = bounds[episode_key(r)]
        if r["revenue"] > b.value + TOLERANCE * max(1.0, abs(b.value)):
            episode = ", ".join(f"{f}={r[f]}" for f in EPISODE_FIELDS)
            raise BoundViolation(f"{r['method']} earned {r['revenue']:.6f} on the episode {episode}, above its "
                                 f"{b.kind} bound {b.value:.6f}: a bug in the bound or in the env")


def interval95(values) -> tuple[float, float, float]:
    """(mean, low, high): the mean and its 95 % Student-t confidence interval over the finite ``values`` (zero
    width for one value, NaN for none)."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return mean, mean - half, mean + half
