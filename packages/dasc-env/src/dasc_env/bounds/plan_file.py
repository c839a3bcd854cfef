"""Hindsight plans as small files: a best-known plan ships with the data it was found on, and replays from it.

``save_plan`` writes a ``HindsightPlan`` to a versioned ``.npz`` (one row per match: subtask, worker, matching
time, start, finish, distance; the worker rows in route order), atomically; ``load_plan`` reads it back, equal
field by field (``allow_pickle=False``; a wrong, damaged or missing file raises ``ValueError`` naming it). The
file names no scenario: ``replay.replay_plan`` checks a loaded plan against the episode it is replayed on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._files import atomic_savez, read_npz
from .plan import STATUSES, HindsightPlan, PlannedMatch

FORMAT = "dasc-hindsight-plan"
VERSION = 1
_MATCH = ("subtask", "worker", "matched", "start", "finish", "distance")
_SCALARS = ("revenue", "bound", "wall_s", "margin", "decision_interval")
_ARRAYS = (*_MATCH, *_SCALARS, "status", "completed", "abandoned", "num_workers")


def save_plan(plan: HindsightPlan, path: str | Path) -> Path:
    """Write ``plan`` to ``path`` (``.npz``); returns the path."""
    if not isinstance(plan, HindsightPlan):
        raise TypeError(f"plan must be a HindsightPlan, got {type(plan).__name__}")
    matches = [m for route in plan.routes for m in route]
    columns = {name: np.array([getattr(m, name) for m in matches], dtype=np.int64 if name in ("subtask", "worker")
                              else np.float64) for name in _MATCH}
    path = Path(path)
    atomic_savez(path, format=FORMAT, version=VERSION, **columns,
                 **{name: np.float64(getattr(plan, name)) for name in _SCALARS}, status=np.str_(plan.status),
                 completed=np.array(plan.completed, dtype=np.int64), abandoned=np.array(plan.abandoned, dtype=np.int64),
                 num_workers=np.int64(len(plan.routes)))
    return path


def load_plan(path: str | Path) -> HindsightPlan:
    """The ``HindsightPlan`` written by ``save_plan`` to ``path``."""
    data = read_npz(path, FORMAT, VERSION, _ARRAYS)
    workers, status = int(data["num_workers"]), str(data["status"])
    if status not in STATUSES:
        raise ValueError(f"{path}: status {status!r} is not one of {STATUSES}")
    if data["worker"].size and not (0 <= data["worker"].min() and data["worker"].max() < workers):
        raise ValueError(f"{path}: a match names a worker outside 0..{workers - 1}")
    routes: list[list[PlannedMatch]] = [[] for _ in range(workers)]
    for row in zip(*(data[name].tolist() for name in _MATCH)):
        match = PlannedMatch(*row)
        routes[match.worker].append(match)
    return HindsightPlan(tuple(tuple(r) for r in routes), tuple(data["completed"].tolist()),
                         tuple(data["abandoned"].tolist()), *(float(data[n]) for n in ("revenue", "bound")), status,
                         float(data["wall_s"]), float(data["margin"]), float(data["decision_interval"]))
