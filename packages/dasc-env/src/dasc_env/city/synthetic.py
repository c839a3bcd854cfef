"""Seeded synthetic road networks: an irregular street grid with arterials.

The generator lays nodes on a jittered grid, keeps every street of the
arterial rows and columns (two-way), keeps each local street with
``keep_prob``, adds diagonal shortcuts with ``diagonal_prob``, turns a share
``one_way_prob`` of local streets into one-way streets, stretches every
length by a detour factor, and finally keeps the largest strongly connected
component (dropped local streets leave dead ends and a few cut-off bits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cache import cache_key, cached
from .road_graph import EARTH_RADIUS, RoadGraph


@dataclass(frozen=True)
class CityPreset:
    """Parameters of ``synthetic_city``."""

    rows: int
    cols: int
    spacing: float
    """Metres between neighbouring grid nodes."""
    keep_prob: float
    """Probability that a local (non-arterial) grid street exists."""
    diagonal_prob: float = 0.0
    """Probability of a diagonal street across each grid cell."""
    one_way_prob: float = 0.1
    """Share of local streets that are one-way."""
    arterial_every: int = 8
    """Every k-th grid row and column is a two-way arterial, always present."""
    jitter: float = 0.15
    """Standard deviation of node displacement, as a share of ``spacing``."""
    max_detour: float = 0.15
    """Street lengths are the straight-line length times U(1, 1 + max_detour)."""
    centre_lonlat: tuple[float, float] = (104.066, 30.657)
    """Longitude/latitude placed at the grid's centre, so geographic data can be snapped on."""


PRESETS: dict[str, CityPreset] = {
    # ~400 nodes, a 2 km square: fast enough for unit tests.
    "small": CityPreset(rows=20, cols=20, spacing=100.0, keep_prob=0.8),
    # The paper's Chengdu road network: 36,630 nodes, 50,786 edges.
    "chengdu": CityPreset(rows=196, cols=196, spacing=100.0, keep_prob=0.64, one_way_prob=0.1),
    # The paper's Haikou road network: 20,592 nodes, 49,549 edges (a denser mesh).
    "haikou": CityPreset(rows=144, cols=144, spacing=110.0, keep_prob=0.9, diagonal_prob=0.58,
                         one_way_prob=0.1, centre_lonlat=(110.330, 20.030)),
}
"""Named synthetic cities; counts of the paper's cities are matched within 5 %."""


def load_city(preset: str | CityPreset, seed: int = 0, use_cache: bool = True) -> RoadGraph:
    """``synthetic_city(preset, seed)``, read from the on-disk cache when it was built before."""
    name, params = _resolve(preset)
    return cached(cache_key(name, params, seed), lambda: synthetic_city(preset, seed), use_cache)


def synthetic_city(preset: str | CityPreset, seed: int = 0) -> RoadGraph:
    """Build the seeded synthetic road graph of ``preset`` (a name in ``PRESETS`` or a ``CityPreset``)."""
    name, params = _resolve(preset)
    rng = np.random.default_rng(seed)
    r, c, s = params.rows, params.cols, params.spacing
    ii, jj = np.meshgrid(np.arange(r), np.arange(c), indexing="ij")
    node = ii * c + jj
    xy = np.stack([jj.ravel() * s, ii.ravel() * s], axis=1).astype(np.float64)
    xy += rng.normal(0.0, params.jitter * s, size=xy.shape)

    horizontal = np.stack([node[:, :-1].ravel(), node[:, 1:].ravel()], axis=1)
    vertical = np.stack([node[:-1, :].ravel(), node[1:, :].ravel()], axis=1)
    h_arterial = (ii[:, :-1] % params.arterial_every == 0).ravel()
    v_arterial = (jj[:-1, :] % params.arterial_every == 0).ravel()
    down_right = np.stack([node[:-1, :-1].ravel(), node[1:, 1:].ravel()], axis=1)
    down_left = np.stack([node[:-1, 1:].ravel(), node[1:, :-1].ravel()], axis=1)
    flip = rng.random(down_right.shape[0]) < 0.5
    diagonal = np.where(flip[:, None], down_left, down_right)
    diagonal = diagonal[rng.random(diagonal.shape[0]) < params.diagonal_prob]

    segments = np.concatenate([horizontal, vertical, diagonal])
    arterial = np.concatenate([h_arterial, v_arterial, np.zeros(diagonal.shape[0], dtype=bool)])
    keep = arterial | (rng.random(segments.shape[0]) < params.keep_prob)
    segments, arterial = segments[keep], arterial[keep]

    one_way = ~arterial & (rng.random(segments.shape[0]) < params.one_way_prob)
    reverse_only = one_way & (rng.random(segments.shape[0]) < 0.5)
    forward = ~reverse_only
    backward = ~one_way | reverse_only
    tails = np.concatenate([segments[forward, 0], segments[backward, 1]])
    heads = np.concatenate([segments[forward, 1], segments[backward, 0]])
    straight = np.linalg.norm(xy[tails] - xy[heads], axis=1)
    detour = 1.0 + params.max_detour * rng.random(segments.shape[0])
    lengths = straight * np.concatenate([detour[forward], detour[backward]])
    return RoadGraph(xy, tails, heads, lengths, name=name,
                     lonlat=_local_lonlat(xy, params.centre_lonlat)).largest_strong_component()


def _resolve(preset) -> tuple[str, CityPreset]:
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ValueError(f"city={preset!r} is not a synthetic preset; choose one of {sorted(PRESETS)}")
        return preset, PRESETS[preset]
    if isinstance(preset, CityPreset):
        return "synthetic", preset
    raise TypeError(f"city must be a preset name or a CityPreset, got {type(preset).__name__}")


def _local_lonlat(xy: np.ndarray, centre: tuple[float, float]) -> np.ndarray:
    """Inverse local equirectangular projection of planar metres around ``centre``."""
    lon0, lat0 = centre
    metres_per_degree = np.deg2rad(1.0) * EARTH_RADIUS
    offset = xy - xy.mean(axis=0)
    return np.stack([lon0 + offset[:, 0] / (metres_per_degree * np.cos(np.deg2rad(lat0))),
                     lat0 + offset[:, 1] / metres_per_degree], axis=1)
