"""Road networks: the graph, cached shortest-path distances, synthetic and OpenStreetMap cities."""

from .cache import cache_dir, load_graph, save_graph
from .distances import DistanceCache
from .files import read_graph_file
from .osm import from_bbox, from_graphml, from_networkx, from_place
from .road_graph import RoadGraph
from .synthetic import PRESETS, CityPreset, load_city, synthetic_city

__all__ = [
    "PRESETS",
    "CityPreset",
    "DistanceCache",
    "RoadGraph",
    "cache_dir",
    "from_bbox",
    "from_graphml",
    "from_networkx",
    "from_place",
    "load_city",
    "load_graph",
    "read_graph_file",
    "save_graph",
    "synthetic_city",
]
