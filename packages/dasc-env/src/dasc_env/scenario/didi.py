"""User data: ride-hailing orders in the DiDi GAIA layout and worker lists, as CSV.

Orders (``read_orders``): one order per row, either without a header in the
GAIA column order or with these column names::

    order_id, ride_start_time, ride_stop_time,
    pickup_longitude, pickup_latitude, dropoff_longitude, dropoff_latitude

Times are unix seconds, coordinates WGS84 degrees. ``scenario_from_orders``
builds a task stream the way the paper does: orders sorted by start time are
grouped into tasks of |T|_min..|T|_max subtasks, each pick-up becomes a
subtask location (snapped to the nearest road node), the task is created at
its first order's start (relative to the first order), a random DAG orders
its subtasks, a subtask lasts its ride's duration clipped to
[min_duration, max_duration], and its skills come from the city's POI map.

Workers (``read_workers``): a header ``longitude,latitude,skills`` where
``skills`` is a ``;``-separated 0/1 vector of length K, e.g.
``104.06,30.66,1;0;0;1;0;0;0;0;1;0``.

Every problem (missing file or column, empty file, a non-numeric value, a
point outside the graph's area, a skill vector of the wrong length) raises
``ValueError`` naming the file, line and field; nothing is half-loaded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..city import RoadGraph
from ..city.road_graph import EARTH_RADIUS
from ..config import DASCConfig
from .demand import CityDemand
from .generator import assemble_scenario, subtask_skill_counts, worker_skill_sets
from .scenario import Scenario

ORDER_COLUMNS = ("order_id", "ride_start_time", "ride_stop_time", "pickup_longitude", "pickup_latitude",
                 "dropoff_longitude", "dropoff_latitude")
WORKER_COLUMNS = ("longitude", "latitude", "skills")
AREA_MARGIN = 1000.0
"""Points may lie this many metres outside the graph's bounding box."""


@dataclass(frozen=True)
class Orders:
    """Orders as arrays, one entry per order, in file order."""

    order_id: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    pickup_lon: np.ndarray
    pickup_lat: np.ndarray
    dropoff_lon: np.ndarray
    dropoff_lat: np.ndarray

    def __len__(self) -> int:
        return self.start.size


def read_orders(path: str | Path, graph: RoadGraph | None = None, limit: int | None = None) -> Orders:
    """Read a GAIA order CSV; with ``graph``, pick-ups must lie in its area."""
    rows = _read_rows(path, ORDER_COLUMNS, header_optional=True, limit=limit)
    values = {name: [] for name in ORDER_COLUMNS}
    for line, row in rows:
        values["order_id"].append(row["order_id"])
        for name in ORDER_COLUMNS[1:]:
            values[name].append(_number(path, line, name, row[name]))
        if values["ride_stop_time"][-1] < values["ride_start_time"][-1]:
            raise ValueError(f"{path}, line {line}: field 'ride_stop_time' is before 'ride_start_time'")
        _check_coordinates(path, line, "pickup", values["pickup_longitude"][-1], values["pickup_latitude"][-1], graph)
        _check_coordinates(path, line, "dropoff", values["dropoff_longitude"][-1], values["dropoff_latitude"][-1])
    return Orders(np.array(values["order_id"]), *(np.array(values[c], dtype=np.float64) for c in ORDER_COLUMNS[1:]))


def read_workers(path: str | Path, graph: RoadGraph, num_skills: int) -> tuple[np.ndarray, np.ndarray]:
    """Read a worker CSV: returns (start nodes snapped onto ``graph``, (W, K) bool skills)."""
    lon, lat, skills = [], [], []
    for line, row in _read_rows(path, WORKER_COLUMNS, header_optional=False):
        lon.append(_number(path, line, "longitude", row["longitude"]))
        lat.append(_number(path, line, "latitude", row["latitude"]))
        _check_coordinates(path, line, "", lon[-1], lat[-1], graph)
        vector = row["skills"].strip().split(";")
        if len(vector) != num_skills or any(v.strip() not in ("0", "1") for v in vector):
            raise ValueError(f"{path}, line {line}: field 'skills' must be {num_skills} values 0/1 separated "
                             f"by ';', got {row['skills']!r}")
        skills.append([v.strip() == "1" for v in vector])
    return graph.nearest_nodes(np.array(lon), np.array(lat)), np.array(skills, dtype=bool)


