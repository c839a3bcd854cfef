import numpy as np
import pytest

import dasc_env
from tests.builders import line_city, make_scenario, tiny_config

SMALL = dict(num_tasks=5, num_workers=30, city="small", arrival_window=200.0)


def run_random(env, seed, p=0.5):
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    history = []
    while env.agents:
        history.append(env.step({a: int(rng.random() < p) for a in env.agents}))
    return history


def test_reward_mode_picks_the_channel_and_infos_carry_both():
    for mode, key in (("sparse", "reward_sparse"), ("shaped", "reward_shaped")):
        env = dasc_env.parallel_env(reward_mode=mode, **SMALL)
        for _, rewards, _, _, infos in run_random(env, seed=3):
            for agent, r in rewards.items():
                assert r == infos[agent][key]
                assert {"reward_sparse", "reward_shaped"} <= infos[agent].keys()


def test_matched_agent_is_terminated_with_its_match_in_info():
    env = dasc_env.parallel_env(**SMALL)
    seen = 0
    for _, _, terms, _, infos in run_random(env, seed=2, p=1.0):
        for agent, done in terms.items():
            if done:
                seen += 1
                info = infos[agent]
                assert {"worker", "u_skill", "u_dist", "u_time", "utility"} <= info.keys()
                v1, v2, v3 = env.unwrapped.utility_params[0] * env.unwrapped.utility_params[1], \
                    env.unwrapped.utility_params[0] * (1 - env.unwrapped.utility_params[1]), \
                    1 - env.unwrapped.utility_params[0]
                assert info["utility"] == pytest.approx(v1 * info["u_skill"] + v2 * info["u_dist"]
                                                        + v3 * info["u_time"])
    assert seen == len(env.unwrapped.ledger.matches) > 0


def test_agent_ids_are_never_reused():
    env = dasc_env.parallel_env(**SMALL)
    env.reset(seed=4)
    gone = set()
    while env.agents:
        _, _, terms, truncs, _ = env.step({a: 1 for a in env.agents})
        assert not gone & set(env.agents)
        gone |= {a for a in terms if terms[a] or truncs[a]}
    assert set(env.possible_agents) >= gone


def test_action_for_a_non_live_agent_is_rejected_without_side_effects():
    env = dasc_env.parallel_env(**SMALL)
    env.reset(seed=0)
    now, agents = env.unwrapped.now, list(env.agents)
    with pytest.raises(ValueError, match="subtask_99_0"):
        env.step({agents[0]: 1, "subtask_99_0": 1})
    assert env.unwrapped.now == now and env.agents == agents and not env.unwrapped.ledger.matches


@pytest.mark.parametrize("bad", [2, -1, 0.5, "1", np.array([1, 0])])
def test_action_outside_the_space_is_rejected(bad):
    env = dasc_env.parallel_env(**SMALL)
    env.reset(seed=0)
    agent = env.agents[0]
    with pytest.raises(ValueError, match=agent):
        env.step({agent: bad})
    assert env.unwrapped.now == 0.0 or env.agents


def test_set_utility_params_rejects_values_outside_unit_interval():
    env = dasc_env.parallel_env(**SMALL)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="alpha"):
        env.unwrapped.set_utility_params(-0.1, 0.5)
    env.unwrapped.set_utility_params(0.3, 0.7)
    assert env.unwrapped.utility_params == (0.3, 0.7)
    env.reset(seed=1)
    assert (env.unwrapped.sim.alpha, env.unwrapped.sim.beta) == (0.3, 0.7)


def test_unknown_config_override_is_a_type_error():
    with pytest.raises(TypeError, match="num_taks"):
        dasc_env.parallel_env(num_taks=3)


def test_fixed_scenario_is_replayed_on_every_reset():
    scenario = make_scenario([(0, [0]), (5, [1])], [
        dict(created=0, expected=1000, deadline=2000, payment=50, subtasks=[(3, [0], 60.0), (4, [1], 60.0)],
             edges=[(0, 1)])])
    env = dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)
    assert env.possible_agents == ["subtask_0_0", "subtask_0_1"]
    for seed in (0, 1):
        obs, _ = env.reset(seed=seed)
        assert env.agents == ["subtask_0_0", "subtask_0_1"]
        own = obs["subtask_0_1"]
        assert own["self_index"] == 1 and own["task_adjacency"][0, 1] == 1
        assert own["task_nodes"][1, 0] == 1  # waiting on its predecessor


def test_scenario_too_big_for_the_config_is_rejected():
    scenario = make_scenario([(0, [0])], [dict(created=0, expected=10, deadline=20, payment=1,
                                                subtasks=[(0, [0], 1.0)] * 5)])
    with pytest.raises(ValueError, match="max_subtasks=4"):
        dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), ("7", TypeError), (1.5, TypeError)])
def test_bad_seed_is_rejected_with_its_value(seed, error):
    env = dasc_env.parallel_env(**SMALL)
    with pytest.raises(error, match="seed"):
        env.reset(seed=seed)


def test_unknown_reset_option_warns_listing_the_accepted_ones():
    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small")
    with pytest.warns(UserWarning, match=r"\['senario'\] are ignored; accepted: \['scenario'\]"):
        env.reset(seed=0, options={"senario": None})


def test_a_none_action_does_not_recommend():
    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small")
    env.reset(seed=0)
    env.step({a: None for a in env.agents})
    assert env.sim.last_outcome.recommended.size == 0


def test_an_env_on_a_road_graph_says_custom_in_its_config():
    env = dasc_env.parallel_env(dasc_env.DASCConfig(num_tasks=2, num_workers=3, city="small"), city=line_city())
    assert env.config.city == "custom" and env.graph.name == "line"


def test_custom_city_without_a_road_graph_is_refused():
    with pytest.raises(ValueError, match="city='custom' stands for a RoadGraph"):
        dasc_env.parallel_env(dasc_env.DASCConfig(city="custom"))
