"""Same seed, same run: every training variant gives the parameters and scalars recorded on the reference commit.

The reference (``data/reference_parameters.npz``) was first written on main at 9db054b, before the learner's data
path was restructured, and written again when the observation gained the ``busy_sooner`` decision feature (one
more input column for the actor and critic). The cases "sparse-revenue-window", "replay", "task-priced" and
"revenue-searches" were written at 8822281, with that commit's code and option names, when the credit and search
sections were introduced and ppo.team_advantage="split" removed (the case before: "sparse-revenue-split-window"),
so the new layout is checked against the old code; a change that alters what the learner does (rollouts, rewards,
advantages, minibatches, the meta-gradient, eta, the critic, evaluation) fails here. Regenerate it only for an
intended change of behaviour, and say so in the commit:

    python -m tests.rmo_agents.test_reference
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

from rmo_agents import Trainer
from tests.rmo_agents.builders import tiny_config

REFERENCE = Path(__file__).parent / "data" / "reference_parameters.npz"

CASES = {
    "rmo-two-copies": {"env.num_envs": 2, "run.episodes": 4, "run.eval_every": 1},
    "sparse-revenue-window": {"meta.variant": "sparse", "credit.team_reward": "revenue_delta",
                              "ppo.sampling": "window"},
    "paper-sgd": {"optim.optimizer": "sgd", "optim.lr_theta": 0.05, "optim.lr_theta_hat": 0.05,
                  "optim.lr_phi": 0.05, "optim.chi": 0.01, "meta.eta_param": "clip", "meta.eta_chain": "paper",
                  "meta.eta_samples": "positive_shaped", "meta.eta_lr": 0.5, "meta.outer": "post",
                  "ppo.sampling": "shuffle", "ppo.value_loss": "huber"},
    "shaped": {"meta.variant": "shaped", "ppo.normalize_advantages": False, "ppo.value_norm": False},
    "rec": {"meta.variant": "rec", "ppo.epochs": 1},
    "replay": {"meta.variant": "sparse", "credit.scheme": "replay", "credit.replays": 3},
    "task-priced": {"credit.scheme": "task", "credit.worker_price": 0.05, "credit.failed_reward": 0.0},
    "revenue-searches": {"credit.scheme": "task+team", "search.eta": True, "search.eta_delta": 0.2,
                         "model.decision_bias": True, "model.decision_bias_features": ("ready", "busy_sooner"),
                         "search.bias_episodes": 1, "search.bias_lr": 0.5, "search.bias_delta": 1.0},
}
"""Variants and options that take different paths through rollout, advantages and update."""

SCALARS = ("revenue", "completed", "failed", "failed_recommendations", "env_steps", "transitions", "loss_theta",
           "value_loss", "explained_variance", "alpha", "beta", "eval_revenue")


def train(case: str, out: Path) -> dict[str, np.ndarray]:
    """Every tensor of every module after the run of ``case``, and the last update's scalars."""
    config = tiny_config(out)
    for path, value in CASES[case].items():
        config = config.replace_path(path, value)
    trainer = Trainer(config)
    stats = trainer.run()
    arrays = {f"{name}.{k}": v.detach().double().numpy().copy()
              for name, part in trainer.learner.modules().items() if isinstance(part, torch.nn.Module)
              for k, v in part.state_dict().items()}
    arrays.update({f"stat.{k}": np.array(stats[k], dtype=np.float64) for k in SCALARS if k in stats})
    return arrays


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_training_matches_the_reference(case, tmp_path):
    reference = np.load(REFERENCE)
    expected = {k[len(case) + 1:]: reference[k] for k in reference.files if k.startswith(case + "/")}
    got = train(case, tmp_path)
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-4, atol=1e-6, err_msg=f"{case}: {key}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        arrays = {f"{case}/{k}": v for case in CASES for k, v in train(case, Path(tmp) / case).items()}
    REFERENCE.parent.mkdir(exist_ok=True)
    np.savez_compressed(REFERENCE, **arrays)
    print(f"wrote {len(arrays)} arrays to {REFERENCE}")
