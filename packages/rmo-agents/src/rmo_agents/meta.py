"""Meta-gradient credit assignment (Eq. 4-8) and the eta signal (Eq. 14-19) for one minibatch, fused.

Notation: theta the target policy (sparse MDP), theta-hat the auxiliary policy
(shaped MDP), l = log pi_theta(a|o), l^ = log pi_theta-hat(a|o), A the team
advantage, A^ the per-agent shaped advantage, mu_m = mu_f / 2.

1. theta-hat's loss L^ = E[-min(psi^ A^, clip(psi^) A^)] with psi^ = exp(l^ - l) (Eq. 4, 5):
   the denominator is the *live* theta, so theta-hat's update depends on theta.
2. g^ = grad_theta-hat L^ with ``create_graph=True``: theta-hat's own step, f = -mu_m g^ (Eq. 7).
3. The outer objective's gradient at theta-hat' = theta-hat + f is v (``outer="same"``: v = g^, the
   authors' choice; ``"post"``: the gradient after the step, on another minibatch). Its meta-gradient is
   d L^(theta-hat') / d theta = -mu_m (d g^ / d theta)^T v = grad_theta [-mu_m <sg(v), g^>]   (Eq. 6, 7),
   an exact mixed Hessian-vector product from one double backward.
4. theta's gradient is grad L + xi * meta (Eq. 8), with L theta's own PPO loss on A.
5. The same backward gives s_i = d L^(theta-hat') / d A^_i = -mu_m d<sg(v), g^>/d A^_i (Eq. 16), the
   sensitivity of the outer objective to each sample's advantage; eta's gradient is then
   sum_i s_i (dA^_i / dr_i)(dr_i / du_i)(du_i / d eta) (Eq. 15-19), formed by the caller.

There is no loop over samples or parameter tensors: two actor forwards, one ``create_graph`` backward and one
double backward per minibatch.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.func import functional_call

from .losses import ppo_clip_terms
from .nets.actor import categorical_terms

Params = dict[str, torch.Tensor]


def policy_terms(actor: torch.nn.Module, params: Params, obs: dict, actions: torch.Tensor):
    """(log pi(a|o), entropy) per sample, with the actor's parameters replaced by ``params``."""
    return categorical_terms(functional_call(actor, params, (obs,)), actions)


def surrogate_loss(log_ratio: torch.Tensor, advantages: torch.Tensor, entropy: torch.Tensor, clip_eps: float,
                   entropy_coef: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean clipped surrogate of Eq. 4 minus the entropy bonus, psi)."""
    loss_i, ratio, _ = ppo_clip_terms(log_ratio, advantages, clip_eps)
    return loss_i.mean() - entropy_coef * entropy.mean(), ratio


def global_norm(tensors) -> torch.Tensor:
    """The L2 norm of a list of tensors taken as one vector (float64, detached)."""
    return torch.sqrt(sum((t.detach().double() ** 2).sum() for t in tensors))


def _ratio_stats(ratio: torch.Tensor, clip_eps: float) -> dict[str, torch.Tensor]:
    with torch.no_grad():
        return {"clip_frac": ((ratio - 1).abs() > clip_eps).to(ratio.dtype).mean(),
                "approx_kl": ((ratio - 1) - torch.log(ratio)).mean()}


@dataclass
class MetaStep:
    """Gradients and diagnostics of one fused step."""

    grad_theta: list[torch.Tensor]
    """grad L + xi * meta (Eq. 8), per theta parameter (before any soft-update scaling)."""
    grad_theta_hat: list[torch.Tensor]
    """g^: theta-hat's own PPO gradient (Eq. 4 with the ratio of Eq. 5)."""
    meta: list[torch.Tensor] | None
    """The meta-gradient -mu_m (dg^/dtheta)^T v alone (Eq. 6-7), when the step split it (else None)."""
    grad_loss: list[torch.Tensor] | None
    """grad L alone, when the step split the meta-gradient off (else None)."""
    advantage_sensitivity: torch.Tensor | None
    """s_i = dL^(theta-hat') / dA^_i (Eq. 16), or None when not requested."""
    stats: dict[str, torch.Tensor]


