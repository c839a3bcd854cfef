"""Scenarios on disk: a versioned ``.npz`` so an experiment reruns on exactly the same workers and tasks.

Format ``dasc-scenario`` version 1: one array per ``Scenario`` input field
(``worker_nodes``, ``worker_skills``, ``task_created``, ``task_expected``,
``task_deadline``, ``task_payment``, ``task_ptr``, ``subtask_nodes``,
``subtask_skills``, ``subtask_durations``, ``edges``) plus ``format`` and
``version``. Derived fields are recomputed (and everything re-validated) on load.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from .._files import atomic_savez, read_npz
from .scenario import Scenario

FORMAT = "dasc-scenario"
VERSION = 1
FIELDS = tuple(f.name for f in fields(Scenario) if f.init)


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write ``scenario`` to ``path`` (``.npz`` is appended if missing), atomically; the path written."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a dasc_env Scenario, got {type(scenario).__name__}")
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    atomic_savez(path, format=FORMAT, version=VERSION, **{name: getattr(scenario, name) for name in FIELDS})
    return path


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario written by ``save_scenario``.

    A missing file, a file that is not a ``dasc-scenario`` ``.npz``, another version, missing arrays,
    damaged data or an inconsistent scenario raise ``ValueError`` naming the file and the problem.
    """
    arrays = read_npz(path, FORMAT, VERSION, FIELDS)
    try:
        return Scenario(**arrays)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None


def scenario_files(path: str | Path) -> list[Path]:
    """``[path]`` for a file, or the ``.npz`` files of a folder sorted by name (``ValueError`` if none)."""
    path = Path(path)
    if path.is_dir():
        files = sorted((p for p in path.iterdir() if p.suffix == ".npz" and p.is_file()), key=lambda p: p.name)
        if not files:
            raise ValueError(f"{path}: folder holds no .npz scenario file")
        return files
    if not path.exists():
        raise ValueError(f"{path}: no such file or folder")
    return [path]


def load_scenarios(path: str | Path) -> list[Scenario]:
    """The scenario of a file, or those of every ``.npz`` in a folder in name order (see ``scenario_files``)."""
    return [load_scenario(p) for p in scenario_files(path)]
