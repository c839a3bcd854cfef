"""Assigning subtasks (rows) to workers (columns) given feasibility.

``km_assignment`` is the maximum-weight matching of Stage 2, solved by
``scipy.optimize.linear_sum_assignment`` (a Kuhn-Munkres/Jonker-Volgenant
solver). ``greedy_assignment`` gives each subtask in turn its nearest
feasible free worker (the paper's GREEDY and REC matching).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def km_assignment(utility: np.ndarray, feasible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Feasible pairs ``(rows, cols)`` of a maximum-total-utility matching.

    Infeasible pairs carry utility 0 (as in the paper) and are dropped from
    the solver's answer, so the result is a maximum-weight matching over the
    feasible pairs (utilities are >= 0).
    """
    utility = np.asarray(utility, dtype=np.float64)
    feasible = np.asarray(feasible, dtype=bool)
    if utility.shape != feasible.shape or utility.ndim != 2:
        raise ValueError(f"utility {utility.shape} and feasible {feasible.shape} must be 2-D of one shape")
    weights = np.where(feasible, utility, 0.0)
    if not np.isfinite(weights).all():
        raise ValueError("utility must be finite on feasible pairs (got NaN or inf)")
    if (weights < 0).any():
        raise ValueError(f"utility must be >= 0 on feasible pairs, got {weights.min()!r}")
    if not feasible.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    keep = feasible[rows, cols]
    return rows[keep], cols[keep]


def greedy_assignment(distance: np.ndarray, feasible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows in order each take the nearest still-free feasible column."""
    cost = np.where(np.asarray(feasible, dtype=bool), np.asarray(distance, dtype=np.float64), np.inf)
    rows, cols = [], []
    for row in range(cost.shape[0]):
        col = int(np.argmin(cost[row]))
        if np.isfinite(cost[row, col]):
            rows.append(row)
            cols.append(col)
            cost[:, col] = np.inf
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
