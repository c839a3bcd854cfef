"""credit.task: per-task rewards (each agent paid its own task's revenue, discounted from the step that booked it),
against a plain loop, and the worker price."""

import numpy as np
import pytest

from rmo_agents.advantages import episode_clock
from rmo_agents.credit.task import task_rewards
from tests.rmo_agents.builders import PLAYED_CONFIG, PLAYED_ETA, play_recorded

FAILED = PLAYED_CONFIG.failed_recommendation_reward


@pytest.fixture(scope="module")
def played():
    return play_recorded(PLAYED_CONFIG, PLAYED_ETA)


def loop_task_rewards(episode, clock, gamma):
    """Each transition: -1 per failed recommendation; at the agent's last one, its task's revenue discounted
    from the step that booked it."""
    out = np.zeros(episode.num_transitions)
    for i in range(episode.num_transitions):
        if episode.actions[i] == 1 and not episode.matched[i]:
            out[i] += FAILED
        if episode.next[i] < 0:
            q = episode.task[i]
            delay = max(clock[episode.task_booked[q]] - clock[episode.step[i]], 0.0)
            out[i] += gamma ** delay * episode.task_revenue[q]
    return out


@pytest.mark.parametrize("unit", ["step", "second"])
def test_task_rewards_match_a_loop(played, unit):
    episode, _, _ = played
    clock = episode_clock(episode, unit)
    np.testing.assert_allclose(task_rewards(episode, clock, 0.99, FAILED), loop_task_rewards(episode, clock, 0.99))


def test_worker_price_charges_each_match_for_the_worker_time_it_commits(played):
    episode, _, _ = played
    clock = episode_clock(episode, "second")
    plain = task_rewards(episode, clock, 0.99, FAILED)
    priced = task_rewards(episode, clock, 0.99, FAILED, worker_price=0.05)
    np.testing.assert_allclose(plain - priced, 0.05 * episode.busy, rtol=0, atol=1e-12)
    assert (episode.busy > 0).tolist() == episode.matched.tolist()


def test_task_rewards_undiscounted_give_every_agent_its_tasks_revenue(played):
    episode, _, revenue = played
    last = episode.next < 0
    failed = (episode.actions == 1) & ~episode.matched
    rewards = task_rewards(episode, episode_clock(episode, "second"), 1.0, FAILED) - FAILED * failed
    np.testing.assert_allclose(rewards[last], episode.task_revenue[episode.task[last]])
    assert np.all(rewards[~last] == 0)
