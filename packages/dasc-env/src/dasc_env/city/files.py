"""A road graph from a file, by its kind: an osmnx GraphML file or a graph ``.npz`` written by ``save_graph``."""

from __future__ import annotations

from pathlib import Path

from .cache import load_graph
from .osm import from_graphml
from .road_graph import RoadGraph

GRAPH_SUFFIXES = (".graphml", ".npz")


def read_graph_file(path: str | Path) -> RoadGraph:
    """The road graph in ``path``: ``.graphml`` through the OSM importer (``from_graphml``, needs osmnx), ``.npz``
    through ``load_graph``. A missing file, another suffix, a damaged file or a missing osmnx raise
    ``ValueError`` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if path.suffix.lower() not in GRAPH_SUFFIXES:
        raise ValueError(f"{path}: a road graph file must end in .graphml (osmnx) or .npz (dasc_env.city.save_graph)")
    if path.suffix.lower() == ".npz":
        return load_graph(path)
    try:
        return from_graphml(path)
    except ImportError as err:
        raise ValueError(f"{path}: {err}") from None