def meta_step(actor: torch.nn.Module, theta: Params, theta_hat: Params, obs: dict, actions: torch.Tensor,
              log_prob_old: torch.Tensor, advantages: torch.Tensor, advantages_hat: torch.Tensor, *,
              clip_eps: float, entropy_coef: float, xi: float, inner_lr: float, want_sensitivity: bool,
              outer_direction: list[torch.Tensor] | None = None, split_meta: bool = False) -> MetaStep:
    """One minibatch of steps 1-5 above. ``outer_direction`` is v for ``outer="post"`` (None: v = g^).

    The fast path takes theta's gradient and the sensitivities from one double backward of
    L - xi mu_m <sg(v), g^> over [theta, A^]. ``split_meta`` spends one more (first-order) backward to
    return grad L and the meta-gradient separately (for logging, and when xi is 0 or tiny).
    """
    theta_values, hat_values = list(theta.values()), list(theta_hat.values())
    log_prob, entropy = policy_terms(actor, theta, obs, actions)
    log_prob_hat, entropy_hat = policy_terms(actor, theta_hat, obs, actions)
    adv_hat = advantages_hat.detach().requires_grad_(want_sensitivity)

    loss_hat, ratio_hat = surrogate_loss(log_prob_hat - log_prob, adv_hat, entropy_hat, clip_eps, entropy_coef)
    need_meta = xi > 0 or want_sensitivity
    g_hat = torch.autograd.grad(loss_hat, hat_values, create_graph=need_meta)

    loss, ratio = surrogate_loss(log_prob - log_prob_old, advantages, entropy, clip_eps, entropy_coef)
    n = len(theta_values)
    meta, sensitivity, first = None, None, None
    if not need_meta:
        grad_theta = list(torch.autograd.grad(loss, theta_values))
    else:
        v = g_hat if outer_direction is None else outer_direction
        meta_objective = -inner_lr * sum((vk.detach() * gk).sum() for vk, gk in zip(v, g_hat))
        inputs = theta_values + ([adv_hat] if want_sensitivity else [])
        if split_meta or xi < 1e-8:  # dividing by a tiny xi would lose the sensitivities
            first = list(torch.autograd.grad(loss, theta_values, retain_graph=True))
            grads = torch.autograd.grad(meta_objective, inputs)
            meta = list(grads[:n])
            grad_theta = [g + xi * m for g, m in zip(first, meta)]
            sensitivity = grads[n] if want_sensitivity else None
        else:
            grads = torch.autograd.grad(loss + xi * meta_objective, inputs)
            grad_theta = list(grads[:n])
            sensitivity = grads[n] / xi if want_sensitivity else None
    stats = {"loss_theta": loss.detach(), "loss_theta_hat": loss_hat.detach(), "entropy": entropy.detach().mean(),
             "entropy_hat": entropy_hat.detach().mean(), **_ratio_stats(ratio, clip_eps),
             "clip_frac_hat": _ratio_stats(ratio_hat, clip_eps)["clip_frac"]}
    return MetaStep(grad_theta=grad_theta, grad_theta_hat=[g.detach() for g in g_hat], meta=meta, grad_loss=first,
                    advantage_sensitivity=None if sensitivity is None else sensitivity.detach(), stats=stats)


def ppo_step(actor: torch.nn.Module, theta: Params, obs: dict, actions: torch.Tensor, log_prob_old: torch.Tensor,
             advantages: torch.Tensor, *, clip_eps: float, entropy_coef: float):
    """Plain first-order MAPPO step of one policy (Eq. 4): (gradients, stats). Used by "sparse" and "shaped"."""
    log_prob, entropy = policy_terms(actor, theta, obs, actions)
    loss, ratio = surrogate_loss(log_prob - log_prob_old, advantages, entropy, clip_eps, entropy_coef)
    grads = list(torch.autograd.grad(loss, list(theta.values())))
    return grads, {"loss_theta": loss.detach(), "entropy": entropy.detach().mean(), **_ratio_stats(ratio, clip_eps)}


def post_step_direction(actor: torch.nn.Module, theta: Params, theta_hat: Params, g_hat: list[torch.Tensor],
                        step: float, obs: dict, actions: torch.Tensor, advantages_hat: torch.Tensor, *,
                        clip_eps: float, entropy_coef: float) -> list[torch.Tensor]:
    """v for ``outer="post"``: grad of L^ at theta-hat' = theta-hat - step * g^ on another minibatch,
    with theta detached as a fixed reference (Xu et al.'s online cross-validation)."""
    moved = {k: (p - step * g).detach().requires_grad_(True) for (k, p), g in zip(theta_hat.items(), g_hat)}
    fixed = {k: p.detach() for k, p in theta.items()}
    with torch.no_grad():
        log_prob, _ = policy_terms(actor, fixed, obs, actions)
    log_prob_hat, entropy_hat = policy_terms(actor, moved, obs, actions)
    loss, _ = surrogate_loss(log_prob_hat - log_prob, advantages_hat.detach(), entropy_hat, clip_eps, entropy_coef)
    return [g.detach() for g in torch.autograd.grad(loss, list(moved.values()))]


def eta_gradient(sensitivity: torch.Tensor, chain_weights: torch.Tensor) -> torch.Tensor:
    """g_eta = sum_i s_i (dA^_i/dr)(dr/du)(du/d eta) (Eq. 14-19); rows of unmatched samples are 0.

    ``chain_weights`` (n, 2) already holds (dA^_i/dr_m)(du_m/d eta) for the match m of sample i's agent
    ("paper": du_i/d eta at the matched transition itself; "gae": (gamma lambda)^k times it along the
    agent's trajectory, over the advantage normalisation); dr/du = 1 is the paper's surrogate (Eq. 15).
    """
    return (sensitivity[:, None] * chain_weights).sum(dim=0)
