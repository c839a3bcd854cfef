"""Credit assignment: theta's advantage per agent-transition, one module per scheme (``CreditConfig.scheme``).

A scheme is a ``Credit`` (``base``): built from the ``credit`` section and the env's failed-recommendation reward,
it says whether the critic needs its per-task head (``per_task``) and is trained at all (``trains_critic``), may
add to the recorded episodes before the update (``prepare``: replay plays its twins there), turns the team A_t
and, for per-task schemes, the per-task A into theta's A (``assign``), and picks and scales the transitions theta
trains on (``actor_rows``, ``normalise``). The advantages module calls it; nothing else branches on the scheme.

* ``shared``: every live agent gets the team A_t (MAPPO, the paper);
* ``task``: per-task credit, and ``task+team``: per-task credit plus the team A_t (``task``);
* ``replay``: difference rewards by replaying each chosen decision twice on common random numbers (``replay``).

An option of the ``credit`` section that only one scheme reads names its schemes in its field metadata
(``"schemes"``), and validation rejects it at any other value than its default under another scheme.
"""

from __future__ import annotations

from ..config import RMOConfig
from .base import Credit
from .replay import ReplayCredit
from .task import TaskCredit

SCHEMES: dict[str, type[Credit]] = {"shared": Credit, "task": TaskCredit, "task+team": TaskCredit,
                                    "replay": ReplayCredit}
"""Each ``CreditConfig.scheme`` value and the class that implements it."""


def make_credit(config: RMOConfig, source=None, device=None) -> Credit:
    """The credit scheme of ``config``; replay credit also needs the env ``source`` (an ``EnvSource``) and the
    ``device`` of the actor it plays with."""
    env_failed_reward = config.env.dasc_config().failed_recommendation_reward
    if config.credit.scheme == "replay":
        return ReplayCredit(config.credit, env_failed_reward, source=source, matcher=config.meta.matcher,
                            run_seed=config.run.seed, device=device)
    return SCHEMES[config.credit.scheme](config.credit, env_failed_reward)


__all__ = ["Credit", "ReplayCredit", "SCHEMES", "TaskCredit", "make_credit"]
