"""env.subtask_status and the read-only episode faces, on a hand-made line city and against brute force.

Line city: nodes 0..20, 100 m apart. Task 0 (created 0 s): a at node 3 -> b at node 5, 100 s each, skill 0.
Task 1 (created 50 s, t_d 300 s): c at node 8, 100 s, skill 2 that no worker has. One worker at node 0, skill 0:
matched to a it travels 300 m at 10 m/s, works from 30 s to 130 s and then stands at node 3.
"""

import numpy as np
import pytest

import dasc_env
from dasc_env import SubtaskStatus
from dasc_env.env import is_live
from tests.builders import line_city, make_scenario, tiny_config

U, OP, B, A, F, D = (SubtaskStatus.UNPUBLISHED, SubtaskStatus.OPEN, SubtaskStatus.BLOCKED, SubtaskStatus.ASSIGNED,
                     SubtaskStatus.FINISHED, SubtaskStatus.DROPPED)
CHAIN = dict(created=0.0, expected=1000.0, deadline=2000.0, payment=50.0,
             subtasks=[(3, [0], 100.0), (5, [0], 100.0)], edges=[(0, 1)])
UNDOABLE = dict(created=50.0, expected=200.0, deadline=300.0, payment=50.0, subtasks=[(8, [2], 100.0)])


def hand_env(**config):
    scenario = make_scenario([(0, [0])], [CHAIN, UNDOABLE])
    env = dasc_env.parallel_env(tiny_config(scenario, **config), city=line_city(), scenario=scenario)
    env.reset(seed=0)
    return env


def advance_to(env, time):
    while env.now < time:
        env.step({})


def test_at_reset_a_is_open_b_blocked_and_c_unpublished():
    env = hand_env()
    assert env.subtask_status.tolist() == [OP, B, U] and env.subtask_status.dtype == np.int8


def test_matching_a_makes_it_assigned_and_opens_b():
    env = hand_env()
    env.step({"subtask_0_0": 1})
    assert env.now == 5.0 and env.subtask_status.tolist() == [A, OP, U]


def test_c_opens_at_its_creation_time():
    env = hand_env()
    advance_to(env, 50.0)
    assert env.subtask_status[2] == OP


def test_a_is_finished_once_its_finish_time_has_come():
    env = hand_env()
    env.step({"subtask_0_0": 1})
    advance_to(env, 125.0)
    assert env.subtask_status[0] == A
    advance_to(env, 130.0)
    assert env.subtask_status[0] == F


def test_c_is_dropped_when_it_can_no_longer_end_by_its_deadline():
    env = hand_env()
    advance_to(env, 200.0)  # now + 100 s = 300 s = t_d: still possible
    assert env.subtask_status[2] == OP
    advance_to(env, 205.0)
    assert env.subtask_status[2] == D


def test_worker_nodes_show_where_a_matched_worker_will_be_and_are_read_only():
    env = hand_env()
    assert env.worker_nodes.tolist() == [0]
    env.step({"subtask_0_0": 1})
    assert env.worker_nodes.tolist() == [3]
    with pytest.raises(ValueError, match="read-only"):
        env.worker_nodes[0] = 0


def test_idle_workers_leave_out_a_busy_worker_until_its_finish():
    env = hand_env()
    env.step({"subtask_0_0": 1})
    assert env.idle_workers.tolist() == []
    advance_to(env, 130.0)
    assert env.idle_workers.tolist() == [0]


def test_reach_gives_skills_and_road_distance_within_the_worker_range():
    env = hand_env(worker_range=600.0)
    skilled, distance = env.reach([0, 1, 2], [0])
    assert skilled[:, 0].tolist() == [True, True, False]
    assert distance[:, 0].tolist() == [300.0, 500.0, np.inf]  # c is 800 m away, beyond L^w = 600 m


def test_matching_problem_gives_start_and_finish_of_a_pair():
    p = hand_env().matching_problem([0], [0])
    assert (p.feasible[0, 0], p.distance[0, 0], p.start[0, 0], p.finish[0, 0]) == (True, 300.0, 30.0, 130.0)


def test_matching_problem_refuses_a_blocked_subtask():
    with pytest.raises(ValueError, match="subtask 1 is BLOCKED, not OPEN"):
        hand_env().matching_problem([1], [0])


def test_matching_problem_refuses_a_busy_worker():
    env = hand_env()
    env.step({"subtask_0_0": 1})
    with pytest.raises(ValueError, match=r"worker 0 is busy until 130.0 s, not idle at 5.0 s"):
        env.matching_problem([1], [0])


def test_reach_names_a_subtask_outside_the_scenario():
    with pytest.raises(ValueError, match=r"subtasks: subtask 3 is outside \[0, 3\)"):
        hand_env().reach([3], [0])


def expected_status(env):
    """Status of every subtask from the scenario and the ledger alone, subtask by subtask."""
    sc, now = env.scenario, env.now
    finish = {m.subtask: m.finish for m in env.ledger.matches}
    failed = {t.task for t in env.ledger.tasks if t.status == "failed"}
    out = []
    for i in range(sc.num_subtasks):
        q = sc.subtask_task[i]
        preds = sc.edges[sc.edges[:, 1] == i, 0]
        if i in finish:
            out.append(F if finish[i] <= now + 1e-9 else A)
        elif q in failed:
            out.append(D)
        elif sc.task_created[q] > now + 1e-9:
            out.append(U)
        else:
            out.append(OP if all(p in finish for p in preds) else B)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_status_matches_the_ledger_at_every_step_of_a_random_episode(seed):
    env = dasc_env.parallel_env(num_tasks=8, num_workers=15, city="small")
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    while env.agents:
        status = env.subtask_status
        assert status.tolist() == expected_status(env)
        assert env.agents == [env.possible_agents[i] for i in np.flatnonzero(is_live(status))]
        env.step({a: int(rng.random() < 0.5) for a in env.agents})
