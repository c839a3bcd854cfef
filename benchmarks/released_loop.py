"""A meta-update loop of the released code's shape, the reference that ``train_step.py`` measures the learner against.

The released code (kiren-costello/dasc ``src/net/agent.py``, ``meta_gradient_update_group_strategy``) updates per
decision step (all the agents live at that step): theta-hat's loss and its gradient with ``create_graph``, then for
EACH theta-hat parameter tensor j a second backward of sum(g_j) into theta (grad_outputs = ones), theta's gradient
-(mu/2) chi xi * g_j (.) sum_j d(sum g_j)/d theta, SGD steps of both policies, theta's own PPO step against a frozen
copy, and the eta part (grad wrt the advantage with ``create_graph``, then its second gradient wrt theta-hat) on the
positively rewarded agents. Like the released code it feeds one task-graph row per agent (the learner's
minibatches share one row per task and step). The critic is left out (it is per minibatch there).
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from measure import Stopwatch

from rmo_agents import Trainer
from rmo_agents.batch import AGENT_KEYS, GRAPH_KEYS
from rmo_agents.learner import UpdateBatch

RELEASED_CODE_TRANSITIONS_PER_S = 220.0
"""The released code's own update on one 60x300 episode of data, measured on this 2-core CPU (issue text)."""

# Constants of the released code's update (Table 1 / run_cd.py); they set step sizes, not the amount of work.
REF_LR, REF_CHI, REF_XI, REF_CLIP = 1e-3, 1e-3, 1.0, 0.2


def per_agent(obs: dict, idx: torch.Tensor) -> dict:
    """Observations of transitions ``idx`` with one task-graph row per agent, as the released code stores them."""
    graph = obs["graph_index"][idx]
    out = {k: obs[k][idx] for k in AGENT_KEYS}
    out.update({k: obs[k][graph] for k in GRAPH_KEYS})
    return out


