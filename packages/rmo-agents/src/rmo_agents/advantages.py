"""Advantages of both MDPs (Eq. 17) and the eta chain (Eq. 15-18), from recorded episodes, as arrays.

An episode is a sequence of decision steps t = 0..T-1 (one global state each) and a flat list of
agent-transitions i (one per live agent per step) with its step ``step[i]``, its agent ``agent[i]``
and ``next[i]``, the same agent's transition at t + 1 (-1 once it has left); see ``buffer.Episode``.

* Team advantage (sparse MDP): GAE over steps of the team reward R_t (``team_rewards``); theta's advantage is
  formed from it (and, for per-task schemes, from GAE along each agent's trajectory of its task's outcome) by the
  run's credit scheme (``credit``).
* Agent advantage (theta-hat, shaped MDP): GAE along each agent's own trajectory,
  delta_i = r^sh_i + gamma V^(next) - V^_i, so dA_i / dr_i = 1 exactly (Eq. 18).
* The eta chain: du_i/d eta (Eq. 12-13) at the matched transitions, carried back along each agent's
  trajectory with the GAE Jacobian (gamma lambda)^k (``meta.eta_chain="gae"``) or left at the match
  (``"paper"``: dA/dr = 1).

Each GAE is one reverse scan over a (T, columns) table (``discounted_scan``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .buffer import Episode
from .config import MetaConfig, PPOConfig

if TYPE_CHECKING:  # the schemes build on this module's GAEs
    from .credit import Credit


def discounted_scan(delta: np.ndarray, discount: np.ndarray) -> np.ndarray:
    """out[t] = delta[t] + discount[t] * out[t + 1] (out[T] = 0), along axis 0; any trailing shape."""
    out = np.zeros_like(delta, dtype=np.float64)
    running = np.zeros(delta.shape[1:], dtype=np.float64)
    for t in range(delta.shape[0] - 1, -1, -1):
        running = delta[t] + discount[t] * running
        out[t] = running
    return out


def team_gae(rewards: np.ndarray, values: np.ndarray, discount: np.ndarray, trace: np.ndarray) -> np.ndarray:
    """A_t of Eq. 17 over one episode: delta_t = R_t + gamma_t V(s_{t+1}) - V(s_t), V(s_T) = 0 (terminal), scanned
    with (gamma lambda)_t; ``discount`` and ``trace`` ``(T,)`` are gamma and gamma lambda from step t to t + 1
    (``step_discounts``)."""
    next_values = np.append(values[1:], 0.0)
    delta = rewards + discount * next_values - values
    return discounted_scan(delta, trace)


def agent_gae(rewards: np.ndarray, values: np.ndarray, step: np.ndarray, agent: np.ndarray, nxt: np.ndarray,
              discount: np.ndarray, trace: np.ndarray) -> np.ndarray:
    """Per-agent A^_i (Eq. 17 along each agent's trajectory; no bootstrap once it has left); ``discount`` and
    ``trace`` per step as in ``team_gae``."""
    has_next = nxt >= 0
    next_values = np.where(has_next, values[np.maximum(nxt, 0)], 0.0)
    delta = rewards + discount[step] * next_values - values
    return trajectory_scan(delta, has_next * trace[step], step, agent)


def episode_clock(episode: Episode, unit: str) -> np.ndarray:
    """(T,) each decision step's time in the discount's unit (``ppo.time_unit``): its index ("step", the paper)
    or the simulated seconds ("second"; epochs without open subtasks are skipped, so steps are uneven)."""
    return np.arange(episode.num_steps, dtype=np.float64) if unit == "step" else episode.step_time


def step_discounts(clock: np.ndarray, gamma: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """(gamma^dt, (gamma lambda)^dt) from each step to the next, dt on ``clock`` (the last step's: dt = 0)."""
    dt = np.diff(clock, append=clock[-1:])
    return gamma ** dt, (gamma * lam) ** dt


def trajectory_scan(delta: np.ndarray, discount: np.ndarray, step: np.ndarray, agent: np.ndarray) -> np.ndarray:
    """out_i = delta_i + discount_i * out_next(i) along each agent's trajectory, on a dense (T, S) table.

    ``delta`` may carry trailing dimensions (e.g. the two components of d u / d eta).
    """
    _, cols = np.unique(agent, return_inverse=True)
    shape = (int(step.max()) + 1 if step.size else 0, int(cols.max()) + 1 if cols.size else 0)
    table = np.zeros(shape + delta.shape[1:])
    disc = np.zeros(shape + (1,) * (delta.ndim - 1))
    table[step, cols] = delta
    disc[step, cols] = discount.reshape((-1,) + (1,) * (delta.ndim - 1))
    return discounted_scan(table, disc)[step, cols]


def utility_grad(utilities: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """(n, 2) du/d(alpha, beta) of u = ab u_sk + a(1-b) u_di + (1-a) u_ti (Eq. 12-13).

    du/dalpha = beta u_sk + (1 - beta) u_di - u_ti; du/dbeta = alpha (u_sk - u_di).
    """
    u_sk, u_di, u_ti = utilities[:, 0], utilities[:, 1], utilities[:, 2]
    return np.stack([beta * u_sk + (1.0 - beta) * u_di - u_ti, alpha * (u_sk - u_di)], axis=1)


def team_rewards(episode: Episode, kind: str, failed_reward: float, env_failed_reward: float) -> np.ndarray:
    """R_t of the sparse MDP per decision step (``ppo.team_reward``), with ``failed_reward`` per failed
    recommendation (``ppo.failed_reward``).

    ``"env"``: the sum of the acting agents' sparse rewards (Eq. 1 to each completed task's last subtask), their
    failed recommendations re-valued from the env's ``env_failed_reward`` to ``failed_reward``.
    ``"revenue_delta"``: the change of E(M) (Eq. 2) booked by the step, which also counts failed tasks'
    -kappa sum d, plus ``failed_reward`` per failed recommendation.
    """
    if kind == "env":
        failed = (episode.actions == 1) & ~episode.matched
        weights = episode.reward_sparse + (failed_reward - env_failed_reward) * failed
        return np.bincount(episode.step, weights=weights, minlength=episode.num_steps)
    return episode.revenue_delta + failed_reward * episode.failed_recommendations


@dataclass(frozen=True)
class Advantages:
    """Per agent-transition advantages and value targets of a batch of episodes (before normalisation)."""

    team: np.ndarray
    """A of theta per transition, as the credit scheme assigns it (``Credit.assign``; replay: NaN where not
    replayed)."""
    agent: np.ndarray
    """A^ of theta-hat per transition (Eq. 17 along the agent's trajectory)."""
    chain: np.ndarray
    """(n, 2) dA^_i/dr_i * du_i/d eta per transition (Eq. 15-18), zero where no utility was defined."""
    returns: np.ndarray
    """Team value targets A_t + V(s_t) per decision step (Eq. 20)."""
    returns_hat: np.ndarray
    """Agent value targets A^_i + V^_i per transition."""
    returns_task: np.ndarray | None
    """Per-task value targets per transition (per-task credit schemes), else None."""


def episode_advantages(episodes: list[Episode], values: np.ndarray, values_hat: np.ndarray, ppo: PPOConfig,
                       meta: MetaConfig, credit: Credit, values_task: np.ndarray | None = None) -> Advantages:
    """Both GAEs and the eta chain of each episode, concatenated, theta's A formed by ``credit``; theta's signals
    value a failed recommendation at ``credit.failed_reward``, theta-hat's shaped rewards are the env's.
    ``values`` ``(sum T,)``, ``values_hat`` and ``values_task`` ``(sum n,)`` are the critic's heads on the
    episodes' states and transitions, in order (``values_task`` exactly with a per-task scheme)."""
    lam, gamma, per_task = ppo.gae_lambda, ppo.gamma, credit.per_task
    if per_task != (values_task is not None):
        raise ValueError("values_task must be given exactly with a per-task credit scheme ('task', 'task+team')")
    team, agent, chain, returns, returns_hat, returns_task = [], [], [], [], [], []
    start_t, start_i = 0, 0
    for e in episodes:
        steps, rows = slice(start_t, start_t + e.num_steps), slice(start_i, start_i + e.num_transitions)
        v, vh = values[steps], values_hat[rows]
        clock = episode_clock(e, ppo.time_unit)
        discount, trace = step_discounts(clock, gamma, lam)
        rewards = team_rewards(e, credit.config.team_reward, credit.failed_reward, credit.env_failed_reward)
        a_t = team_gae(rewards, v, discount, trace)
        a_h = agent_gae(e.reward_shaped, vh, e.step, e.agent, e.next, discount, trace)
        du = utility_grad(e.utilities, *e.eta) * e.matched[:, None]
        if meta.eta_samples == "positive_shaped":
            du *= (e.reward_shaped > 0)[:, None]
        if meta.eta_chain == "gae":
            du = trajectory_scan(du, (e.next >= 0) * trace[e.step], e.step, e.agent)
        a_task = None
        if per_task:
            vt = values_task[rows]
            a_task = agent_gae(credit.task_rewards(e, clock, gamma), vt, e.step, e.agent, e.next, discount, trace)
            returns_task.append(a_task + vt)
        a_i = credit.assign(e, a_t[e.step], a_task)
        team.append(a_i)
        agent.append(a_h)
        chain.append(du)
        returns.append(a_t + v)
        returns_hat.append(a_h + vh)
        start_t += e.num_steps
        start_i += e.num_transitions
    return Advantages(*(np.concatenate(x) for x in (team, agent, chain, returns, returns_hat)),
                      returns_task=np.concatenate(returns_task) if per_task else None)


def standardise(advantages: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(A - mean) / (std + 1e-8), the statistics taken over ``rows`` (default: the whole rollout), and the divisor
    (the eta chain is divided by it too)."""
    ref = advantages if rows is None else advantages[rows]
    if ref.size == 0:
        return advantages.astype(np.float64), 1.0
    sigma = ref.std() + 1e-8
    return (advantages - ref.mean()) / sigma, sigma


def actor_signals(adv: Advantages, choice: np.ndarray | None, ppo: PPOConfig, meta: MetaConfig,
                  credit: Credit) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(rows, A, A^, chain) as the actors train on them: the rows are the transitions with a choice (``choice``;
    None: all) as the credit scheme picks them (``Credit.actor_rows``); with ``ppo.normalize_advantages`` A is
    scaled by the scheme (``Credit.normalise``) and A^ standardised over the rows (the eta chain divided by A^'s
    divisor)."""
    team, agent, chain = adv.team, adv.agent, adv.chain
    rows = np.flatnonzero(choice) if choice is not None else np.arange(team.size)
    rows, team = credit.actor_rows(team, rows)
    if ppo.normalize_advantages:
        team = credit.normalise(team, rows)
        agent, sigma = standardise(agent, rows)
        if meta.eta_chain == "gae":
            chain = chain / sigma
    return rows, team, agent, chain
