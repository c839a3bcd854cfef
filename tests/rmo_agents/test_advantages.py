"""Advantages of both MDPs (Eq. 17, 18), the team reward and du/d eta (Eq. 12-13), against plain loops; what the
actors train on (actor_signals)."""

import numpy as np
import pytest

from rmo_agents.advantages import (
    Advantages,
    actor_signals,
    agent_gae,
    discounted_scan,
    step_discounts,
    team_gae,
    team_rewards,
    trajectory_scan,
    utility_grad,
)
from rmo_agents.config import CreditConfig, MetaConfig, PPOConfig
from rmo_agents.credit import Credit, ReplayCredit
from tests.rmo_agents.builders import AGENT, NEXT, PLAYED_CONFIG, PLAYED_ETA, STEP, play_recorded

FAILED = PLAYED_CONFIG.failed_recommendation_reward
GAMMA, LAM = 0.9, 0.8

SHAPED = np.array([-1.0, 0.0, 0.0, 3.5, -1.0, 0.0, 2.0, 0.0])
VALUES = np.array([0.4, 1.1, -0.2, 2.0, 0.3, 0.7, 1.5, -0.6])


def loop_agent_gae(rewards, values, step, agent, gamma, lam):
    """GAE along each agent's own trajectory: no bootstrap after its last transition."""
    out = np.zeros(len(rewards))
    for a in set(agent.tolist()):
        idx = sorted((i for i in range(len(agent)) if agent[i] == a), key=lambda i: step[i])
        running = 0.0
        for k in reversed(range(len(idx))):
            i = idx[k]
            has_next = k + 1 < len(idx) and step[idx[k + 1]] == step[i] + 1
            next_value = values[idx[k + 1]] if has_next else 0.0
            delta = rewards[i] + gamma * next_value - values[i]
            running = delta + gamma * lam * running if has_next else delta
            out[i] = running
    return out


# ------------------------------------------------------------------ team GAE
def constant(steps, gamma, lam):
    """Per-step discounts of evenly spaced steps (``step_discounts`` on a step clock)."""
    return np.full(steps, gamma), np.full(steps, gamma * lam)


def test_team_gae_matches_a_python_loop_on_a_3_step_episode():
    rewards, values = np.array([1.0, 0.0, 2.0]), np.array([0.5, -0.3, 1.2])
    expected, running = np.zeros(3), 0.0
    for t in reversed(range(3)):
        next_value = values[t + 1] if t + 1 < 3 else 0.0  # the episode ends: V(s_T) = 0
        running = rewards[t] + GAMMA * next_value - values[t] + GAMMA * LAM * running
        expected[t] = running
    out = team_gae(rewards, values, *constant(3, GAMMA, LAM))
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    # by hand: A2 = 2 - 1.2; A1 = 0.9 * 1.2 + 0.3 + 0.72 A2; A0 = 1 - 0.27 - 0.5 + 0.72 A1
    np.testing.assert_allclose(out, [1.63832, 1.956, 0.8], rtol=0, atol=1e-12)


def test_team_gae_with_lambda_1_and_zero_values_is_the_discounted_return():
    rewards = np.array([1.0, -2.0, 4.0])
    out = team_gae(rewards, np.zeros(3), *constant(3, 0.5, 1.0))
    np.testing.assert_allclose(out, [1 - 1 + 1, -2 + 2, 4], rtol=0, atol=1e-12)


# ------------------------------------------------------------------ per-agent GAE
def test_agent_gae_matches_a_python_loop_with_match_drop_and_late_arrival():
    expected = loop_agent_gae(SHAPED, VALUES, STEP, AGENT, GAMMA, LAM)
    out = agent_gae(SHAPED, VALUES, STEP, AGENT, NEXT, *constant(3, GAMMA, LAM))
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)


def test_agent_gae_does_not_bootstrap_the_matched_and_the_dropped_agent():
    out = agent_gae(SHAPED, VALUES, STEP, AGENT, NEXT, *constant(3, GAMMA, LAM))
    assert out[0] == pytest.approx(SHAPED[0] - VALUES[0])  # agent 2, dropped at t0
    assert out[3] == pytest.approx(SHAPED[3] - VALUES[3])  # agent 4, matched at t1
    # agent 4 at t0 bootstraps from its own t1 value and advantage
    delta0 = SHAPED[1] + GAMMA * VALUES[3] - VALUES[1]
    assert out[1] == pytest.approx(delta0 + GAMMA * LAM * out[3])


def test_agent_gae_reward_of_one_transition_moves_only_that_agents_advantages():
    # Eq. 18: dA_i/dr_i = 1, and the agent's earlier transitions move by (gamma lambda)^k; nobody else moves.
    base = agent_gae(SHAPED, VALUES, STEP, AGENT, NEXT, *constant(3, GAMMA, LAM))
    bumped = SHAPED.copy()
    bumped[7] += 1.0  # agent 10 at t2
    change = agent_gae(bumped, VALUES, STEP, AGENT, NEXT, *constant(3, GAMMA, LAM)) - base
    expected = np.zeros(8)
    expected[[2, 5, 7]] = [(GAMMA * LAM) ** 2, GAMMA * LAM, 1.0]
    np.testing.assert_allclose(change, expected, rtol=0, atol=1e-12)


