"""eta = (alpha, beta) of Eq. 13, the weights of the matching utility u (Eq. 12), as a learnable module."""

from __future__ import annotations

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
