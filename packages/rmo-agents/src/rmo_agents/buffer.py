"""On-policy episode storage: what the env gave, step by step, as flat arrays.

An episode is a sequence of decision steps t = 0..T-1 (one global state each) and a flat list of
agent-transitions i (one per live agent per step) with its step ``step[i]``, its agent ``agent[i]``
(global subtask index) and ``next[i]``, the same agent's transition at t + 1 (-1 when the agent left:
matched, dropped, or the episode ended).

The recorder keeps what the env reports (both reward channels per transition, the change of E(M) and
the failed recommendations per step, the matched pairs' utilities); which of them a policy learns from
is the learner's choice (``advantages``), not the recorder's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .adapter import StepResult
from .batch import concat_shared


@dataclass
class Episode:
    """One env episode as recorded by ``EpisodeRecorder.finish``."""

    obs: dict[str, np.ndarray]
    """Every transition's observation, a shared-graph batch (``batch``)."""
    actions: np.ndarray
    log_prob: np.ndarray
    step: np.ndarray
    agent: np.ndarray
    next: np.ndarray
    reward_sparse: np.ndarray
    """Per transition: r of the sparse MDP (Eq. 1 to a completed task's last subtask, -1 per failed recommendation)."""
    reward_shaped: np.ndarray
    """Per transition: r of the shaped MDP (Eq. 3, -1 per failed recommendation)."""
    matched: np.ndarray
    utilities: np.ndarray
    """Per transition: (3,) u_skill, u_dist, u_time of its match (Eq. 9-11), 0 when not matched."""
    busy: np.ndarray
    """Per transition: seconds its match commits the worker (until the subtask finishes), 0 when not matched."""
    revenue_delta: np.ndarray
    """Per step: the change of E(M) (Eq. 2) that the step booked."""
    failed_recommendations: np.ndarray
    """Per step: recommendations that got no worker."""
    step_time: np.ndarray
    """Per step: the decision time, seconds."""
    task: np.ndarray
    """Per transition: the agent's task."""
    task_revenue: np.ndarray
    """Per task: its booked revenue (Eq. 1; -kappa sum d when it failed; 0 when never booked)."""
    task_booked: np.ndarray
    """Per task: the step that booked its revenue (the last step when never booked)."""
    state_workers: np.ndarray
    state_subtasks: np.ndarray
    state_lengths: np.ndarray
    state_time: np.ndarray
    eta: tuple[float, float]
    metrics: dict[str, float] = field(default_factory=dict)
    difference: np.ndarray | None = None
    """Per transition: D = Q(recommend) - Q(wait) found by replaying the episode (``replay``), NaN where not
    replayed; None when nothing was (only replay credit replays)."""

    @property
    def num_steps(self) -> int:
        return self.revenue_delta.size

    @property
    def num_transitions(self) -> int:
        return self.actions.size


class EpisodeRecorder:
    """Accumulates one episode's steps; ``finish`` turns them into an ``Episode`` of flat arrays."""

    def __init__(self, eta: tuple[float, float]):
        self.eta = eta
        self.obs: list[dict[str, np.ndarray]] = []
        self.states: list[dict[str, np.ndarray]] = []
        self.columns: dict[str, list[np.ndarray]] = {k: [] for k in (
            "actions", "log_prob", "step", "agent", "reward_sparse", "reward_shaped", "matched", "utilities", "busy")}
        self.per_step: dict[str, list[float]] = {"revenue_delta": [], "failed_recommendations": [], "time": []}
        self.booked: list[np.ndarray] = []

    def add(self, agents: np.ndarray, obs: dict, state: dict, actions: np.ndarray, log_prob: np.ndarray,
            result: StepResult) -> None:
        """Record one step: ``obs`` is the agents' batch with shared graphs (``batch.share_graphs``)."""
        t = len(self.states)
        self.obs.append(obs)
        self.states.append(state)
        for key, value in (("actions", actions), ("log_prob", log_prob), ("step", np.full(agents.size, t)),
                           ("agent", agents), ("reward_sparse", result.reward_sparse),
                           ("reward_shaped", result.reward_shaped), ("matched", result.terminated),
                           ("utilities", result.utilities), ("busy", result.busy)):
            self.columns[key].append(value)
        self.per_step["revenue_delta"].append(result.revenue_delta)
        self.per_step["failed_recommendations"].append(result.failed_recommendations)
        self.per_step["time"].append(result.time)
        self.booked.append(result.booked_tasks)

    def finish(self, metrics: dict[str, float], subtask_task: np.ndarray, task_revenue: np.ndarray) -> Episode:
        """The episode's flat arrays; ``subtask_task`` and ``task_revenue`` as ``DascAdapter.task_outcomes``."""
        cols = {k: np.concatenate(v) if v else np.zeros(0) for k, v in self.columns.items()}
        step, agent = cols["step"].astype(np.int64), cols["agent"].astype(np.int64)
        lengths = np.array([s["subtasks"].shape[0] for s in self.states], dtype=np.int64)
        width = self.states[0]["subtasks"].shape[1]
        subtasks = np.zeros((len(self.states), max(1, int(lengths.max())), width), dtype=np.float32)
        for t, s in enumerate(self.states):  # one copy per decision step, not per agent
            subtasks[t, :lengths[t]] = s["subtasks"]
        failed = np.asarray(self.per_step["failed_recommendations"], dtype=np.int64)
        booked_step = np.full(task_revenue.size, len(self.states) - 1, dtype=np.int64)
        if self.booked:
            tasks = np.concatenate(self.booked).astype(np.int64)
            booked_step[tasks] = np.repeat(np.arange(len(self.booked)), [b.size for b in self.booked])
        return Episode(
            obs=concat_shared(self.obs), actions=cols["actions"].astype(np.int64),
            log_prob=cols["log_prob"].astype(np.float32), step=step, agent=agent, next=next_transition(step, agent),
            reward_sparse=cols["reward_sparse"], reward_shaped=cols["reward_shaped"],
            matched=cols["matched"].astype(bool), utilities=cols["utilities"].reshape(-1, 3),
            busy=cols["busy"].astype(np.float64),
            revenue_delta=np.asarray(self.per_step["revenue_delta"], dtype=np.float64), failed_recommendations=failed,
            step_time=np.asarray(self.per_step["time"], dtype=np.float64), task=subtask_task[agent],
            task_revenue=np.asarray(task_revenue, dtype=np.float64), task_booked=booked_step,
            state_workers=np.stack([s["workers"] for s in self.states]), state_subtasks=subtasks,
            state_lengths=lengths, state_time=np.stack([s["time"] for s in self.states]).astype(np.float32),
            eta=self.eta, metrics={**metrics, "failed_recommendations": float(failed.sum())})


def next_transition(step: np.ndarray, agent: np.ndarray) -> np.ndarray:
    """Index of the same agent's transition at step + 1, or -1 (found by sorting, no loop over agents)."""
    order = np.lexsort((step, agent))
    nxt = np.full(step.size, -1, dtype=np.int64)
    same = (agent[order][1:] == agent[order][:-1]) & (step[order][1:] == step[order][:-1] + 1)
    nxt[order[:-1][same]] = order[1:][same]
    return nxt
