"""Advantages of both MDPs (Eq. 17, 18), the trajectory bookkeeping and ``EpisodeRecorder``, against plain loops."""

import numpy as np
import pytest

from dasc_env import DASCConfig
from rmo_agents.adapter import DascAdapter
from rmo_agents.buffer import (
    AGENT_KEYS,
    GRAPH_KEYS,
    EpisodeRecorder,
    agent_gae,
    discounted_scan,
    next_transition,
    shared_batch,
    team_gae,
    trajectory_scan,
    utility_grad,
)

GAMMA, LAM = 0.9, 0.8

# A 3-step episode with four agents (global subtask indices 2, 4, 9, 10), flat transitions in step order:
#   t0: 2, 4, 10     agent 2 is dropped at t0 (truncated)
#   t1: 4, 9, 10     agent 4 is matched at t1 (terminated); agent 9 appears mid-episode
#   t2: 9, 10        the episode ends
STEP = np.array([0, 0, 0, 1, 1, 1, 2, 2])
AGENT = np.array([2, 4, 10, 4, 9, 10, 9, 10])
NEXT = np.array([-1, 3, 5, -1, 6, 7, -1, -1])  # worked out by hand from the table above
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
def test_team_gae_matches_a_python_loop_on_a_3_step_episode():
    rewards, values = np.array([1.0, 0.0, 2.0]), np.array([0.5, -0.3, 1.2])
    expected, running = np.zeros(3), 0.0
    for t in reversed(range(3)):
        next_value = values[t + 1] if t + 1 < 3 else 0.0  # the episode ends: V(s_T) = 0
        running = rewards[t] + GAMMA * next_value - values[t] + GAMMA * LAM * running
        expected[t] = running
    out = team_gae(rewards, values, GAMMA, LAM)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    # by hand: A2 = 2 - 1.2; A1 = 0.9 * 1.2 + 0.3 + 0.72 A2; A0 = 1 - 0.27 - 0.5 + 0.72 A1
    np.testing.assert_allclose(out, [1.63832, 1.956, 0.8], rtol=0, atol=1e-12)


def test_team_gae_with_lambda_1_and_zero_values_is_the_discounted_return():
    rewards = np.array([1.0, -2.0, 4.0])
    out = team_gae(rewards, np.zeros(3), 0.5, 1.0)
    np.testing.assert_allclose(out, [1 - 1 + 1, -2 + 2, 4], rtol=0, atol=1e-12)


# ------------------------------------------------------------------ per-agent GAE
def test_next_transition_links_each_agent_to_its_transition_one_step_later():
    assert next_transition(STEP, AGENT).tolist() == NEXT.tolist()


def test_next_transition_does_not_depend_on_the_flat_order():
    perm = np.array([5, 0, 7, 2, 6, 1, 3, 4])
    inverse = np.argsort(perm)
    expected = [int(inverse[NEXT[p]]) if NEXT[p] >= 0 else -1 for p in perm]
    assert next_transition(STEP[perm], AGENT[perm]).tolist() == expected


def test_next_transition_does_not_bridge_a_gap():
    # agent 1 acts at t0 and t2 but not at t1
    assert next_transition(np.array([0, 2, 0, 1]), np.array([1, 1, 3, 3])).tolist() == [-1, -1, 3, -1]


def test_agent_gae_matches_a_python_loop_with_match_drop_and_late_arrival():
    expected = loop_agent_gae(SHAPED, VALUES, STEP, AGENT, GAMMA, LAM)
    out = agent_gae(SHAPED, VALUES, STEP, AGENT, NEXT, GAMMA, LAM)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)


def test_agent_gae_does_not_bootstrap_the_matched_and_the_dropped_agent():
    out = agent_gae(SHAPED, VALUES, STEP, AGENT, NEXT, GAMMA, LAM)
    assert out[0] == pytest.approx(SHAPED[0] - VALUES[0])  # agent 2, dropped at t0
    assert out[3] == pytest.approx(SHAPED[3] - VALUES[3])  # agent 4, matched at t1
    # agent 4 at t0 bootstraps from its own t1 value and advantage
    delta0 = SHAPED[1] + GAMMA * VALUES[3] - VALUES[1]
    assert out[1] == pytest.approx(delta0 + GAMMA * LAM * out[3])


def test_agent_gae_reward_of_one_transition_moves_only_that_agents_advantages():
    # Eq. 18: dA_i/dr_i = 1, and the agent's earlier transitions move by (gamma lambda)^k; nobody else moves.
    base = agent_gae(SHAPED, VALUES, STEP, AGENT, NEXT, GAMMA, LAM)
    bumped = SHAPED.copy()
    bumped[7] += 1.0  # agent 10 at t2
    change = agent_gae(bumped, VALUES, STEP, AGENT, NEXT, GAMMA, LAM) - base
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


# ------------------------------------------------------------------ EpisodeRecorder on a real env
CONFIG = DASCConfig(city="small", num_tasks=6, num_workers=6, arrival_window=300.0, min_subtasks=2, max_subtasks=4)
ETA = (0.4, 0.6)


@pytest.fixture(scope="module")
def played():
    """One random-action episode recorded twice (team_reward "env" and "revenue_delta"), plus what was seen."""
    adapter = DascAdapter(CONFIG)
    adapter.set_eta(*ETA)
    rng = np.random.default_rng(0)
    recorders = {mode: EpisodeRecorder(mode, ETA) for mode in ("env", "revenue_delta")}
    seen = []
    agents, batch = adapter.reset(3)
    while agents.size:
        state = adapter.state_tables()
        actions = rng.integers(0, 2, agents.size)
        log_prob = rng.uniform(-2.0, 0.0, agents.size)
        seen.append(dict(agents=agents.copy(), obs={k: batch[k].copy() for k in AGENT_KEYS + GRAPH_KEYS},
                         state={k: v.copy() for k, v in state.items()}, actions=actions))
        result, next_agents, next_batch = adapter.step(actions)
        seen[-1]["result"] = result
        for recorder in recorders.values():
            recorder.add(agents, shared_batch(adapter.env, agents, batch), state, actions, log_prob, result,
                         CONFIG.failed_recommendation_reward)
        agents, batch = next_agents, next_batch
    metrics = adapter.episode_metrics()
    episodes = {mode: r.finish(metrics) for mode, r in recorders.items()}
    return episodes, seen, adapter.env.total_revenue


