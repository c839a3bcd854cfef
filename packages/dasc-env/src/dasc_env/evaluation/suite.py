"""``dasc-eval --suite``: score methods on the held-out test seeds of a benchmark suite's tasks.

Each task (``dasc_env.benchmarks``) runs on its own frozen config; every method, built-in or registered through
the entry point, plays the same test episodes, and each episode's bound (``regret``) is joined to its rows. The
rows are those of ``run_grid`` with the task's name in front, and ``REFERENCE_COLUMNS``: the episode's published
best-known hindsight plan (``bounds.reference_data``) and the method's share of it (NaN where none is published).
"""

from __future__ import annotations

import math

from .. import benchmarks
from ..bounds import published
from .regret import BoundViolation
from .runner import EvalPoint, run_grid


def suite_tasks(version: str, names: list[str] | None) -> list[benchmarks.SuiteTask]:
    """The tasks of ``version`` named in ``names`` (all of them when None), in the suite's order."""
    everything = benchmarks.tasks(version)
    if names is None:
        return list(everything)
    chosen = [benchmarks.get(name, version) for name in names]
    return [t for t in everything if t in chosen]


def held_out_points(task: benchmarks.SuiteTask, methods: list[str], seeds: int | None = None) -> list[EvalPoint]:
    """Every method at each of the task's test seeds (the first ``seeds`` of them, if given)."""
    config = task.config
    return [EvalPoint(m, config.city, config.num_tasks, config.num_workers, s)
            for s in task.test_seeds[:seeds] for m in methods]


def run_suite(tasks: list[benchmarks.SuiteTask], methods: list[str], *, seeds: int | None = None,
              bound: str | None = "auto", bound_time_limit: float = 60.0, jobs: int = 1, progress: bool = True,
              method_options: dict[str, dict] | None = None) -> list[dict]:
    """The rows of every method on every task's test seeds, each starting with the column ``task``."""
    rows = []
    for task in tasks:
        try:
            got = run_grid(held_out_points(task, methods, seeds), task.config, jobs=jobs, progress=progress,
                           method_options=method_options, bound=bound, bound_time_limit=bound_time_limit)
        except BoundViolation as err:
            raise BoundViolation(f"suite task {task.name!r}: {err}") from None
        known = {seed: ref.best_known for seed, ref in published(task).items()}
        rows += [{"task": task.name, **r, **best_known_columns(r["revenue"], known.get(r["seed"], math.nan))}
                 for r in got]
    return rows


REFERENCE_COLUMNS = ("best_known", "of_best_known")
"""Columns ``run_suite`` adds: the episode's best-known plan's E(M), and revenue / best_known."""


def best_known_columns(revenue: float, best_known: float) -> dict[str, float]:
    return {"best_known": best_known, "of_best_known": revenue / best_known if best_known > 0 else math.nan}
