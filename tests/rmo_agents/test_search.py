"""search: eta and the decision bias learned from E(M) by paired differences on common random numbers."""

import pytest
import torch

from rmo_agents import Trainer
from rmo_agents.paired import SEED_STREAMS, stream_seeds
from rmo_agents.search import BiasSearch, EtaSearch, searches
from tests.rmo_agents.builders import tiny_config as tiny


class LinearRevenue:
    """A paired evaluator whose E(M) is w . b in the actor's decision bias b, recording every call."""

    def __init__(self, weights):
        self.weights, self.calls = torch.as_tensor(weights, dtype=torch.float64), []

    def mean_revenue(self, actor, seeds, eta):
        self.calls.append((list(seeds), actor.decision_bias.clone().double()))
        return float(self.weights @ actor.decision_bias.double())


def test_the_run_has_the_searches_its_config_asks_for_in_order(tmp_path):
    config = tiny(tmp_path, variant="rmo").with_overrides(["search.eta=true", "model.decision_bias=true"])
    assert [type(s) for s in Trainer(config).searches] == [EtaSearch, BiasSearch]
    assert Trainer(tiny(tmp_path / "plain", variant="rmo")).searches == []
    assert searches(config.replace_path("meta.variant", "sparse"), None)[0].__class__ is BiasSearch  # eta is fixed


def test_paired_eta_steps_up_the_measured_revenue_difference(tmp_path):
    trainer = Trainer(tiny(tmp_path, variant="rmo").replace_path("search.eta", True))
    before = trainer.learner.eta.pair()
    stats = trainer.train_iteration()
    grad = (stats["revenue_grad_alpha"], stats["revenue_grad_beta"])
    assert "g_alpha" not in stats  # the surrogate does not move eta as well
    after = trainer.learner.eta.pair()
    for k in range(2):  # Adam's first step moves each logit by lr against the loss -grad . eta
        assert after[k] - before[k] == pytest.approx(0.0) if grad[k] == 0 else (after[k] - before[k]) * grad[k] > 0


def test_paired_eta_uses_common_random_numbers(tmp_path):
    trainer = Trainer(tiny(tmp_path, variant="rmo").with_overrides(["search.eta=true", "search.eta_delta=1e-9"]))
    stats = EtaSearch(trainer.config, trainer.evaluator).step(trainer.learner)
    # eta +/- 1e-9 changes no match: the same episodes give the same revenue on both sides
    assert stats["revenue_grad_alpha"] == 0.0 and stats["revenue_grad_beta"] == 0.0


def test_bias_search_moves_each_cell_by_the_sign_of_its_own_paired_difference(tmp_path):
    config = tiny(tmp_path, variant="sparse").with_overrides(
        ["model.decision_bias=true", 'model.decision_bias_features=["ready"]', "search.bias_lr=0.5",
         "search.bias_delta=1.0", "search.bias_episodes=2"])
    trainer = Trainer(config)
    revenue = LinearRevenue([-3.0, 2.0])  # E(M) = w . b: wait when not ready, recommend when ready
    stats = BiasSearch(config, revenue).step(trainer.learner)
    assert [b.tolist() for _, b in revenue.calls] == [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]
    expected_seeds = stream_seeds(config.run.seed, "bias", trainer.learner.updates, 2)
    assert all(seeds == expected_seeds for seeds, _ in revenue.calls)  # the same episodes for every side
    assert trainer.learner.actor.decision_bias.tolist() == [-0.5, 0.5]
    assert stats["bias_ready0"] == -0.5 and stats["bias_ready1"] == 0.5
    assert stats["bias_ready0_revenue_diff"] == -6.0 and stats["bias_ready1_revenue_diff"] == 4.0


def test_bias_search_gives_theta_hat_the_same_bias(tmp_path):
    trainer = Trainer(tiny(tmp_path, variant="rmo").with_overrides(["model.decision_bias=true"]))
    BiasSearch(trainer.config, LinearRevenue([1.0, 1.0, 1.0, 1.0])).step(trainer.learner)
    learner = trainer.learner
    assert learner.actor.decision_bias.abs().sum() > 0
    assert torch.equal(learner.actor_hat.decision_bias, learner.actor.decision_bias)


def test_the_seed_streams_are_distinct_and_depend_on_the_update():
    assert len(set(SEED_STREAMS.values())) == len(SEED_STREAMS)
    assert stream_seeds(0, "eta", 1, 2) != stream_seeds(0, "bias", 1, 2)
    assert stream_seeds(0, "eta", 1, 2) != stream_seeds(0, "eta", 2, 2)
    assert stream_seeds(0, "eta", 1, 3)[:2] == stream_seeds(0, "eta", 1, 2)
