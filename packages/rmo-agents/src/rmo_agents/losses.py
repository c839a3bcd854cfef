"""The PPO pieces shared by both policies and the critic: Eq. 4 (clipped surrogate), Eq. 20 (value loss)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def ppo_clip_terms(log_ratio: torch.Tensor, advantages: torch.Tensor, clip_eps: float):
    """Per-sample clipped surrogate of Eq. 4, as a loss to minimise.

    ``log_ratio`` is log psi (Eq. 4: log pi_theta - log pi_theta_old; Eq. 5: log pi_theta-hat - log pi_theta).
    Returns ``(loss, ratio, unclipped)``: ``loss_i = -min(psi_i A_i, clip(psi_i, 1 - eps, 1 + eps) A_i)``,
    ``psi`` and a bool mask of the samples whose gradient flows through psi (not on the clipped branch).
    """
    ratio = torch.exp(log_ratio)
    surrogate = ratio * advantages
    clipped = torch.clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps) * advantages
    loss = -torch.minimum(surrogate, clipped)
    unclipped = torch.where(advantages >= 0, ratio < 1.0 + clip_eps, ratio > 1.0 - clip_eps)
    return loss, ratio, unclipped


def value_loss(prediction: torch.Tensor, target: torch.Tensor, kind: str = "mse") -> torch.Tensor:
    """Eq. 20: E[(V(s) - V^target)^2] ("mse"), or the Huber loss ("huber", delta = 10)."""
    if kind == "mse":
        return F.mse_loss(prediction, target)
    if kind == "huber":
        return F.huber_loss(prediction, target, delta=10.0)
    raise ValueError(f"value loss kind={kind!r} must be 'mse' or 'huber'")


class ValueNorm(torch.nn.Module):
    """Running mean and variance of value targets (MAPPO's ValueNorm, debiased exponential averages).

    The critic predicts normalised values; ``denormalize`` maps them back for GAE.
    """

    def __init__(self, beta: float = 0.99999, epsilon: float = 1e-5):
        super().__init__()
        self.beta, self.epsilon = beta, epsilon
        self.register_buffer("running_mean", torch.zeros((), dtype=torch.float64))
        self.register_buffer("running_mean_sq", torch.zeros((), dtype=torch.float64))
        self.register_buffer("debiasing_term", torch.zeros((), dtype=torch.float64))

    def stats(self) -> tuple[torch.Tensor, torch.Tensor]:
        debias = self.debiasing_term.clamp(min=self.epsilon)
        mean = self.running_mean / debias
        var = (self.running_mean_sq / debias - mean**2).clamp(min=1e-2)
        return mean, var

    @torch.no_grad()
    def update(self, values: torch.Tensor) -> None:
        values = values.detach().to(torch.float64)
        if values.numel() == 0:
            return
        self.running_mean.mul_(self.beta).add_(values.mean() * (1 - self.beta))
        self.running_mean_sq.mul_(self.beta).add_((values**2).mean() * (1 - self.beta))
        self.debiasing_term.mul_(self.beta).add_(1 - self.beta)

    def normalize(self, values: torch.Tensor) -> torch.Tensor:
        mean, var = self.stats()
        return ((values - mean) / torch.sqrt(var)).to(values.dtype)

    def denormalize(self, values: torch.Tensor) -> torch.Tensor:
        mean, var = self.stats()
        return (values * torch.sqrt(var) + mean).to(values.dtype)
