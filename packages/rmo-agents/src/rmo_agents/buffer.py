"""On-policy rollout storage and the advantages of both MDPs (Eq. 17), as arrays.

An episode is a sequence of decision steps t = 0..T-1 (one global state each)
and a flat list of agent-transitions i (one per live agent per step) with its
step ``step[i]``, its agent ``agent[i]`` (global subtask index) and ``next[i]``,
the same agent's transition at t + 1 (-1 when the agent left: matched,
dropped, or the episode ended).

* Team advantage (theta, sparse MDP): GAE over steps of
  R_t = sum of the live agents' sparse rewards; every agent live at t shares A_t.
* Agent advantage (theta-hat, shaped MDP): GAE along each agent's own trajectory,
  delta_i = r^sh_i + gamma V^(next) - V^_i, so dA_i / dr_i = 1 exactly (Eq. 18).

Both are one reverse scan over a (T, columns) table (``discounted_scan``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .adapter import StepResult

GRAPH_KEYS = ("task_nodes", "task_adjacency", "task_mask")
"""Observation parts that belong to a task's graph: stored once per (step, task), shared by its agents."""
AGENT_KEYS = ("self_index", "workers", "workers_mask", "subtasks", "subtasks_mask", "action_mask")
"""Observation parts of each agent."""


def share_graphs(batch: dict[str, np.ndarray], groups: np.ndarray) -> dict[str, np.ndarray]:
    """The per-agent ``batch`` with one graph row per distinct ``groups`` value and ``graph_index`` (N,).

    Agents of one task at one step see the same task DAG (``task_nodes``, ``task_adjacency``,
    ``task_mask``), so the GAT runs once per task instead of once per agent (about 3-4x fewer graphs).
    """
    _, first, index = np.unique(groups, return_index=True, return_inverse=True)
    shared = {k: batch[k][first] for k in GRAPH_KEYS}
    shared.update({k: batch[k] for k in AGENT_KEYS}, graph_index=index.reshape(-1).astype(np.int64))
    return shared


