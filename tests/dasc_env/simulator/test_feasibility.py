"""What can still happen (``dasc_env.simulator.feasibility``) on a straight road: d(i, j) = 100 m * |i - j|,
v_w = 10 m/s, so 100 m of road is 10 s of travel. Answers worked out by hand."""

import numpy as np
import pytest

from tests.builders import line_simulator as simulator


def task(subtasks, edges=(), deadline=2000.0, created=0.0):
    return dict(created=created, expected=deadline / 2, deadline=deadline, payment=100.0, subtasks=subtasks,
                edges=list(edges))


# ----------------------------------------------------------------- matchable this epoch
def test_a_subtask_the_nearest_skilled_worker_cannot_finish_by_its_deadline_is_not_matchable():
    # Worker 1000 m away: arrives at 100 s, finishes at 200 s.
    assert not simulator([(0, [0])], [task([(10, [0], 100.0)], deadline=190.0)]).epoch_reach().matchable[0]
    reach = simulator([(0, [0])], [task([(10, [0], 100.0)], deadline=210.0)]).epoch_reach()
    assert reach.matchable[0] and reach.finish[0] == pytest.approx(200.0)


def test_a_skilled_worker_beyond_range_does_not_make_a_subtask_matchable():
    sim = simulator([(0, [0])], [task([(20, [0], 100.0)])], worker_range=1500.0)
    assert not sim.epoch_reach().matchable[0]


def test_a_successor_is_matchable_with_its_predecessor_and_counts_from_its_earliest_finish():
    # A (node 10, 100 s) -> B (node 12, 100 s); w0 at node 0, w1 at node 12. A's earliest: w1, 200 m,
    # finish 20 + 100 = 120. B: w1 is there at once but waits for A: finish 120 + 100 = 220.
    sim = simulator([(0, [0]), (12, [0])], [task([(10, [0], 100.0), (12, [0], 100.0)], edges=[(0, 1)])])
    reach = sim.epoch_reach()
    assert reach.matchable.tolist() == [True, True]
    np.testing.assert_allclose(reach.finish, [120.0, 220.0])
    assert sorted(sim.step(np.array([0, 1])).matched.tolist()) == [0, 1]  # the simulator matches both


def test_a_successor_of_a_predecessor_that_cannot_be_matched_now_is_not_matchable():
    # A needs skill 2, which no worker has; B has a skilled worker next to it.
    sim = simulator([(12, [0])], [task([(10, [2], 100.0), (12, [0], 100.0)], edges=[(0, 1)])])
    assert sim.epoch_reach().matchable.tolist() == [False, False]
    assert sim.step(np.array([0, 1])).failed.tolist() == [0, 1]


def test_a_successor_whose_predecessor_misses_its_latest_finish_is_not_matchable():
    # A (node 10, 100 s) -> B (node 11, 50 s), t_d = 240: A must finish by 190 but its only worker
    # (node 0) finishes it at 200, so neither can be matched, though B's worker is in range.
    sim = simulator([(0, [0])], [task([(10, [0], 100.0), (11, [0], 50.0)], edges=[(0, 1)], deadline=240.0)])
    assert sim.epoch_reach().matchable.tolist() == [False, False]


def test_feasible_pairs_are_the_matchers_pairs_for_subtasks_without_unassigned_predecessors():
    sim = simulator([(0, [0]), (9, [1]), (14, [0, 1])], [task([(10, [0], 100.0), (12, [1], 100.0)])])
    reach = sim.epoch_reach()
    problem = sim.matching_problem(reach.subtasks, reach.workers)
    np.testing.assert_array_equal(reach.feasible, problem.feasible)
    np.testing.assert_allclose(reach.finish, np.where(problem.feasible, problem.finish, np.inf).min(axis=1))


# ----------------------------------------------------------------- the first busy arrival
@pytest.mark.parametrize(("idle_node", "sooner"), [(0, True), (2, False)])
def test_the_first_busy_arrival_is_when_it_is_free_plus_its_travel_and_beats_the_idle_ones_or_not(idle_node, sooner):
    # w0 (node 10) takes A (node 10, 100 s) at t = 0; at t = 5 (the next epoch) B (node 12) is live: w0 is free in
    # 95 s and 200 m away (115 s); the idle w1 needs 120 s from node 0, 100 s from node 2; w2 lacks B's skill.
    tasks = [task([(10, [1], 100.0)], deadline=5000.0), task([(12, [0], 100.0)], deadline=5000.0)]
    sim = simulator([(10, [0, 1]), (idle_node, [0]), (11, [2])], tasks)
    sim.step(np.array([0]))
    reach = sim.epoch_reach()
    busy = sim.busy_arrival(reach)
    assert reach.subtasks.tolist() == [1] and sim.now == pytest.approx(5.0)
    assert busy.worker.tolist() == [0] and busy.sooner.tolist() == [sooner]
    np.testing.assert_allclose([busy.free_in[0], busy.distance[0]], [95.0, 200.0])


