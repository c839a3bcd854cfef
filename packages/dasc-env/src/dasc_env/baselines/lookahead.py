"""LOOKAHEAD: a rollout algorithm (Bertsekas) on the simulator, the honest online bar for a learner.

At each decision epoch it forms a few candidate recommendation sets from a base rule policy
(READY-KM by default): the base policy's own set, "wait" (recommend nothing), and the base set
without each of the (up to ``max_candidates - 2``) live tasks with the most open subtasks in it.
Each candidate is scored by copying the env (``DASCParallelEnv.copy``: no observations, no future
tasks), stepping the copy with the candidate and then with the base policy to the end of the
episode (or for ``horizon`` more epochs), and reading the copy's E(M) (Eq. 2: revenue booked by
then, failed tasks' -kappa sum d included). A task's revenue is booked only at its final match, so
a short horizon is myopic: it prefers a one-subtask job it can book now over a richer, longer task.
The best candidate is played (ties: the earliest in that order, so the base policy's own choice
wins a tie).

It uses the simulator as an online planner would: its copies know the tasks already published and
none of the future ones (``copy(future_tasks=False)``), so it is not clairvoyant. Its cost per
epoch is ``candidates x`` the simulated epochs, so it is meant for the small points (the small
city; elsewhere with a capped ``horizon``): 10 to 60 s per episode at 10-20 tasks x 12 workers.
"""

from __future__ import annotations

import numpy as np

from ..env import DASCParallelEnv
from ..simulator import Ledger
from .heuristics import RulePolicy, ready_km
from .policy import Policy


class LookaheadPolicy(Policy):
    """Try candidate recommendation sets on copies of the env, continue each with ``base``, keep the best."""

    name = "lookahead"
    observes = False

    def __init__(self, horizon: int | None = None, max_candidates: int = 5, base: RulePolicy | None = None):
        if horizon is not None and (isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 0):
            raise ValueError(f"horizon={horizon!r} must be None (to the episode's end) or an int >= 0 (decision "
                             "epochs simulated after the first)")
        if isinstance(max_candidates, bool) or not isinstance(max_candidates, int) or max_candidates < 2:
            raise ValueError(f"max_candidates={max_candidates!r} must be an int >= 2 (the base set and waiting)")
        self.horizon, self.max_candidates = horizon, max_candidates
        self.base = base if base is not None else ready_km()
        self.matcher = self.base.matcher

    def reset(self, env: DASCParallelEnv, seed: int | None = None) -> None:
        super().reset(env, seed)
        self._trail = None

    def recommend(self, env: DASCParallelEnv) -> np.ndarray:
        candidates = self.candidates(env)
        known = self._known(env)  # the played rollout, when it already went on from this state with the base set
        if len(candidates) == 1:
            self._trail = known  # the env steps with the base set: the rollout goes on
            return candidates[0]
        rollouts = [known if i == 0 and known is not None else self._rollout(env, mask)
                    for i, mask in enumerate(candidates)]
        best = int(np.argmax([score for score, _ in rollouts]))
        self._trail = rollouts[best]
        return candidates[best]

    def candidates(self, env: DASCParallelEnv) -> list[np.ndarray]:
        """The base set, waiting, and the base set without each of the busiest tasks (duplicates dropped)."""
        base = self.base.recommend(env)
        if not base.any():
            return [base]
        task = env.scenario.subtask_task
        counts = np.bincount(task[base], minlength=env.scenario.num_tasks)
        busiest = np.argsort(-counts, kind="stable")[:self.max_candidates - 2]
        out = [base, np.zeros_like(base)]
        out += [base & (task != q) for q in busiest if 0 < counts[q] < base.sum()]
        return out

    def simulate(self, env: DASCParallelEnv, mask: np.ndarray) -> float:
        """E(M) of a copy of ``env`` stepped with ``mask``, then with the base policy for ``horizon`` epochs."""
        return self._rollout(env, mask)[0]

    def _rollout(self, env: DASCParallelEnv, mask: np.ndarray) -> tuple[float, list | None]:
        """``simulate``'s E(M), and (when rollouts can be reused: no ``horizon``, a ``RulePolicy`` base) the
        copy's state after each of its steps (``_state``)."""
        twin = env.copy(observe=False, future_tasks=False)
        trail = [] if self._reusable else None
        twin.step_subtasks(np.flatnonzero(mask))
        steps = 0
        while twin.agents and (self.horizon is None or steps < self.horizon):
            if trail is not None:
                trail.append(_state(twin.sim))
            twin.step_subtasks(np.flatnonzero(self.base.recommend(twin)))
            steps += 1
        return twin.total_revenue, trail

    @property
    def _reusable(self) -> bool:
        return self.horizon is None and type(self.base) is RulePolicy

    def _known(self, env: DASCParallelEnv) -> tuple[float, list] | None:
        """The last played rollout as a rollout of the base set from ``env``, if it is one: it continued with the
        base policy (deterministic: a ``RulePolicy``) from a state equal to ``env``'s in everything a step reads
        and E(M) adds up (``_state``), so its E(M) is ``simulate(env, base set)``'s, bit for bit."""
        trail = getattr(self, "_trail", None)
        if trail is None or not trail[1] or not self._reusable:
            return None
        score, states = trail
        return (score, states[1:]) if _same_state(states[0], _state(env.sim)) else None


def _state(sim) -> list:
    """A simulator's state as a list of exact values: every array's bytes, scalars, the ledger's task revenues in
    order (what E(M) sums), and the shared parts (scenario, graph, ...) by identity. A planning copy's task stream
    ends where it was copied (``forget_future``): its end is that of a copy made from this state, and is left
    out; so is ``last_outcome``, which no step reads."""
    out = []
    for name, value in vars(sim).items():
        if name in ("_stream_end", "last_outcome"):
            continue
        if isinstance(value, np.ndarray):
            out.append((name, "bytes", value.dtype.str, value.shape, value.tobytes()))
        elif isinstance(value, Ledger):
            out.append((name, "revenues", len(value.matches), tuple(t.revenue for t in value.tasks)))
        elif value is None or isinstance(value, (bool, int, float, str, np.generic)):
            out.append((name, "value", type(value), value))
        else:
            out.append((name, "object", value))
    out.append(("_stream_end", "value", int, sim._next_task))  # a planning copy from here ends its stream here
    return out


def _same_state(a: list, b: list) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x[:2] != y[:2]:
            return False
        if x[1] == "object":
            if x[2] is not y[2]:
                return False
        elif x[2:] != y[2:]:
            return False
    return True


def lookahead(horizon: int | str | None = None, max_candidates: int | str = 5) -> LookaheadPolicy:
    """Factory of the method ``lookahead`` (``dasc-eval --lookahead-horizon 20`` passes strings)."""
    return LookaheadPolicy(_int("horizon", horizon), _int("max_candidates", max_candidates))


def _int(name: str, value):
    if isinstance(value, str):
        if value.lower() in ("none", "end"):
            return None
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{name}={value!r} must be an int") from None
    return value
