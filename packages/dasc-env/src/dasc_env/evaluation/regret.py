"""Regret everywhere: every method's share of its episode's upper bound on Eq. 2 (``dasc-eval --bound``).

The bound of an episode (one scenario: a city, tasks, workers and seed; ``bounds.episode_bound``, of a kind in
``bounds.BOUNDS``) is computed once and joined to every method's row; ``share = revenue / bound``.

A method's revenue above its episode's bound is a bug in the bound or in the env: ``check_under_bound``
raises ``BoundViolation`` naming the episode.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ..bounds import EpisodeBound

BOUND_COLUMNS = ("bound", "bound_kind", "bound_wall_s", "share")
"""Columns ``--bound`` adds to each row of ``results.csv``."""
EPISODE_FIELDS = ("city", "num_tasks", "num_workers", "seed")
"""What identifies an episode of a grid (the same scenario for every method)."""
TOLERANCE = 1e-6
"""Relative slack of the bound check (the exact plan's revenue matches the env's to 1e-6 relative)."""


class BoundViolation(RuntimeError):
    """A method earned more than its episode's upper bound."""


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
