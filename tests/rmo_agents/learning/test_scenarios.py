"""The learning-sanity scenarios' optima, established without any learner.

For each scenario: the hindsight optimum (CP-SAT, every task known in advance) is proven optimal and equals
``OPTIMA``; a scripted online policy reaches it through the env (so it is the best any policy can do, and it is
achievable); and the plain heuristics fall short of it (so the scenario asks for a decision).
"""

import numpy as np
import pytest

import dasc_env
from dasc_env.baselines import Policy, make_method
from dasc_env.benchmarks.sanity import OPTIMA, SCENARIOS, config_for
from dasc_env.env import SubtaskStatus
from dasc_env.evaluation import run_episode

pytest.importorskip("ortools")


class HoldTask(Policy):
    """Recommend every open subtask, except task ``task``'s before time ``start`` (inf: never)."""

    def __init__(self, task: int, start: float):
        self.task, self.start, self.name = task, start, f"task {task} from {start:g} s"

    def recommend(self, env):
        held = (env.scenario.subtask_task == self.task) & (env.now < self.start)
        return (env.subtask_status == SubtaskStatus.OPEN) & ~held


BEST_SCRIPTED = {"recommend_at_once": make_method("all"), "doomed_task_blocks": HoldTask(0, np.inf),
                 "wait_for_near_worker": HoldTask(1, 120.0)}


def _env(name):
    scenario = SCENARIOS[name]()
    return scenario, dasc_env.parallel_env(config_for(scenario), scenario=scenario)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_hindsight_optimum_is_proven_and_equals_the_recorded_optimum(name):
    from dasc_env.bounds import solve_exact

    scenario, env = _env(name)
    plan = solve_exact(scenario, env.graph, config_for(scenario), time_limit=30.0)
    assert plan.status == "optimal"
    assert plan.revenue == pytest.approx(OPTIMA[name], abs=1e-3)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_scripted_online_policy_reaches_the_optimum(name):
    _, env = _env(name)
    assert run_episode(env, BEST_SCRIPTED[name], seed=0)["revenue"] == pytest.approx(OPTIMA[name], abs=1e-3)


@pytest.mark.parametrize("name", ["doomed_task_blocks", "wait_for_near_worker"])
def test_recommending_everything_falls_short_of_the_optimum(name):
    _, env = _env(name)
    for method in ("all", "km", "ready-km", "greedy"):
        assert run_episode(env, make_method(method), seed=0)["revenue"] < 0.9 * OPTIMA[name]


def test_waiting_costs_lateness_where_recommending_at_once_is_optimal():
    _, env = _env("recommend_at_once")
    for start in (60.0, 120.0):
        assert run_episode(env, HoldTask(0, start), seed=0)["revenue"] < OPTIMA["recommend_at_once"] - 4.0
