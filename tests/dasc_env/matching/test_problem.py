"""Stage 2's pair test (``dasc_env.matching.pair_test``), answers worked out by hand (v_w = 10 m/s)."""

import numpy as np

from dasc_env.matching import pair_test

INF = np.inf


def test_a_pair_is_feasible_only_with_the_skills_within_range_and_by_the_deadline():
    # One subtask (duration 100 s, t^d_tau = 300 s) against four workers at now = 0: skilled at 1000 m
    # (finish 100 + 100 = 200), unskilled at 100 m, skilled beyond range (inf), skilled at 2500 m (finish 350).
    skilled = np.array([[True, False, True, True]])
    distance = np.array([[1000.0, 100.0, INF, 2500.0]])
    feasible, start, finish = pair_test(skilled, distance, 0.0, np.array([-INF]), np.array([100.0]),
                                        np.array([300.0]), worker_range=5000.0, worker_speed=10.0)
    assert feasible.tolist() == [[True, False, False, False]]
    assert start[0, 0] == 100.0 and finish[0, 0] == 200.0 and finish[0, 3] == 350.0


def test_a_subtask_starts_when_its_last_predecessor_finishes_if_the_worker_is_there_first():
    # Worker 100 m away arrives at 60 + 10 = 70 s; the predecessor finishes at 250 s: start 250, finish 310.
    feasible, start, finish = pair_test(np.array([[True]]), np.array([[100.0]]), 60.0, np.array([250.0]),
                                        np.array([60.0]), np.array([310.0]), worker_range=5000.0, worker_speed=10.0)
    assert (feasible[0, 0], start[0, 0], finish[0, 0]) == (True, 250.0, 310.0)


def test_a_subtask_whose_predecessor_cannot_be_matched_is_infeasible():
    feasible, _, _ = pair_test(np.array([[True]]), np.array([[100.0]]), 0.0, np.array([INF]), np.array([60.0]),
                               np.array([1e9]), worker_range=5000.0, worker_speed=10.0)
    assert not feasible[0, 0]
