"""The meta-gradient (Eq. 6-8) and the eta signal (Eq. 14-19) against finite differences and the closed form.

Everything here is float64. The shaped loss L^ is re-implemented in the test from logits, so the
oracle does not share code with ``meta.meta_step`` beyond the actor's forward.
"""

import numpy as np
import pytest
import torch
from torch.func import functional_call, jvp

from dasc_env.matching import km_assignment
from rmo_agents.advantages import trajectory_scan, utility_grad
from rmo_agents.meta import eta_gradient, meta_step, post_step_direction
from tests.rmo_agents.builders import make_actor, make_obs

EPS_CLIP, ENT, MU = 0.1, 0.01, 0.05
N = 24


def problem(seed=0):
    """Actor, theta, theta-hat (theta plus noise), a batch, and A, A^ with samples on both sides of the clip."""
    actor = make_actor(seed)
    gen = torch.Generator().manual_seed(seed + 100)
    theta = {k: p.detach().clone() for k, p in actor.named_parameters()}
    theta_hat = {k: p + 0.15 * torch.randn(p.shape, generator=gen, dtype=p.dtype) for k, p in theta.items()}
    obs = make_obs(n=N, seed=seed)
    mask = obs["action_mask"].bool()
    actions = (torch.rand(N, generator=gen) < 0.5).long() & mask[:, 1].long()
    with torch.no_grad():
        old = logp(actor, theta, obs, actions) + 0.05 * torch.randn(N, generator=gen, dtype=torch.float64)
    adv = torch.randn(N, generator=gen, dtype=torch.float64)
    adv_hat = torch.randn(N, generator=gen, dtype=torch.float64)
    return actor, theta, theta_hat, obs, actions, old, adv, adv_hat


def logp(actor, params, obs, actions):
    log_p = torch.log_softmax(functional_call(actor, params, (obs,)), dim=-1)
    return log_p.gather(1, actions[:, None]).squeeze(1)


def shaped_loss(actor, theta, theta_hat, obs, actions, adv_hat):
    """L^ of Eq. 4 with the ratio of Eq. 5 (live theta in the denominator), minus the entropy bonus."""
    log_p_hat = torch.log_softmax(functional_call(actor, theta_hat, (obs,)), dim=-1)
    ratio = torch.exp(log_p_hat.gather(1, actions[:, None]).squeeze(1) - logp(actor, theta, obs, actions))
    surrogate = torch.minimum(ratio * adv_hat, ratio.clamp(1 - EPS_CLIP, 1 + EPS_CLIP) * adv_hat)
    entropy = -(log_p_hat.exp() * log_p_hat).sum(-1)
    return -surrogate.mean() - ENT * entropy.mean(), ratio


def inner_gradient(actor, theta, theta_hat, obs, actions, adv_hat, create_graph=False):
    hat = {k: p.detach().requires_grad_(True) for k, p in theta_hat.items()}
    loss, _ = shaped_loss(actor, theta, hat, obs, actions, adv_hat)
    return torch.autograd.grad(loss, list(hat.values()), create_graph=create_graph)


def outer_value(actor, theta, theta_hat, obs, actions, adv_hat, v):
    """F = <v, theta-hat - mu g^(theta, A^)> up to a constant: the outer objective after one SGD step."""
    g = inner_gradient(actor, theta, theta_hat, obs, actions, adv_hat)
    return -MU * sum((vk * gk).sum() for vk, gk in zip(v, g))


def run_meta(actor, theta, theta_hat, obs, actions, old, adv, adv_hat, **kw):
    params = {k: p.detach().requires_grad_(True) for k, p in theta.items()}
    hat = {k: p.detach().requires_grad_(True) for k, p in theta_hat.items()}
    args = dict(clip_eps=EPS_CLIP, entropy_coef=ENT, inner_lr=MU, want_sensitivity=True)
    return meta_step(actor, params, hat, obs, actions, old, adv, adv_hat, **{**args, **kw})


