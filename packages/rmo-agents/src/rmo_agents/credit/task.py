"""Per-task credit (``credit.scheme`` "task" and "task+team"): each agent is rewarded with its own task's outcome.

GAE runs along each agent's trajectory of ``task_rewards`` against the critic's per-agent task head. Under
"task+team" the team A_t is added: it carries what an agent's action does to other tasks (a worker taken from
them), which its own task's outcome cannot see. ``credit.worker_price`` charges that contention directly.
"""

from __future__ import annotations

import numpy as np

from ..buffer import Episode
from .base import Credit


def task_rewards(episode: Episode, clock: np.ndarray, gamma: float, failed_reward: float,
                 worker_price: float = 0.0) -> np.ndarray:
    """Per-task rewards of ``episode``'s transitions.

    r_i = ``failed_reward`` when transition i recommended and got no worker, minus ``worker_price`` times the
    seconds its match commits the worker (``credit.worker_price``), plus, at the agent's last transition,
    gamma^(c_book - c_i) times its task's booked revenue (Eq. 1 when it completed, -kappa sum d when it failed),
    c on ``clock``: the outcome reaches every agent of the task, discounted from its booking.
    """
    failed = (episode.actions == 1) & ~episode.matched
    book = clock[episode.task_booked[episode.task]]
    delay = np.maximum(book - clock[episode.step], 0.0)
    outcome = np.where(episode.next < 0, gamma ** delay * episode.task_revenue[episode.task], 0.0)
    return failed_reward * failed - worker_price * episode.busy + outcome


class TaskCredit(Credit):
    """"task": theta's A is the per-task A; "task+team": the per-task A plus the team A_t."""

    per_task = True

    def task_rewards(self, episode: Episode, clock: np.ndarray, gamma: float) -> np.ndarray:
        return task_rewards(episode, clock, gamma, self.failed_reward, self.config.worker_price)

    def assign(self, episode: Episode, team: np.ndarray, task: np.ndarray | None) -> np.ndarray:
        return task + team if self.config.scheme == "task+team" else task
