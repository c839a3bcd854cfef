"""The interface every platform method implements, learned or not.

A ``Policy`` acts through the environment only: each epoch it says which live
subtasks to recommend (``act``), and it names the Stage 2 matcher the env
uses (``matcher``: "km", "greedy" or a callable on a ``MatchingProblem``).
Revenue therefore always comes from the same simulator and ledger.
"""

from __future__ import annotations

import numpy as np

from ..env import DASCParallelEnv
from ..matching import Matcher


class Policy:
    """Base class: override ``recommend`` (a subtask mask) or ``act`` (an action dict)."""

    name: str = "policy"
    matcher: str | Matcher = "km"
    observes: bool = True
    """Whether the method reads the observations (``act``'s argument, ``env.observation_batch``). A method that
    decides from the env's arrays alone sets False, and ``run_episode`` then skips encoding them (``env.observe``):
    about half of each step's time, with the same episode."""

    def reset(self, env: DASCParallelEnv, seed: int | None = None) -> None:
        """Called after ``env.reset``; ``seed`` seeds any randomness of the method."""
        self.rng = np.random.default_rng(None if seed is None else [seed, 0x5EED])

    def act(self, env: DASCParallelEnv, observations: dict) -> dict[str, int]:
        """Actions for ``env.agents``; the default recommends the subtasks of ``recommend``."""
        return env.actions_for(np.flatnonzero(self.recommend(env)))

    def recommend(self, env: DASCParallelEnv) -> np.ndarray:
        """(S,) bool over the scenario's subtasks: which open subtasks to recommend now."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
