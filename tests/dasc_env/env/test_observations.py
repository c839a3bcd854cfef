"""Observations o^n, the terminal observation and the global state s (``dasc_env.env.observations``)."""

import numpy as np
import pytest

import dasc_env
from dasc_env.env import decision_column, observation_space, state_features
from dasc_env.env.observations import DECISION_FEATURES
from tests.builders import line_city, make_scenario, tiny_config

SMALL = dict(num_tasks=5, num_workers=30, city="small", arrival_window=200.0)


def test_observations_and_state_lie_in_their_spaces():
    env = dasc_env.parallel_env(**SMALL)
    obs, _ = env.reset(seed=1)
    assert env.agents
    for agent in env.agents:
        assert env.observation_space(agent).contains(obs[agent])
    assert env.state_space.contains(env.state())


def test_nearest_workers_are_sorted_by_road_distance():
    scenario = make_scenario([(9, [0]), (2, [1]), (14, [0])], [
        dict(created=0, expected=1000, deadline=2000, payment=50, subtasks=[(10, [0], 60.0)])])
    env = dasc_env.parallel_env(tiny_config(scenario, top_k_workers=4), city=line_city(), scenario=scenario)
    obs, _ = env.reset(seed=0)
    o = obs["subtask_0_0"]
    np.testing.assert_allclose(o["workers"][:3, 2], np.array([100.0, 400.0, 800.0]) / 5000.0)
    assert o["workers_mask"].tolist() == [1, 1, 1, 0]
    assert o["workers"][:3, 3].tolist() == [1.0, 1.0, 0.0]  # the worker at node 2 lacks skill 0
    assert o["action_mask"].tolist() == [1, 1]


def three_independent_subtasks():
    scenario = make_scenario([(0, [0]), (20, [1])], [
        dict(created=0, expected=1000, deadline=2000, payment=50,
             subtasks=[(10, [0], 60.0), (12, [0], 60.0), (15, [1], 60.0)])])
    return dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)


def test_nearest_subtasks_exclude_the_agent_itself_and_are_sorted():
    env = three_independent_subtasks()
    obs, _ = env.reset(seed=0)
    o = obs["subtask_0_0"]
    np.testing.assert_allclose(o["subtasks"][:2, 2], np.array([200.0, 500.0]) / 5000.0)
    assert o["subtasks_mask"].tolist() == [1, 1, 0, 0, 0]


def test_state_tables_mark_open_and_running_subtasks_and_idle_workers():
    env = three_independent_subtasks()
    env.reset(seed=0)
    env.step({"subtask_0_0": 1, "subtask_0_1": 0, "subtask_0_2": 0})
    tables = env.unwrapped.state_tables()
    assert tables["subtasks_mask"][:3].tolist() == [1, 1, 1]  # one running, two open
    assert tables["subtasks"][:3, 2].tolist() == [0, 1, 1] and tables["subtasks"][:3, 3].tolist() == [1, 0, 0]
    assert tables["workers"][:, 2].tolist() == [0, 1]  # worker 0 took subtask 0
    assert tables["subtasks_mask"][3:].sum() == 0
    assert env.state().shape == env.state_space.shape


def test_a_terminated_agent_gets_an_observation_with_nothing_to_do():
    env = three_independent_subtasks()
    env.reset(seed=0)
    obs, _, terms, _, _ = env.step({"subtask_0_0": 1})
    assert terms["subtask_0_0"] and "subtask_0_0" not in env.agents
    assert obs["subtask_0_0"]["action_mask"].tolist() == [1, 0]
    assert env.observation_space("subtask_0_0").contains(obs["subtask_0_0"])


def test_state_features_are_the_widths_of_the_state_tables():
    env = three_independent_subtasks()  # 3 skills, 2 workers, 1 task of at most 4 subtasks
    env.reset(seed=0)
    tables = env.unwrapped.state_tables()
    # workers: x, y, idle, time until idle + 3 skills; subtasks: x, y, open, assigned, waiting, duration,
    # t^e - now, t^d - now + 3 skills
    assert state_features(env.unwrapped.config) == (7, 11)
    assert tables["workers"].shape == (2, 7) and tables["subtasks"].shape == (4, 11)


def test_decision_features_count_matchable_subtasks_feasible_workers_and_competitors():
    # A (node 10) and B (node 12) need skill 0, C (node 18) skill 2, which no worker has; w0 at node 10 and
    # w1 at node 14 can each take A or B. N^w = N^tau = 5.
    scenario = make_scenario([(10, [0]), (14, [0])], [
        dict(created=0, expected=1000, deadline=5000, payment=50,
             subtasks=[(10, [0], 100.0), (12, [0], 100.0), (18, [2], 60.0)])])
    env = dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)
    obs, _ = env.reset(seed=0)
    decision = obs["subtask_0_0"]["task_nodes"][:3, -len(DECISION_FEATURES):]
    # matchable, ready (no predecessors), share of the task's other live subtasks matchable, feasible
    # workers / 5, competitors / 5, then no busy worker
    np.testing.assert_allclose(decision, [[1, 1, 0.5, 0.4, 0.2, 0, 0, 0, 0],
                                          [1, 1, 0.5, 0.4, 0.2, 0, 0, 0, 0],
                                          [0, 1, 1.0, 0.0, 0.0, 0, 0, 0, 0]])
    assert obs["subtask_0_2"]["action_mask"].tolist() == [1, 0]


