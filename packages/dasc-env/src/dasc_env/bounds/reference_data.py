"""Reference data of the benchmark suite: per test seed of a small task, what is known to be winnable.

Like CVRPLIB's best-known solutions and MIPLIB's primal and dual bounds, ``data/<suite>/reference.csv`` holds one
row per (task, test seed) of suite ``<suite>`` (``dasc_env.benchmarks``):

* ``best_known``: E(M) of Eq. 2 of the best hindsight plan found, a plan that ``replay_plan`` executes cleanly in
  the env with that revenue (the plan itself: ``data/<suite>/plans/<task>/<seed>.npz``, read by ``plan()``);
* ``found_by``: what found it (``lns`` from the best method's ledger, or ``method:<name>`` when no search improved
  on that method) and ``budget_s``, the search's time limit;
* ``bound`` and ``bound_by``: the tightest provable upper bound on Eq. 2 known for the episode;
* ``status``: ``optimal`` where plan and bound meet (within ``REPLAY_TOL`` relative), else ``open``.

The optimum lies in [best_known, bound]. ``python -m experiments.reference_data`` regenerates the rows with a
time budget; a row changes only for a better plan or a tighter bound, so an improvement is new data, kept in
the repository's history like the suite's tasks.
"""

from __future__ import annotations

import csv
import functools
import math
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .. import benchmarks
from .plan import HindsightPlan
from .plan_file import load_plan, save_plan
from .replay import REPLAY_TOL

DATA = Path(__file__).parent / "data"
"""Where each suite version's reference data lives (``<version>/reference.csv``, ``<version>/plans/``)."""
STATUSES = ("optimal", "open")


@dataclass(frozen=True)
class Reference:
    """What is known of one suite episode: the optimum lies in [``best_known``, ``bound``]."""

    suite: str
    task: str
    seed: int
    best_known: float
    found_by: str
    budget_s: float
    bound: float
    bound_by: str
    status: str

    @property
    def gap(self) -> float:
        """bound / best_known - 1: how far the optimum may lie above the best-known plan (NaN without a plan)."""
        return self.bound / self.best_known - 1 if self.best_known > 0 else math.nan

    def plan(self) -> HindsightPlan:
        """The best-known plan (``replay_plan`` it on ``benchmarks.make(task, seed)``'s episode)."""
        return load_plan(plan_path(self.suite, self.task, self.seed))


COLUMNS = tuple(f.name for f in fields(Reference) if f.name != "suite")
"""The columns of ``reference.csv``."""


def status_of(best_known: float, bound: float) -> str:
    """``optimal`` where the plan reaches the bound (within ``REPLAY_TOL`` relative), else ``open``."""
    return "optimal" if best_known >= bound - REPLAY_TOL * max(1.0, abs(bound)) else "open"


def plan_path(suite: str, task: str, seed: int) -> Path:
    return DATA / suite / "plans" / task / f"{seed}.npz"


def references(suite: str = benchmarks.LATEST) -> dict[tuple[str, int], Reference]:
    """Every reference row of suite ``suite``, keyed by (task, seed); empty where none is published."""
    benchmarks.tasks(suite)  # an unknown version raises ValueError naming it
    return dict(_read(DATA / suite, suite))


def reference(task: str, seed: int, suite: str = benchmarks.LATEST) -> Reference | None:
    """The reference row of test seed ``seed`` of task ``task`` in suite ``suite``, or None if none is published."""
    found = benchmarks.get(task, suite)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    if seed not in found.test_seeds:
        raise ValueError(f"seed={seed} is not a test seed of task {task!r} in suite {suite} "
                         f"({found.test_seeds[0]}..{found.test_seeds[-1]}); reference data covers test seeds only")
    return references(suite).get((task, seed))


def published(task: benchmarks.SuiteTask) -> dict[int, Reference]:
    """Test seed -> reference row of ``task`` (a ``SuiteTask`` of any published version), where it has one."""
    versions = [v for v, ts in benchmarks.SUITES.items() if task in ts]
    return {r.seed: r for v in versions for (name, _), r in references(v).items() if name == task.name}


def publish(entry: Reference, plan: HindsightPlan | None) -> None:
    """Write ``entry`` into its suite's ``reference.csv`` (replacing the row of the same episode) and, when given,
    ``plan`` as its best-known plan. The caller decides that the entry improves on the published one."""
    if entry.status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {entry.status!r}")
    if plan is not None:
        save_plan(plan, plan_path(entry.suite, entry.task, entry.seed))
    rows = references(entry.suite) | {(entry.task, entry.seed): entry}
    path = DATA / entry.suite / "reference.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".csv")
    with os.fdopen(fd, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for key in sorted(rows):
            writer.writerow({k: v for k, v in asdict(rows[key]).items() if k != "suite"})
    os.replace(tmp, path)
    _read.cache_clear()


@functools.cache
def _read(folder: Path, suite: str) -> tuple[tuple[tuple[str, int], Reference], ...]:
    path = folder / "reference.csv"
    if not path.exists():
        return ()
    with path.open(newline="") as f:
        rows = [Reference(suite, r["task"], int(r["seed"]), float(r["best_known"]), r["found_by"],
                          float(r["budget_s"]), float(r["bound"]), r["bound_by"], r["status"])
                for r in csv.DictReader(f)]
    return tuple(((r.task, r.seed), r) for r in rows)
