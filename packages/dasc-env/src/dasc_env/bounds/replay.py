"""Execute a hindsight plan in the env: a ``Policy`` that recommends, and a matcher that assigns, what it says.

At each epoch ``ReplayPolicy`` recommends exactly the subtasks the plan matches at that epoch; its matcher
(``policy.matcher``, which the harness hands to ``env.set_matcher``) gives each of them the plan's worker.
Anything the env will not do -- a planned subtask not live, its worker not idle, a pair the env finds
infeasible, an epoch that passed with a planned match not made -- raises ``PlanNotExecutable``: either the
plan or the env is wrong. ``replay_plan`` runs the episode with ``run_episode``, re-checks the ledger with
``verify_ledger`` and compares every match and the revenue with the plan (``REPLAY_TOL``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..baselines import Policy, run_episode
from ..city import RoadGraph
from ..config import DASCConfig
from ..env import DASCParallelEnv, is_live
from ..epochs import epoch_index
from ..matching import MatchingProblem
from ..scenario import Scenario
from ..simulator import Ledger, verify_ledger
from ..simulator.ledger import COMPLETED
from .plan import HindsightPlan, PlannedMatch

REPLAY_TOL = 1e-6
"""Times (seconds), distances (metres) and revenue (relative, at least 1 currency unit) of a replay agree with
the plan within this: the plan's real times are the env's, so only float rounding separates them."""


class PlanNotExecutable(RuntimeError):
    """The env cannot do what a hindsight plan says (a bug of the plan's model or of the env)."""


class ReplayPolicy(Policy):
    """Recommend and match exactly the matches of a ``HindsightPlan``, epoch by epoch."""

    name = "hindsight"
    observes = False

    def __init__(self, plan: HindsightPlan):
        if not isinstance(plan, HindsightPlan):
            raise TypeError(f"plan must be a HindsightPlan, got {type(plan).__name__}")
        self.plan = plan
        self.matcher = self.match
        self._due: dict[int, list[PlannedMatch]] = defaultdict(list)
        for m in plan.matches:
            self._due[plan.epoch_of(m)].append(m)
        self._epochs = sorted(self._due)
        self._planned = {m.subtask: m for m in plan.matches}
        self._made: set[int] = set()

    def reset(self, env: DASCParallelEnv, seed: int | None = None) -> None:
        super().reset(env, seed)
        if env.config.decision_interval != self.plan.decision_interval:
            raise ValueError(f"the plan was made for decision_interval={self.plan.decision_interval}, "
                             f"the env has {env.config.decision_interval}")
        if self._planned and max(self._planned) >= env.scenario.num_subtasks:
            raise ValueError("the plan names subtasks the env's scenario does not have")
        self._made = set()

    def recommend(self, env: DASCParallelEnv) -> np.ndarray:
        k = epoch_index(env.now, self.plan.decision_interval)
        overdue = [m.subtask for e in self._epochs if e < k for m in self._due[e] if m.subtask not in self._made]
        if overdue:
            raise PlanNotExecutable(f"at {env.now} s: planned matches of subtasks {overdue} were not made "
                                    "at their epochs")
        due = np.array([m.subtask for m in self._due.get(k, [])], dtype=np.int64)
        live = is_live(env.subtask_status)
        if not live[due].all():
            raise PlanNotExecutable(f"at {env.now} s: planned subtask {int(due[~live[due]][0])} is not live "
                                    f"(status {int(env.subtask_status[due[~live[due]][0]])})")
        mask = np.zeros(live.size, dtype=bool)
        mask[due] = True
        return mask

    def match(self, problem: MatchingProblem) -> tuple[np.ndarray, np.ndarray]:
        """The matcher: each recommended subtask of this dependency layer gets its planned worker."""
        rows, cols = [], []
        for row, sub in enumerate(problem.subtasks.tolist()):
            m = self._planned.get(sub)
            if m is None or abs(m.matched - problem.now) > REPLAY_TOL:
                raise PlanNotExecutable(f"at {problem.now} s: subtask {sub} was recommended off plan")
            col = np.flatnonzero(problem.workers == m.worker)
            if col.size == 0:
                raise PlanNotExecutable(f"at {problem.now} s: worker {m.worker} is not idle for subtask {sub}")
            if not problem.feasible[row, col[0]]:
                raise PlanNotExecutable(
                    f"at {problem.now} s: the env finds (subtask {sub}, worker {m.worker}) infeasible: distance "
                    f"{problem.distance[row, col[0]]:.3f} m, finish {problem.finish[row, col[0]]:.3f} s "
                    f"(planned {m.finish:.3f} s)")
            rows.append(row)
            cols.append(int(col[0]))
            self._made.add(sub)
        return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


@dataclass(frozen=True)
class ReplayResult:
    revenue: float
    """E(M) of Eq. 2 the env booked."""
    ledger: Ledger
    problems: list[str]
    """``verify_ledger``'s findings and every difference from the plan; empty when the replay is faithful."""


def replay_plan(plan: HindsightPlan, scenario: Scenario, graph: RoadGraph, config: DASCConfig) -> ReplayResult:
    """Run ``plan`` through a fresh env on ``scenario`` / ``graph`` / ``config`` and check the outcome."""
    env = DASCParallelEnv(scenario.fit_config(config), city=graph, scenario=scenario)
    run_episode(env, ReplayPolicy(plan), seed=0)
    problems = verify_ledger(scenario, env.ledger, env.config, graph) + _differences(plan, env.ledger)
    if abs(env.total_revenue - plan.revenue) > REPLAY_TOL * max(1.0, abs(plan.revenue)):
        problems.append(f"revenue: the env booked {env.total_revenue}, the plan says {plan.revenue}")
    return ReplayResult(env.total_revenue, env.ledger, problems)


def _differences(plan: HindsightPlan, ledger: Ledger) -> list[str]:
    """Matches and completed tasks of the ledger that differ from the plan."""
    problems = []
    booked = {r.subtask: r for r in ledger.matches}
    for m in plan.matches:
        r = booked.pop(m.subtask, None)
        if r is None or r.worker != m.worker:
            problems.append(f"subtask {m.subtask}: planned for worker {m.worker}, booked {r}")
            continue
        for name in ("matched", "start", "finish", "distance"):
            if abs(getattr(r, "matched_at" if name == "matched" else name) - getattr(m, name)) > REPLAY_TOL:
                problems.append(f"subtask {m.subtask}: {name} differs from the plan ({r} vs {m})")
    problems += [f"subtask {s} was matched off plan" for s in booked]
    completed = sorted(t.task for t in ledger.tasks if t.status == COMPLETED)
    if completed != sorted(plan.completed):
        problems.append(f"completed tasks {completed} differ from the plan's {sorted(plan.completed)}")
    return problems