def test_decision_column_names_the_column_of_each_decision_feature_and_refuses_others():
    config = tiny_config(make_scenario([(10, [0])], [dict(created=0, expected=1000, deadline=5000, payment=50,
                                                          subtasks=[(10, [0], 100.0)])]))
    width = observation_space(config)["task_nodes"].shape[1]
    for i, name in enumerate(DECISION_FEATURES):
        assert width + decision_column(name) == 7 + config.num_skills + i
    with pytest.raises(ValueError, match="'nearby'"):
        decision_column("nearby")


def test_ready_is_set_once_every_predecessor_has_finished():
    # A (100 s) -> B; w0 takes A at t = 0, w1 could take B. B is matchable from the start (layered matching) but
    # ready only once A has finished at 100 s.
    scenario = make_scenario([(10, [0]), (12, [0])], [
        dict(created=0, expected=1000, deadline=5000, payment=50, subtasks=[(10, [0], 100.0), (12, [0], 100.0)],
             edges=[(0, 1)])])
    env = dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)
    obs, _ = env.reset(seed=0)
    ready = DECISION_FEATURES.index("ready")
    column = -len(DECISION_FEATURES) + ready
    assert obs["subtask_0_1"]["task_nodes"][:2, column].tolist() == [1.0, 0.0]
    obs, *_ = env.step({"subtask_0_0": 1})
    assert obs["subtask_0_1"]["task_nodes"][1, column] == 0.0  # A runs until 100 s
    while env.unwrapped.now < 100.0:
        obs, *_ = env.step({"subtask_0_1": 0})
    assert obs["subtask_0_1"]["task_nodes"][1, column] == 1.0


def test_decision_features_show_when_and_how_far_a_busy_skilled_worker_becomes_free():
    # w0 (node 10) takes A (node 10, 100 s) at t = 0: free at 100 s at node 10, 200 m from B (node 12).
    scenario = make_scenario([(10, [0]), (0, [1])], [
        dict(created=0, expected=1000, deadline=5000, payment=50, subtasks=[(10, [0], 100.0), (12, [0], 100.0)])])
    env = dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)
    env.reset(seed=0)
    obs, *_ = env.step({"subtask_0_0": 1})
    assert env.unwrapped.now == 5.0
    busy = obs["subtask_0_1"]["task_nodes"][1, -4:]
    np.testing.assert_allclose(busy, [1.0, 95.0 / 3600.0, 200.0 / 5000.0, 1.0], rtol=1e-6)  # no idle one can come
    assert obs["subtask_0_1"]["action_mask"].tolist() == [1, 0]  # the idle w1 lacks skill 0


@pytest.mark.parametrize(("idle_node", "sooner"), [(0, 1.0), (2, 0.0)])
def test_busy_sooner_says_whether_the_busy_worker_arrives_before_every_feasible_idle_one(idle_node, sooner):
    # w0 (node 10, skills 0 and 1) takes A (node 10, 100 s, skill 1) at t = 0; at t = 5 it arrives at B (node 12)
    # after 95 s + 200 m / 10 m/s = 115 s. The idle w1 (skill 0) needs 1200 m / 10 m/s = 120 s from node 0 (later:
    # waiting may pay), 100 s from node 2 (sooner: no reason to wait).
    scenario = make_scenario([(10, [0, 1]), (idle_node, [0])], [
        dict(created=0, expected=1000, deadline=5000, payment=50, subtasks=[(10, [1], 100.0), (12, [0], 100.0)])])
    env = dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)
    env.reset(seed=0)
    obs, *_ = env.step({"subtask_0_0": 1})
    column = DECISION_FEATURES.index("busy_sooner") - len(DECISION_FEATURES)
    assert obs["subtask_0_1"]["action_mask"].tolist() == [1, 1]  # w1 could take B now
    assert obs["subtask_0_1"]["task_nodes"][1, column] == sooner
    assert env.unwrapped.busy_sooner.tolist() == [False, bool(sooner)]  # the env's view says the same


def test_the_encoder_refuses_to_observe_a_subtask_that_is_not_live():
    env = three_independent_subtasks()
    env.reset(seed=0)
    env.step({"subtask_0_0": 1})  # matched: no longer live
    with pytest.raises(ValueError, match="agents: subtask 0"):
        env.unwrapped.encoder.encode(env.unwrapped.sim, np.array([0, 1]))
