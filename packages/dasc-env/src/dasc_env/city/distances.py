"""Road distances *to* subtask locations, cached per target node.

Workers move but subtasks stay where they are, so the simulator asks for rows
"distance from every node to subtask node s". One limited Dijkstra on the
reversed graph (``scipy.sparse.csgraph``, ``limit`` = L^w) fills a row; rows
live in one float32 block and are evicted least-recently-used.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csgraph

from .road_graph import RoadGraph

_DIJKSTRA_BATCH = 64


class DistanceCache:
    """``distances(slots, sources)[i, j]`` = road distance from node ``sources[j]`` to target ``i``.

    Distances beyond ``limit`` are ``inf``.

    Args:
        graph: the road graph.
        limit: Dijkstra stops at this distance (metres), normally L^w.
        memory_mb: size of the row block; it grows when one request needs more rows.
    """

    def __init__(self, graph: RoadGraph, limit: float, memory_mb: float = 256.0):
        self.graph = graph
        self.limit = float(limit)
        row_bytes = 4 * graph.num_nodes
        self.dijkstra_runs = 0
        self._clock = 0
        # Never more rows than target nodes.
        self._allocate(min(graph.num_nodes, max(16, int(memory_mb * 2**20 // row_bytes))))

    def _allocate(self, capacity: int) -> None:
        """An empty block of ``capacity`` rows (np.empty only reserves address space: pages are
        touched as rows fill)."""
        self._rows = np.empty((capacity, self.graph.num_nodes), dtype=np.float32)
        self._used = 0
        self._slot_of_node = np.full(self.graph.num_nodes, -1, dtype=np.int64)
        self._node_of_slot = np.full(capacity, -1, dtype=np.int64)
        self._last_used = np.zeros(capacity, dtype=np.int64)

    def __getstate__(self) -> dict:
        """Pickle without the cached rows (they are recomputed on demand), so an env sent to a
        worker process or a Ray actor carries its graph, not up to ``memory_mb`` of cache."""
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_rows", "_used", "_slot_of_node", "_node_of_slot", "_last_used")}
        state["capacity"] = self._rows.shape[0]
        return state

    def __setstate__(self, state: dict) -> None:
        capacity = state.pop("capacity")
        self.__dict__.update(state)
        self._allocate(capacity)

    def slots(self, targets) -> np.ndarray:
        """Row slots of ``targets`` (node indices), computing missing rows.

        Slots stay valid until the next call.
        """
        targets = np.asarray(targets, dtype=np.int64)
        self._clock += 1
        slots = self._slot_of_node[targets]
        missing = np.unique(targets[slots < 0])
        if missing.size:
            free = self._free_slots(missing.size, keep=slots[slots >= 0])
            for start in range(0, missing.size, _DIJKSTRA_BATCH):
                batch = missing[start:start + _DIJKSTRA_BATCH]
                self._rows[free[start:start + batch.size]] = csgraph.dijkstra(
                    self.graph.csr_reverse, directed=True, indices=batch, limit=self.limit)
            self.dijkstra_runs += missing.size
            evicted = self._node_of_slot[free]
            self._slot_of_node[evicted[evicted >= 0]] = -1
            self._node_of_slot[free] = missing
            self._slot_of_node[missing] = free
            slots = self._slot_of_node[targets]
        self._last_used[slots] = self._clock
        return slots

    def distances(self, slots: np.ndarray, sources) -> np.ndarray:
        """``(len(slots), len(sources))`` distances from ``sources`` to the slots' targets."""
        return self._rows[np.asarray(slots)[:, None], np.asarray(sources)[None, :]]

    def _free_slots(self, count: int, keep: np.ndarray) -> np.ndarray:
        capacity = self._rows.shape[0]
        fresh = np.arange(self._used, min(capacity, self._used + count))
        self._used += fresh.size
        short = count - fresh.size
        if not short:
            return fresh
        candidates = np.setdiff1d(np.arange(capacity), np.concatenate([keep, fresh]))
        reuse = candidates[np.argsort(self._last_used[candidates], kind="stable")[:short]]
        short -= reuse.size
        if short:  # one request needs more rows than fit: double the block
            grow = max(short, capacity)
            self._rows = np.concatenate([self._rows, np.empty((grow, self.graph.num_nodes), np.float32)])
            self._node_of_slot = np.concatenate([self._node_of_slot, np.full(grow, -1, np.int64)])
            self._last_used = np.concatenate([self._last_used, np.zeros(grow, np.int64)])
            extra = np.arange(capacity, capacity + short)
            self._used = capacity + short
            return np.concatenate([fresh, reuse, extra])
        return np.concatenate([fresh, reuse])
