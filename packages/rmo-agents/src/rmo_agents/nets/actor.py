"""Actor pi(a | o^n) of one subtask-agent (Fig. 3, "policy network").

The agent's task DAG goes through the GAT (``GraphEncoder``); the agent's own node row is
concatenated with its nearest idle workers and nearest other subtasks (flattened, padded rows
zeroed) and an MLP gives two logits: 0 = "do not recommend", 1 = "recommend". With
``ModelConfig.mask_actions`` the logit of an action whose ``action_mask`` is 0 is set to
``-1e9``: finite, so its probability is exactly 0 and the entropy has no NaN.

With ``ModelConfig.decision_bias`` the "recommend" logit also gets the offset b_c of the cell c = sum_i x_i 2^i of
the agent's own 0/1 decision features x (the columns of ``task_nodes`` that ``dasc_env.env.decision_column`` gives
for the names in ``ModelConfig.decision_bias_features``); b is a buffer that the policy gradient does not touch (the
paired search learns it from revenue, ``search.BiasSearch``). The actor has no dropout, so it works with
``torch.func.functional_call``, double backward (the meta-gradient of Eq. 6-8) and ``torch.func.jvp``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from gymnasium import spaces
from torch import Tensor, nn

from dasc_env.env import decision_column

from ..batch import own_rows
from ..config import ModelConfig
from .gat import GraphEncoder

MASKED_LOGIT = -1e9
"""Logit of a masked action."""


class Actor(nn.Module):
    """GAT embedding of the own subtask + flat top-k workers and subtasks -> MLP -> two logits (Fig. 3)."""

    def __init__(self, node_features: int, worker_features: int, subtask_features: int, top_k_workers: int,
                 top_k_subtasks: int, model: ModelConfig):
        super().__init__()
        self.mask_actions = model.mask_actions
        self.decision_bias: Tensor | None
        if model.decision_bias:
            self.bias_features = tuple(model.decision_bias_features)
            self.bias_columns = [decision_column(f) for f in self.bias_features]
            self.register_buffer("decision_bias", torch.zeros(2 ** len(self.bias_columns)))
        else:
            self.decision_bias = None
        self.gat = GraphEncoder(node_features, model)
        sizes = (model.gat_out + top_k_workers * worker_features + top_k_subtasks * subtask_features,
                 *model.actor_hidden)
        layers: list[nn.Module] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        self.mlp = nn.Sequential(*layers, nn.Linear(sizes[-1], 2))

    @property
    def bias_names(self) -> tuple[str, ...]:
        """A name per cell of the decision bias: "f0_g1" for f = 0, g = 1 ("const" without features)."""
        names = self.bias_features
        return tuple("_".join(f"{n}{cell >> i & 1}" for i, n in enumerate(names)) or "const"
                     for cell in range(2 ** len(names)))

    @classmethod
    def from_space(cls, observation_space: spaces.Dict, model: ModelConfig) -> Actor:
        """An actor for dasc-env's per-agent ``observation_space``."""
        top_k_workers, worker_features = observation_space["workers"].shape
        top_k_subtasks, subtask_features = observation_space["subtasks"].shape
        node_features = observation_space["task_nodes"].shape[1]
        return cls(node_features, worker_features, subtask_features, top_k_workers, top_k_subtasks, model)

    def forward(self, obs: dict[str, Tensor]) -> Tensor:
        """``(N, 2)`` logits of a batch of observations (leading axis: agents; task graphs may be shared,
        see ``batch.own_rows``)."""
        dtype = self.mlp[0].weight.dtype
        own = own_rows(self.gat(obs["task_nodes"], obs["task_adjacency"], obs["task_mask"]), obs)
        workers = obs["workers"].to(dtype) * obs["workers_mask"].to(dtype)[..., None]
        subtasks = obs["subtasks"].to(dtype) * obs["subtasks_mask"].to(dtype)[..., None]
        logits = self.mlp(torch.cat([own, workers.flatten(1), subtasks.flatten(1)], dim=1))
        if self.decision_bias is not None:
            x = own_rows(obs["task_nodes"], obs)[:, self.bias_columns].to(dtype)
            cell = (x.round().long() << torch.arange(x.shape[1], device=x.device)).sum(1)
            offset = self.decision_bias.to(dtype)[cell]
            logits = logits + torch.stack([torch.zeros_like(offset), offset], dim=1)
        if self.mask_actions:
            logits = torch.where(obs["action_mask"].bool(), logits, MASKED_LOGIT)
        return logits

    def log_prob_entropy(self, obs: dict[str, Tensor], actions: Tensor) -> tuple[Tensor, Tensor]:
        """``log pi(a | o)`` of ``actions`` ``(N,)`` and the policy entropy, both ``(N,)`` and differentiable."""
        return categorical_terms(self(obs), actions)

    @torch.no_grad()
    def sample(self, obs: dict[str, Tensor], generator: torch.Generator | None = None, greedy: bool = False,
               uniforms: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Actions ``(N,)`` int64 and their log-probabilities ``(N,)``, without gradient: the one place where
        observations become actions (rollouts, evaluation, ``RMOPolicy`` and replay's twins, through
        ``batch.sample_actions``).

        Action 1 is taken when ``u < pi(1 | o)``, with ``u = torch.rand(N, generator=generator)`` or the given
        ``uniforms`` ``(N,)`` (replay's common random numbers, compared in float64), so the draw is reproducible
        and a masked action (probability 0) is never taken. ``greedy`` takes the most probable action (ties: 0).
        """
        log_p = F.log_softmax(self(obs), dim=-1)
        if greedy:
            actions = log_p.argmax(-1)
        elif uniforms is not None:
            actions = (uniforms.to(log_p.device, torch.float64) < log_p[:, 1].exp().double()).long()
        else:
            u = torch.rand(log_p.shape[0], generator=generator, device=log_p.device, dtype=log_p.dtype)
            actions = (u < log_p[:, 1].exp()).long()
        return actions, log_p.gather(1, actions.view(-1, 1)).squeeze(1)


def categorical_terms(logits: Tensor, actions: Tensor) -> tuple[Tensor, Tensor]:
    """``log pi(a | o)`` ``(N,)`` of ``actions`` and the entropy ``(N,)`` of the categorical of ``(N, 2)`` logits.

    For callers that produce the logits themselves, e.g. ``torch.func.functional_call(actor, params, (obs,))``.
    A masked logit (-1e9) has probability exactly 0 and adds exactly 0 to the entropy.
    """
    log_p = F.log_softmax(logits, dim=-1)
    log_prob = log_p.gather(1, actions.long().view(-1, 1)).squeeze(1)
    entropy = -(log_p.exp() * log_p).sum(-1)
    return log_prob, entropy
