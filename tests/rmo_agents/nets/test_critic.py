"""Critic: padding beyond ``lengths`` is invisible, empty states work, both encoders, gradients."""

import pytest
import torch

from rmo_agents.config import ModelConfig
from rmo_agents.nets import Critic
from tests.rmo_agents.builders import make_obs, observation_space

W, R, FW_STATE, FS_STATE = 7, 9, 6, 8
ENCODERS = ("gru", "deepsets")


def make_critic(encoder="gru", seed=0, dtype=torch.float64) -> Critic:
    torch.manual_seed(seed)
    model = ModelConfig(critic_hidden=8, critic_encoder=encoder)
    return Critic.from_spaces(observation_space(), FW_STATE, FS_STATE, model).to(dtype)


def make_state(b=5, seed=0, dtype=torch.float64):
    """State tables with the visible subtasks compacted to the front; one state has none."""
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(0, R, (b,), generator=gen)
    lengths[0] = 0
    valid = torch.arange(R)[None] < lengths[:, None]
    workers = torch.randn(b, W, FW_STATE, generator=gen, dtype=dtype)
    subtasks = torch.randn(b, R, FS_STATE, generator=gen, dtype=dtype) * valid[..., None]
    time = torch.rand(b, 1, generator=gen, dtype=dtype)
    return workers, subtasks, lengths, time


@pytest.mark.parametrize("encoder", ENCODERS)
def test_values_have_one_entry_per_state_and_per_agent(encoder):
    critic = make_critic(encoder)
    h = critic.encode_state(*make_state())
    obs = make_obs(n=11)
    rows = h[torch.randint(0, 5, (11,))]
    assert h.shape == (5, 8)
    assert critic.team_value(h).shape == (5,)
    assert critic.agent_value(rows, obs).shape == (11,)


@pytest.mark.parametrize("encoder", ENCODERS)
def test_rows_beyond_lengths_do_not_change_the_state_code(encoder):
    critic = make_critic(encoder)
    workers, subtasks, lengths, time = make_state()
    beyond = (torch.arange(R)[None] >= lengths[:, None])[..., None]
    noisy = torch.where(beyond, torch.randn_like(subtasks) * 100, subtasks)
    noisy[0, 0] = float("nan")  # lengths[0] == 0
    assert torch.equal(critic.encode_state(workers, subtasks, lengths, time),
                       critic.encode_state(workers, noisy, lengths, time))


@pytest.mark.parametrize("encoder", ENCODERS)
def test_extra_padded_rows_do_not_change_the_state_code(encoder):
    critic = make_critic(encoder)
    workers, subtasks, lengths, time = make_state()
    longer = torch.cat([subtasks, torch.randn(5, 4, FS_STATE, dtype=subtasks.dtype)], dim=1)
    assert torch.equal(critic.encode_state(workers, subtasks, lengths, time),
                       critic.encode_state(workers, longer, lengths, time))


@pytest.mark.parametrize("encoder", ENCODERS)
def test_subtask_rows_within_lengths_change_the_state_code(encoder):
    critic = make_critic(encoder)
    workers, subtasks, lengths, time = make_state()
    b = int(lengths.argmax())
    changed = subtasks.clone()
    changed[b, 0] += 1.0
    h, h_changed = critic.encode_state(workers, subtasks, lengths, time), critic.encode_state(
        workers, changed, lengths, time)
    assert not torch.equal(h[b], h_changed[b])
    others = torch.arange(5) != b
    assert torch.equal(h[others], h_changed[others])


@pytest.mark.parametrize("encoder", ENCODERS)
def test_states_without_visible_subtasks_give_finite_values(encoder):
    critic = make_critic(encoder)
    workers, subtasks, _, time = make_state()
    lengths = torch.zeros(5, dtype=torch.long)
    h = critic.encode_state(workers, torch.zeros_like(subtasks), lengths, time)
    assert torch.isfinite(critic.team_value(h)).all()
    assert torch.equal(h, critic.encode_state(workers, torch.randn_like(subtasks), lengths, time))


def test_gru_reads_the_subtask_sequence_at_its_last_valid_row():
    critic = make_critic("gru")
    workers, subtasks, lengths, time = make_state()
    b = int(lengths.argmax())
    sequence = subtasks[b:b + 1, :lengths[b]]
    expected = critic.subtask_set(sequence)[1][-1]
    code = torch.cat([critic.worker_set(workers[b:b + 1])[1][-1], expected, time[b:b + 1]], dim=1)
    torch.testing.assert_close(critic.encode_state(workers, subtasks, lengths, time)[b:b + 1], critic.trunk(code),
                               rtol=1e-12, atol=1e-12)


def test_agent_value_ignores_padded_worker_rows():
    critic = make_critic()
    obs = make_obs(n=11)
    h_rows = torch.randn(11, 8, dtype=torch.float64)
    changed = dict(obs)
    changed["workers"] = obs["workers"] + 7.0 * (obs["workers_mask"] == 0)[..., None]
    assert torch.equal(critic.agent_value(h_rows, obs), critic.agent_value(h_rows, changed))


@pytest.mark.parametrize("encoder", ENCODERS)
def test_gradients_reach_every_parameter(encoder):
    critic = make_critic(encoder)
    h = critic.encode_state(*make_state())
    obs = make_obs(n=11)
    loss = critic.team_value(h).square().sum() + critic.agent_value(h[torch.arange(11) % 5], obs).square().sum()
    loss.backward()
    for name, p in critic.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, name


def test_float32_inputs_run_in_the_modules_dtype():
    critic = make_critic(dtype=torch.float32)
    workers, subtasks, lengths, time = make_state(dtype=torch.float64)
    h = critic.encode_state(workers, subtasks, lengths, time)
    assert h.dtype == torch.float32
    assert critic.agent_value(h[:1].expand(3, -1), make_obs(n=3)).dtype == torch.float32