def test_trajectory_scan_with_two_trailing_columns_matches_a_loop():
    rng = np.random.default_rng(0)
    delta = rng.normal(size=(8, 2))
    discount = rng.uniform(0.1, 0.9, size=8) * (NEXT >= 0)
    expected = np.zeros((8, 2))
    for i in sorted(range(8), key=lambda i: -STEP[i]):  # later steps first
        expected[i] = delta[i] + discount[i] * (expected[NEXT[i]] if NEXT[i] >= 0 else 0.0)
    out = trajectory_scan(delta, discount, STEP, AGENT)
    assert out.shape == (8, 2)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)


def test_discounted_scan_uses_each_steps_own_discount():
    delta = np.array([1.0, 2.0, 3.0])
    discount = np.array([0.5, 0.0, 0.9])  # a zero cuts the chain
    np.testing.assert_allclose(discounted_scan(delta, discount), [1 + 0.5 * 2, 2, 3], rtol=0, atol=1e-12)


# ------------------------------------------------------------------ d u / d eta
def eq12(u, alpha, beta):
    return alpha * beta * u[:, 0] + alpha * (1 - beta) * u[:, 1] + (1 - alpha) * u[:, 2]


@pytest.mark.parametrize(("alpha", "beta"), [(0.3, 0.7), (0.95, 0.1), (0.0, 1.0)])
def test_utility_grad_matches_central_finite_differences(alpha, beta):
    u = np.random.default_rng(1).uniform(size=(6, 3))
    h = 1e-6
    d_alpha = (eq12(u, alpha + h, beta) - eq12(u, alpha - h, beta)) / (2 * h)
    d_beta = (eq12(u, alpha, beta + h) - eq12(u, alpha, beta - h)) / (2 * h)
    grad = utility_grad(u, alpha, beta)
    assert grad.shape == (6, 2)
    np.testing.assert_allclose(grad[:, 0], d_alpha, rtol=0, atol=1e-8)
    np.testing.assert_allclose(grad[:, 1], d_beta, rtol=0, atol=1e-8)



# ------------------------------------------------------------------ team reward R_t
@pytest.fixture(scope="module")
def played():
    return play_recorded(PLAYED_CONFIG, PLAYED_ETA)


def test_team_reward_env_is_the_per_step_sum_of_sparse_rewards(played):
    episode, seen, _ = played
    expected = [sum(s["result"].reward_sparse.tolist()) for s in seen]
    np.testing.assert_allclose(team_rewards(episode, "env", FAILED, FAILED), expected, rtol=0, atol=1e-9)


def test_team_reward_env_revalues_failed_recommendations(played):
    """credit.failed_reward = 0 under team_reward "env": each step's sum of sparse rewards less the env's -1s."""
    episode, seen, _ = played
    expected = [sum(s["result"].reward_sparse.tolist()) - FAILED * s["result"].failed_recommendations for s in seen]
    assert any(s["result"].failed_recommendations for s in seen)
    np.testing.assert_allclose(team_rewards(episode, "env", 0.0, FAILED), expected, rtol=0, atol=1e-9)


def test_team_reward_revenue_delta_sums_to_revenue_and_failed_recommendations(played):
    episode, seen, revenue = played
    rewards = team_rewards(episode, "revenue_delta", FAILED, FAILED)
    failures = sum(s["result"].failed_recommendations for s in seen)
    assert rewards.sum() == pytest.approx(revenue + FAILED * failures)
    for t, s in enumerate(seen):
        assert rewards[t] == pytest.approx(s["result"].revenue_delta + FAILED * s["result"].failed_recommendations)


def test_step_discounts_on_a_second_clock_are_gamma_to_the_elapsed_seconds():
    discount, trace = step_discounts(np.array([0.0, 5.0, 20.0]), 0.9, 0.5)
    np.testing.assert_allclose(discount, [0.9 ** 5, 0.9 ** 15, 1.0])
    np.testing.assert_allclose(trace, [0.45 ** 5, 0.45 ** 15, 1.0])


def _advantages(team: np.ndarray) -> Advantages:
    n = team.size
    return Advantages(team=team, agent=np.arange(n, dtype=float), chain=np.ones((n, 2)), returns=np.zeros(3),
                      returns_hat=np.zeros(n), returns_task=None)


def test_replay_credit_trains_on_the_replayed_rows_divided_by_their_rms_without_centring():
    team = np.array([np.nan, 3.0, 0.0, np.nan, -4.0, 0.0])
    replay = ReplayCredit(CreditConfig(scheme="replay"), FAILED, source=None, matcher="km", run_seed=0, device=None)
    rows, a, a_hat, _ = actor_signals(_advantages(team), np.ones(6, bool), PPOConfig(), MetaConfig(variant="sparse"),
                                      replay)
    assert rows.tolist() == [1, 2, 4, 5]
    rms = np.sqrt((9 + 16) / 4)
    assert np.allclose(a, [0.0, 3 / rms, 0.0, 0.0, -4 / rms, 0.0])  # no-effect decisions stay exactly 0
    assert np.isclose(a_hat[rows].mean(), 0.0)  # theta-hat's A^ is standardised as usual


def test_other_credit_standardises_over_the_transitions_with_a_choice():
    team = np.array([1.0, 2.0, 3.0, 10.0])
    rows, a, _, _ = actor_signals(_advantages(team), np.array([True, True, True, False]), PPOConfig(), MetaConfig(),
                                  Credit(CreditConfig(), FAILED))
    assert rows.tolist() == [0, 1, 2]
    assert np.allclose(a[rows], (team[:3] - 2.0) / team[:3].std())
