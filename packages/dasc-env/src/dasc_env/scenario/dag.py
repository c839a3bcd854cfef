"""Task DAGs: random generation and the critical path method.

Subtasks of a task are numbered in a topological order: every dependency
edge goes from a lower to a higher local index.
"""

from __future__ import annotations

import numpy as np


def random_dag(num_nodes: int, edge_prob: float, rng: np.random.Generator) -> np.ndarray:
    """Edges ``(k, 2)`` of a random DAG on ``0..num_nodes-1``: each pair i < j joined with ``edge_prob``."""
    upper = np.triu(rng.random((num_nodes, num_nodes)) < edge_prob, k=1)
    return np.argwhere(upper)


def latest_finish_times(num_nodes: int, edges: np.ndarray, durations: np.ndarray,
                        end_time: float) -> np.ndarray:
    """Critical-path latest finish time of every node so the whole DAG ends by ``end_time``.

    Backward pass: a sink may finish at ``end_time``; any other node must
    finish early enough for each successor to run its full duration,
    ``LF_i = min_{j in succ(i)} (LF_j - t_j)``. Applied to t_e and t_d this
    gives the per-subtask ``t^e_tau`` and ``t^d_tau`` of Eq. 3.
    """
    latest = np.full(num_nodes, float(end_time))
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    for j in range(num_nodes - 1, -1, -1):
        preds = edges[edges[:, 1] == j, 0]
        np.minimum.at(latest, preds, latest[j] - durations[j])
    return latest
