"""eta = (alpha, beta) of Eq. 13, the weights of the matching utility u (Eq. 12), as a learnable module."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .config import MetaConfig


class Eta(torch.nn.Module):
    """eta = (alpha, beta) of Eq. 13 as a learnable pair: clipped to [0, 1] ("clip") or sigmoid(z) ("logit")."""

    def __init__(self, alpha: float, beta: float, param: str):
        super().__init__()
        self.param = param
        start = torch.tensor([alpha, beta], dtype=torch.float64)
        if param == "logit":
            start = torch.logit(start.clamp(1e-4, 1 - 1e-4))
        self.raw = torch.nn.Parameter(start)

    @classmethod
    def from_config(cls, meta: MetaConfig) -> Eta:
        """The learned eta of ``variant="rmo"`` (from (alpha0, beta0), stored as ``eta_param`` says), else the
        fixed (``fixed_alpha``, ``fixed_beta``), stored exactly ("clip")."""
        if meta.learns_eta:
            return cls(meta.alpha0, meta.beta0, meta.eta_param)
        return cls(meta.fixed_alpha, meta.fixed_beta, "clip")

    def value(self) -> torch.Tensor:
        return torch.sigmoid(self.raw) if self.param == "logit" else self.raw

    def pair(self) -> tuple[float, float]:
        alpha, beta = self.value().detach().cpu().tolist()
        return float(alpha), float(beta)


def central_difference(revenue_at: Callable[[tuple[float, float]], float], eta: tuple[float, float],
                       delta: float) -> np.ndarray:
    """d E(M) / d eta by central differences, one component at a time: (R(eta + d e_k) - R(eta - d e_k)) / span,
    the two points clipped to [0, 1] and ``span`` their actual distance. ``revenue_at`` should use common random
    numbers (the same episodes and action seeds at every eta), so the difference measures eta, not noise."""
    base = np.asarray(eta, dtype=np.float64)
    grad = np.zeros(2)
    for k in range(2):
        step = np.eye(2)[k] * delta
        upper, lower = np.clip(base + step, 0.0, 1.0), np.clip(base - step, 0.0, 1.0)
        span = upper[k] - lower[k]
        grad[k] = (revenue_at(tuple(upper)) - revenue_at(tuple(lower))) / span if span > 0 else 0.0
    return grad
