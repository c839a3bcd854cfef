"""The searches: policy-level parameters learned from E(M) itself, after each update, by paired episodes.

Each search measures revenue through one ``PairedEvaluator`` (common random numbers: the same episode seeds and
action seeds on both sides of every difference), on fresh episodes of its own seed stream (``paired.SEED_STREAMS``)
drawn from the run seed and the update count, so a search is stateless and a resumed run continues exactly.

* ``EtaSearch`` (``search.eta``): eta = (alpha, beta) of the KM utility (Eq. 12-13) up central differences of
  E(M) (``eta.central_difference``), one step of eta's optimiser (``Learner.eta_descent``).
* ``BiasSearch`` (``model.decision_bias``): each offset b_k of the decision bias moves by ``search.bias_lr`` times
  the sign of E(M)(b + c e_k) - E(M)(b - c e_k), c = ``search.bias_delta``.

``searches(config, evaluator)`` lists the run's searches in the order they step.
"""

from __future__ import annotations

import numpy as np
import torch

from .config import RMOConfig
from .eta import central_difference
from .learner import Learner
from .paired import PairedEvaluator, stream_seeds


class EtaSearch:
    """eta by paired central differences of E(M) at eta +- ``search.eta_delta`` (stream "eta")."""

    def __init__(self, config: RMOConfig, evaluator: PairedEvaluator):
        self.config, self.evaluator = config, evaluator

    def step(self, learner: Learner) -> dict[str, float]:
        """One ascent step of eta; returns the measured d E(M) / d eta and eta after the step."""
        search = self.config.search
        seeds = stream_seeds(self.config.run.seed, "eta", learner.updates, search.eta_episodes)
        grad = central_difference(lambda eta: self.evaluator.mean_revenue(learner.actor, seeds, eta),
                                  learner.eta.pair(), search.eta_delta)
        learner.eta_descent(-np.asarray(grad, dtype=np.float64))
        alpha, beta = learner.eta.pair()  # after the step (the update's stats hold eta before it)
        return {"revenue_grad_alpha": float(grad[0]), "revenue_grad_beta": float(grad[1]), "alpha": alpha, "beta": beta}


class BiasSearch:
    """The decision bias b by one paired difference per offset, the others held (stream "bias")."""

    def __init__(self, config: RMOConfig, evaluator: PairedEvaluator):
        self.config, self.evaluator = config, evaluator

    def step(self, learner: Learner) -> dict[str, float]:
        """One sign step of every offset: for each unit vector e_k, E(M) at b + c e_k and at b - c e_k on
        ``search.bias_episodes`` fresh episodes (the same for every k), then b <- b + ``search.bias_lr`` sum_k
        sign(difference_k) e_k. Returns each measured difference and b after the step."""
        search = self.config.search
        seeds = stream_seeds(self.config.run.seed, "bias", learner.updates, search.bias_episodes)
        bias = learner.actor.decision_bias
        names = [f"bias_{name}" for name in learner.actor.bias_names]
        directions = {f"{name}_revenue_diff": d for name, d in zip(names, np.eye(bias.numel()))}
        base = bias.detach().cpu().double().numpy()
        eta = learner.eta.pair()

        def revenue_at(b: np.ndarray) -> float:
            bias.copy_(torch.as_tensor(b, dtype=bias.dtype))
            return self.evaluator.mean_revenue(learner.actor, seeds, eta)

        new, diffs = base, {}
        try:
            for key, d in directions.items():
                diffs[key] = revenue_at(base + search.bias_delta * d) - revenue_at(base - search.bias_delta * d)
            new = base + search.bias_lr * sum(np.sign(diffs[key]) * d for key, d in directions.items())
        finally:  # theta-hat (when there is one) evaluates its ratio with the same bias
            for actor in (learner.actor, learner.actor_hat):
                if actor is not None:
                    actor.decision_bias.copy_(torch.as_tensor(new, dtype=bias.dtype))
        return {**diffs, **dict(zip(names, new.tolist()))}


def searches(config: RMOConfig, evaluator: PairedEvaluator) -> list[EtaSearch | BiasSearch]:
    """The searches ``config`` asks for, in the order they step after each update: eta, then the decision bias."""
    out: list[EtaSearch | BiasSearch] = []
    if config.meta.learns_eta and config.search.eta:
        out.append(EtaSearch(config, evaluator))
    if config.model.decision_bias:
        out.append(BiasSearch(config, evaluator))
    return out


__all__ = ["BiasSearch", "EtaSearch", "searches"]
