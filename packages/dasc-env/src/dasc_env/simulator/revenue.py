"""Revenue of a task (Eq. 1) and the shaped per-subtask reward (Eq. 3).

Delta t is measured in minutes, so zeta is the share of rho lost per minute
of delay past t_e; distances are metres, so kappa is a cost per metre. The
payment factor ``1 - zeta * Delta t`` is floored at 0 (Fig. 2 draws the
payment falling to zero, never below).
"""

from __future__ import annotations

import numpy as np

SECONDS_PER_MINUTE = 60.0


def payment_after_delay(payment, delay_seconds, zeta: float):
    """(1 - zeta * Delta t) * rho with Delta t = max(0, delay) in minutes, floored at 0."""
    delay_minutes = np.maximum(0.0, np.asarray(delay_seconds, dtype=np.float64)) / SECONDS_PER_MINUTE
    return np.asarray(payment, dtype=np.float64) * np.maximum(0.0, 1.0 - zeta * delay_minutes)


def task_revenue(payment, finish, expected, deadline, travel_sum, zeta: float, kappa: float):
    """varrho of Eq. 1: the delayed payment if the task ends by t_d, else nothing, minus kappa * sum d."""
    finish = np.asarray(finish, dtype=np.float64)
    on_time = np.isfinite(finish) & (finish <= np.asarray(deadline))
    earned = np.where(on_time, payment_after_delay(payment, np.where(on_time, finish, 0) - expected, zeta), 0.0)
    return earned - kappa * np.asarray(travel_sum, dtype=np.float64)


def shaped_reward(payment, task_size, finish, latest_expected, latest_deadline, slack,
                  distance, zeta: float, kappa: float):
    """r_tau of Eq. 3 for a matched subtask finishing at ``finish``.

    ``rho_max = rho`` and ``rho_min`` is rho paid at the deadline, i.e.
    ``payment_after_delay(rho, t_d - t_e)``; ``slack`` is t_d - t_e.
    """
    finish = np.asarray(finish, dtype=np.float64)
    rho_max = np.asarray(payment, dtype=np.float64)
    rho_min = payment_after_delay(rho_max, slack, zeta)
    travel = kappa * np.asarray(distance, dtype=np.float64)
    return np.where(finish <= latest_expected, rho_max / task_size - travel,
                    np.where(finish < latest_deadline, rho_min / task_size - travel, 0.0))
