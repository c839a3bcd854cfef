"""One matching problem of Stage 2 and the built-in matchers that solve it.

A matcher is any callable ``matcher(problem) -> (rows, cols)`` returning
one-to-one feasible pairs of row (subtask) and column (worker) positions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..config import MATCHERS
from ..epochs import TIME_TOLERANCE
from .assignment import greedy_assignment, km_assignment


@dataclass(frozen=True)
class MatchingProblem:
    """Recommended subtasks (rows) x idle workers (columns) of one dependency layer at time ``now``."""

    now: float
    subtasks: np.ndarray
    """(n,) global subtask indices."""
    workers: np.ndarray
    """(m,) worker indices."""
    distance: np.ndarray
    """(n, m) road distance worker -> subtask, metres (inf beyond L^w)."""
    feasible: np.ndarray
    """(n, m) skill, range and deadline constraints all hold."""
    start: np.ndarray
    """(n, m) when the subtask would start with that worker."""
    finish: np.ndarray
    """(n, m) when it would finish."""
    u_skill: np.ndarray
    u_dist: np.ndarray
    u_time: np.ndarray
    utility: np.ndarray
    """(n, m) Eq. 9-12 (u_dist is 0 on infeasible pairs)."""


Matcher = Callable[[MatchingProblem], tuple[np.ndarray, np.ndarray]]



def pair_test(skilled: np.ndarray, distance: np.ndarray, now: float, ready: np.ndarray, duration: np.ndarray,
              latest_deadline: np.ndarray, worker_range: float,
              worker_speed: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stage 2's feasibility test of (subtask, worker) pairs: ``(feasible, start, finish)``, each (n, m).

    ``skilled`` (n, m): K^tau subset of K^w; ``distance`` (n, m): road metres (inf beyond L^w); per subtask
    (n,): ``ready``, when its last predecessor finishes (-inf without one, inf if it cannot be matched),
    ``duration`` and ``latest_deadline`` t^d_tau. The worker arrives at now + d / v_w and starts at
    max(arrival, ready); the pair is feasible when d <= L^w and the subtask finishes by t^d_tau (the task
    could otherwise not end by t_d). The one home of this test: the matcher and the action mask use it.
    """
    start = np.maximum(now + distance / worker_speed, np.asarray(ready, dtype=np.float64)[:, None])
    finish = start + np.asarray(duration, dtype=np.float64)[:, None]
    feasible = skilled & (distance <= worker_range) & (
        finish <= np.asarray(latest_deadline, dtype=np.float64)[:, None] + TIME_TOLERANCE)
    return feasible, start, finish


def km_matcher(problem: MatchingProblem) -> tuple[np.ndarray, np.ndarray]:
    """Maximum total utility (Kuhn-Munkres)."""
    return km_assignment(problem.utility, problem.feasible)


def greedy_matcher(problem: MatchingProblem) -> tuple[np.ndarray, np.ndarray]:
    """Each subtask in turn takes its nearest feasible free worker."""
    return greedy_assignment(problem.distance, problem.feasible)


BUILTIN_MATCHERS: dict[str, Matcher] = dict(zip(MATCHERS, (km_matcher, greedy_matcher), strict=True))


def check_matcher(matcher) -> None:
    """Raise unless ``matcher`` is a built-in name or a callable."""
    if isinstance(matcher, str):
        if matcher not in BUILTIN_MATCHERS:
            raise ValueError(f"matcher={matcher!r} must be one of {MATCHERS} or a callable")
    elif not callable(matcher):
        raise TypeError(f"matcher must be a name or a callable, got {type(matcher).__name__}")


def check_assignment(problem: MatchingProblem, rows, cols, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate a matcher's answer: integer, in range, one-to-one, feasible pairs only."""
    rows, cols = np.asarray(rows), np.asarray(cols)
    n, m = problem.feasible.shape
    if rows.shape != cols.shape or rows.ndim != 1 or (rows.size and not (
            np.issubdtype(rows.dtype, np.integer) and np.issubdtype(cols.dtype, np.integer))):
        raise ValueError(f"matcher {who} must return two 1-D integer arrays of one length")
    if rows.size and (rows.min() < 0 or rows.max() >= n or cols.min() < 0 or cols.max() >= m):
        raise ValueError(f"matcher {who} returned positions outside the {n}x{m} problem")
    if np.unique(rows).size != rows.size or np.unique(cols).size != cols.size:
        raise ValueError(f"matcher {who} matched a subtask or a worker twice")
    if not problem.feasible[rows, cols].all():
        bad = int(np.argmin(problem.feasible[rows, cols]))
        raise ValueError(f"matcher {who} returned infeasible pair (subtask {problem.subtasks[rows[bad]]}, "
                         f"worker {problem.workers[cols[bad]]})")
    return rows.astype(np.int64), cols.astype(np.int64)