def shared_batch(env, agents: np.ndarray, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``batch`` of the live ``agents`` of a dasc-env env with one graph per task (``share_graphs``)."""
    return share_graphs(batch, env.scenario.subtask_task[agents])


def concat_shared(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Stack shared-graph batches: graph rows and agent rows concatenated, ``graph_index`` offset."""
    offsets = np.cumsum([0] + [p["task_mask"].shape[0] for p in parts])[:-1]
    out = {k: np.concatenate([p[k] for p in parts]) for k in GRAPH_KEYS + AGENT_KEYS}
    out["graph_index"] = np.concatenate([p["graph_index"] + o for p, o in zip(parts, offsets)])
    return out


def discounted_scan(delta: np.ndarray, discount: np.ndarray) -> np.ndarray:
    """out[t] = delta[t] + discount[t] * out[t + 1] (out[T] = 0), along axis 0; any trailing shape."""
    out = np.zeros_like(delta, dtype=np.float64)
    running = np.zeros(delta.shape[1:], dtype=np.float64)
    for t in range(delta.shape[0] - 1, -1, -1):
        running = delta[t] + discount[t] * running
        out[t] = running
    return out


def team_gae(rewards: np.ndarray, values: np.ndarray, gamma: float, lam: float) -> np.ndarray:
    """A_t of Eq. 17 over one episode: delta_t = R_t + gamma V(s_{t+1}) - V(s_t), V(s_T) = 0 (terminal)."""
    next_values = np.append(values[1:], 0.0)
    delta = rewards + gamma * next_values - values
    return discounted_scan(delta, np.full(rewards.shape, gamma * lam))


def agent_gae(rewards: np.ndarray, values: np.ndarray, step: np.ndarray, agent: np.ndarray, nxt: np.ndarray,
              gamma: float, lam: float) -> np.ndarray:
    """Per-agent A^_i (Eq. 17 along each agent's trajectory; no bootstrap once it has left)."""
    has_next = nxt >= 0
    next_values = np.where(has_next, values[np.maximum(nxt, 0)], 0.0)
    delta = rewards + gamma * next_values - values
    return trajectory_scan(delta, has_next * (gamma * lam), step, agent)


def trajectory_scan(delta: np.ndarray, discount: np.ndarray, step: np.ndarray, agent: np.ndarray) -> np.ndarray:
    """out_i = delta_i + discount_i * out_next(i) along each agent's trajectory, on a dense (T, S) table.

    ``delta`` may carry trailing dimensions (e.g. the two components of d u / d eta).
    """
    _, cols = np.unique(agent, return_inverse=True)
    shape = (int(step.max()) + 1 if step.size else 0, int(cols.max()) + 1 if cols.size else 0)
    table = np.zeros(shape + delta.shape[1:])
    disc = np.zeros(shape + (1,) * (delta.ndim - 1))
    table[step, cols] = delta
    disc[step, cols] = discount.reshape((-1,) + (1,) * (delta.ndim - 1))
    return discounted_scan(table, disc)[step, cols]


def utility_grad(utilities: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """(n, 2) du/d(alpha, beta) of u = ab u_sk + a(1-b) u_di + (1-a) u_ti (Eq. 12-13).

    du/dalpha = beta u_sk + (1 - beta) u_di - u_ti; du/dbeta = alpha (u_sk - u_di).
    """
    u_sk, u_di, u_ti = utilities[:, 0], utilities[:, 1], utilities[:, 2]
    return np.stack([beta * u_sk + (1.0 - beta) * u_di - u_ti, alpha * (u_sk - u_di)], axis=1)


@dataclass
class Episode:
    """One env episode as recorded by ``EpisodeRecorder.finish``."""

    obs: dict[str, np.ndarray]
    actions: np.ndarray
    log_prob: np.ndarray
    step: np.ndarray
    agent: np.ndarray
    next: np.ndarray
    reward_sparse: np.ndarray
    reward_shaped: np.ndarray
    matched: np.ndarray
    utilities: np.ndarray
    team_reward: np.ndarray
    state_workers: np.ndarray
    state_subtasks: np.ndarray
    state_lengths: np.ndarray
    state_time: np.ndarray
    eta: tuple[float, float]
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def num_steps(self) -> int:
        return self.team_reward.size

    @property
    def num_transitions(self) -> int:
        return self.actions.size


class EpisodeRecorder:
    """Accumulates one episode's steps; ``finish`` turns them into an ``Episode`` of flat arrays."""

    def __init__(self, team_reward: str, eta: tuple[float, float]):
        self.team_reward, self.eta = team_reward, eta
        self.obs: list[dict[str, np.ndarray]] = []
        self.columns: dict[str, list[np.ndarray]] = {k: [] for k in (
            "actions", "log_prob", "step", "agent", "reward_sparse", "reward_shaped", "matched", "utilities")}
        self.rewards: list[float] = []
        self.failed_recommendations = 0
        self.states: list[dict[str, np.ndarray]] = []

    def add(self, agents: np.ndarray, obs: dict, state: dict, actions: np.ndarray, log_prob: np.ndarray,
            result: StepResult, failed_reward: float) -> None:
        """Record one step: ``obs`` is the agents' batch with shared graphs (``share_graphs``)."""
        t = len(self.rewards)
        self.obs.append(obs)
        self.states.append(state)
        cols = self.columns
        cols["actions"].append(actions)
        cols["log_prob"].append(log_prob)
        cols["step"].append(np.full(agents.size, t))
        cols["agent"].append(agents)
        cols["reward_sparse"].append(result.reward_sparse)
        cols["reward_shaped"].append(result.reward_shaped)
        cols["matched"].append(result.terminated)
        self.failed_recommendations += result.failed_recommendations
        cols["utilities"].append(result.utilities)
        if self.team_reward == "env":
            self.rewards.append(float(result.reward_sparse.sum()))
        else:
            self.rewards.append(result.revenue_delta + failed_reward * result.failed_recommendations)

    def finish(self, metrics: dict[str, float]) -> Episode:
        cols = {k: np.concatenate(v) if v else np.zeros(0) for k, v in self.columns.items()}
        obs = concat_shared(self.obs)
        step, agent = cols["step"].astype(np.int64), cols["agent"].astype(np.int64)
        lengths = np.array([s["subtasks"].shape[0] for s in self.states], dtype=np.int64)
        width = self.states[0]["subtasks"].shape[1]
        subtasks = np.zeros((len(self.states), max(1, int(lengths.max())), width), dtype=np.float32)
        for t, s in enumerate(self.states):  # one copy per decision step, not per agent
            subtasks[t, :lengths[t]] = s["subtasks"]
        return Episode(
            obs=obs, actions=cols["actions"].astype(np.int64), log_prob=cols["log_prob"].astype(np.float32),
            step=step, agent=agent, next=next_transition(step, agent),
            reward_sparse=cols["reward_sparse"], reward_shaped=cols["reward_shaped"],
            matched=cols["matched"].astype(bool), utilities=cols["utilities"].reshape(-1, 3),
            team_reward=np.asarray(self.rewards), state_workers=np.stack([s["workers"] for s in self.states]),
            state_subtasks=subtasks, state_lengths=lengths,
            state_time=np.stack([s["time"] for s in self.states]).astype(np.float32),
            eta=self.eta, metrics={**metrics, "failed_recommendations": float(self.failed_recommendations)})


def next_transition(step: np.ndarray, agent: np.ndarray) -> np.ndarray:
    """Index of the same agent's transition at step + 1, or -1 (found by sorting, no loop over agents)."""
    order = np.lexsort((step, agent))
    nxt = np.full(step.size, -1, dtype=np.int64)
    same = (agent[order][1:] == agent[order][:-1]) & (step[order][1:] == step[order][:-1] + 1)
    nxt[order[:-1][same]] = order[1:][same]
    return nxt
