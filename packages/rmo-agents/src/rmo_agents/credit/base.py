"""The credit protocol, and its shared scheme: every live agent gets the team advantage A_t (MAPPO, the paper)."""

from __future__ import annotations

import numpy as np

from ..advantages import standardise
from ..buffer import Episode
from ..config import CreditConfig


class Credit:
    """The "shared" scheme, and the face every scheme shows the advantages and the trainer."""

    per_task = False
    """The scheme rewards each agent with its own task's outcome: the critic has a task head (``task_rewards``)."""
    trains_critic = True
    """The critic is trained (replay credit needs no value baseline)."""

    def __init__(self, config: CreditConfig, env_failed_reward: float):
        self.config = config
        self.env_failed_reward = env_failed_reward
        self.failed_reward = env_failed_reward if config.failed_reward is None else config.failed_reward
        """A failed recommendation's reward in theta's signals (``CreditConfig.failed_reward``, else the env's)."""

    def prepare(self, episodes: list[Episode], seeds: list[int], actor, update: int) -> None:
        """Before the update of ``episodes`` (played from ``seeds`` by ``actor``, at update count ``update``)."""

    def task_rewards(self, episode: Episode, clock: np.ndarray, gamma: float) -> np.ndarray:
        """Per-task schemes: each transition's reward from its own task's outcome."""
        raise NotImplementedError(f"credit scheme {self.config.scheme!r} has no per-task rewards")

    def assign(self, episode: Episode, team: np.ndarray, task: np.ndarray | None) -> np.ndarray:
        """theta's A per transition of ``episode`` from ``team`` (the team A_t of each transition's step) and
        ``task`` (the per-task A along each agent's trajectory, per-task schemes; else None)."""
        return team

    def actor_rows(self, team: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the transitions theta trains on, theta's A) from the transitions with a choice ``rows``."""
        return rows, team

    def normalise(self, team: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """theta's A standardised over ``rows`` (``ppo.normalize_advantages``)."""
        return standardise(team, rows)[0]
