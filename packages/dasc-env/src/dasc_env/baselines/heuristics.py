"""Rule-based recommendation with KM or greedy matching, and the random floor.

* GREEDY (paper): every subtask whose predecessors have all *finished* goes to
  its nearest feasible idle worker.
* KM (paper): the same subtasks, matched by Kuhn-Munkres on the utility of
  Eq. 9-13 with the config's fixed eta.
* WAIT-KM: KM's subtasks, less those for which a busy skilled worker would arrive before every idle one that
  could take them now (``env.busy_sooner``): they wait for it. KM matching.
* READY-KM: every subtask whose predecessors are all *assigned*, so a worker
  can travel ahead and wait for a predecessor still running; KM matching.
* ALL: recommend every live subtask; the env's layered matching still
  respects the order constraint; KM matching.
* RANDOM: each live subtask with probability ``p``; KM matching.

KM matches on the utility of Eq. 9-13 with the config's eta; the KM methods' option ``eta`` ("alpha,beta",
e.g. ``dasc-eval --methods km --km-eta 0.5,0.5``) matches with those weights instead, so that a learner that
learns eta can be compared with the same rule at a hand-set or tuned eta (``experiments/eta_grid.py``).
"""

from __future__ import annotations

import numpy as np

from ..config import parse_eta
from ..env import DASCParallelEnv, SubtaskStatus, is_live
from .policy import Policy

RULES = ("finished", "assigned", "all")


class RulePolicy(Policy):
    """Recommend open subtasks whose predecessors satisfy ``rule``; match with ``matcher``. With ``wait``, skip
    those a busy worker would reach sooner than every idle one (``env.busy_sooner``)."""

    observes = False

    def __init__(self, name: str, rule: str, matcher: str = "km", eta=None, wait: bool = False):
        if rule not in RULES:
            raise ValueError(f"rule={rule!r} must be one of {RULES}")
        if not isinstance(wait, bool):
            raise TypeError(f"wait={wait!r} must be a bool")
        self.eta = parse_eta(eta)
        if self.eta is not None and matcher != "km":
            raise ValueError(f"eta={eta!r} needs the KM matcher (matcher={matcher!r} does not read the utility)")
        self.name, self.rule, self.matcher, self.wait = name, rule, matcher, wait

    def reset(self, env: DASCParallelEnv, seed: int | None = None) -> None:
        super().reset(env, seed)
        if self.eta is not None:
            env.set_utility_params(*self.eta)

    def recommend(self, env: DASCParallelEnv) -> np.ndarray:
        chosen = self._by_rule(env)
        return chosen & ~env.busy_sooner if self.wait else chosen

    def _by_rule(self, env: DASCParallelEnv) -> np.ndarray:
        status = env.subtask_status
        if self.rule == "finished":
            return (status == SubtaskStatus.OPEN) & env.scenario.all_predecessors(status == SubtaskStatus.FINISHED)
        if self.rule == "assigned":
            return status == SubtaskStatus.OPEN
        return is_live(status)


class RandomPolicy(Policy):
    """Recommend each live subtask independently with probability ``p``."""

    name = "random"
    observes = False

    def __init__(self, p: float = 0.5, matcher: str = "km"):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p={p!r} must be in [0, 1]")
        self.p, self.matcher = p, matcher

    def recommend(self, env: DASCParallelEnv) -> np.ndarray:
        status = env.subtask_status
        return is_live(status) & (self.rng.random(status.size) < self.p)


def greedy() -> RulePolicy:
    return RulePolicy("greedy", "finished", matcher="greedy")


def km(eta=None) -> RulePolicy:
    return RulePolicy("km", "finished", matcher="km", eta=eta)


def wait_km(eta=None) -> RulePolicy:
    return RulePolicy("wait-km", "finished", matcher="km", eta=eta, wait=True)


def ready_km(eta=None) -> RulePolicy:
    return RulePolicy("ready-km", "assigned", matcher="km", eta=eta)


def recommend_all(eta=None) -> RulePolicy:
    return RulePolicy("all", "all", matcher="km", eta=eta)
