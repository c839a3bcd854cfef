"""Learner: the steps of one update, each on a real rollout of the tiny config."""

import numpy as np
import pytest
import torch

from rmo_agents import Trainer
from rmo_agents.rollout import collect
from tests.rmo_agents.builders import tiny_config


@pytest.fixture(scope="module")
def rollout(tmp_path_factory):
    """A fresh rmo trainer and one recorded episode of it."""
    trainer = Trainer(tiny_config(tmp_path_factory.mktemp("learner")))
    learner = trainer.learner
    episodes = collect(trainer.envs, learner.actor, [5], learner.eta.pair(), torch.Generator().manual_seed(0),
                       trainer.device)
    return trainer, episodes


def clone(module: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def moved(module: torch.nn.Module, before: list[torch.Tensor]) -> bool:
    return any(not torch.equal(p, q) for p, q in zip(module.parameters(), before))


def test_prepare_standardises_the_advantages_of_both_mdps_over_the_transitions_with_a_choice(rollout):
    trainer, episodes = rollout
    batch = trainer.learner.prepare(episodes)
    assert batch.num_transitions == episodes[0].num_transitions and batch.num_states == episodes[0].num_steps
    for adv in (batch.adv[batch.actor_rows], batch.adv_hat[batch.actor_rows]):
        assert float(adv.mean()) == pytest.approx(0.0, abs=1e-5)
        assert float(adv.std(unbiased=False)) == pytest.approx(1.0, abs=1e-4)


def test_the_actors_learn_only_from_transitions_with_a_choice(rollout):
    trainer, episodes = rollout
    batch = trainer.learner.prepare(episodes)
    choice = episodes[0].obs["action_mask"][:, 1] > 0
    assert 0 < choice.sum() < choice.size  # the played episode has both kinds
    assert batch.actor_rows.tolist() == np.flatnonzero(choice).tolist()
    samples = trainer.learner.epoch_samples(batch, torch.Generator().manual_seed(0))
    assert sorted(samples.tolist()) == np.flatnonzero(choice).tolist()


def test_actor_step_moves_both_actors_and_not_the_critic(rollout):
    trainer, episodes = rollout
    learner = trainer.learner
    batch = learner.prepare(episodes)
    actor, actor_hat, critic = clone(learner.actor), clone(learner.actor_hat), clone(learner.critic)
    stats = learner.actor_step(batch, torch.arange(batch.num_transitions))
    assert moved(learner.actor, actor) and moved(learner.actor_hat, actor_hat)
    assert not moved(learner.critic, critic)
    assert {"loss_theta", "loss_theta_hat", "grad_norm_theta", "grad_norm_theta_hat"} <= set(stats)


def test_critic_step_moves_only_the_critic(rollout):
    trainer, episodes = rollout
    learner = trainer.learner
    batch = learner.prepare(episodes)
    actor, critic = clone(learner.actor), clone(learner.critic)
    stats = learner.critic_step(batch, torch.arange(batch.num_states))
    assert moved(learner.critic, critic) and not moved(learner.actor, actor)
    assert stats["value_loss"] > 0 and stats["value_loss_hat"] > 0




def test_update_reports_the_recommend_rate_among_transitions_with_a_choice(rollout):
    trainer, episodes = rollout
    choice = episodes[0].obs["action_mask"][:, 1] > 0
    stats = trainer.learner.update(episodes, torch.Generator().manual_seed(0))
    assert stats["recommend_rate"] == pytest.approx(episodes[0].actions[choice].mean())
    assert stats["choice_share"] == pytest.approx(choice.mean())
    assert stats["meta_ratio"] >= 0
