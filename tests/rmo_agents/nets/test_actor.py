"""Actor: action masking, reproducible sampling, statelessness, higher-order derivatives."""

import pytest
import torch
from torch.func import functional_call, jvp

from dasc_env.env import DECISION_FEATURES
from rmo_agents.nets.actor import categorical_terms
from tests.rmo_agents.builders import FS, FW, KS, KW, make_actor, make_obs


def test_from_space_reads_the_shapes_and_gives_two_logits_per_agent():
    actor = make_actor(dtype=torch.float32, gat_heads=8, gat_hidden=16, gat_out=16, actor_hidden=(128, 64))
    logits = actor(make_obs(n=5, dtype=torch.float32))
    assert logits.shape == (5, 2) and logits.dtype == torch.float32
    assert actor.mlp[0].in_features == 16 + KW * FW + KS * FS


def test_logits_use_the_agents_own_node_embedding():
    actor, obs = make_actor(), make_obs()
    own = actor.gat(obs["task_nodes"], obs["task_adjacency"], obs["task_mask"])[torch.arange(16), obs["self_index"]]
    flat = torch.cat([own, obs["workers"].flatten(1), obs["subtasks"].flatten(1)], dim=1)
    expected = torch.where(obs["action_mask"].bool(), actor.mlp(flat), -1e9)
    assert torch.equal(actor(obs), expected)


def test_padded_workers_and_subtasks_do_not_change_logits():
    actor, obs = make_actor(), make_obs()
    changed = dict(obs)
    changed["workers"] = obs["workers"] + 5.0 * (obs["workers_mask"] == 0)[..., None]
    changed["subtasks"] = obs["subtasks"] - 3.0 * (obs["subtasks_mask"] == 0)[..., None]
    assert torch.equal(actor(obs), actor(changed))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_masked_action_has_probability_exactly_zero_and_finite_entropy(dtype):
    actor, obs = make_actor(dtype=dtype), make_obs(dtype=dtype)
    masked = obs["action_mask"][:, 1] == 0
    assert masked.any()
    probs = actor(obs).softmax(-1)
    assert torch.equal(probs[masked, 1], torch.zeros_like(probs[masked, 1]))
    log_prob, entropy = actor.log_prob_entropy(obs, torch.zeros(16, dtype=torch.long))
    assert torch.equal(log_prob[masked], torch.zeros_like(log_prob[masked]))
    assert torch.equal(entropy[masked], torch.zeros_like(entropy[masked]))
    assert torch.isfinite(entropy).all() and (entropy[~masked] > 0).all()


def test_mask_actions_off_leaves_logits_unmasked():
    obs = make_obs()
    masked = obs["action_mask"][:, 1] == 0
    probs = make_actor(mask_actions=False)(obs).softmax(-1)
    assert (probs[masked, 1] > 0).all()


def test_masked_action_is_never_sampled():
    actor = make_actor(dtype=torch.float32)
    obs = {k: v.repeat_interleave(625, dim=0) for k, v in make_obs(dtype=torch.float32).items()}  # 10k agents
    actions, log_prob = actor.sample(obs, torch.Generator().manual_seed(0))
    masked = obs["action_mask"][:, 1] == 0
    assert (actions[masked] == 0).all()
    assert (actions[~masked] == 1).any() and (actions[~masked] == 0).any()
    assert torch.isfinite(log_prob).all()


def test_sampled_frequencies_match_the_probabilities():
    actor = make_actor()
    obs = {k: v[:1].repeat_interleave(20_000, dim=0) for k, v in make_obs().items()}
    obs["action_mask"][:] = 1
    p = actor(obs)[0].softmax(-1)[1]
    actions, _ = actor.sample(obs, torch.Generator().manual_seed(1))
    assert abs(actions.double().mean() - p) < 4 * torch.sqrt(p * (1 - p) / 20_000)


def test_sampling_with_the_same_generator_seed_is_reproducible():
    actor, obs = make_actor(), make_obs(n=256)
    first = actor.sample(obs, torch.Generator().manual_seed(7))
    again = actor.sample(obs, torch.Generator().manual_seed(7))
    other = actor.sample(obs, torch.Generator().manual_seed(8))
    assert torch.equal(first[0], again[0]) and torch.equal(first[1], again[1])
    assert not torch.equal(first[0], other[0])


def test_sample_returns_int64_actions_and_their_log_probs():
    actor, obs = make_actor(), make_obs()
    actions, log_prob = actor.sample(obs, torch.Generator().manual_seed(0))
    assert actions.dtype == torch.int64 and actions.shape == (16,)
    assert not log_prob.requires_grad
    torch.testing.assert_close(log_prob, actor.log_prob_entropy(obs, actions)[0].detach(), rtol=0, atol=0)


def test_greedy_takes_the_most_probable_allowed_action():
    actor, obs = make_actor(), make_obs()
    actions, _ = actor.sample(obs, greedy=True)
    assert torch.equal(actions, actor(obs).argmax(-1))
    assert (actions[obs["action_mask"][:, 1] == 0] == 0).all()