def test_problem_has_clipped_and_unclipped_samples_away_from_the_kinks():
    actor, theta, theta_hat, obs, actions, _, _, adv_hat = problem()
    with torch.no_grad():
        _, ratio = shaped_loss(actor, theta, theta_hat, obs, actions, adv_hat)
    outside = (ratio - 1).abs() > EPS_CLIP
    assert outside.any() and (~outside).any()
    assert ((ratio - (1 + EPS_CLIP)).abs().min() > 1e-4) and ((ratio - (1 - EPS_CLIP)).abs().min() > 1e-4)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_meta_gradient_matches_central_differences_along_random_theta_directions(seed):
    actor, theta, theta_hat, obs, actions, old, adv, adv_hat = problem()
    step = run_meta(actor, theta, theta_hat, obs, actions, old, adv, adv_hat, xi=1.0, split_meta=True)
    v = inner_gradient(actor, theta, theta_hat, obs, actions, adv_hat)
    gen = torch.Generator().manual_seed(seed)
    direction = {k: torch.randn(p.shape, generator=gen, dtype=p.dtype) for k, p in theta.items()}
    h = 1e-6
    plus = outer_value(actor, {k: p + h * direction[k] for k, p in theta.items()}, theta_hat, obs, actions, adv_hat, v)
    minus = outer_value(actor, {k: p - h * direction[k] for k, p in theta.items()}, theta_hat, obs, actions, adv_hat,
                        v)
    numeric = float((plus - minus) / (2 * h))
    analytic = float(sum((m * direction[k]).sum() for m, k in zip(step.meta, theta)))
    assert abs(analytic) > 1e-6
    assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-10)


@pytest.mark.parametrize("seed", [0, 1])
def test_advantage_sensitivity_matches_central_differences_along_random_directions(seed):
    actor, theta, theta_hat, obs, actions, old, adv, adv_hat = problem()
    step = run_meta(actor, theta, theta_hat, obs, actions, old, adv, adv_hat, xi=1.0)
    v = inner_gradient(actor, theta, theta_hat, obs, actions, adv_hat)
    direction = torch.randn(N, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    h = 1e-6
    plus = outer_value(actor, theta, theta_hat, obs, actions, adv_hat + h * direction, v)
    minus = outer_value(actor, theta, theta_hat, obs, actions, adv_hat - h * direction, v)
    numeric = float((plus - minus) / (2 * h))
    analytic = float((step.advantage_sensitivity * direction).sum())
    assert abs(analytic) > 1e-8
    assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-12)


def test_theta_gradient_is_first_order_plus_xi_times_meta():
    actor, theta, theta_hat, obs, actions, old, adv, adv_hat = problem()
    xi = 0.7
    step = run_meta(actor, theta, theta_hat, obs, actions, old, adv, adv_hat, xi=xi, split_meta=True)
    params = {k: p.detach().requires_grad_(True) for k, p in theta.items()}
    ratio = torch.exp(logp(actor, params, obs, actions) - old)
    log_p = torch.log_softmax(functional_call(actor, params, (obs,)), dim=-1)
    loss = -torch.minimum(ratio * adv, ratio.clamp(1 - EPS_CLIP, 1 + EPS_CLIP) * adv).mean() \
        + ENT * (log_p.exp() * log_p).sum(-1).mean()
    first = torch.autograd.grad(loss, list(params.values()))
    for g, f, m in zip(step.grad_theta, first, step.meta):
        torch.testing.assert_close(g, f + xi * m, rtol=1e-10, atol=1e-14)


def test_fused_double_backward_equals_the_split_path():
    args = problem()
    fused = run_meta(*args, xi=0.3)
    split = run_meta(*args, xi=0.3, split_meta=True)
    for a, b in zip(fused.grad_theta, split.grad_theta):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(fused.advantage_sensitivity, split.advantage_sensitivity, rtol=1e-9, atol=1e-14)


