"""Writing files so that a crash never leaves a half-written one behind, and reading them back safely."""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np


def atomic_savez(path: Path, **arrays) -> None:
    """``np.savez_compressed`` to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    os.close(fd)
    try:
        np.savez_compressed(tmp, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class _Refused(ValueError):
    """A file that was read but is not what the caller expects (its message already names the file)."""


def read_npz(path: str | Path, fmt: str, version: int, required: tuple[str, ...],
             optional: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The arrays of a versioned ``.npz`` (``format`` = ``fmt``, ``version``) written by ``atomic_savez``.

    Loads with ``allow_pickle=False`` and always closes the file. Anything wrong -- a missing file, a
    file that is not an ``.npz``, another format or version, missing arrays, damaged data -- raises
    ``ValueError`` naming ``path`` and the problem.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = np.load(f, allow_pickle=False)
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise _Refused(f"{path}: not an .npz archive (a single .npy array)")
            with data:
                return _members(path, data, fmt, version, required, optional)
    except _Refused:
        raise
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, not a {fmt} file") from None
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as err:
        # a truncated, empty or corrupted file fails inside numpy/zipfile/zlib, possibly only when an array is read
        raise ValueError(f"{path}: not a readable {fmt} .npz file ({type(err).__name__}: {err})") from None


def _members(path: Path, data, fmt: str, version: int, required: tuple[str, ...],
             optional: tuple[str, ...]) -> dict[str, np.ndarray]:
    if "format" not in data or str(data["format"]) != fmt:
        raise _Refused(f"{path}: not a {fmt} file")
    found = int(data["version"]) if "version" in data else None
    if found != version:
        raise _Refused(f"{path}: {fmt} version {found} is not supported (need {version})")
    missing = [name for name in required if name not in data]
    if missing:
        raise _Refused(f"{path}: missing array(s) {missing}")
    return {name: data[name] for name in (*required, *optional) if name in data}
