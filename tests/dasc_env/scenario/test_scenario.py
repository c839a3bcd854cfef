import numpy as np
import pytest

from dasc_env import DASCConfig, Scenario, generate_scenario
from dasc_env.city import synthetic_city
from dasc_env.scenario import CityDemand
from tests.builders import line_city, make_scenario

TASK = dict(created=0, expected=100, deadline=200, payment=10, subtasks=[(0, [0], 10), (1, [1], 10)])


def test_edge_between_tasks_is_rejected():
    s = make_scenario([(0, [0])], [TASK, TASK])
    with pytest.raises(ValueError, match="same task"):
        Scenario(**{**_fields(s), "edges": np.array([[1, 2]])})


def test_backward_edge_is_rejected():
    with pytest.raises(ValueError, match="topological"):
        make_scenario([(0, [0])], [{**TASK, "edges": [(1, 0)]}])


def test_deadline_before_expected_is_rejected():
    with pytest.raises(ValueError, match=r"task_deadline\[0\]"):
        make_scenario([(0, [0])], [{**TASK, "deadline": 50}])


def test_per_subtask_times_come_from_the_critical_path():
    s = make_scenario([(0, [0])], [{**TASK, "edges": [(0, 1)]}])
    np.testing.assert_allclose(s.latest_expected, [90.0, 100.0])
    np.testing.assert_allclose(s.latest_deadline, [190.0, 200.0])


def test_generator_is_deterministic_for_a_seed():
    c = DASCConfig(num_tasks=5, num_workers=7)
    a = generate_scenario(c, CityDemand(line_city(), c), np.random.default_rng(3))
    b = generate_scenario(c, CityDemand(line_city(), c), np.random.default_rng(3))
    np.testing.assert_array_equal(a.subtask_nodes, b.subtask_nodes)
    np.testing.assert_array_equal(a.edges, b.edges)


def test_generator_follows_the_experimental_setup():
    c = DASCConfig(num_tasks=400, num_workers=2000, demand="uniform")
    s = generate_scenario(c, CityDemand(synthetic_city("small"), c), np.random.default_rng(0))
    sizes = s.task_sizes()
    assert sizes.min() >= 6 and sizes.max() <= 16
    sub_counts = s.subtask_skills.sum(axis=1)
    assert sub_counts.min() >= 1 and sub_counts.max() <= 3
    assert abs(sub_counts.mean() - 1.5) < 0.1
    assert abs(s.worker_skills.sum(axis=1).mean() - 3.5) < 0.1
    work = np.add.reduceat(s.subtask_durations, s.task_ptr[:-1])
    np.testing.assert_allclose(s.task_expected - s.task_created, 1.3 * work)
    np.testing.assert_allclose(s.task_deadline - s.task_created, 2.5 * work)
    np.testing.assert_allclose(s.task_payment, 10 * work / 60)
    assert (np.diff(s.task_created) >= 0).all() and s.task_created.max() <= c.arrival_window


def _fields(s):
    names = ["worker_nodes", "worker_skills", "task_created", "task_expected", "task_deadline", "task_payment",
             "task_ptr", "subtask_nodes", "subtask_skills", "subtask_durations", "edges"]
    return {n: getattr(s, n) for n in names}


def test_repr_is_a_one_line_summary():
    c = DASCConfig(num_tasks=4, num_workers=7)
    text = repr(generate_scenario(c, CityDemand(synthetic_city("small"), c), np.random.default_rng(0)))
    assert text.startswith("Scenario(tasks=4, subtasks=") and "workers=7" in text and "\n" not in text


def test_creation_times_out_of_order_are_refused_naming_the_task():
    with pytest.raises(ValueError, match=r"task_created\[2\] must be >= task_created\[1\].*got 50.0 after 100.0"):
        make_scenario([(0, [0])], [TASK, {**TASK, "created": 100, "expected": 200, "deadline": 300},
                                   {**TASK, "created": 50, "expected": 150, "deadline": 250}])


def test_equal_creation_times_are_accepted():
    s = make_scenario([(0, [0])], [TASK, TASK])
    assert s.task_created.tolist() == [0.0, 0.0]


def test_all_predecessors_holds_vacuously_and_needs_every_predecessor():
    # task 0: 0 -> 2 and 1 -> 2; task 1: no edge
    three = {**TASK, "subtasks": [(0, [0], 10), (1, [0], 10), (2, [0], 10)], "edges": [(0, 2), (1, 2)]}
    s = make_scenario([(0, [0])], [three, TASK])
    assert s.all_predecessors([True, False, False, False, False]).tolist() == [True, True, False, True, True]
    assert s.all_predecessors([True, True, False, False, False]).tolist() == [True, True, True, True, True]


def test_fit_config_takes_the_sizes_of_the_scenario():
    s = make_scenario([(0, [0]), (1, [1])], [TASK], num_skills=4)
    c = s.fit_config(DASCConfig(max_subtasks=1, min_subtasks=1), reward_mode="shaped")
    assert (c.num_tasks, c.num_workers, c.num_skills, c.max_subtasks, c.reward_mode) == (1, 2, 4, 2, "shaped")


# A diamond 0 -> {1, 2} -> 3 (durations 10, 20, 5, 1) and a lone subtask 4 of a second task.
DIAMOND = [dict(created=0, expected=100, deadline=200, payment=10,
                subtasks=[(0, [0], 10), (0, [0], 20), (0, [0], 5), (0, [0], 1)],
                edges=[(0, 1), (0, 2), (1, 3), (2, 3)]),
           dict(created=0, expected=100, deadline=200, payment=10, subtasks=[(0, [0], 7)])]


def test_forward_pass_gives_the_critical_path_earliest_finish():
    s = make_scenario([(0, [0])], DIAMOND)
    # by hand: EF0 = 10, EF1 = 10 + 20, EF2 = 10 + 5, EF3 = max(30, 15) + 1; subtask 4 has no predecessor
    np.testing.assert_array_equal(s.forward_pass(s.subtask_durations), [10, 30, 15, 31, 7])


def test_forward_pass_raises_only_the_subtasks_it_is_told_to():
    s = make_scenario([(0, [0])], DIAMOND)
    own = np.array([50.0, 0.0, 0.0, 0.0, 0.0])
    into = np.array([False, True, False, True, True])  # subtask 2 keeps its own value (as if assigned)
    np.testing.assert_array_equal(s.forward_pass(own, into=into), [50, 70, 0, 71, 0])


def test_forward_pass_keeps_integer_ticks_exact():
    s = make_scenario([(0, [0])], DIAMOND)
    out = s.forward_pass(np.array([2**50, 0, 0, 0, 0]), durations=np.array([1, 2, 3, 4, 5]))
    assert out.dtype == np.int64 and out.tolist() == [2**50, 2**50 + 2, 2**50 + 3, 2**50 + 7, 0]
