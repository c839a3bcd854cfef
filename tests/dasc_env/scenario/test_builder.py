"""ScenarioBuilder on the hand-made line city (nodes 0..20, 100 m apart): arrays, derived terms, validation."""

import numpy as np
import pytest

import dasc_env
from dasc_env import DASCConfig
from dasc_env.scenario import ScenarioBuilder, load_scenario, save_scenario
from tests.builders import line_city


def two_step_task(b, created=0.0, **terms):
    t = b.task(created=created, **terms)
    first = t.subtask(node=12, skills=[0], duration=20.0)
    second = t.subtask(node=14, skills=[1], duration=300.0, after=[first])
    return t, first, second


@pytest.fixture
def b():
    return ScenarioBuilder(city=line_city(), num_skills=3)


def test_the_readme_example_builds_the_arrays_it_describes(b):
    two_step_task(b, expected=600.0, deadline=900.0, payment=20.0)
    b.worker(node=15, skills=[0, 1])
    s = b.build()
    assert (s.task_created.tolist(), s.task_expected.tolist(), s.task_deadline.tolist(),
            s.task_payment.tolist()) == ([0.0], [600.0], [900.0], [20.0])
    assert s.subtask_nodes.tolist() == [12, 14] and s.subtask_durations.tolist() == [20.0, 300.0]
    assert s.subtask_skills.tolist() == [[True, False, False], [False, True, False]]
    assert s.edges.tolist() == [[0, 1]]
    assert s.worker_nodes.tolist() == [15] and s.worker_skills.tolist() == [[True, True, False]]


def test_left_out_terms_are_derived_from_the_sum_of_durations(b):
    two_step_task(b, created=10.0)  # S_q = 20 + 300 = 320 s
    b.worker(node=0, skills=[0])
    s = b.build()
    assert s.task_expected[0] == pytest.approx(10.0 + 1.3 * 320)  # expected_factor
    assert s.task_deadline[0] == pytest.approx(10.0 + 2.5 * 320)  # deadline_factor
    assert s.task_payment[0] == pytest.approx(10.0 * 320 / 60)  # payment_per_minute


def test_derivation_follows_the_config_factors():
    b = ScenarioBuilder(city=line_city(), config=DASCConfig(expected_factor=2.0, deadline_factor=3.0,
                                                             payment_per_minute=6.0, num_skills=3))
    two_step_task(b)
    b.worker(node=0, skills=[0])
    s = b.build()
    assert (s.task_expected[0], s.task_deadline[0], s.task_payment[0]) == pytest.approx((640.0, 960.0, 32.0))


def test_tasks_are_listed_by_creation_time_stably(b):
    late, early, late_too = (b.task(created=c, expected=c + 500, deadline=c + 900, payment=1.0)
                             for c in (100.0, 0.0, 100.0))
    for t, node in ((late, 1), (early, 2), (late_too, 3)):
        t.subtask(node=node, skills=[0], duration=60.0)
    b.worker(node=0, skills=[0])
    s = b.build()
    assert s.task_created.tolist() == [0.0, 100.0, 100.0] and s.subtask_nodes.tolist() == [2, 1, 3]
    assert [b.index(t) for t in (late, early, late_too)] == [1, 0, 2]


def test_a_dependency_declared_backwards_renumbers_the_subtasks_topologically(b):
    t = b.task(created=0.0)
    a = t.subtask(node=1, skills=[0], duration=60.0)
    c = t.subtask(node=2, skills=[0], duration=60.0)
    t.dependency(c, a)
    b.worker(node=0, skills=[0])
    s = b.build()
    assert s.subtask_nodes.tolist() == [2, 1] and s.edges.tolist() == [[0, 1]]
    assert (b.index(a), b.index(c)) == (1, 0)


def test_built_scenario_runs_in_the_env_with_its_fitted_config(b):
    two_step_task(b)
    b.worker(node=15, skills=[0, 1])
    s = b.build()
    env = dasc_env.parallel_env(s.fit_config(), city=line_city(), scenario=s)
    env.reset(seed=0)
    assert env.agents == ["subtask_0_0", "subtask_0_1"]
    assert (env.config.num_tasks, env.config.num_workers, env.config.num_skills) == (1, 1, 3)


def test_built_scenario_round_trips_through_a_file(b, tmp_path):
    two_step_task(b)
    b.worker(node=15, skills=[0, 1])
    back = load_scenario(save_scenario(b.build(), tmp_path / "case"))
    np.testing.assert_array_equal(back.latest_deadline, b.build().latest_deadline)


def test_a_preset_name_validates_nodes_against_the_preset():
    b = ScenarioBuilder(city="small", num_skills=10)
    t = b.task(created=0.0)
    t.subtask(node=5000, skills=[0], duration=60.0)
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match=r"task 0 subtask 0: node=5000 .*'small'"):
        b.build()


