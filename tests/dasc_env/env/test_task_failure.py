"""Failing tasks through the env (``DASCConfig.task_failure``): agents leave with a ``failed_reason``; what the
"skills" rule changes for a rule baseline, worked out by hand (d(i, j) = 100 m * |i - j|, kappa = 1 per km)."""

import pytest

from dasc_env.baselines import km
from dasc_env.evaluation.runner import run_episode
from tests.builders import line_env

DOOMED = dict(created=0.0, expected=2000.0, deadline=5000.0, payment=100.0,
              subtasks=[(10, [0], 100.0), (12, [2], 100.0)], edges=[(0, 1)])
"""Task 0: A (node 10) -> B (node 12), and no worker has B's skill 2."""
FINE = dict(created=0.0, expected=2000.0, deadline=5000.0, payment=100.0, subtasks=[(2, [0], 100.0)])
"""Task 1: one subtask at node 2."""
WORKERS = [(0, [0]), (2, [0])]


def test_agents_of_a_task_that_fails_later_leave_truncated_with_its_reason():
    env = line_env(WORKERS, [DOOMED, FINE])
    env.reset(seed=0)
    _, _, _, truncations, infos = env.step({"subtask_0_0": 1})
    while "subtask_0_1" in env.agents:
        _, _, _, truncations, infos = env.step({})
    assert truncations["subtask_0_1"] and infos["subtask_0_1"]["failed_reason"] == "deadline"


def test_a_task_failed_at_publication_never_has_agents():
    env = line_env(WORKERS, [DOOMED, FINE], task_failure="skills")
    _, infos = env.reset(seed=0)
    assert env.agents == ["subtask_1_0"] and set(infos) == {"subtask_1_0"}
    assert [(t.task, t.failed_reason, t.revenue) for t in env.ledger.tasks] == [(0, "skills", 0.0)]


def test_the_skills_rule_saves_km_the_travel_it_spends_on_a_task_that_cannot_finish():
    # Paper rule: KM sends w0 1000 m to A, so task 0 fails at -1; task 1 earns 100 - 0 (w1 is at node 2)
    # either way. With "skills" task 0 fails at publication with 0.
    paper = run_episode(line_env(WORKERS, [DOOMED, FINE]), km(), seed=0)
    skills = run_episode(line_env(WORKERS, [DOOMED, FINE], task_failure="skills"), km(), seed=0)
    assert paper["revenue"] == pytest.approx(99.0) and skills["revenue"] == pytest.approx(100.0)