def test_forward_changes_no_module_state():
    actor, obs = make_actor(), make_obs()
    before = {k: v.clone() for k, v in actor.state_dict().items()}
    actor.sample(obs, torch.Generator().manual_seed(0))
    actor.log_prob_entropy(obs, torch.ones(16, dtype=torch.long))[0].sum().backward()
    assert list(actor.buffers()) == []
    assert all(torch.equal(before[k], v) for k, v in actor.state_dict().items())


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_double_backward_through_log_prob_gives_finite_second_order_grads(backend):
    actor, obs = make_actor(gat_backend=backend), make_obs()
    actions = obs["action_mask"][:, 1].long()
    params = list(actor.parameters())
    log_prob, _ = actor.log_prob_entropy(obs, actions)
    grads = torch.autograd.grad(log_prob.mean(), params, create_graph=True)
    second = torch.autograd.grad(sum(g.square().sum() for g in grads), params, allow_unused=True)
    assert all(g is not None and torch.isfinite(g).all() for g in second)
    assert any(g.abs().sum() > 0 for g in second)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_jvp_through_functional_call_matches_finite_differences(backend):
    actor, obs = make_actor(gat_backend=backend), make_obs()
    actions = obs["action_mask"][:, 1].long()
    params = {k: v.detach() for k, v in actor.named_parameters()}
    gen = torch.Generator().manual_seed(3)
    tangent = {k: torch.randn(v.shape, generator=gen, dtype=v.dtype) for k, v in params.items()}

    def log_prob(p):
        return categorical_terms(functional_call(actor, p, (obs,), strict=True), actions)[0]

    _, directional = jvp(log_prob, (params,), (tangent,))
    eps = 1e-6
    plus = log_prob({k: v + eps * tangent[k] for k, v in params.items()})
    minus = log_prob({k: v - eps * tangent[k] for k, v in params.items()})
    torch.testing.assert_close(directional, (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-8)


def test_shared_task_graphs_give_the_same_logits_as_one_graph_per_agent():
    obs = make_obs(n=8)
    for k in ("task_nodes", "task_adjacency", "task_mask"):
        obs[k][1::2] = obs[k][0::2]  # agents 2j and 2j+1 belong to one task
    sizes = obs["task_mask"].sum(1)
    obs["self_index"][1::2] = (obs["self_index"][0::2] + 1) % sizes[0::2]
    shared = {k: v for k, v in obs.items() if k not in ("task_nodes", "task_adjacency", "task_mask")}
    shared.update({k: obs[k][0::2] for k in ("task_nodes", "task_adjacency", "task_mask")},
                  graph_index=torch.arange(8) // 2)
    actor = make_actor()
    torch.testing.assert_close(actor(shared), actor(obs), rtol=1e-12, atol=1e-12)


def test_decision_bias_at_zero_leaves_the_logits_as_they_were():
    plain, biased = make_actor(), make_actor(decision_bias=True)
    biased.load_state_dict(plain.state_dict(), strict=False)  # same weights; the bias starts at 0
    obs = make_obs()
    for feature in ("ready", "busy_sooner"):  # the cells' features are 0/1 in dasc-env's observations
        column = list(DECISION_FEATURES).index(feature) - len(DECISION_FEATURES)
        obs["task_nodes"][..., column] = (obs["task_nodes"][..., column] > 0.5).to(obs["task_nodes"].dtype)
    assert torch.equal(biased(obs), plain(obs))


def test_decision_bias_is_a_buffer_the_policy_gradient_does_not_train():
    actor = make_actor(decision_bias=True)
    assert "decision_bias" in actor.state_dict() and "decision_bias" not in dict(actor.named_parameters())
    assert "decision_bias" not in make_actor().state_dict()  # without it, checkpoints are as before


def test_decision_bias_cells_add_the_offset_of_the_agents_cell_of_its_binary_features():
    features = ("matchable", "ready")
    actor = make_actor(decision_bias=True, decision_bias_features=features)
    plain = make_actor()
    actor.load_state_dict(plain.state_dict(), strict=False)
    actor.decision_bias.copy_(torch.tensor([-4.0, -1.0, 2.0, 3.0]))  # cells (m, r) = (0, 0), (1, 0), (0, 1), (1, 1)
    obs = make_obs()
    columns = [list(DECISION_FEATURES).index(f) - len(DECISION_FEATURES) for f in features]
    bits = torch.tensor([[i % 2, i // 2 % 2] for i in range(16)], dtype=obs["task_nodes"].dtype)
    nodes = obs["task_nodes"].clone()
    for j, column in enumerate(columns):
        nodes[torch.arange(16), obs["self_index"], column] = bits[:, j]
    obs["task_nodes"] = nodes
    offset = torch.tensor([{(0, 0): -4.0, (1, 0): -1.0, (0, 1): 2.0, (1, 1): 3.0}[m, r] for m, r in
                           bits.long().tolist()], dtype=torch.float64)
    expected = torch.where(obs["action_mask"].bool(),
                           plain(obs) + torch.stack([torch.zeros_like(offset), offset], dim=1), -1e9)
    assert torch.allclose(actor(obs), expected)


def test_decision_bias_names_one_cell_each():
    actor = make_actor(decision_bias=True, decision_bias_features=("ready", "busy_worker"))
    names = ("ready0_busy_worker0", "ready1_busy_worker0", "ready0_busy_worker1", "ready1_busy_worker1")
    assert actor.bias_names == names and actor.decision_bias.shape == (4,)
