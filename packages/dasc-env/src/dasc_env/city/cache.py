"""On-disk cache of built road graphs (arrays and CSR matrix) in a user cache directory.

The directory is ``$DASC_ENV_CACHE`` if set, else ``$XDG_CACHE_HOME/dasc-env``,
else ``~/.cache/dasc-env``. Files are ``.npz``; a key that hashes every input
(preset parameters and seed, or a GraphML file's path, size and mtime) names
each one, so a changed input never reads a stale file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from scipy import sparse

from .._files import atomic_savez, read_npz
from .road_graph import RoadGraph

FORMAT = "dasc-road-graph"
VERSION = 1
_ARRAYS = ("name", "xy", "tails", "heads", "lengths", "csr_indptr", "csr_indices", "csr_data")


def cache_dir() -> Path:
    """The directory graphs are cached in (created on first write)."""
    if os.environ.get("DASC_ENV_CACHE"):
        return Path(os.environ["DASC_ENV_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dasc-env"


def cache_key(*parts) -> str:
    """A short stable file stem for the given inputs."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    return f"{parts[0]}-{digest}"


def save_graph(graph: RoadGraph, path: str | Path) -> None:
    """Write ``graph`` (and its CSR matrix) to ``path`` atomically."""
    csr = graph.csr
    arrays = dict(format=FORMAT, version=VERSION, name=graph.name, xy=graph.xy, tails=graph.tails,
                  heads=graph.heads, lengths=graph.lengths, csr_indptr=csr.indptr, csr_indices=csr.indices,
                  csr_data=csr.data)
    if graph.lonlat is not None:
        arrays["lonlat"] = graph.lonlat
    atomic_savez(Path(path), **arrays)


def load_graph(path: str | Path) -> RoadGraph:
    """Read a graph written by ``save_graph``; a wrong, damaged or missing file raises ``ValueError`` naming it."""
    data = read_npz(path, FORMAT, VERSION, _ARRAYS, optional=("lonlat",))
    try:
        graph = RoadGraph(data["xy"], data["tails"], data["heads"], data["lengths"], name=str(data["name"]),
                          lonlat=data.get("lonlat"))
        n = graph.num_nodes
        graph.__dict__["csr"] = sparse.csr_array(
            (data["csr_data"], data["csr_indices"], data["csr_indptr"]), shape=(n, n))
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
    return graph


def cached(key: str, build, use_cache: bool = True) -> RoadGraph:
    """``build()`` once per ``key``; later calls read the cache file."""
    if not use_cache:
        return build()
    path = cache_dir() / f"{key}.npz"
    if path.exists():
        try:
            return load_graph(path)
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)  # a damaged or outdated file: rebuild it
    graph = build()
    try:
        save_graph(graph, path)
    except OSError:
        pass  # a read-only cache directory only costs the rebuild next time
    return graph
