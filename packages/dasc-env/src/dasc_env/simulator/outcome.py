"""What one decision epoch did (``Simulator.step``'s result): per subtask arrays of both reward channels,
the matches with their Eq. 9-12 utilities, and the subtasks and tasks that came and went."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class EpochOutcome:
    """What one epoch did, per subtask (global indices) and per task."""

    recommended: np.ndarray
    """Subtasks recommended this epoch."""
    matched: np.ndarray
    """Subtasks matched this epoch, in match order."""
    workers: np.ndarray
    """Worker of each entry of ``matched``."""
    origins: np.ndarray
    """Node each of those workers set out from."""
    u_skill: np.ndarray
    u_dist: np.ndarray
    u_time: np.ndarray
    utility: np.ndarray
    """Eq. 9-12 of each match."""
    finish: np.ndarray
    """When each of ``matched`` finishes: its worker is committed from the epoch until then (travel, any wait for
    a predecessor still running, the work)."""
    failed: np.ndarray
    """Recommended subtasks that got no worker."""
    reward_sparse: np.ndarray
    """(S,) sparse channel: task revenue at the final match, -1 per failed recommendation."""
    reward_shaped: np.ndarray
    """(S,) shaped channel: Eq. 3 per match, -1 per failed recommendation."""
    completed_tasks: np.ndarray
    """Tasks whose last subtask was assigned this epoch."""
    failed_tasks: np.ndarray
    """Tasks that failed while the clock advanced (their open subtasks are dropped)."""
    failed_reasons: list[str]
    """The ``FAILED_REASONS`` entry of each of ``failed_tasks`` (``TaskOutcome.failed_reason``)."""
    dropped: np.ndarray
    """Open subtasks dropped because their task failed."""
    published: np.ndarray
    """Subtasks that became open while the clock advanced."""
