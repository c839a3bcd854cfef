"""Road networks: the graph, cached shortest-path distances, synthetic cities."""

from .distances import DistanceCache
from .road_graph import RoadGraph
from .synthetic import PRESETS, CityPreset, synthetic_city

__all__ = ["PRESETS", "CityPreset", "DistanceCache", "RoadGraph", "synthetic_city"]