def test_meta_gradient_and_sensitivity_equal_the_closed_form():
    """-mu grad_theta M = grad_theta sum_i (mu/|B|) sg(f'_i d_i) l_i and s_i = (mu/|B|) psi^_i 1[unclipped] d_i,
    with f'_i = -psi^_i A^_i 1[unclipped] and d_i = <grad_theta-hat l^_i, v> from one jvp."""
    actor, theta, theta_hat, obs, actions, old, adv, adv_hat = problem()
    step = run_meta(actor, theta, theta_hat, obs, actions, old, adv, adv_hat, xi=1.0, split_meta=True)
    v = inner_gradient(actor, theta, theta_hat, obs, actions, adv_hat)
    tangent = dict(zip(theta_hat, v))
    _, d = jvp(lambda p: logp(actor, p, obs, actions), (theta_hat,), (tangent,))
    with torch.no_grad():
        _, ratio = shaped_loss(actor, theta, theta_hat, obs, actions, adv_hat)
    unclipped = torch.where(adv_hat >= 0, ratio < 1 + EPS_CLIP, ratio > 1 - EPS_CLIP).double()
    f_prime = -ratio * adv_hat * unclipped
    params = {k: p.detach().requires_grad_(True) for k, p in theta.items()}
    surrogate = (MU / N * (f_prime * d).detach() * logp(actor, params, obs, actions)).sum()
    closed = torch.autograd.grad(surrogate, list(params.values()))
    for a, b in zip(step.meta, closed):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-13)
    torch.testing.assert_close(step.advantage_sensitivity, MU / N * ratio * unclipped * d, rtol=1e-9, atol=1e-14)


def test_post_outer_direction_matches_central_differences_through_a_real_step():
    """outer="post": F(theta) = L^(theta-hat - mu g^(theta); theta_0, B'), theta fixed in the outer loss."""
    actor, theta, theta_hat, obs, actions, old, adv, adv_hat = problem()
    obs2, actions2 = make_obs(n=N, seed=7), torch.zeros(N, dtype=torch.long)
    adv2 = torch.randn(N, generator=torch.Generator().manual_seed(3), dtype=torch.float64)

    def outer(th):
        g = inner_gradient(actor, th, theta_hat, obs, actions, adv_hat)
        moved = {k: p - MU * gk for (k, p), gk in zip(theta_hat.items(), g)}
        return shaped_loss(actor, theta, moved, obs2, actions2, adv2)[0]

    g_hat = inner_gradient(actor, theta, theta_hat, obs, actions, adv_hat)
    v = post_step_direction(actor, theta, theta_hat, list(g_hat), MU, obs2, actions2, adv2,
                            clip_eps=EPS_CLIP, entropy_coef=ENT)
    step = run_meta(actor, theta, theta_hat, obs, actions, old, adv, adv_hat, xi=1.0, split_meta=True,
                    outer_direction=v)
    direction = {k: torch.randn(p.shape, generator=torch.Generator().manual_seed(5), dtype=p.dtype)
                 for k, p in theta.items()}
    h = 1e-6
    numeric = float((outer({k: p + h * direction[k] for k, p in theta.items()})
                     - outer({k: p - h * direction[k] for k, p in theta.items()})) / (2 * h))
    analytic = float(sum((m * direction[k]).sum() for m, k in zip(step.meta, theta)))
    assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-10)


def test_eta_gradient_matches_central_differences_of_the_utility_chain():
    """A^_i(eta) = A^_i + u_i(eta) - u_i(eta_0) on matched samples (dA/dr = dr/du = 1, Eq. 15-18)."""
    actor, theta, theta_hat, obs, actions, old, adv, adv_hat = problem()
    step = run_meta(actor, theta, theta_hat, obs, actions, old, adv, adv_hat, xi=1.0)
    v = inner_gradient(actor, theta, theta_hat, obs, actions, adv_hat)
    rng = np.random.default_rng(0)
    utilities = rng.uniform(0, 1, (N, 3))
    matched = rng.random(N) < 0.5
    eta0 = np.array([0.6, 0.3])

    def u(eta):
        a, b = eta
        return a * b * utilities[:, 0] + a * (1 - b) * utilities[:, 1] + (1 - a) * utilities[:, 2]

    def value(eta):
        shift = torch.from_numpy(matched * (u(eta) - u(eta0)))
        return float(outer_value(actor, theta, theta_hat, obs, actions, adv_hat + shift, v))

    h = 1e-6
    numeric = [(value(eta0 + h * e) - value(eta0 - h * e)) / (2 * h) for e in np.eye(2)]
    analytic = eta_gradient(step.advantage_sensitivity,
                            torch.from_numpy(utility_grad(utilities, *eta0) * matched[:, None]))
    np.testing.assert_allclose(analytic.numpy(), numeric, rtol=1e-6, atol=1e-12)


