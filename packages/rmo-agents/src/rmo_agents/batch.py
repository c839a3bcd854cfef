"""The shared-graph batch: how the observations of many agents travel from the env to the actor.

dasc-env's ``observation_batch`` gives one row per live agent of every observation part. Agents of one
task at one decision step see the same task DAG, so a *shared-graph batch* stores each such graph once:

* ``GRAPH_KEYS`` (``task_nodes``, ``task_adjacency``, ``task_mask``): one row per distinct graph;
* ``AGENT_KEYS``: one row per agent;
* ``graph_index`` ``(N,)``: each agent's graph row (``own_rows`` reads an agent's own node through it).

The GAT then runs once per task instead of once per agent (about 3-4x fewer graphs). This module is the
format's one home: building it (``share_graphs``, ``observe``), stacking (``concat_shared``), choosing
transitions (``select``), reading an agent's own node (``own_rows``), moving it to torch (``to_tensors``),
turning it into actions (``sample_actions``) and summarising the actions taken (``recommend_rates``).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from dasc_env.env import decision_column

READY_COLUMN = decision_column("ready")
"""The column of ``task_nodes`` that says every predecessor of the subtask has finished."""

GRAPH_KEYS = ("task_nodes", "task_adjacency", "task_mask")
"""Observation parts that belong to a task's graph: stored once per (step, task), shared by its agents."""
AGENT_KEYS = ("self_index", "workers", "workers_mask", "subtasks", "subtasks_mask", "action_mask")
"""Observation parts of each agent."""


def share_graphs(batch: dict[str, np.ndarray], groups: np.ndarray) -> dict[str, np.ndarray]:
    """The per-agent ``batch`` with one graph row per distinct ``groups`` value (e.g. each agent's task)."""
    _, first, index = np.unique(groups, return_index=True, return_inverse=True)
    shared = {k: batch[k][first] for k in GRAPH_KEYS}
    shared.update({k: batch[k] for k in AGENT_KEYS}, graph_index=index.reshape(-1).astype(np.int64))
    return shared


def observe(env) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """The live agents of a dasc-env env (global subtask indices) and their shared-graph batch, one graph per
    task (``share_graphs`` of ``env.observation_batch``); None instead of a batch when no agent is live."""
    live, batch = env.observation_batch
    if not live.size:
        return live, None
    return live, share_graphs(batch, env.scenario.subtask_task[live])


def concat_shared(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Stack shared-graph batches: graph rows and agent rows concatenated, ``graph_index`` offset."""
    offsets = np.cumsum([0] + [p["task_mask"].shape[0] for p in parts])[:-1]
    out = {k: np.concatenate([p[k] for p in parts]) for k in GRAPH_KEYS + AGENT_KEYS}
    out["graph_index"] = np.concatenate([p["graph_index"] + o for p, o in zip(parts, offsets)])
    return out


def select(obs: dict[str, torch.Tensor], idx: torch.Tensor) -> dict[str, torch.Tensor]:
    """The observations of transitions ``idx``, each task graph they use once (``graph_index`` renumbered)."""
    graphs, index = torch.unique(obs["graph_index"][idx], return_inverse=True)
    out = {k: obs[k][idx] for k in AGENT_KEYS}
    out.update({k: obs[k][graphs] for k in GRAPH_KEYS}, graph_index=index)
    return out


def to_tensors(batch: dict[str, np.ndarray], device: torch.device) -> dict[str, torch.Tensor]:
    """Every array of ``batch`` as a tensor on ``device`` (no copy on the CPU where the array allows)."""
    return {k: torch.from_numpy(np.ascontiguousarray(v)).to(device) for k, v in batch.items()}


@torch.no_grad()
def sample_actions(actor, batch: dict[str, np.ndarray], generator: torch.Generator | None, device: torch.device,
                   greedy: bool = False, uniforms: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Actions (0/1) and their log-probabilities for the agents of a shared-graph ``batch``, as arrays: training
    rollouts, evaluation, ``RMOPolicy`` and replay's twins all act through it (``Actor.sample``: u < pi(1 | o),
    u drawn from ``generator`` or the given ``uniforms``)."""
    u = None if uniforms is None else torch.from_numpy(np.asarray(uniforms, dtype=np.float64))
    actions, log_prob = actor.sample(to_tensors(batch, device), generator, greedy=greedy, uniforms=u)
    return actions.cpu().numpy(), log_prob.float().cpu().numpy()


def own_rows(table: torch.Tensor, obs: dict[str, torch.Tensor]) -> torch.Tensor:
    """``(N, F)``: row ``self_index[n]`` of agent n's graph in a ``(G, T, F)`` per-graph table; without
    ``graph_index`` in ``obs``, row n of the table is agent n's graph."""
    self_index = obs["self_index"].long()
    graph_index = obs.get("graph_index")
    if graph_index is None:
        graph_index = torch.arange(self_index.shape[0], device=self_index.device)
    return table[graph_index.long(), self_index]


def ready(obs: dict[str, torch.Tensor]) -> torch.Tensor:
    """``(N,)`` bool: each agent's own ``ready`` decision feature (every predecessor of its subtask has finished,
    where KM recommends; False while a predecessor still runs)."""
    return own_rows(obs["task_nodes"], obs)[:, READY_COLUMN] > 0.5


def recommend_rates(obs: dict[str, torch.Tensor], actions: torch.Tensor, rows: torch.Tensor) -> dict[str, float]:
    """P(recommend | allowed) as sampled over the transitions ``rows`` (those with a choice), overall and split by
    the agent's own ``ready`` feature: ``recommend_rate``, ``recommend_rate_ready`` (every predecessor finished,
    where KM recommends) and ``recommend_rate_not_ready`` (a predecessor still running; NaN where none)."""
    chosen = actions[rows].float()
    is_ready = ready(obs)[rows]

    def mean(values: torch.Tensor) -> float:
        return float(values.mean()) if values.numel() else math.nan

    return {"recommend_rate": mean(chosen), "recommend_rate_ready": mean(chosen[is_ready]),
            "recommend_rate_not_ready": mean(chosen[~is_ready])}