def test_a_dependency_cycle_is_named(b):
    t = b.task(created=0.0)
    x = t.subtask(node=1, skills=[0], duration=60.0)
    y = t.subtask(node=2, skills=[0], duration=60.0, after=[x])
    z = t.subtask(node=3, skills=[0], duration=60.0, after=[y])
    t.subtask(node=4, skills=[0], duration=60.0, after=[z])
    t.dependency(z, y)
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match=r"task 0: dependency cycle through subtasks \[1, 2\] \(1 -> 2 -> 1"):
        b.build()


def test_a_subtask_depending_on_itself_is_a_cycle(b):
    t = b.task(created=0.0)
    x = t.subtask(node=1, skills=[0], duration=60.0)
    t.dependency(x, x)
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match=r"cycle through subtasks \[0\]"):
        b.build()


def test_after_naming_a_subtask_of_another_task_is_refused(b):
    _, first, _ = two_step_task(b)
    other = b.task(created=5.0)
    other.subtask(node=3, skills=[0], duration=60.0, after=[first])
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match="task 1: dependency task 0 subtask 0 -> task 1 subtask 0 .* not a subtask"):
        b.build()


def test_a_handle_of_another_builder_is_refused(b):
    foreign = ScenarioBuilder(city=line_city(), num_skills=3)
    _, first, _ = two_step_task(foreign)
    b.task(created=0.0).subtask(node=3, skills=[0], duration=60.0, after=[first])
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match="not a subtask of task 0"):
        b.build()


def test_a_worker_off_the_graph_is_named(b):
    two_step_task(b)
    b.worker(node=0, skills=[0])
    b.worker(node=21, skills=[0])
    with pytest.raises(ValueError, match=r"worker 1: node=21 is not a node of road graph 'line' \(0..20\)"):
        b.build()


def test_a_skill_out_of_range_is_named(b):
    t = b.task(created=0.0)
    t.subtask(node=1, skills=[0, 3], duration=60.0)
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match=r"task 0 subtask 0: skill 3 is outside \[0, 3\)"):
        b.build()


@pytest.mark.parametrize("terms, message", [
    (dict(created=100.0, expected=100.0, deadline=50.0), r"task 0: deadline=50.0 must be after created=100.0"),
    (dict(deadline=400.0), r"task 0: deadline=400.0 must be after expected=416.0 \(derived"),  # 1.3 * 320 s
    (dict(created=100.0, expected=50.0, deadline=900.0), r"task 0: expected=50.0 must be >= created=100.0"),
    (dict(payment=-1.0), r"task 0: payment=-1.0 must be >= 0"),
], ids=["deadline-before-creation", "derived-expected-past-deadline", "expected-before-creation",
        "negative-payment"])
def test_inconsistent_task_terms_are_named(b, terms, message):
    two_step_task(b, **terms)
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match=message):
        b.build()


def test_a_task_without_subtasks_is_named(b):
    two_step_task(b)
    b.task(created=10.0)
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match="task 1 has no subtask"):
        b.build()


def test_a_zero_duration_is_named(b):
    b.task(created=0.0).subtask(node=1, skills=[0], duration=0.0)
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match=r"task 0 subtask 0: duration=0.0 must be > 0"):
        b.build()


def test_a_scenario_without_workers_is_refused(b):
    two_step_task(b)
    with pytest.raises(ValueError, match="no worker"):
        b.build()


def test_a_scenario_without_tasks_is_refused(b):
    b.worker(node=0, skills=[0])
    with pytest.raises(ValueError, match="no task"):
        b.build()


def test_a_non_integer_node_is_a_type_error_naming_it(b):
    with pytest.raises(TypeError, match=r"task 0 subtask 0: node must be an int, got 1.5"):
        b.task(created=0.0).subtask(node=1.5, skills=[0], duration=60.0)


def test_a_nan_creation_time_is_named(b):
    with pytest.raises(ValueError, match="task 0: created must be finite, got nan"):
        b.task(created=float("nan"))


def test_after_takes_only_subtask_handles(b):
    with pytest.raises(TypeError, match="after: expected subtask handles"):
        b.task(created=0.0).subtask(node=1, skills=[0], duration=60.0, after=[0])


def test_num_skills_contradicting_the_config_is_refused():
    with pytest.raises(ValueError, match="num_skills=4 contradicts config.num_skills=10"):
        ScenarioBuilder(city=line_city(), num_skills=4, config=DASCConfig())


def test_a_failed_build_changes_nothing_and_a_fixed_builder_builds(b):
    t = b.task(created=0.0)
    t.subtask(node=1, skills=[0], duration=60.0)
    with pytest.raises(ValueError, match="no worker"):
        b.build()
    b.worker(node=0, skills=[0])
    assert b.build().num_subtasks == 1
