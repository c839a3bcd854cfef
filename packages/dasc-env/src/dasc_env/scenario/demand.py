"""Where demand appears in a city, and which skills each area needs.

* **Hot spots** -- subtask locations and worker start nodes are drawn from a
  mixture: with probability ``hotspot_share`` near one of ``num_hotspots``
  centres (Gaussian, ``hotspot_radius``), otherwise uniformly over the nodes,
  so near/far structure resembles ride-hailing pick-ups.
* **POI map** -- every skill category has ``poi_per_category`` points of
  interest, placed where demand is; a node's need for category k is the sum
  of Gaussian kernels (``poi_radius``) of the category's POIs around it. A
  subtask's required skills are drawn from its node's category weights, as
  the paper derives skills from nearby POI types.

The map is a property of the city: it is drawn once from ``city_seed``; the
episodes' draws use the reset seed.
"""

from __future__ import annotations

import numpy as np

from ..city import RoadGraph
from ..config import DASCConfig


class CityDemand:
    """Node weights for locations and per-node skill-category weights.

    Built from ``config``'s demand fields (``demand``, ``num_hotspots``,
    ``hotspot_share``, ``hotspot_radius``, ``poi_per_category``, ``poi_radius``,
    ``num_skills``), seeded by ``config.city_seed``. ``demand="uniform"`` makes
    every node and every skill alike.
    """

    def __init__(self, graph: RoadGraph, config: DASCConfig):
        n, k = graph.num_nodes, config.num_skills
        self.model = config.demand
        if config.demand == "uniform":
            self.node_weights = np.full(n, 1.0 / n)
            self.skill_weights = np.full((n, k), 1.0 / k)
            return
        rng = np.random.default_rng([config.city_seed, 0xD3])
        xy = graph.xy
        centres = xy[rng.choice(n, size=min(config.num_hotspots, n), replace=False)]
        near = np.exp(-_squared_distances(xy, centres) / (2.0 * config.hotspot_radius**2))
        mixture = (near / near.sum(axis=0)).mean(axis=1)
        weights = config.hotspot_share * mixture + (1.0 - config.hotspot_share) / n
        self.node_weights = weights / weights.sum()
        affinity = np.empty((n, k))
        for category in range(k):
            pois = xy[rng.choice(n, size=config.poi_per_category, p=self.node_weights)]
            affinity[:, category] = np.exp(
                -_squared_distances(xy, pois) / (2.0 * config.poi_radius**2)).sum(axis=1)
        affinity += 1e-3 * affinity.mean() + 1e-12  # every skill stays possible everywhere
        self.skill_weights = affinity / affinity.sum(axis=1, keepdims=True)

    def sample_nodes(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` nodes drawn from the location weights."""
        return rng.choice(self.node_weights.size, size=size, p=self.node_weights)

    def sample_skills(self, nodes: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """(len(nodes), K) bool: ``counts[i]`` distinct skills drawn from node ``nodes[i]``'s weights.

        Weighted sampling without replacement via the Gumbel-top-k trick.
        """
        keys = np.log(self.skill_weights[nodes]) + rng.gumbel(size=(len(nodes), self.skill_weights.shape[1]))
        rank = np.argsort(-keys, axis=1).argsort(axis=1)
        return rank < np.asarray(counts)[:, None]


def _squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1)
