"""Episode storage: ``EpisodeRecorder`` keeps what the env gave, and ``next_transition`` links each agent's steps."""

import numpy as np
import pytest

from rmo_agents.batch import AGENT_KEYS, GRAPH_KEYS
from rmo_agents.buffer import next_transition
from tests.rmo_agents.builders import AGENT, NEXT, STEP, play_recorded
from tests.rmo_agents.builders import PLAYED_CONFIG as CONFIG
from tests.rmo_agents.builders import PLAYED_ETA as ETA


# ------------------------------------------------------------------ next_transition
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



def test_finish_records_revenue_delta_and_failed_recommendations_per_step(played):
    episode, seen, revenue = played
    np.testing.assert_array_equal(episode.revenue_delta, [s["result"].revenue_delta for s in seen])
    np.testing.assert_array_equal(episode.failed_recommendations, [s["result"].failed_recommendations for s in seen])
    assert episode.revenue_delta.sum() == pytest.approx(revenue)
    assert episode.metrics["failed_recommendations"] == episode.failed_recommendations.sum()


# ------------------------------------------------------------------ EpisodeRecorder on a real env


@pytest.fixture(scope="module")
def played():
    """One random-action episode, recorded, plus what was seen at every step."""
    return play_recorded(CONFIG, ETA)


def test_played_episode_has_matches_drops_and_late_arrivals(played):
    episode, seen, _ = played
    ep = episode
    assert ep.matched.any()
    assert any(s["result"].truncated.any() for s in seen)
    first = {}
    for i, a in enumerate(ep.agent.tolist()):
        first.setdefault(a, ep.step[i])
    assert max(first.values()) > 0


def test_finish_counts_steps_and_transitions(played):
    episode, seen, _ = played
    ep = episode
    m = sum(s["agents"].size for s in seen)
    assert ep.num_steps == len(seen) and ep.num_transitions == m
    for name in ("actions", "log_prob", "step", "agent", "next", "reward_sparse", "reward_shaped", "matched"):
        assert getattr(ep, name).shape == (m,), name
    assert ep.utilities.shape == (m, 3)
    for k in AGENT_KEYS:
        assert ep.obs[k].shape == (m, *seen[0]["obs"][k].shape[1:]), k
    assert ep.obs["graph_index"].shape == (m,)
    assert ep.obs["task_mask"].shape[0] < m  # agents of one task at one step share their graph
    assert ep.revenue_delta.shape == ep.failed_recommendations.shape == (len(seen),)


def test_finish_step_agent_and_action_columns_follow_the_recorded_steps(played):
    episode, seen, _ = played
    ep = episode
    assert ep.step.tolist() == [t for t, s in enumerate(seen) for _ in range(s["agents"].size)]
    assert ep.agent.tolist() == [int(a) for s in seen for a in s["agents"]]
    assert ep.actions.tolist() == [int(a) for s in seen for a in s["actions"]]
    assert ep.actions.dtype == np.int64 and ep.step.dtype == np.int64 and ep.matched.dtype == bool


def test_finish_keeps_every_steps_observations(played):
    episode, seen, _ = played
    obs = episode.obs
    for k in AGENT_KEYS:
        np.testing.assert_array_equal(obs[k], np.concatenate([s["obs"][k] for s in seen]))
    for k in GRAPH_KEYS:  # each agent's own graph, read through graph_index, is the one it observed
        np.testing.assert_array_equal(obs[k][obs["graph_index"]], np.concatenate([s["obs"][k] for s in seen]))


def test_finish_state_tables_are_compacted_and_padded_with_lengths(played):
    episode, seen, _ = played
    ep = episode
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
    episode, seen, _ = played
    ep = episode
    left = np.concatenate([s["result"].terminated | s["result"].truncated for s in seen])
    assert ((ep.next == -1) == left).all()
    linked = ep.next >= 0
    assert (ep.agent[ep.next[linked]] == ep.agent[linked]).all()
    assert (ep.step[ep.next[linked]] == ep.step[linked] + 1).all()


def test_finish_utilities_are_zero_except_for_matched_transitions(played):
    episode, seen, _ = played
    ep = episode
    np.testing.assert_array_equal(ep.matched, np.concatenate([s["result"].terminated for s in seen]))
    assert not ep.utilities[~ep.matched].any()
    assert (ep.utilities[ep.matched].sum(axis=1) > 0).all()


def test_finish_keeps_eta_and_metrics(played):
    episode, _, revenue = played
    ep = episode
    assert ep.eta == ETA
    assert ep.metrics["revenue"] == pytest.approx(revenue)


def test_finish_books_each_tasks_revenue_at_the_step_whose_revenue_delta_holds_it(played):
    episode, _, revenue = played
    assert episode.task_revenue.sum() == pytest.approx(revenue)
    booked = np.bincount(episode.task_booked, weights=episode.task_revenue, minlength=episode.num_steps)
    np.testing.assert_allclose(booked, episode.revenue_delta, atol=1e-9)


def test_finish_records_increasing_decision_times_on_the_epoch_grid(played):
    episode, seen, _ = played
    np.testing.assert_array_equal(episode.step_time, [s["result"].time for s in seen])
    assert np.all(np.diff(episode.step_time) > 0)
    np.testing.assert_allclose(episode.step_time % CONFIG.decision_interval, 0.0)


def test_finish_gives_each_agent_one_task_in_subtask_order(played):
    episode, _, _ = played
    order = np.argsort(episode.agent, kind="stable")
    agent, task = episode.agent[order], episode.task[order]
    assert np.all(np.diff(task) >= 0)  # global subtask indices are grouped by task
    assert np.all(task[1:][agent[1:] == agent[:-1]] == task[:-1][agent[1:] == agent[:-1]])
