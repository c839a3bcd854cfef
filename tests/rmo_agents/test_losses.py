"""PPO pieces (Eq. 4, Eq. 20, ValueNorm, categorical log-prob/entropy), checked against answers worked out by hand."""

import math

import pytest
import torch

from rmo_agents.losses import ValueNorm, ppo_clip_terms, value_loss
from rmo_agents.nets.actor import categorical_terms  # moved out of losses.py; the log-prob/entropy of both policies

F64 = torch.float64


def hand_case():
    """Design note test 3: psi = [0.5, 1.0, 1.5, 1.1], A = [1, -2, 1, -1], eps = 0.2."""
    log_psi = torch.tensor([0.5, 1.0, 1.5, 1.1], dtype=F64).log().requires_grad_(True)
    advantages = torch.tensor([1.0, -2.0, 1.0, -1.0], dtype=F64)
    return log_psi, advantages


# ------------------------------------------------------------------ ppo_clip_terms
def test_ppo_clip_per_sample_losses_match_the_hand_worked_case():
    log_psi, adv = hand_case()
    loss, _, _ = ppo_clip_terms(log_psi, adv, 0.2)
    # -min(psi A, clip(psi) A): -min(.5, .8), -min(-2, -2), -min(1.5, 1.2), -min(-1.1, -1.1)
    assert loss.dtype == F64
    torch.testing.assert_close(loss, torch.tensor([-0.5, 2.0, -1.2, 1.1], dtype=F64), rtol=0, atol=1e-12)


def test_ppo_clip_mean_loss_is_0_35():
    log_psi, adv = hand_case()
    loss, _, _ = ppo_clip_terms(log_psi, adv, 0.2)
    assert loss.mean().item() == pytest.approx(0.35, abs=1e-12)


def test_ppo_clip_gradient_wrt_log_ratio_is_zero_on_the_clipped_branch_only():
    log_psi, adv = hand_case()
    loss, _, _ = ppo_clip_terms(log_psi, adv, 0.2)
    (grad,) = torch.autograd.grad(loss.mean(), log_psi)
    # d(-psi A)/d(log psi) = -psi A on the unclipped branch, 0 on the clipped one; the mean divides by 4.
    expected = torch.tensor([-0.5, 2.0, 0.0, 1.1], dtype=F64) / 4
    torch.testing.assert_close(grad, expected, rtol=0, atol=1e-12)


def test_ppo_clip_returns_the_ratio_psi():
    log_psi, adv = hand_case()
    _, ratio, _ = ppo_clip_terms(log_psi, adv, 0.2)
    torch.testing.assert_close(ratio, torch.tensor([0.5, 1.0, 1.5, 1.1], dtype=F64), rtol=0, atol=1e-12)


def test_ppo_clip_unclipped_mask_of_the_hand_case():
    log_psi, adv = hand_case()
    _, _, unclipped = ppo_clip_terms(log_psi, adv, 0.2)
    # A >= 0: unclipped iff psi < 1.2; A < 0: unclipped iff psi > 0.8.
    assert unclipped.dtype == torch.bool
    assert unclipped.tolist() == [True, True, False, True]


def test_ppo_clip_unclipped_mask_is_exactly_where_the_gradient_flows():
    # Every combination of sign(A) and psi below, inside and above [1 - eps, 1 + eps], away from the kinks.
    psi = [0.5, 0.7, 0.95, 1.05, 1.3, 2.0] * 2
    adv = [1.5] * 6 + [-0.7] * 6
    log_psi = torch.tensor(psi, dtype=F64).log().requires_grad_(True)
    advantages = torch.tensor(adv, dtype=F64)
    loss, _, unclipped = ppo_clip_terms(log_psi, advantages, 0.2)
    (grad,) = torch.autograd.grad(loss.sum(), log_psi)
    expected_mask = [(p < 1.2) if a >= 0 else (p > 0.8) for p, a in zip(psi, adv)]
    assert unclipped.tolist() == expected_mask
    assert (grad != 0).tolist() == expected_mask
    expected_grad = [-p * a if m else 0.0 for p, a, m in zip(psi, adv, expected_mask)]
    torch.testing.assert_close(grad, torch.tensor(expected_grad, dtype=F64), rtol=0, atol=1e-12)


# ------------------------------------------------------------------ value_loss
def test_value_loss_mse_is_the_mean_squared_error():
    pred = torch.tensor([1.0, 2.0, 3.0], dtype=F64)
    target = torch.tensor([1.5, 2.0, 0.0], dtype=F64)
    # (0.25 + 0 + 9) / 3
    assert value_loss(pred, target, "mse").item() == pytest.approx(9.25 / 3, abs=1e-12)


def test_value_loss_defaults_to_mse():
    pred = torch.tensor([0.0, 0.0], dtype=F64)
    target = torch.tensor([4.0, 30.0], dtype=F64)
    assert value_loss(pred, target).item() == pytest.approx((16.0 + 900.0) / 2, abs=1e-12)


