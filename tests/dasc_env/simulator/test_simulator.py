"""The dynamics on a straight road (d(i, j) = 100 m * |i - j|, v_w = 10 m/s), answers worked out by hand."""

import numpy as np
import pytest

from dasc_env import verify_ledger
from tests.builders import line_simulator as simulator


def single(created=0.0, expected=1000.0, deadline=2000.0, node=10, duration=100.0, skills=(0,)):
    return dict(created=created, expected=expected, deadline=deadline, payment=100.0,
                subtasks=[(node, list(skills), duration)])


def test_match_fixes_start_and_finish_from_travel_and_duration():
    sim = simulator([(0, [0])], [single()])
    out = sim.step(np.array([0]))
    assert out.matched.tolist() == [0] and out.workers.tolist() == [0]
    # 1000 m at 10 m/s: arrive at 100 s, work 100 s.
    assert (sim.sub_start[0], sim.sub_finish[0], sim.sub_distance[0]) == (100.0, 200.0, 1000.0)
    assert sim.worker_free_at[0] == 200.0 and sim.worker_node[0] == 10
    assert out.finish.tolist() == [200.0]


def test_early_task_books_eq_1_revenue_as_the_sparse_reward():
    sim = simulator([(0, [0])], [single()])
    out = sim.step(np.array([0]))
    # 100 - 0.001 * 1000
    assert out.reward_sparse[0] == pytest.approx(99.0)
    assert out.reward_shaped[0] == pytest.approx(99.0)
    assert sim.total_revenue == pytest.approx(99.0)


def test_late_task_loses_payment_per_minute_of_delay():
    sim = simulator([(0, [0])], [single(expected=150.0)])
    out = sim.step(np.array([0]))
    # finishes at 200, 50 s = 5/6 min late: (1 - 0.02 * 5/6) * 100 - 1
    assert out.reward_sparse[0] == pytest.approx(100 * (1 - 0.02 * 50 / 60) - 1.0)


def test_successor_recommended_with_its_predecessor_waits_for_it():
    # A at node 10 (300 s), B at node 12 (100 s), A -> B. w0 at node 0, w1 at node 12.
    task = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0,
                subtasks=[(10, [0], 300.0), (12, [0], 100.0)], edges=[(0, 1)])
    sim = simulator([(0, [0]), (12, [0])], [task])
    out = sim.step(np.array([0, 1]))
    assert sorted(out.matched.tolist()) == [0, 1]
    # A gets the nearer w1 (200 m): finishes at 20 + 300 = 320. B's worker w0 arrives at 120 s but starts at 320.
    assert sim.sub_worker.tolist() == [1, 0]
    assert sim.sub_finish[0] == pytest.approx(320.0)
    assert sim.sub_start[1] == pytest.approx(320.0) and sim.sub_finish[1] == pytest.approx(420.0)
    assert verify_ledger(sim.scenario, sim.ledger, sim.config) == []


def test_recommendation_without_its_predecessor_is_dropped_with_minus_one():
    task = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0,
                subtasks=[(10, [0], 300.0), (12, [0], 100.0)], edges=[(0, 1)])
    sim = simulator([(0, [0]), (12, [0])], [task])
    out = sim.step(np.array([1]))
    assert out.matched.size == 0 and out.failed.tolist() == [1]
    assert out.reward_sparse[1] == -1.0 and out.reward_shaped[1] == -1.0
    assert sim.open_subtasks.tolist() == [0, 1]


def test_worker_lacking_a_skill_is_never_matched():
    sim = simulator([(10, [1])], [single(skills=(0, 1))])
    out = sim.step(np.array([0]))
    assert out.matched.size == 0 and out.failed.tolist() == [0]


def test_worker_beyond_range_is_never_matched():
    sim = simulator([(0, [0])], [single(node=20)], worker_range=1500.0)
    assert sim.step(np.array([0])).matched.size == 0


def test_match_that_would_miss_the_deadline_is_infeasible():
    # Finishing at 200 s would pass t_d = 190 s.
    sim = simulator([(0, [0])], [single(expected=150.0, deadline=190.0)])
    assert sim.step(np.array([0])).matched.size == 0


def test_task_that_cannot_meet_its_deadline_fails_with_only_travel_cost():
    # A (node 10) -> B needing skill 2, which no worker has. A is matched (1000 m travel);
    # B can start no earlier than now, so once now + 100 > t_d = 1000 the task fails.
    task = dict(created=0.0, expected=500.0, deadline=1000.0, payment=100.0,
                subtasks=[(10, [0], 100.0), (12, [2], 100.0)], edges=[(0, 1)])
    sim = simulator([(0, [0])], [task])
    sim.step(np.array([0]))
    while not sim.done:
        out = sim.step(np.empty(0, np.int64))
    assert out.dropped.tolist() == [1] and out.failed_tasks.tolist() == [0]
    assert sim.now == pytest.approx(905.0)
    outcome = sim.ledger.tasks[0]
    assert outcome.status == "failed" and outcome.revenue == pytest.approx(-1.0)


def test_clock_fast_forwards_to_the_next_task():
    sim = simulator([(0, [0])], [single(created=0.0), single(created=52.0)])
    sim.step(np.array([0]))
    assert sim.now == 55.0 and sim.open_subtasks.tolist() == [1]


def test_utility_params_change_which_worker_km_picks():
    # w0: 100 m away, 3 skills; w1: 1000 m away, 1 skill. Subtask needs skill 0.
    # Distance-heavy eta picks w0, skill-heavy eta picks w1 (u_skill 1 vs 1/3).
    workers = [(9, [0, 1, 2]), (0, [0])]
    sim = simulator(workers, [single()], alpha=1.0, beta=0.0)
    assert sim.step(np.array([0])).workers.tolist() == [0]
    sim = simulator(workers, [single()], alpha=1.0, beta=1.0)
    assert sim.step(np.array([0])).workers.tolist() == [1]


def test_greedy_matcher_takes_the_nearest_worker():
    workers = [(0, [0]), (9, [0])]
    sim = simulator(workers, [single()], matcher="greedy", alpha=1.0, beta=1.0)
    assert sim.step(np.array([0])).workers.tolist() == [1]


def test_set_utility_params_validates_before_changing():
    sim = simulator([(0, [0])], [single()])
    with pytest.raises(ValueError, match="beta"):
        sim.set_utility_params(0.5, 1.5)
    assert (sim.alpha, sim.beta) == (sim.config.alpha, sim.config.beta)
