"""Critic phi (Fig. 3, "value network"): one state encoder, two value heads.

The global state s = (Q, W) comes as dasc-env's ``state_tables()``: a worker table
``(B, W, 4 + K)`` (every row valid), a subtask table ``(B, R, 8 + K)`` whose visible rows are
compacted to the front (``lengths`` ``(B,)`` of them, possibly 0), and the time ``(B, 1)``.

* ``encode_state``: ``"gru"`` (the paper) runs one GRU over the workers and one over the
  subtasks, reading the subtask GRU at row ``lengths - 1``; ``"deepsets"`` takes the masked
  mean of a row MLP instead. Both are followed by an MLP trunk to ``critic_hidden`` features.
  Rows beyond ``lengths`` never reach the outputs.
* ``team_value``: V(s) of the sparse MDP, the baseline of the target policy theta (Eq. 4, 20).
* ``agent_value``: V^(s, o^n) of the shaped MDP, the baseline of the auxiliary policy
  theta-hat, from the state code, the agent's own node row and its nearest workers
  (MAPPO's agent-specific global state).
* ``task_value`` (with ``task_head=True``): the same inputs to a second agent head, the value of the agent's
  own task outcome (per-task credit, ``credit.task``).
"""

from __future__ import annotations

import torch
from gymnasium import spaces
from torch import Tensor, nn

from ..batch import own_rows
from ..config import ModelConfig
from ..validation import choices, hints

ENCODERS = choices(hints(ModelConfig)["critic_encoder"])


class Critic(nn.Module):
    """State encoder (two GRUs or two DeepSets) + MLP trunk, with a team head and a per-agent head."""

    def __init__(self, worker_features: int, state_subtask_features: int, node_features: int,
                 agent_worker_features: int, top_k_workers: int, model: ModelConfig, task_head: bool = False):
        super().__init__()
        if model.critic_encoder not in ENCODERS:
            raise ValueError(f"critic_encoder={model.critic_encoder!r} must be one of {ENCODERS}")
        hidden = model.critic_hidden
        self.encoder = model.critic_encoder
        if self.encoder == "gru":
            self.worker_set = nn.GRU(worker_features, hidden, batch_first=True)
            self.subtask_set = nn.GRU(state_subtask_features, hidden, batch_first=True)
        else:
            self.worker_set = nn.Sequential(nn.Linear(worker_features, hidden), nn.ReLU(),
                                            nn.Linear(hidden, hidden), nn.ReLU())
            self.subtask_set = nn.Sequential(nn.Linear(state_subtask_features, hidden), nn.ReLU(),
                                             nn.Linear(hidden, hidden), nn.ReLU())
        self.trunk = nn.Sequential(nn.Linear(2 * hidden + 1, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.team_head = nn.Linear(hidden, 1)
        agent_in = hidden + node_features + top_k_workers * (agent_worker_features + 1)
        self.agent_head = nn.Sequential(nn.Linear(agent_in, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.task_head = (nn.Sequential(nn.Linear(agent_in, hidden), nn.ReLU(), nn.Linear(hidden, 1))
                          if task_head else None)

    @classmethod
    def from_spaces(cls, observation_space: spaces.Dict, state_worker_features: int, state_subtask_features: int,
                    model: ModelConfig, task_head: bool = False) -> Critic:
        """A critic for dasc-env: per-agent ``observation_space`` and the ``state_tables()`` widths
        (``ObservationEncoder.state_worker_features`` and ``state_subtask_features``)."""
        top_k_workers, agent_worker_features = observation_space["workers"].shape
        node_features = observation_space["task_nodes"].shape[1]
        return cls(state_worker_features, state_subtask_features, node_features, agent_worker_features,
                   top_k_workers, model, task_head)

    @property
    def dtype(self) -> torch.dtype:
        return self.team_head.weight.dtype

    def encode_state(self, workers: Tensor, subtasks: Tensor, lengths: Tensor, time: Tensor) -> Tensor:
        """``(B, critic_hidden)`` code of the global states.

        Args:
            workers: ``(B, W, Fw)``, all rows valid.
            subtasks: ``(B, R, Fs)``, rows ``>= lengths`` are padding (ignored, even if not finite).
            lengths: ``(B,)`` int64 number of valid subtask rows.
            time: ``(B, 1)`` now / horizon.
        """
        dtype = self.dtype
        workers, time = workers.to(dtype), time.to(dtype)
        # Only the first max(lengths) rows can be valid; at least one so the GRU has a step to run.
        rows = max(int(lengths.max()), 1)
        valid = torch.arange(rows, device=lengths.device)[None, :] < lengths[:, None]
        subtasks = torch.where(valid[..., None], subtasks[:, :rows].to(dtype), 0.0)
        if self.encoder == "gru":
            worker_code = self.worker_set(workers)[1][-1]
            out = self.subtask_set(subtasks)[0]
            last = (lengths - 1).clamp(min=0).view(-1, 1, 1).expand(-1, 1, out.shape[-1])
            subtask_code = torch.where(lengths[:, None] > 0, out.gather(1, last).squeeze(1), 0.0)
        else:
            worker_code = self.worker_set(workers).mean(1)
            rows_code = torch.where(valid[..., None], self.subtask_set(subtasks), 0.0)
            subtask_code = rows_code.sum(1) / lengths.clamp(min=1).to(dtype)[:, None]
        return self.trunk(torch.cat([worker_code, subtask_code, time], dim=1))

    def team_value(self, h: Tensor) -> Tensor:
        """V(s) ``(B,)`` of the sparse MDP from the state code ``h`` ``(B, H)``."""
        return self.team_head(h).squeeze(-1)

    def agent_value(self, h_rows: Tensor, obs: dict[str, Tensor]) -> Tensor:
        """V^(s, o^n) ``(M,)`` of the shaped MDP.

        Args:
            h_rows: ``(M, H)``, the state code of each agent's step (``h[step_of_agent]``).
            obs: the agents' observations (``task_nodes``, ``self_index``, ``workers``, ``workers_mask``).
        """
        return self.agent_head(self._agent_features(h_rows, obs)).squeeze(-1)

    def task_value(self, h_rows: Tensor, obs: dict[str, Tensor]) -> Tensor:
        """``(M,)`` value of each agent's own task outcome (per-task credit); arguments as ``agent_value``."""
        if self.task_head is None:
            raise ValueError("this critic has no task head (build it with task_head=True)")
        return self.task_head(self._agent_features(h_rows, obs)).squeeze(-1)

    def _agent_features(self, h_rows: Tensor, obs: dict[str, Tensor]) -> Tensor:
        dtype = self.dtype
        own = own_rows(obs["task_nodes"], obs).to(dtype)
        workers_mask = obs["workers_mask"].to(dtype)
        workers = obs["workers"].to(dtype) * workers_mask[..., None]
        return torch.cat([h_rows.to(dtype), own, workers.flatten(1), workers_mask], dim=1)
