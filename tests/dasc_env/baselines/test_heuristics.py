"""GREEDY, KM and the rule-based heuristics on hand-made scenarios (straight road, 100 m blocks)."""

import itertools

import numpy as np
import pytest

import dasc_env
from dasc_env.baselines import greedy, km, make_method, ready_km, wait_km
from tests.builders import line_city, make_scenario, tiny_config

CHAIN = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0,
             subtasks=[(10, [0], 300.0), (12, [0], 100.0)], edges=[(0, 1)])


def env_for(workers, tasks, **config):
    scenario = make_scenario(workers, tasks)
    return dasc_env.parallel_env(tiny_config(scenario, **config), city=line_city(), scenario=scenario)


def start(env, policy, seed=0):
    obs, _ = env.reset(seed=seed)
    policy.reset(env.unwrapped, seed)
    env.unwrapped.set_matcher(policy.matcher)
    return obs


def test_greedy_assigns_the_nearest_feasible_worker():
    task = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0, subtasks=[(10, [0], 60.0)])
    env = env_for([(0, [0]), (13, [0]), (11, [1])], [task])  # w2 is nearest but lacks skill 0
    policy = greedy()
    obs = start(env, policy)
    _, _, terms, _, infos = env.step(policy.act(env.unwrapped, obs))
    assert infos["subtask_0_0"]["worker"] == 1


def test_greedy_and_km_wait_until_predecessors_finish():
    env = env_for([(0, [0]), (12, [0])], [CHAIN])
    for policy in (greedy(), km()):
        obs = start(env, policy)
        recommended = policy.recommend(env.unwrapped)
        assert recommended.tolist() == [True, False]
        env.step(policy.act(env.unwrapped, obs))
        # A runs until 20 + 300 = 320 s; B is recommended only from then on.
        while env.unwrapped.now < 320.0:
            assert not policy.recommend(env.unwrapped)[1]
            env.step(policy.act(env.unwrapped, {}))
        assert policy.recommend(env.unwrapped)[1]


def test_ready_km_recommends_a_successor_once_its_predecessor_is_assigned():
    env = env_for([(0, [0]), (12, [0])], [CHAIN])
    policy = ready_km()
    obs = start(env, policy)
    env.step(policy.act(env.unwrapped, obs))
    assert policy.recommend(env.unwrapped).tolist() == [False, True]


def test_km_total_utility_equals_brute_force():
    rng = np.random.default_rng(0)
    tasks = [dict(created=0.0, expected=3000.0 + 500 * q, deadline=9000.0, payment=100.0,
                  subtasks=[(int(rng.integers(0, 21)), [int(rng.integers(0, 2))], 60.0)]) for q in range(4)]
    workers = [(int(rng.integers(0, 21)), sorted({0, int(rng.integers(0, 3))})) for _ in range(4)]
    env = env_for(workers, tasks, alpha=0.6, beta=0.3)
    policy = km()
    start(env, policy)
    sim = env.unwrapped.sim
    problem = sim.matching_problem(sim.open_subtasks, sim.idle_workers)
    _, _, terms, _, infos = env.step(policy.act(env.unwrapped, {}))
    got = sum(i["utility"] for a, i in infos.items() if terms[a])
    n, m = problem.feasible.shape
    best = 0.0
    for cols in itertools.product([None, *range(m)], repeat=n):
        used = [c for c in cols if c is not None]
        if len(set(used)) == len(used) and all(c is None or problem.feasible[r, c] for r, c in enumerate(cols)):
            best = max(best, sum(problem.utility[r, c] for r, c in enumerate(cols) if c is not None))
    assert got == pytest.approx(best)


@pytest.mark.parametrize(("idle_node", "waits"), [(0, True), (2, False)])
def test_wait_km_waits_for_a_busy_worker_that_arrives_before_every_idle_one(idle_node, waits):
    # w0 (node 10, skills 0 and 1) takes A (node 10, 100 s, skill 1) at t = 0. B (node 12, skill 0) is published
    # at t = 5: w0 would arrive after 95 s + 200 m / 10 m/s = 115 s, the idle w1 (skill 0) after 120 s from node 0
    # (WAIT-KM waits for w0) or 100 s from node 2 (it takes w1 now, as KM does).
    tasks = [dict(created=0.0, expected=5000.0, deadline=9000.0, payment=50.0, subtasks=[(10, [1], 100.0)]),
             dict(created=5.0, expected=5000.0, deadline=9000.0, payment=50.0, subtasks=[(12, [0], 100.0)])]
    workers = {}
    for policy in (km(), wait_km()):
        env = env_for([(10, [0, 1]), (idle_node, [0])], tasks)
        obs = start(env, policy)
        while env.agents:
            obs, *_ = env.step(policy.act(env.unwrapped, obs))
        workers[policy.name] = {m.subtask: m.worker for m in env.unwrapped.ledger.matches}
    assert workers["km"] == {0: 0, 1: 1}
    assert workers["wait-km"] == ({0: 0, 1: 0} if waits else {0: 0, 1: 1})


@pytest.mark.parametrize("method", ["greedy", "km", "wait-km", "game", "odta", "ready-km", "admit-km", "all", "random"])
def test_no_method_ever_breaks_a_constraint(method):
    env = dasc_env.parallel_env(num_tasks=8, num_workers=40, city="small", arrival_window=600.0)
    policy = make_method(method)
    obs = start(env, policy, seed=3)
    while env.agents:
        obs, *_ = env.step(policy.act(env.unwrapped, obs))
    u = env.unwrapped
    assert dasc_env.verify_ledger(u.scenario, u.ledger, u.config) == []
    assert len(u.ledger.matches) > 0


def test_km_eta_option_sets_the_weights_that_decide_the_match():
    # Subtask at node 10 needs skill 0. Worker 0 is 1 block away with three skills (u_skill 1/3), worker 1 is
    # 8 blocks away with skill 0 alone (u_skill 1). The paper's eta (0.95, 0.10) weighs distance 0.855 and skill
    # 0.095, so KM takes worker 0; eta (1, 1) weighs skill alone, so KM takes worker 1 (u_time is the same).
    task = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0, subtasks=[(10, [0], 60.0)])
    env = env_for([(11, [0, 1, 2]), (18, [0])], [task])
    for eta, worker in ((None, 0), ("1,1", 1), ((0.95, 0.10), 0)):
        policy = make_method("km", **({} if eta is None else {"eta": eta}))
        obs = start(env, policy)
        assert env.unwrapped.utility_params == ((0.95, 0.10) if eta is None else dasc_env.config.parse_eta(eta))
        _, _, _, _, infos = env.step(policy.act(env.unwrapped, obs))
        assert infos["subtask_0_0"]["worker"] == worker


@pytest.mark.parametrize("bad", ["0.5", "0.5,1.5", "a,b", (0.5, 0.5, 0.5), -1])
def test_eta_option_refuses_anything_but_two_weights_in_the_unit_interval(bad):
    for method in ("km", "wait-km", "ready-km", "all"):
        with pytest.raises(ValueError, match="eta=.* must be two numbers in \\[0, 1\\]"):
            make_method(method, eta=bad)


def test_eta_option_needs_the_km_matcher():
    with pytest.raises(ValueError, match="needs the KM matcher"):
        dasc_env.baselines.RulePolicy("greedy", "finished", matcher="greedy", eta="0.5,0.5")
