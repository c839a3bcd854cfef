"""credit.replay: difference rewards by replaying an episode on common random numbers, checked against playing every
twin out by itself, and the exact two-action advantage built from them."""

import numpy as np
import pytest
import torch

from rmo_agents import Trainer
from rmo_agents.adapter import DascAdapter
from rmo_agents.config import ModelConfig
from rmo_agents.credit.replay import (
    choose_replays,
    difference_advantages,
    difference_rewards,
    flipped_twins,
    keyed_uniforms,
    play_out,
)
from rmo_agents.env_source import EnvSource
from rmo_agents.nets import Actor
from tests.rmo_agents.builders import PLAYED_CONFIG, PLAYED_ETA, SMALL, play_recorded, tiny_config

SEED = 3  # the episode play_recorded plays


@pytest.fixture(scope="module")
def recorded():
    episode, _, revenue = play_recorded(PLAYED_CONFIG, PLAYED_ETA, seed=SEED)
    adapter = DascAdapter(EnvSource(PLAYED_CONFIG))
    torch.manual_seed(0)
    actor = Actor.from_space(adapter.observation_space, ModelConfig(**SMALL)).float()
    return episode, revenue, adapter, actor


def choice_rows(episode) -> np.ndarray:
    return np.flatnonzero(episode.obs["action_mask"][:, 1] > 0)


def test_keyed_uniforms_depend_only_on_key_time_and_subtask():
    every = keyed_uniforms(7, 120.0, np.arange(10))
    assert np.array_equal(keyed_uniforms(7, 120.0, np.array([2, 9])), every[[2, 9]])
    assert not np.array_equal(keyed_uniforms(8, 120.0, np.arange(10)), every)
    assert not np.array_equal(keyed_uniforms(7, 135.0, np.arange(10)), every)
    assert ((every >= 0) & (every < 1)).all()


def test_choose_replays_draws_distinct_transitions_with_a_choice(recorded):
    episode = recorded[0]
    rows = choose_replays(episode, 5, np.random.default_rng(0))
    assert rows.size == 5 and np.unique(rows).size == 5 and np.all(np.diff(rows) > 0)
    assert np.isin(rows, choice_rows(episode)).all()
    assert np.array_equal(choose_replays(episode, 10**6, np.random.default_rng(0)), choice_rows(episode))


@pytest.mark.slow
def test_difference_rewards_equal_each_twin_played_out_alone(recorded):
    """The batched, shortcut computation against the definition: for every 4th decision with a choice, rebuild both
    twins and play each out by itself; unchanged twins (D = 0 without playing) must also end level."""
    episode, _, adapter, actor = recorded
    rows = choice_rows(episode)[::4]
    gains = difference_rewards(adapter, actor, [episode], [SEED], [rows], torch.device("cpu"))[0]
    diverged = {k for k, _ in flipped_twins(adapter, episode, SEED, rows)}
    for k, i in enumerate(rows):
        adapter.set_eta(*episode.eta)
        adapter.reset(SEED)
        env = adapter.env
        for t in range(int(episode.step[i])):
            at_t = np.flatnonzero(episode.step == t)
            env.step_subtasks(episode.agent[at_t][episode.actions[at_t] == 1])
        at_t = np.flatnonzero(episode.step == episode.step[i])
        others = episode.agent[at_t][(episode.actions[at_t] == 1) & (episode.agent[at_t] != episode.agent[i])]
        key = int(np.random.SeedSequence([SEED, int(i)]).generate_state(1)[0])
        ends = []
        for chosen in (np.sort(np.append(others, episode.agent[i])), others):
            twin = env.copy()
            twin.step_subtasks(chosen)
            ends.append(play_out([twin], [key], actor, torch.device("cpu"))[0])
        assert gains[k] == pytest.approx(ends[0] - ends[1], abs=1e-9), f"decision {i}"
        if k not in diverged:
            assert gains[k] == 0.0 and ends[0] == pytest.approx(ends[1], abs=1e-9)
    assert diverged and len(diverged) < rows.size  # both kinds occur in this episode


def test_a_replay_that_leaves_the_record_is_refused(recorded):
    episode, _, adapter, _ = recorded
    with pytest.raises(RuntimeError, match="diverged at step .* does not reproduce the record"):
        flipped_twins(adapter, episode, SEED + 1, choice_rows(episode)[-1:])


def test_difference_advantages_are_q_of_the_action_minus_the_policys_value(recorded):
    episode = recorded[0]
    rng = np.random.default_rng(1)
    p_taken = rng.uniform(0.05, 0.95, episode.num_transitions)
    q_wait = rng.normal(size=episode.num_transitions)
    gain = rng.normal(scale=10.0, size=episode.num_transitions)
    q_recommend = q_wait + gain
    replayed = episode.__class__(**{**episode.__dict__, "log_prob": np.log(p_taken).astype(np.float32),
                                    "difference": gain})
    p_recommend = np.where(episode.actions == 1, p_taken, 1 - p_taken)
    value = p_recommend * q_recommend + (1 - p_recommend) * q_wait
    expected = np.where(episode.actions == 1, q_recommend, q_wait) - value
    assert np.allclose(difference_advantages(replayed), expected, atol=1e-5)


def test_difference_advantages_need_replayed_episodes(recorded):
    with pytest.raises(ValueError, match="needs episodes with a difference"):
        difference_advantages(recorded[0])


def test_replay_credit_trains_the_actor_on_the_replayed_decisions_only(tmp_path):
    config = tiny_config(tmp_path, variant="sparse").with_overrides(["credit.scheme=replay", "credit.replays=3"])
    trainer = Trainer(config)
    before = trainer.learner.actor.mlp[0].weight.clone()
    stats = trainer.train_iteration()
    assert 0 < stats["choice_share"] * stats["transitions"] <= 3 + 1e-9
    assert np.isfinite(stats["loss_theta"])
    assert not torch.equal(before, trainer.learner.actor.mlp[0].weight)


def test_replay_credit_is_reproducible_from_the_seed(tmp_path):
    runs = []
    for name in ("a", "b"):
        config = tiny_config(tmp_path / name, variant="sparse", episodes=2).with_overrides(
            ["credit.scheme=replay", "credit.replays=4"])
        trainer = Trainer(config)
        trainer.run()
        runs.append(trainer.learner.actor.mlp[0].weight.clone())
    assert torch.equal(*runs)
