"""Argument checks shared by the public array APIs."""

from __future__ import annotations

import numpy as np


def index_array(values, size: int, name: str, what: str, context: str = "") -> np.ndarray:
    """``values`` as a 1-D int64 array of indices in ``[0, size)``.

    A non-integer array raises ``TypeError`` and an index out of range ``ValueError``, both naming ``name``;
    the latter reads ``"{name}: {what} {value} is outside [0, {size}){context}"``.
    """
    arr = np.asarray(values)
    if arr.size == 0:
        return np.empty(0, dtype=np.int64)
    if arr.ndim > 1 or arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a sequence of integer {what} ids, got dtype {arr.dtype} shape {arr.shape}")
    arr = arr.reshape(-1).astype(np.int64)
    bad = arr[(arr < 0) | (arr >= size)]
    if bad.size:
        raise ValueError(f"{name}: {what} {int(bad[0])} is outside [0, {size}){context}")
    return arr