def test_gae_chain_equals_autograd_through_a_differentiable_gae():
    """trajectory_scan of du/d eta with (gamma lambda) is the Jacobian of the per-agent GAE w.r.t. eta."""
    gamma_lambda = 0.99 * 0.95
    step = np.array([0, 1, 2, 0, 1, 2, 3, 2, 3])
    agent = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2])
    has_next = np.array([1, 1, 0, 1, 1, 1, 0, 1, 0], dtype=bool)
    matched = ~has_next & np.array([1, 1, 1, 1, 1, 1, 0, 1, 1], dtype=bool)  # agent 1 is dropped at its end
    utilities = np.random.default_rng(1).uniform(0, 1, (9, 3))
    eta = torch.tensor([0.4, 0.7], dtype=torch.float64, requires_grad=True)
    a, b = eta
    u_all = torch.from_numpy(utilities)
    u = a * b * u_all[:, 0] + a * (1 - b) * u_all[:, 1] + (1 - a) * u_all[:, 2]
    rewards = torch.from_numpy(matched.astype(np.float64)) * u
    advantage = [None] * 9
    for i in range(8, -1, -1):  # per-agent GAE with zero values: A_i = r_i + gl * A_next(i)
        advantage[i] = rewards[i] + (gamma_lambda * advantage[i + 1] if has_next[i] else 0.0)
    weights = torch.randn(9, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    (grad,) = torch.autograd.grad((weights * torch.stack(advantage)).sum(), eta)
    du = utility_grad(utilities, 0.4, 0.7) * matched[:, None]
    chain = trajectory_scan(du, has_next * gamma_lambda, step, agent)
    np.testing.assert_allclose((weights.numpy()[:, None] * chain).sum(0), grad.numpy(), rtol=1e-12)


def test_km_optimum_gradient_is_the_matched_pairs_utility_gradient():
    """Envelope theorem: d/d eta max_M sum_M u(eta) = sum over the optimal pairs of du/d eta (unique optimum)."""
    rng = np.random.default_rng(3)
    parts = rng.uniform(0, 1, (3, 6, 8))
    feasible = rng.random((6, 8)) < 0.7

    def total(eta):
        a, b = eta
        util = a * b * parts[0] + a * (1 - b) * parts[1] + (1 - a) * parts[2]
        rows, cols = km_assignment(util, feasible)
        return util[rows, cols].sum(), (rows, cols)

    eta0 = np.array([0.55, 0.35])
    _, (rows, cols) = total(eta0)
    h = 1e-6
    numeric = [(total(eta0 + h * e)[0] - total(eta0 - h * e)[0]) / (2 * h) for e in np.eye(2)]
    analytic = utility_grad(parts[:, rows, cols].T, *eta0).sum(0)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7)
    assert total(eta0 + h)[1][1].tolist() == cols.tolist()


def test_soft_update_per_agent_equals_one_sum_step_at_chi_mu():
    """Alg. 1: per agent theta^n = theta - mu grad L_n, theta <- chi theta^n + (1 - chi) theta, equals
    theta - chi mu sum_n grad L_n up to O((chi mu)^2)."""
    actor, theta, _, obs, actions, old, adv, _ = problem()
    chi, mu = 1e-3, 1e-1

    def agent_grad(params, i):
        p = {k: v.detach().requires_grad_(True) for k, v in params.items()}
        ratio = torch.exp(logp(actor, p, {k: o[i:i + 1] for k, o in obs.items()}, actions[i:i + 1]) - old[i:i + 1])
        loss = -torch.minimum(ratio * adv[i], ratio.clamp(1 - EPS_CLIP, 1 + EPS_CLIP) * adv[i]).sum()
        return dict(zip(p, torch.autograd.grad(loss, list(p.values()))))

    sequential = dict(theta)
    for i in range(N):
        g = agent_grad(sequential, i)
        sequential = {k: chi * (v - mu * g[k]) + (1 - chi) * v for k, v in sequential.items()}
    grads = [agent_grad(theta, i) for i in range(N)]
    batched = {k: v - chi * mu * sum(g[k] for g in grads) for k, v in theta.items()}
    step = sum(((batched[k] - theta[k]) ** 2).sum() for k in theta).sqrt()
    gap = sum(((batched[k] - sequential[k]) ** 2).sum() for k in theta).sqrt()
    assert gap < 1e-2 * step