class ReleasedShapeLoop:
    """The released code's per-decision-step meta-update (actor part), on copies of theta and theta-hat."""

    def __init__(self, trainer: Trainer):
        learner = trainer.learner
        self.theta, self.theta_hat = copy.deepcopy(learner.actor), copy.deepcopy(learner.actor_hat)
        self.old = copy.deepcopy(learner.actor)  # old_group_actor: theta at the start of the update
        self.opt_meta = torch.optim.SGD(self.theta.parameters(), lr=REF_LR)
        self.opt_hat = torch.optim.SGD(self.theta_hat.parameters(), lr=REF_LR)
        self.opt_group = torch.optim.SGD(self.theta.parameters(), lr=REF_LR)
        self.alpha, self.beta = learner.eta.pair()

    @staticmethod
    def surrogate(log_ratio: torch.Tensor, adv: torch.Tensor) -> torch.Tensor:
        ratio = torch.exp(log_ratio)
        return torch.mean(-torch.min(ratio * adv, torch.clamp(ratio, 1 - REF_CLIP, 1 + REF_CLIP) * adv))

    @staticmethod
    def nan_guard(params, fill: float) -> None:
        for p in params:
            if torch.all(torch.isnan(p.grad)):
                p.grad[...] = fill

    def step(self, obs: dict, actions, adv, adv_hat, positive, chain) -> None:
        """One decision step's agents: the meta step of both policies, theta's own step, then eta's."""
        self.meta_step(obs, actions, adv_hat)
        self.group_step(obs, actions, adv)
        if bool(positive.any()):
            self.eta_step({k: v[positive] for k, v in obs.items()}, actions[positive], adv_hat[positive],
                          chain[positive])

    def meta_step(self, obs: dict, actions, adv_hat) -> None:
        theta_p, hat_p = list(self.theta.parameters()), list(self.theta_hat.parameters())
        # Step 3: theta-hat's loss with the live theta in the ratio; g^ with create_graph; per tensor j,
        # d(sum g^_j)/d theta (grad_outputs = ones): one second backward per parameter tensor.
        lp_hat = self.theta_hat.log_prob_entropy(obs, actions)[0]
        lp = self.theta.log_prob_entropy(obs, actions)[0]
        loss_hat = self.surrogate(lp_hat - lp, adv_hat)
        g_hat = torch.autograd.grad(loss_hat, hat_p, grad_outputs=torch.ones_like(loss_hat), create_graph=True,
                                    retain_graph=True)
        second = []
        for g_j in g_hat:
            grads = torch.autograd.grad(g_j, theta_p, grad_outputs=torch.ones_like(g_j), retain_graph=True,
                                        allow_unused=True)
            second.append([torch.zeros_like(p) if g is None else g for g, p in zip(grads, theta_p)])
        # Step 4: theta-hat's own loss, backward (into both policies).
        self.opt_hat.zero_grad(set_to_none=True)
        self.opt_meta.zero_grad(set_to_none=True)
        self.surrogate(lp_hat - lp, adv_hat).backward()
        # Step 5: theta's grad = -(mu/2) chi xi * g^_k (.) sum_j d(sum g^_j)/d theta_k (elementwise, per tensor).
        for p, q, m in zip(theta_p, hat_p, zip(*second)):
            p.grad = -REF_LR / 2 * REF_CHI * q.grad * sum(m) * REF_XI
        for q in hat_p:
            q.grad = q.grad * REF_CHI
        torch.nn.utils.clip_grad_norm_(theta_p, max_norm=1 - 1e-6)
        torch.nn.utils.clip_grad_norm_(hat_p, max_norm=1 - 1e-6)
        self.nan_guard(theta_p, 1e-9)
        self.nan_guard(hat_p, 1e-9)
        self.opt_meta.step()
        self.opt_hat.step()

    def group_step(self, obs: dict, actions, adv) -> None:
        """Step 6: theta's own PPO step against old_group_actor."""
        theta_p = list(self.theta.parameters())
        self.opt_group.zero_grad(set_to_none=True)
        lp = self.theta.log_prob_entropy(obs, actions)[0]
        lp_old = self.old.log_prob_entropy(obs, actions)[0].detach()
        (self.surrogate(lp - lp_old, adv) * REF_CHI).backward()
        self.nan_guard(theta_p, 0.0)
        torch.nn.utils.clip_grad_norm_(theta_p, max_norm=1 - 1e-6)
        self.opt_group.step()

    def eta_step(self, obs: dict, actions, adv_hat, chain) -> None:
        """Steps 7-10 on the positively rewarded agents: d loss / d A^ with create_graph, its second gradient wrt
        theta-hat, theta-hat's gradient, their per-tensor product summed, times du/d eta."""
        hat_p = list(self.theta_hat.parameters())
        adv_leaf = adv_hat.detach().clone().requires_grad_()
        lp_hat = self.theta_hat.log_prob_entropy(obs, actions)[0]
        lp = self.theta.log_prob_entropy(obs, actions)[0].detach()
        loss = self.surrogate(lp_hat - lp, adv_leaf)
        (g_adv,) = torch.autograd.grad(loss, adv_leaf, grad_outputs=torch.ones_like(loss), create_graph=True,
                                       retain_graph=True)
        second_hat = torch.autograd.grad(g_adv, hat_p, grad_outputs=torch.ones_like(g_adv), retain_graph=True,
                                         allow_unused=True)
        self.opt_hat.zero_grad(set_to_none=True)
        loss.backward()
        u_meta = sum((q.grad * s).sum() for q, s in zip(hat_p, second_hat) if s is not None)
        g_alpha, g_beta = (chain.sum(0) * u_meta).tolist()
        if not np.isnan(g_alpha):
            self.alpha = min(1.0, max(0.0, self.alpha + REF_LR / 2 * 0.1 * g_alpha * REF_CHI))
            self.beta = min(1.0, max(0.0, self.beta + REF_LR / 2 * 0.1 * g_beta * REF_CHI))


def reference_window(batch: UpdateBatch, cap: int) -> list[tuple[int, int]]:
    """Consecutive decision-step groups [a, b) from the middle of the batch, until ``cap`` transitions."""
    key = batch.episode_id.astype(np.int64) * (1 << 32) + batch.episode_step.astype(np.int64)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    bounds = np.r_[starts, key.size]
    n = key.size
    first = int(np.searchsorted(starts, max(0, (n - cap) // 2)))
    groups, total = [], 0
    for g in range(first, starts.size):
        if total >= cap:
            break
        a, b = int(bounds[g]), int(bounds[g + 1])
        groups.append((a, b))
        total += b - a
    return groups


def run_reference(trainer: Trainer, batch: UpdateBatch, positive: torch.Tensor, cap: int) -> dict:
    """The loop over up to ``cap`` transitions of ``batch`` (after one warm-up step): seconds, transitions, decision
    steps and theta-hat's parameter tensors (one second backward each)."""
    device = trainer.device
    loop = ReleasedShapeLoop(trainer)
    groups = reference_window(batch, cap)

    def step(a: int, b: int) -> None:
        loop.step(per_agent(batch.obs, torch.arange(a, b, device=device)), batch.actions[a:b], batch.adv[a:b],
                  batch.adv_hat[a:b], positive[a:b], batch.chain[a:b])

    step(*groups[0])  # warm-up
    with Stopwatch(device) as clock:
        for a, b in groups:
            step(a, b)
    transitions = sum(b - a for a, b in groups)
    return {"seconds": clock.seconds, "transitions": transitions, "groups": len(groups),
            "tensors": len(list(loop.theta_hat.parameters()))}
