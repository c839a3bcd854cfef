"""The road network G = (N, E): planar node coordinates in metres, directed arcs with lengths."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from .._checks import index_array

MIN_ARC_LENGTH = 1e-3
"""Arcs shorter than this (metres) are lengthened to it: csgraph would read 0 as 'no arc'."""

_DIJKSTRA_BYTES = 64 * 2**20
"""Memory bound of one batch of full Dijkstra rows in ``RoadGraph.distances``."""

EARTH_RADIUS = 6_371_008.8
"""Mean Earth radius in metres, for the local equirectangular projection."""


class RoadGraph:
    """A directed road graph. A two-way street is two arcs, a one-way street one arc.

    Args:
        xy: ``(n, 2)`` node coordinates in metres (a planar projection).
        tails, heads: ``(m,)`` arc endpoints, node indices in ``[0, n)``.
        lengths: ``(m,)`` arc lengths in metres (> 0 after clamping to ``MIN_ARC_LENGTH``).
        name: label used in reports.
        lonlat: optional ``(n, 2)`` longitude/latitude of the nodes (degrees), needed to
            snap geographic points (orders, workers) onto the graph.

    Parallel arcs keep the shortest one. Self-loops are dropped.
    """

    def __init__(self, xy, tails, heads, lengths, name: str = "custom", lonlat=None):
        xy = np.asarray(xy, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] < 1:
            raise ValueError(f"RoadGraph.xy must have shape (n, 2) with n >= 1, got {xy.shape}")
        if not np.isfinite(xy).all():
            raise ValueError("RoadGraph.xy must be finite")
        tails = np.asarray(tails)
        heads = np.asarray(heads)
        lengths = np.asarray(lengths, dtype=np.float64)
        if not (tails.shape == heads.shape == lengths.shape) or tails.ndim != 1:
            raise ValueError(
                f"RoadGraph tails, heads, lengths must be 1-D of one length, got shapes "
                f"{tails.shape}, {heads.shape}, {lengths.shape}")
        n = xy.shape[0]
        for field, arr in (("tails", tails), ("heads", heads)):
            if arr.size and (not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0 or arr.max() >= n):
                raise ValueError(f"RoadGraph.{field} must be integer node indices in [0, {n})")
        if lengths.size and (not np.isfinite(lengths).all() or lengths.min() < 0):
            bad = lengths[~(np.isfinite(lengths) & (lengths >= 0))][0]
            raise ValueError(f"RoadGraph.lengths must be finite and >= 0, got {bad!r}")
        keep = tails != heads
        tails, heads, lengths = tails[keep].astype(np.int64), heads[keep].astype(np.int64), lengths[keep]
        order = np.lexsort((lengths, heads, tails))
        tails, heads, lengths = tails[order], heads[order], lengths[order]
        first = np.ones(tails.size, dtype=bool)
        first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
        if lonlat is not None:
            lonlat = np.asarray(lonlat, dtype=np.float64)
            if lonlat.shape != xy.shape or not np.isfinite(lonlat).all():
                raise ValueError(f"RoadGraph.lonlat must be finite with shape {xy.shape}, got {lonlat.shape}")
        self.xy = xy
        self.lonlat = lonlat
        self.tails = tails[first]
        self.heads = heads[first]
        self.lengths = np.maximum(lengths[first], MIN_ARC_LENGTH)
        self.name = name

    @property
    def num_nodes(self) -> int:
        return self.xy.shape[0]

    @property
    def num_arcs(self) -> int:
        """Directed arcs (a two-way street counts twice)."""
        return self.tails.size

    @cached_property
    def num_edges(self) -> int:
        """Street segments: node pairs joined by an arc in at least one direction."""
        lo = np.minimum(self.tails, self.heads)
        hi = np.maximum(self.tails, self.heads)
        return int(np.unique(lo * self.num_nodes + hi).size)

    @cached_property
    def csr(self) -> sparse.csr_array:
        """Adjacency matrix, ``csr[u, v]`` = length of arc u -> v."""
        n = self.num_nodes
        return sparse.csr_array((self.lengths, (self.tails, self.heads)), shape=(n, n))

    @cached_property
    def csr_reverse(self) -> sparse.csr_array:
        """Adjacency of the reversed graph: Dijkstra from a target on it gives distances *to* it."""
        return self.csr.T.tocsr()

    @cached_property
    def extent(self) -> tuple[float, float, float, float]:
        """(x_min, y_min, x_max, y_max) in metres."""
        lo = self.xy.min(axis=0)
        hi = self.xy.max(axis=0)
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])

    def is_strongly_connected(self) -> bool:
        n_comp = csgraph.connected_components(self.csr, directed=True, connection="strong")[0]
        return n_comp == 1

    def largest_strong_component(self) -> RoadGraph:
        """The subgraph on the largest strongly connected component, nodes renumbered."""
        _, labels = csgraph.connected_components(self.csr, directed=True, connection="strong")
        biggest = np.bincount(labels).argmax()
        keep = labels == biggest
        new_index = np.cumsum(keep) - 1
        arcs = keep[self.tails] & keep[self.heads]
        return RoadGraph(self.xy[keep], new_index[self.tails[arcs]], new_index[self.heads[arcs]],
                         self.lengths[arcs], name=self.name,
                         lonlat=None if self.lonlat is None else self.lonlat[keep])

    @cached_property
    def lonlat_bounds(self) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max) of the nodes."""
        lonlat = self._require_lonlat()
        lo, hi = lonlat.min(axis=0), lonlat.max(axis=0)
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])

    def nearest_nodes(self, lon, lat) -> np.ndarray:
        """Index of the node nearest to each (lon, lat) point (KD-tree on a local projection)."""
        tree, to_plane = self._lonlat_tree
        return tree.query(to_plane(np.asarray(lon, np.float64), np.asarray(lat, np.float64)))[1]

    @cached_property
    def _lonlat_tree(self):
        lonlat = self._require_lonlat()
        lon0, lat0 = lonlat.mean(axis=0)
        scale = np.deg2rad(1.0) * EARTH_RADIUS

        def to_plane(lon, lat):
            return np.stack([(lon - lon0) * scale * np.cos(np.deg2rad(lat0)), (lat - lat0) * scale], axis=-1)

        return cKDTree(to_plane(lonlat[:, 0], lonlat[:, 1])), to_plane

    def _require_lonlat(self) -> np.ndarray:
        if self.lonlat is None:
            raise ValueError(f"road graph {self.name!r} has no lonlat coordinates to snap points to")
        return self.lonlat

    def shortest_distances(self, sources, limit: float = np.inf) -> np.ndarray:
        """Road distances from ``sources`` to every node (Dijkstra, ``inf`` beyond ``limit``)."""
        return csgraph.dijkstra(self.csr, directed=True, indices=np.asarray(sources), limit=limit)

    def distance(self, u: int, v: int) -> float:
        """Road distance in metres from node ``u`` to node ``v`` along the arcs' directions (``inf`` when ``v``
        cannot be reached from ``u``). The graph is directed: one-way streets make ``distance(u, v)`` and
        ``distance(v, u)`` differ (on the ``small`` preset by up to about 890 m)."""
        return float(self.distances(self._node_ids("u", [u]), self._node_ids("v", [v]))[0, 0])

    def distances(self, sources, targets) -> np.ndarray:
        """``(len(sources), len(targets))`` road distances in metres, ``D[i, j]`` from node ``sources[i]`` to node
        ``targets[j]`` (directed, like a worker travelling to a subtask; ``inf`` where unreachable).

        One Dijkstra (``scipy.sparse.csgraph``) per distinct source, or per distinct target on the reversed
        graph when there are fewer of those; node ids outside ``[0, num_nodes)`` raise ``ValueError``.
        """
        sources, targets = self._node_ids("sources", sources), self._node_ids("targets", targets)
        if sources.size == 0 or targets.size == 0:
            return np.zeros((sources.size, targets.size))
        from_nodes, source_row = np.unique(sources, return_inverse=True)
        to_nodes, target_col = np.unique(targets, return_inverse=True)
        if from_nodes.size <= to_nodes.size:
            table = self._dijkstra_rows(self.csr, from_nodes, to_nodes)
        else:
            table = self._dijkstra_rows(self.csr_reverse, to_nodes, from_nodes).T
        return table[np.ix_(source_row, target_col)]

    def _dijkstra_rows(self, matrix, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """(len(starts), len(ends)) Dijkstra distances on ``matrix``, in batches of at most ~64 MB of rows."""
        batch = max(1, _DIJKSTRA_BYTES // (8 * self.num_nodes))
        return np.concatenate([csgraph.dijkstra(matrix, directed=True, indices=starts[i:i + batch])[:, ends]
                               for i in range(0, starts.size, batch)])

    def _node_ids(self, name: str, nodes) -> np.ndarray:
        return index_array(nodes, self.num_nodes, name, "node", f" (the nodes of road graph {self.name!r})")

    def to_networkx(self):
        """The graph as a ``networkx.DiGraph`` with ``x``, ``y`` and ``length`` attributes."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(self.xy))
        g.add_weighted_edges_from(zip(self.tails.tolist(), self.heads.tolist(), self.lengths.tolist()),
                                  weight="length")
        return g

    def __repr__(self) -> str:
        return f"RoadGraph({self.name!r}, nodes={self.num_nodes}, edges={self.num_edges}, arcs={self.num_arcs})"
