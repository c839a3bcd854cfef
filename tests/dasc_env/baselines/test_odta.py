import numpy as np

import dasc_env
from dasc_env.baselines import ODTAPolicy, threshold_assignment
from tests.builders import line_city, make_scenario, tiny_config


def test_threshold_assignment_takes_exactly_the_pairs_above_it():
    utility = np.array([[0.9, 0.2, 0.0], [0.1, 0.3, 0.7], [0.6, 0.0, 0.1]])
    feasible = np.ones_like(utility, dtype=bool)
    rows, cols = threshold_assignment(utility, feasible, threshold=0.5)
    # Pairs >= 0.5: (0,0) 0.9, (1,2) 0.7, (2,0) 0.6 -- worker 0 goes to the higher one.
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(0, 0), (1, 2)]


def test_odta_with_a_fixed_threshold_matches_only_pairs_above_it():
    # Two single-subtask tasks; worker 0 is next to subtask 0 (high u_dist), worker 1 is 4.5 km from subtask 1.
    tasks = [dict(created=0.0, expected=4000.0, deadline=8000.0, payment=50.0, subtasks=[(10, [0], 60.0)]),
             dict(created=0.0, expected=4000.0, deadline=8000.0, payment=50.0, subtasks=[(55, [1], 60.0)])]
    scenario = make_scenario([(11, [0]), (10, [1])], tasks)
    config = tiny_config(scenario, alpha=1.0, beta=0.0)  # u = u_dist
    env = dasc_env.parallel_env(config, city=line_city(61), scenario=scenario)
    policy = ODTAPolicy(observe_fraction=0.0, threshold=0.5)
    env.reset(seed=0)
    policy.reset(env.unwrapped, 0)
    env.unwrapped.set_matcher(policy.matcher)
    _, _, terms, _, infos = env.step(policy.act(env.unwrapped, {}))
    assert terms["subtask_0_0"] and infos["subtask_0_0"]["utility"] >= 0.5
    assert not terms["subtask_1_0"]  # u_dist = (5000 - 4500) / 5000 = 0.1 < 0.5


def test_odta_observes_first_then_draws_one_threshold():
    env = dasc_env.parallel_env(num_tasks=8, num_workers=40, city="small", arrival_window=900.0)
    policy = ODTAPolicy()
    obs, _ = env.reset(seed=2)
    policy.reset(env.unwrapped, 2)
    env.unwrapped.set_matcher(policy.matcher)
    while env.agents and env.unwrapped.now < policy.observe_until:
        obs, *_ = env.step(policy.act(env.unwrapped, obs))
        assert not env.unwrapped.ledger.matches
    while env.agents:
        obs, *_ = env.step(policy.act(env.unwrapped, obs))
    assert policy.threshold is not None and policy.threshold > 0
    assert env.unwrapped.ledger.matches
