"""ODTA: online threshold-based randomised two-stage assignment (after Yao, Yang, Xu, IEEE TSC 2022).

Stage 1 observes: for the first ``observe_fraction`` of the arrival window
nothing is assigned; the utilities (Eq. 12) of the feasible pairs that
dependency-feasible subtasks could form are recorded. At its end a threshold
is drawn *once per run*: with u_min and u_max the smallest and largest
observed utilities, ``theta = u_min * e^k`` with k uniform in
{0, ..., ceil(ln(u_max / u_min)) - 1} (the classic randomised threshold of
online matching). Stage 2 assigns, each epoch, pairs whose utility is at
least theta, highest utility first.

Readings chosen where the paper leaves a detail open, to keep it strong:
candidates are subtasks whose predecessors are all assigned; tasks arriving
during stage 1 are served after it if their deadlines allow; with nothing
observed the threshold is 0. ``threshold=`` fixes theta (and skips stage 1
when ``observe_fraction=0``).
"""

from __future__ import annotations

import math

import numpy as np

from ..env import DASCParallelEnv
from ..matching import MatchingProblem
from .heuristics import RulePolicy


def threshold_assignment(utility: np.ndarray, feasible: np.ndarray, threshold: float):
    """Pairs with utility >= threshold, taken greedily by utility (one per subtask and per worker)."""
    eligible = feasible & (utility >= threshold)
    r, c = np.nonzero(eligible)
    order = np.argsort(-utility[r, c], kind="stable")
    used_r, used_c, rows, cols = set(), set(), [], []
    for i in order:
        if r[i] not in used_r and c[i] not in used_c:
            used_r.add(r[i])
            used_c.add(c[i])
            rows.append(r[i])
            cols.append(c[i])
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


class ODTAPolicy(RulePolicy):
    def __init__(self, observe_fraction: float = 1.0 / math.e, threshold: float | None = None):
        super().__init__("odta", "assigned")
        if not 0.0 <= observe_fraction < 1.0:
            raise ValueError(f"observe_fraction={observe_fraction!r} must be in [0, 1)")
        self.observe_fraction = observe_fraction
        self.fixed_threshold = threshold

    def reset(self, env: DASCParallelEnv, seed: int | None = None) -> None:
        super().reset(env, seed)
        created = env.scenario.task_created
        self.observe_until = float(created.min() + self.observe_fraction * (created.max() - created.min()))
        self.threshold = self.fixed_threshold
        self.observed: list[np.ndarray] = []
        self.matcher = lambda problem: threshold_assignment(problem.utility, problem.feasible, self.threshold)

    def recommend(self, env: DASCParallelEnv) -> np.ndarray:
        candidates = super().recommend(env)
        if self.threshold is None and env.now < self.observe_until:
            subs, workers = np.flatnonzero(candidates), env.idle_workers
            if subs.size and workers.size:
                problem: MatchingProblem = env.matching_problem(subs, workers)
                self.observed.append(problem.utility[problem.feasible])
            return np.zeros_like(candidates)
        if self.threshold is None:
            self.threshold = self._draw_threshold()
        return candidates

    def _draw_threshold(self) -> float:
        seen = np.concatenate(self.observed) if self.observed else np.empty(0)
        seen = seen[seen > 0]
        if seen.size == 0:
            return 0.0
        u_min, u_max = float(seen.min()), float(seen.max())
        levels = max(1, math.ceil(math.log(u_max / u_min))) if u_max > u_min else 1
        return u_min * math.exp(int(self.rng.integers(levels)))