def scenario_from_orders(orders: Orders, graph: RoadGraph, config: DASCConfig, rng: np.random.Generator,
                         demand: CityDemand | None = None,
                         workers: tuple[np.ndarray, np.ndarray] | None = None,
                         allow_fewer: bool = False) -> Scenario:
    """A task stream of ``config.num_tasks`` tasks built from ``orders`` (see the module docstring).

    Workers are ``workers`` (nodes, skills) from ``read_workers``, or else
    ``config.num_workers`` workers starting at randomly chosen order pick-ups.
    Too few orders for ``num_tasks`` tasks raise ``ValueError``, unless
    ``allow_fewer`` accepts a shorter stream.
    """
    if len(orders) < config.min_subtasks:
        raise ValueError(f"{len(orders)} orders cannot make a task of min_subtasks={config.min_subtasks}")
    demand = demand if demand is not None else CityDemand(graph, config)
    order = np.argsort(orders.start, kind="stable")
    sizes = rng.integers(config.min_subtasks, config.max_subtasks + 1, size=config.num_tasks)
    sizes = sizes[np.cumsum(sizes) <= len(orders)]
    if sizes.size == 0:
        sizes = np.array([config.min_subtasks])
    if sizes.size < config.num_tasks and not allow_fewer:
        raise ValueError(f"{len(orders)} orders make only {sizes.size} of num_tasks={config.num_tasks} tasks "
                         f"({config.min_subtasks}-{config.max_subtasks} orders each); pass allow_fewer=True to "
                         "accept a shorter stream, or lower num_tasks")
    chosen = order[: int(sizes.sum())]
    nodes = graph.nearest_nodes(orders.pickup_lon[chosen], orders.pickup_lat[chosen])
    ptr = np.concatenate([[0], np.cumsum(sizes)])
    created = orders.start[chosen][ptr[:-1]] - orders.start[chosen[0]]
    durations = np.clip(orders.stop[chosen] - orders.start[chosen], config.min_duration, config.max_duration)
    skills = demand.sample_skills(nodes, subtask_skill_counts(config, nodes.size, rng), rng)
    if workers is None:
        pickups = graph.nearest_nodes(orders.pickup_lon, orders.pickup_lat)
        worker_nodes = rng.choice(pickups, size=config.num_workers)
        worker_skills = worker_skill_sets(config, config.num_workers, rng)
    else:
        worker_nodes, worker_skills = workers
    return assemble_scenario(config, worker_nodes, worker_skills, created, sizes, nodes, skills, durations, rng)


def _read_rows(path, columns, header_optional: bool, limit: int | None = None):
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        rows = [(i + 1, r) for i, r in enumerate(reader) if any(cell.strip() for cell in r)]
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    first = [c.strip() for c in rows[0][1]]
    has_header = not header_optional or any(cell in columns for cell in first)
    if has_header:
        missing = [c for c in columns if c not in first]
        if missing:
            raise ValueError(f"{path}, line 1: missing column(s) {missing}; expected {list(columns)}")
        index = [first.index(c) for c in columns]
        rows = rows[1:]
    else:
        index = list(range(len(columns)))
    if not rows:
        raise ValueError(f"{path}: no data rows")
    if limit is not None:
        rows = rows[:limit]
    width = max(index) + 1
    out = []
    for line, row in rows:
        if len(row) < width:
            raise ValueError(f"{path}, line {line}: expected {width} fields, got {len(row)}")
        out.append((line, {c: row[i] for c, i in zip(columns, index)}))
    return out


def _number(path, line: int, field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{path}, line {line}: field {field!r} is not a number: {text!r}") from None
    if not np.isfinite(value):
        raise ValueError(f"{path}, line {line}: field {field!r} is not finite: {text!r}")
    return value


def _check_coordinates(path, line: int, prefix: str, lon: float, lat: float, graph: RoadGraph | None = None):
    names = (f"{prefix}_longitude", f"{prefix}_latitude") if prefix else ("longitude", "latitude")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"{path}, line {line}: field {names[0]!r} is not a longitude: {lon}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"{path}, line {line}: field {names[1]!r} is not a latitude: {lat}")
    if graph is None:
        return
    lon0, lat0, lon1, lat1 = graph.lonlat_bounds
    margin = np.rad2deg(AREA_MARGIN / EARTH_RADIUS)
    margin_lon = margin / np.cos(np.deg2rad(0.5 * (lat0 + lat1)))
    if not (lon0 - margin_lon <= lon <= lon1 + margin_lon and lat0 - margin <= lat <= lat1 + margin):
        raise ValueError(f"{path}, line {line}: ({names[0]}, {names[1]}) = ({lon}, {lat}) lies outside the "
                         f"road graph {graph.name!r} (lon {lon0:.4f}..{lon1:.4f}, lat {lat0:.4f}..{lat1:.4f})")
