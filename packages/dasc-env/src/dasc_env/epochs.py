"""Decision epochs: when a task is published and when the episode ends, the one home of both rules.

The platform decides at epochs ``t_k = k * Delta``, k = 0, 1, ..., with Delta = ``DASCConfig.decision_interval``
(Sec. 3: tasks arrive in a stream and are batched per decision interval). A task created at t_c is published at
the first epoch at or after t_c (``is_published``, ``first_epoch``). The horizon H is ``DASCConfig.horizon``,
default the latest deadline t_d of the stream (``horizon``); no match is made at an epoch at or after H
(``past_horizon``, ``last_epoch``), and a task still live then fails with the reason "horizon".

Times compare within ``TIME_TOLERANCE`` seconds, so float noise in t_c or H never moves a task to the next epoch.
The simulator, the clairvoyant instance of the hindsight solvers and the relaxed bound all read these rules
here; the relaxed bound passes a looser ``tolerance``, which can only move an epoch earlier, as a bound may.
"""

from __future__ import annotations

import math

import numpy as np

TIME_TOLERANCE = 1e-9
"""Seconds within which two times count as equal (publication, deadlines, the horizon)."""


def horizon(config, scenario) -> float:
    """H: ``config.horizon``, or the latest task deadline t_d of ``scenario`` when that is ``None``."""
    return float(config.horizon if config.horizon is not None else scenario.task_deadline.max())


def is_published(created, now: float):
    """True where a task created at ``created`` (t_c, seconds) is published by the epoch at ``now``."""
    return created <= now + TIME_TOLERANCE


def first_epoch(time, interval: float, tolerance: float = TIME_TOLERANCE):
    """The index of the first epoch at or after ``time`` (seconds): the least k with k * Delta >= time within
    ``tolerance``, int64 (an array for an array ``time``). For t_c it is the epoch that publishes the task."""
    return np.ceil((np.asarray(time, dtype=np.float64) - tolerance) / interval).astype(np.int64)


def past_horizon(now: float, horizon: float) -> bool:
    """True from the first time no match can be made any more: ``now`` at or after H (within the tolerance)."""
    return now >= horizon - TIME_TOLERANCE


def last_epoch(horizon: float, interval: float) -> int:
    """The index of the last epoch before H, where matches can still be made (the greatest k with
    ``not past_horizon(k * Delta, H)``); -1 when H <= 0."""
    return math.ceil((horizon - TIME_TOLERANCE) / interval) - 1


def epoch_index(time: float, interval: float) -> int:
    """The index k of the epoch at ``time`` = k * Delta (rounded, so float drift in ``time`` does not matter)."""
    return round(time / interval)
