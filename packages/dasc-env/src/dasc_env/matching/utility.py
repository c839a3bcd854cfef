"""The matching utility of Stage 2 (Eq. 9-13).

Each function takes arrays over candidate (subtask, worker) pairs. Utilities
are defined only for feasible pairs; the matcher gives infeasible pairs 0.
"""

from __future__ import annotations

import numpy as np

from ..config import check_eta


def utility_weights(alpha: float, beta: float) -> tuple[float, float, float]:
    """(v1, v2, v3) of Eq. 12 from eta = (alpha, beta) (Eq. 13); they sum to 1."""
    check_eta(alpha, beta)
    return alpha * beta, alpha * (1.0 - beta), 1.0 - alpha


def skill_utility(required: np.ndarray, possessed: np.ndarray) -> np.ndarray:
    """u_skill = |K^tau| / |K^w| (Eq. 9), from skill counts of subtasks and workers.

    A worker without skills can only take a subtask that needs none: 0 / 0 is read as 0.
    """
    possessed = np.maximum(np.asarray(possessed, dtype=np.float64), 1.0)
    return np.asarray(required, dtype=np.float64)[..., :, None] / possessed


def distance_utility(distance: np.ndarray, worker_range: float) -> np.ndarray:
    """u_dist = (L^w - Delta_dist(l^w, l^tau)) / L^w (Eq. 10)."""
    return (worker_range - np.asarray(distance, dtype=np.float64)) / worker_range


def time_utility(now: float, expected: np.ndarray, deadline: np.ndarray) -> np.ndarray:
    """u_time = e^{-1} * exp((t - t^e) / (t^d - t^e)) (Eq. 11): 1/e at t^e, 1 at t^d."""
    return np.exp((now - np.asarray(expected)) / (np.asarray(deadline) - np.asarray(expected)) - 1.0)


def matching_utility(u_skill: np.ndarray, u_dist: np.ndarray, u_time: np.ndarray,
                     alpha: float, beta: float) -> np.ndarray:
    """u = v1 * u_skill + v2 * u_dist + v3 * u_time (Eq. 12) with v from Eq. 13."""
    v1, v2, v3 = utility_weights(alpha, beta)
    return v1 * u_skill + v2 * u_dist + v3 * u_time
