"""The learner's view of one dasc-env environment: arrays in, arrays out.

``DascAdapter`` steps a ``dasc_env`` parallel env with an action array aligned
with the live agents and returns, for those agents, the two reward channels of
the paper (sparse: Eq. 1 to the final subtask; shaped: Eq. 3), whether each was
matched (terminated) or dropped (truncated), and the Eq. 9-11 utilities of the
matched pairs (the eta meta-gradient needs them). It uses the env's array face only:
``step_subtasks`` (which returns the epoch's ``EpochOutcome``), ``observation_batch``,
``state_tables``, ``total_revenue`` and ``ledger``, and changes the env only through
``step_subtasks``, ``reset``, ``set_utility_params`` and ``set_matcher``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dasc_env import DASCConfig
from dasc_env.simulator.ledger import COMPLETED, FAILED

from .batch import observe
from .env_source import EnvSource


@dataclass
class StepResult:
    """What one decision epoch did to the agents that acted (aligned with the ``subtasks`` that acted)."""

    reward_sparse: np.ndarray
    """r of the sparse MDP (Eq. 1 to the last subtask of a completed task, -1 per failed recommendation)."""
    reward_shaped: np.ndarray
    """r of the shaped MDP (Eq. 3, -1 per failed recommendation)."""
    terminated: np.ndarray
    """Matched to a worker this epoch (the agent leaves)."""
    truncated: np.ndarray
    """Dropped because the task can no longer meet its deadline (the agent leaves)."""
    utilities: np.ndarray
    """(n, 3) u_skill, u_dist, u_time of the matched agents' pairs (Eq. 9-11); 0 for the others."""
    busy: np.ndarray
    """(n,) seconds each matched agent's worker is committed from now (until its subtask finishes); 0 for the
    others."""
    revenue_delta: float
    """Change of E(M) (Eq. 2) booked by this epoch."""
    failed_recommendations: int
    """Recommendations that got no worker this epoch."""
    time: float
    """The epoch's decision time, seconds (epochs without open subtasks are skipped, so steps are not evenly
    spaced)."""
    booked_tasks: np.ndarray
    """Tasks whose revenue (Eq. 1, or a failed task's -kappa sum d) this epoch booked."""
    done: bool
    """No live agent is left: the episode is over."""


class DascAdapter:
    """One env, driven with arrays. ``reset`` and ``step`` return the live agents' observation batch."""

    def __init__(self, source: EnvSource, matcher: str = "km"):
        self.source = source
        self.env = source.make_env()
        self.env.set_matcher(matcher)
        self.observation_space = self.env.observation_space(None)
        self.encoder = self.env.encoder

    @property
    def config(self) -> DASCConfig:
        return self.env.config

    def set_eta(self, alpha: float, beta: float) -> None:
        """Push eta = (alpha, beta) to the env's KM matcher (Eq. 13), from the next epoch on."""
        self.env.set_utility_params(float(alpha), float(beta))

    def reset(self, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
        """Start the episode of ``seed`` (on the source's scenario for that seed, if it has fixed ones); returns
        (live subtasks as global indices, their shared-graph batch or None)."""
        scenario = self.source.scenario_for(seed)
        self.env.reset(seed=int(seed), options={"scenario": scenario} if scenario is not None else None)
        return observe(self.env)

    def step(self, actions: np.ndarray) -> tuple[StepResult, np.ndarray, dict[str, np.ndarray] | None]:
        """Act with ``actions`` (0/1 per live agent, in ``observation_batch`` order); returns what the epoch did
        to the agents that acted, and the next live agents with their shared-graph batch (None when none)."""
        env = self.env
        acting, _ = env.observation_batch
        actions = np.asarray(actions)
        if actions.shape != acting.shape:
            raise ValueError(f"actions has shape {actions.shape}; expected one per live agent {acting.shape}")
        before, now = env.total_revenue, env.now
        out = env.step_subtasks(acting[actions.astype(bool)])
        utilities = np.zeros((acting.size, 3))
        rows = np.searchsorted(acting, out.matched)  # live agents are in ascending subtask order
        utilities[rows] = np.stack([out.u_skill, out.u_dist, out.u_time], axis=1)
        busy = np.zeros(acting.size)
        busy[rows] = out.finish - now
        result = StepResult(
            reward_sparse=out.reward_sparse[acting],
            reward_shaped=out.reward_shaped[acting],
            terminated=np.isin(acting, out.matched),
            truncated=np.isin(acting, out.dropped),
            utilities=utilities,
            busy=busy,
            revenue_delta=env.total_revenue - before,
            failed_recommendations=int(out.failed.size),
            time=now,
            booked_tasks=np.concatenate([out.completed_tasks, out.failed_tasks]),
            done=not env.agents,
        )
        live, batch = observe(env)
        return result, live, batch

    def state_tables(self) -> dict[str, np.ndarray]:
        """The global state s = (Q, W) with the visible subtask rows compacted to the front (canonical order)."""
        tables = self.env.state_tables()
        rows = np.flatnonzero(tables["subtasks_mask"])
        return {"workers": tables["workers"], "subtasks": tables["subtasks"][rows], "time": tables["time"]}

    def task_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """(S,) each subtask's task and (Q,) each task's booked revenue (Eq. 1; -kappa sum d when it failed; 0 when
        never booked), for per-task credit."""
        scenario = self.env.scenario
        revenue = np.zeros(scenario.num_tasks)
        booked = self.env.ledger.tasks
        revenue[[t.task for t in booked]] = [t.revenue for t in booked]
        return scenario.subtask_task, revenue

    def episode_metrics(self) -> dict[str, float]:
        """Ledger metrics of the finished episode: revenue E(M), completed and failed tasks."""
        ledger = self.env.ledger
        return {"revenue": float(self.env.total_revenue), "completed": float(ledger.count(COMPLETED)),
                "failed": float(ledger.count(FAILED))}