def test_without_a_busy_worker_with_the_skills_there_is_no_busy_arrival():
    tasks = [task([(10, [1], 100.0)], deadline=5000.0), task([(12, [0], 100.0)], deadline=5000.0)]
    sim = simulator([(10, [1]), (0, [0])], tasks)  # the busy w0 lacks skill 0
    sim.step(np.array([0]))
    busy = sim.busy_arrival(sim.epoch_reach())
    assert busy.worker.tolist() == [-1] and not busy.sooner.any() and np.isinf(busy.distance).all()


# ----------------------------------------------------------------- failing tasks
UNSKILLED = task([(10, [0], 100.0), (12, [2], 100.0)], edges=[(0, 1)], deadline=5000.0)
"""Subtask 1 needs skill 2, which no worker has."""


@pytest.mark.parametrize("rule", ["skills", "travel"])
def test_a_task_no_worker_has_the_skills_for_fails_at_publication_with_zero_cost(rule):
    sim = simulator([(0, [0])], [UNSKILLED, task([(5, [0], 60.0)])], task_failure=rule)
    assert sim.open_subtasks.tolist() == [2]
    outcome = sim.ledger.tasks[0]
    assert (outcome.task, outcome.status, outcome.failed_reason, outcome.revenue) == (0, "failed", "skills", 0.0)


def test_the_paper_rule_keeps_a_task_no_worker_has_the_skills_for_until_durations_miss_t_d():
    sim = simulator([(0, [0])], [UNSKILLED], task_failure="paper")
    assert sim.open_subtasks.tolist() == [0, 1]
    sim.step(np.array([0]))  # A is matched: 1000 m travelled
    while not sim.done:
        sim.step(np.empty(0, np.int64))
    outcome = sim.ledger.tasks[0]
    # B can no longer start by t^d_tau - 100 = 4900 s: the task fails at the first epoch after 4900 s.
    assert sim.now == pytest.approx(4905.0)
    assert (outcome.status, outcome.failed_reason, outcome.revenue) == ("failed", "deadline", pytest.approx(-1.0))


TOO_FAR = task([(20, [0], 100.0)], deadline=250.0)
"""Durations fit (100 s by t_d = 250 s) but the only worker, 2000 m away, would finish at 300 s."""


def test_the_travel_rule_fails_a_task_its_nearest_skilled_worker_cannot_reach_in_time():
    sim = simulator([(0, [0])], [TOO_FAR], task_failure="travel")
    assert sim.done and sim.ledger.tasks[0].failed_reason == "travel" and sim.ledger.tasks[0].revenue == 0.0


def test_without_the_travel_rule_the_same_task_lives_until_durations_alone_miss_t_d():
    sim = simulator([(0, [0])], [TOO_FAR], task_failure="skills")
    steps = 0
    while not sim.done:
        sim.step(np.empty(0, np.int64))
        steps += 1
    assert steps == 31 and sim.ledger.tasks[0].failed_reason == "deadline"  # at 155 s, 155 + 100 > 250


def test_the_travel_rule_counts_a_worker_beyond_range_as_at_least_range_away():
    # L^w = 1500 m: the worker 2000 m away needs at least 150 s, so 150 + 100 > 240 is provably late,
    # while 150 + 100 <= 260 is not (it could come closer by taking other subtasks first).
    assert simulator([(0, [0])], [task([(20, [0], 100.0)], deadline=240.0)], task_failure="travel",
                     worker_range=1500.0).done
    assert not simulator([(0, [0])], [task([(20, [0], 100.0)], deadline=260.0)], task_failure="travel",
                         worker_range=1500.0).done


def test_the_travel_rule_waits_for_a_busy_worker_where_and_when_it_becomes_free():
    # w0 (node 10) takes A (node 10, 400 s) at t = 0: free at 400 s at node 10. X (node 12, 100 s) then
    # cannot finish before 400 + 20 + 100 = 520 > t_d = 500, though at t = 0 it could (20 + 100).
    tasks = [task([(10, [0], 400.0)], deadline=5000.0), task([(12, [0], 100.0)], deadline=500.0)]
    sim = simulator([(10, [0])], tasks, task_failure="travel")
    assert sim.open_subtasks.tolist() == [0, 1]
    out = sim.step(np.array([0]))
    assert out.failed_tasks.tolist() == [1] and out.failed_reasons == ["travel"] and out.dropped.tolist() == [1]


def test_a_task_the_horizon_cuts_fails_with_reason_horizon():
    sim = simulator([(0, [2])], [task([(10, [0], 100.0)])], horizon=50.0)
    while not sim.done:
        sim.step(np.empty(0, np.int64))
    assert sim.ledger.tasks[0].failed_reason == "horizon"