def test_played_episode_has_matches_drops_and_late_arrivals(played):
    (episodes, seen, _) = played
    ep = episodes["env"]
    assert ep.matched.any()
    assert any(s["result"].truncated.any() for s in seen)
    first = {}
    for i, a in enumerate(ep.agent.tolist()):
        first.setdefault(a, ep.step[i])
    assert max(first.values()) > 0


def test_finish_counts_steps_and_transitions(played):
    episodes, seen, _ = played
    ep = episodes["env"]
    m = sum(s["agents"].size for s in seen)
    assert ep.num_steps == len(seen) and ep.num_transitions == m
    for name in ("actions", "log_prob", "step", "agent", "next", "reward_sparse", "reward_shaped", "matched"):
        assert getattr(ep, name).shape == (m,), name
    assert ep.utilities.shape == (m, 3)
    for k in AGENT_KEYS:
        assert ep.obs[k].shape == (m, *seen[0]["obs"][k].shape[1:]), k
    assert ep.obs["graph_index"].shape == (m,)
    assert ep.obs["task_mask"].shape[0] < m  # agents of one task at one step share their graph
    assert ep.team_reward.shape == (len(seen),)


def test_finish_step_agent_and_action_columns_follow_the_recorded_steps(played):
    episodes, seen, _ = played
    ep = episodes["env"]
    assert ep.step.tolist() == [t for t, s in enumerate(seen) for _ in range(s["agents"].size)]
    assert ep.agent.tolist() == [int(a) for s in seen for a in s["agents"]]
    assert ep.actions.tolist() == [int(a) for s in seen for a in s["actions"]]
    assert ep.actions.dtype == np.int64 and ep.step.dtype == np.int64 and ep.matched.dtype == bool


def test_finish_keeps_every_steps_observations(played):
    episodes, seen, _ = played
    obs = episodes["env"].obs
    for k in AGENT_KEYS:
        np.testing.assert_array_equal(obs[k], np.concatenate([s["obs"][k] for s in seen]))
    for k in GRAPH_KEYS:  # each agent's own graph, read through graph_index, is the one it observed
        np.testing.assert_array_equal(obs[k][obs["graph_index"]], np.concatenate([s["obs"][k] for s in seen]))


def test_finish_state_tables_are_compacted_and_padded_with_lengths(played):
    episodes, seen, _ = played
    ep = episodes["env"]
    t_steps = len(seen)
    lengths = [s["state"]["subtasks"].shape[0] for s in seen]
    assert ep.state_lengths.tolist() == lengths
    assert ep.state_subtasks.shape == (t_steps, max(lengths), seen[0]["state"]["subtasks"].shape[1])
    for t, s in enumerate(seen):
        np.testing.assert_array_equal(ep.state_subtasks[t, :lengths[t]], s["state"]["subtasks"])
        assert not ep.state_subtasks[t, lengths[t]:].any()
        np.testing.assert_array_equal(ep.state_workers[t], s["state"]["workers"])
        np.testing.assert_array_equal(ep.state_time[t], s["state"]["time"])
    assert ep.state_workers.shape[0] == ep.state_time.shape[0] == t_steps


def test_finish_next_is_minus_one_exactly_for_matched_and_dropped_agents(played):
    episodes, seen, _ = played
    ep = episodes["env"]
    left = np.concatenate([s["result"].terminated | s["result"].truncated for s in seen])
    assert ((ep.next == -1) == left).all()
    linked = ep.next >= 0
    assert (ep.agent[ep.next[linked]] == ep.agent[linked]).all()
    assert (ep.step[ep.next[linked]] == ep.step[linked] + 1).all()


def test_finish_utilities_are_zero_except_for_matched_transitions(played):
    episodes, seen, _ = played
    ep = episodes["env"]
    np.testing.assert_array_equal(ep.matched, np.concatenate([s["result"].terminated for s in seen]))
    assert not ep.utilities[~ep.matched].any()
    assert (ep.utilities[ep.matched].sum(axis=1) > 0).all()


def test_finish_team_reward_env_is_the_per_step_sum_of_sparse_rewards(played):
    episodes, seen, _ = played
    ep = episodes["env"]
    expected = [sum(s["result"].reward_sparse.tolist()) for s in seen]
    np.testing.assert_allclose(ep.team_reward, expected, rtol=0, atol=1e-9)


def test_finish_team_reward_revenue_delta_sums_to_revenue_and_failed_recommendations(played):
    episodes, seen, revenue = played
    ep = episodes["revenue_delta"]
    failures = sum(s["result"].failed_recommendations for s in seen)
    assert ep.team_reward.sum() == pytest.approx(revenue + CONFIG.failed_recommendation_reward * failures)
    for t, s in enumerate(seen):
        expected = s["result"].revenue_delta + CONFIG.failed_recommendation_reward * s["result"].failed_recommendations
        assert ep.team_reward[t] == pytest.approx(expected)


def test_finish_keeps_eta_and_metrics(played):
    episodes, _, revenue = played
    ep = episodes["env"]
    assert ep.eta == ETA
    assert ep.metrics["revenue"] == pytest.approx(revenue)
