"""OpenStreetMap road networks through osmnx (``pip install dasc-env[osm]``).

Each loader keeps the largest strongly connected component, simplifies the
graph if osmnx has not already, projects it to metres (UTM) and keeps every
node's longitude/latitude for snapping orders and workers.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import ParseError

import numpy as np

from .cache import cache_key, cached
from .road_graph import RoadGraph


def from_graphml(path: str | Path, name: str | None = None, use_cache: bool = True) -> RoadGraph:
    """Load an osmnx GraphML file (as written by ``osmnx.save_graphml``)."""
    ox = _osmnx()
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"GraphML file {str(path)!r} does not exist")
    stat = path.stat()
    key = cache_key("graphml", str(path.resolve()), stat.st_size, stat.st_mtime_ns)

    def build() -> RoadGraph:
        try:
            graph = ox.io.load_graphml(path)
        except ParseError as err:
            raise ValueError(f"GraphML file {str(path)!r} is not well-formed XML ({err})") from None
        except (AttributeError, KeyError, TypeError, ValueError) as err:  # osmnx's attribute parsing
            raise ValueError(f"GraphML file {str(path)!r} is not an osmnx road graph (osmnx.save_graphml writes "
                             f"one): {type(err).__name__}: {err}") from None
        missing = [n for n, data in graph.nodes(data=True) if "x" not in data or "y" not in data]
        if missing:
            raise ValueError(f"GraphML file {str(path)!r}: {len(missing)} node(s) lack the 'x'/'y' (longitude/"
                             f"latitude) attributes osmnx writes, e.g. node {missing[0]!r}")
        return from_networkx(graph, name=name or path.stem)

    return cached(key, build, use_cache)


def from_place(query, network_type: str = "drive", name: str | None = None) -> RoadGraph:
    """Download the road network of a place by name (needs internet), e.g. ``"Chengdu, China"``."""
    ox = _osmnx()
    return from_networkx(ox.graph.graph_from_place(query, network_type=network_type), name=name or str(query))


def from_bbox(bbox: tuple[float, float, float, float], network_type: str = "drive",
              name: str = "bbox") -> RoadGraph:
    """Download the road network inside ``(left, bottom, right, top)`` in degrees (needs internet)."""
    ox = _osmnx()
    return from_networkx(ox.graph.graph_from_bbox(bbox, network_type=network_type), name=name)


def from_networkx(graph, name: str = "osm") -> RoadGraph:
    """Convert an unprojected osmnx ``MultiDiGraph`` (x = lon, y = lat, edge ``length`` in metres)."""
    ox = _osmnx()
    if graph.number_of_nodes() == 0:
        raise ValueError(f"road graph {name!r} has no nodes")
    graph = ox.truncate.largest_component(graph, strongly=True)
    if not graph.graph.get("simplified", False):
        graph = ox.simplification.simplify_graph(graph)
    nodes = list(graph.nodes)
    lonlat = np.array([[graph.nodes[v]["x"], graph.nodes[v]["y"]] for v in nodes], dtype=np.float64)
    projected = ox.projection.project_graph(graph)
    xy = np.array([[projected.nodes[v]["x"], projected.nodes[v]["y"]] for v in nodes], dtype=np.float64)
    index = {v: i for i, v in enumerate(nodes)}
    arcs = np.array([(index[u], index[v], float(d.get("length", np.nan)))
                     for u, v, d in graph.edges(data=True)], dtype=np.float64).reshape(-1, 3)
    if np.isnan(arcs[:, 2]).any():
        raise ValueError(f"road graph {name!r}: an edge has no 'length' attribute")
    return RoadGraph(xy, arcs[:, 0].astype(np.int64), arcs[:, 1].astype(np.int64), arcs[:, 2], name=name,
                     lonlat=lonlat)


def _osmnx():
    try:
        import osmnx
    except ImportError as err:
        raise ImportError("OpenStreetMap support needs osmnx: pip install 'dasc-env[osm]'") from err
    return osmnx