def test_value_loss_huber_is_quadratic_below_delta_10_and_linear_above():
    pred = torch.tensor([0.0, 0.0], dtype=F64)
    target = torch.tensor([4.0, 30.0], dtype=F64)
    # 0.5 * 4^2 = 8; 10 * (30 - 0.5 * 10) = 250
    assert value_loss(pred, target, "huber").item() == pytest.approx((8.0 + 250.0) / 2, abs=1e-12)


# ------------------------------------------------------------------ ValueNorm
def hand_value_norm(batches, beta, epsilon=1e-5):
    """Debiased exponential running mean / mean of squares, by a plain loop."""
    m = m2 = d = 0.0
    for batch in batches:
        m = beta * m + (1 - beta) * sum(batch) / len(batch)
        m2 = beta * m2 + (1 - beta) * sum(x * x for x in batch) / len(batch)
        d = beta * d + (1 - beta)
    d = max(d, epsilon)
    mean = m / d
    var = max(m2 / d - mean * mean, 1e-2)
    return mean, var


BATCHES = [[1.0, 2.0, 3.0, 4.0], [10.0, -5.0], [0.5, 0.25, 7.0]]


def test_value_norm_stats_equal_the_debiased_running_mean_and_variance():
    norm = ValueNorm(beta=0.9)
    for batch in BATCHES:
        norm.update(torch.tensor(batch))
    mean, var = norm.stats()
    exp_mean, exp_var = hand_value_norm(BATCHES, 0.9)
    assert mean.item() == pytest.approx(exp_mean, rel=1e-12)
    assert var.item() == pytest.approx(exp_var, rel=1e-12)


def test_value_norm_after_one_update_has_the_batch_mean_and_population_variance():
    norm = ValueNorm()  # the default beta 0.99999: debiasing makes one update exact
    norm.update(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    mean, var = norm.stats()
    assert mean.item() == pytest.approx(2.5, rel=1e-9)
    assert var.item() == pytest.approx(1.25, rel=1e-6)


def test_value_norm_before_any_update_is_mean_0_variance_floor():
    mean, var = ValueNorm().stats()
    assert mean.item() == 0.0 and var.item() == pytest.approx(1e-2)


def test_value_norm_empty_update_leaves_the_stats_unchanged():
    norm = ValueNorm(beta=0.9)
    norm.update(torch.tensor([1.0, 3.0]))
    before = [b.clone() for b in norm.buffers()]
    norm.update(torch.zeros(0))
    assert all(torch.equal(a, b) for a, b in zip(before, norm.buffers()))


def test_value_norm_normalize_inverts_denormalize():
    norm = ValueNorm(beta=0.9)
    for batch in BATCHES:
        norm.update(torch.tensor(batch))
    x = torch.tensor([-3.0, 0.0, 1.5, 40.0], dtype=F64)
    torch.testing.assert_close(norm.normalize(norm.denormalize(x)), x, rtol=0, atol=1e-12)
    torch.testing.assert_close(norm.denormalize(norm.normalize(x)), x, rtol=0, atol=1e-12)


def test_value_norm_normalize_is_standardisation_by_the_stats():
    norm = ValueNorm(beta=0.9)
    for batch in BATCHES:
        norm.update(torch.tensor(batch))
    exp_mean, exp_var = hand_value_norm(BATCHES, 0.9)
    x = torch.tensor([-3.0, 0.0, 1.5, 40.0], dtype=F64)
    expected = torch.tensor([(v - exp_mean) / math.sqrt(exp_var) for v in x.tolist()], dtype=F64)
    torch.testing.assert_close(norm.normalize(x), expected, rtol=1e-12, atol=1e-12)


def test_value_norm_keeps_the_input_dtype():
    norm = ValueNorm(beta=0.9)
    norm.update(torch.tensor([1.0, 3.0]))
    x = torch.tensor([1.0, 2.0], dtype=torch.float32)
    assert norm.normalize(x).dtype == torch.float32 and norm.denormalize(x).dtype == torch.float32


# ------------------------------------------------------------------ categorical_terms
def test_categorical_log_prob_and_entropy_of_known_logits():
    # logits (0, ln 3): p = (1/4, 3/4)
    logits = torch.tensor([[0.0, math.log(3.0)], [0.0, math.log(3.0)], [0.0, 0.0]], dtype=F64)
    actions = torch.tensor([0, 1, 1])
    log_prob, entropy = categorical_terms(logits, actions)
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    torch.testing.assert_close(log_prob, torch.tensor([math.log(0.25), math.log(0.75), math.log(0.5)], dtype=F64))
    torch.testing.assert_close(entropy, torch.tensor([h, h, math.log(2.0)], dtype=F64))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_categorical_masked_logit_has_probability_zero_and_finite_entropy(dtype):
    logits = torch.tensor([[0.3, -1e9], [0.3, -1e9]], dtype=dtype, requires_grad=True)
    log_prob, entropy = categorical_terms(logits, torch.tensor([0, 1]))
    assert log_prob[0].item() == 0.0  # the only allowed action is certain
    assert torch.exp(log_prob[1]).item() == 0.0  # the masked action has probability 0
    assert entropy.tolist() == [0.0, 0.0]
    (grad,) = torch.autograd.grad(entropy.sum() + log_prob[0], logits)
    assert torch.isfinite(grad).all()
