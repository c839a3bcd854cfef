import numpy as np

from dasc_env.scenario import latest_finish_times, random_dag


def test_latest_finish_of_a_chain():
    # 0 -> 1 -> 2 with durations 10, 20, 30 ending by 100: LF = 100, 100 - 30, 70 - 20.
    lf = latest_finish_times(3, np.array([[0, 1], [1, 2]]), np.array([10.0, 20.0, 30.0]), 100.0)
    np.testing.assert_allclose(lf, [50.0, 70.0, 100.0])


def test_latest_finish_of_a_diamond_takes_the_tighter_branch():
    # 0 -> {1, 2} -> 3; durations 5, 40, 10, 20; end 100. LF3 = 100, LF1 = LF2 = 80, LF0 = min(80-40, 80-10) = 40.
    edges = np.array([[0, 1], [0, 2], [1, 3], [2, 3]])
    lf = latest_finish_times(4, edges, np.array([5.0, 40.0, 10.0, 20.0]), 100.0)
    np.testing.assert_allclose(lf, [40.0, 80.0, 80.0, 100.0])


def test_independent_subtasks_may_all_finish_at_the_end():
    lf = latest_finish_times(3, np.empty((0, 2), int), np.array([1.0, 2.0, 3.0]), 9.0)
    np.testing.assert_allclose(lf, [9.0, 9.0, 9.0])


def test_random_dag_edges_point_forward():
    edges = random_dag(16, 0.5, np.random.default_rng(0))
    assert (edges[:, 0] < edges[:, 1]).all() and len(edges) > 0
