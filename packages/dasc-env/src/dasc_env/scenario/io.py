"""Scenarios on disk: a versioned ``.npz`` so an experiment reruns on exactly the same workers and tasks.

Format ``dasc-scenario`` version 1: one array per ``Scenario`` input field
(``worker_nodes``, ``worker_skills``, ``task_created``, ``task_expected``,
``task_deadline``, ``task_payment``, ``task_ptr``, ``subtask_nodes``,
``subtask_skills``, ``subtask_durations``, ``edges``) plus ``format`` and
``version``. Derived fields are recomputed (and everything re-validated) on load.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import fields
from pathlib import Path

import numpy as np

from .._files import atomic_savez
from .scenario import Scenario

FORMAT = "dasc-scenario"
VERSION = 1
FIELDS = tuple(f.name for f in fields(Scenario) if f.init)


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write ``scenario`` to ``path`` (``.npz`` is appended if missing), atomically."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    atomic_savez(path, format=FORMAT, version=VERSION, **{name: getattr(scenario, name) for name in FIELDS})
    return path


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario written by ``save_scenario``; a wrong file raises ``ValueError`` naming it."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            if "format" not in data or str(data["format"]) != FORMAT:
                raise ValueError(f"{path}: not a {FORMAT} file")
            if int(data["version"]) != VERSION:
                raise ValueError(f"{path}: {FORMAT} version {int(data['version'])} is not supported (need {VERSION})")
            missing = [name for name in FIELDS if name not in data]
            if missing:
                raise ValueError(f"{path}: missing field(s) {missing}")
            arrays = {name: data[name] for name in FIELDS}
    except ValueError as err:
        raise ValueError(str(err) if str(err).startswith(f"{path}:") else
                         f"{path}: not a readable .npz scenario ({err})") from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as err:
        # a truncated, empty or corrupted file fails inside zipfile/zlib, possibly only when an array is read
        raise ValueError(f"{path}: not a readable .npz scenario ({type(err).__name__}: {err})") from None
    try:
        return Scenario(**arrays)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
