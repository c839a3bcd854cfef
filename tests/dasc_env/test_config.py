import math

import pytest

from dasc_env import DASCConfig


def test_defaults_are_table_1():
    c = DASCConfig()
    assert (c.worker_speed, c.worker_range, c.zeta, c.kappa) == (10.0, 5000.0, 0.02, 1e-3)
    assert (c.top_k_workers, c.top_k_subtasks, c.min_subtasks, c.max_subtasks) == (5, 5, 6, 16)
    assert math.isclose(c.subtask_skill_scale ** 2, 0.5)
    assert (c.num_tasks, c.num_workers, c.decision_interval) == (60, 300, 5.0)


@pytest.mark.parametrize("field, value", [
    ("num_tasks", -1), ("num_workers", 0), ("alpha", 1.5), ("beta", -0.1), ("reward_mode", "dense"),
    ("matcher", "hungarian"), ("city", "atlantis"), ("demand", "poisson"),
    ("worker_range", float("nan")), ("dag_edge_prob", 2.0), ("horizon", -5.0), ("task_failure", "never"),
])
def test_invalid_value_is_named_in_the_error(field, value):
    with pytest.raises(ValueError, match=field):
        DASCConfig(**{field: value})


def test_the_default_task_failure_is_the_papers_and_every_rule_is_accepted():
    from dasc_env.config import TASK_FAILURES

    assert DASCConfig().task_failure == "paper"
    assert [DASCConfig(task_failure=rule).task_failure for rule in TASK_FAILURES] == ["paper", "skills", "travel"]


def test_min_subtasks_above_max_is_rejected():
    with pytest.raises(ValueError, match="max_subtasks=3"):
        DASCConfig(min_subtasks=4, max_subtasks=3)


def test_deadline_factor_must_exceed_expected_factor():
    with pytest.raises(ValueError, match="deadline_factor"):
        DASCConfig(expected_factor=2.0, deadline_factor=1.5)


def test_non_integer_count_is_a_type_error():
    with pytest.raises(TypeError, match="num_tasks"):
        DASCConfig(num_tasks=2.5)


def test_replace_rejects_unknown_field():
    with pytest.raises(TypeError, match="speeed"):
        DASCConfig().replace(speeed=3)
