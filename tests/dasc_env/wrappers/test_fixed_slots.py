"""FixedSlots: a fixed agent set over the dynamic subtask agents."""

import pickle

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test

import dasc_env
from dasc_env.wrappers import INFO_KEYS, FixedSlots
from tests.builders import line_city, make_scenario, tiny_config

SMALL = dict(num_tasks=5, num_workers=30, city="small", arrival_window=200.0)
SLOTS = ["slot_0", "slot_1"]


def slotted(num_slots=None, flatten=True, **config):
    return FixedSlots(dasc_env.parallel_env(**(config or SMALL)), num_slots=num_slots, flatten=flatten)


def random_actions(env, rng, p=0.5):
    return {a: int(rng.random() < p) for a in env.agents}


def three_independent_subtasks(num_slots=2, flatten=True):
    """Workers at nodes 0 (skill 0) and 20 (skill 1); one task of subtasks at 10, 12 (skill 0) and 15 (skill 1)."""
    scenario = make_scenario([(0, [0]), (20, [1])], [
        dict(created=0, expected=1000, deadline=2000, payment=50,
             subtasks=[(10, [0], 60.0), (12, [0], 60.0), (15, [1], 60.0)])])
    raw = dasc_env.parallel_env(tiny_config(scenario, reward_mode="shaped"), city=line_city(), scenario=scenario)
    return FixedSlots(raw, num_slots=num_slots, flatten=flatten)


@pytest.mark.parametrize("num_slots, flatten", [(None, True), (6, False), (3, True)])
def test_passes_the_parallel_api_test(num_slots, flatten):
    parallel_api_test(slotted(num_slots, flatten), num_cycles=400)


@pytest.mark.parametrize("num_slots, flatten", [(None, True), (4, False)])
def test_passes_the_parallel_seed_test(num_slots, flatten):
    parallel_seed_test(lambda: slotted(num_slots, flatten), num_cycles=200)


def test_default_size_holds_every_subtask_of_the_config():
    env = slotted()
    assert env.num_slots == SMALL["num_tasks"] * env.unwrapped.config.max_subtasks


def test_every_slot_is_in_every_dict_and_the_agent_list_never_changes():
    env = slotted(8)
    names = list(env.possible_agents)
    rng = np.random.default_rng(0)
    for seed in (0, 1):
        obs, infos = env.reset(seed=seed)
        assert env.agents == env.possible_agents == names and obs.keys() == infos.keys() == set(names)
        while env.agents:
            out = env.step(random_actions(env, rng))
            assert all(d.keys() == set(names) for d in out)
            assert all(info.keys() == set(INFO_KEYS) for info in out[4].values())
            assert env.possible_agents == names and env.agents in ([], names)


def test_a_subtask_keeps_one_slot_for_its_whole_life():
    env = slotted()
    rng = np.random.default_rng(1)
    _, infos = env.reset(seed=1)
    slot_of, gone = {}, set()
    while env.agents:
        live = {info["subtask"]: slot for slot, info in infos.items() if info["active"]}
        assert set(live) == set(env.unwrapped.observation_batch[0].tolist())  # the default size never overflows
        for subtask, slot in live.items():
            assert subtask not in gone and slot_of.setdefault(subtask, slot) == slot
        gone |= set(slot_of) - set(live)
        _, _, _, _, infos = env.step(random_actions(env, rng))
    assert len(slot_of) > SMALL["num_tasks"]


def test_inactive_slots_observe_zeros_with_mask_one_zero_and_get_nothing():
    env = slotted(flatten=False)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(5):
        held = env.slot_subtasks
        obs, rewards, _, _, infos = env.step(random_actions(env, rng))
    inactive = [slot for slot, info in infos.items() if not info["active"]]
    assert inactive
    for slot in inactive:
        o = obs[slot]
        assert o["action_mask"].tolist() == [1, 0] and o["active"].tolist() == [0]
        assert all(not v.any() for k, v in o.items() if k != "action_mask")
        assert infos[slot]["subtask"] == -1 and infos[slot]["action_mask"].tolist() == [1, 0]
    for slot in (s for s in inactive if held[int(s[5:])] < 0):  # inactive during the step too
        assert rewards[slot] == 0.0 and infos[slot]["worker"] == -1 and infos[slot]["utility"] == 0.0


def test_actions_for_inactive_slots_are_ignored():
    runs = []
    for action_of_inactive in (0, 1):
        env = slotted()
        _, infos = env.reset(seed=2)
        rng = np.random.default_rng(2)
        while env.agents:
            actions = random_actions(env, rng)
            actions.update({s: action_of_inactive for s, info in infos.items() if not info["active"]})
            _, _, _, _, infos = env.step(actions)
        runs.append(env.unwrapped.ledger.matches)
    assert runs[0] == runs[1]


def test_flat_observation_is_the_dict_fields_concatenated_in_order():
    flat, fields = slotted(6), slotted(6, flatten=False)
    obs_flat, _ = flat.reset(seed=3)
    obs_dict, _ = fields.reset(seed=3)
    for slot in flat.possible_agents:
        parts = [obs_dict[slot][name].ravel() for name, _, _ in flat.fields]
        np.testing.assert_array_equal(obs_flat[slot], np.concatenate(parts).astype(np.float32))
    assert flat.observation_space("slot_0").shape == (flat.flat_size,)


def test_active_slot_carries_the_raw_observation_and_a_one_hot_own_node():
    env = three_independent_subtasks(flatten=False)
    obs, infos = env.reset(seed=0)
    batch = env.unwrapped.observation_batch[1]
    for k, slot in enumerate(SLOTS):
        assert infos[slot]["subtask"] == k
        np.testing.assert_array_equal(obs[slot]["task_nodes"], batch["task_nodes"][k])
        np.testing.assert_array_equal(obs[slot]["self_node"], np.eye(4, dtype=np.int8)[k])
        np.testing.assert_array_equal(infos[slot]["action_mask"], batch["action_mask"][k])


@pytest.mark.parametrize("num_slots, mode", [(None, "sparse"), (None, "shaped"), (4, "sparse")])
def test_slot_rewards_sum_to_the_raw_env_rewards_every_step(num_slots, mode):
    config = dict(SMALL, reward_mode=mode)
    env, raw = slotted(num_slots, **config), dasc_env.parallel_env(**config)
    env.reset(seed=5)
    raw.reset(seed=5)
    rng = np.random.default_rng(5)
    names = raw.possible_agents
    while env.agents:
        actions = random_actions(env, rng, p=0.7)
        held = env.slot_subtasks
        raw_actions = {names[held[int(s[5:])]]: a for s, a in actions.items() if held[int(s[5:])] >= 0}
        _, rewards, _, _, infos = env.step(actions)
        _, raw_rewards, _, _, raw_infos = raw.step(raw_actions)
        assert sum(rewards.values()) == pytest.approx(sum(raw_rewards.values()), abs=1e-9)
        other = "reward_shaped" if mode == "sparse" else "reward_sparse"
        assert sum(i[other] for i in infos.values()) == pytest.approx(sum(i[other] for i in raw_infos.values()))
    assert not raw.agents and env.unwrapped.total_revenue == pytest.approx(raw.total_revenue)


def test_a_matched_slot_reports_its_worker_and_utilities():
    env = three_independent_subtasks()
    env.reset(seed=0)
    _, rewards, _, _, infos = env.step({"slot_0": 1, "slot_1": 0})
    match = env.unwrapped.ledger.matches[0]
    info = infos["slot_0"]
    assert info["worker"] == match.worker == 0 and info["subtask"] == -1 and not info["active"]
    assert info["utility"] == pytest.approx(env.unwrapped.sim.last_outcome.utility[0])
    assert rewards["slot_0"] == info["reward_shaped"] != 0.0


def test_a_compact_pool_overflows_and_hands_vacated_slots_to_the_oldest_waiting_subtask():
    env = three_independent_subtasks(num_slots=2)
    _, infos = env.reset(seed=0)
    assert env.slot_subtasks.tolist() == [0, 1] and env.overflow == 1 and infos["slot_0"]["overflow"] == 1
    _, _, _, _, infos = env.step({"slot_0": 1, "slot_1": 0})  # subtask 0 is matched and leaves slot 0
    assert env.slot_subtasks.tolist() == [-1, 1] and env.overflow == 1  # slot 0 rests for one step
    env.step({"slot_0": 0, "slot_1": 0})
    assert env.slot_subtasks.tolist() == [2, 1] and env.overflow == 0


def test_subtasks_without_a_slot_do_not_recommend():
    env = three_independent_subtasks(num_slots=1)
    env.reset(seed=0)
    env.step({"slot_0": 1})
    assert env.unwrapped.sim.last_outcome.recommended.tolist() == [0]


def test_all_slots_end_together_and_the_episode_then_refuses_steps():
    env = slotted(6)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    while env.agents:
        _, _, terms, truncs, _ = env.step(random_actions(env, rng))
        assert len(set(terms.values())) == 1 and len(set(truncs.values())) == 1
    assert all(terms.values()) and not any(truncs.values()) and env.agents == []
    with pytest.raises(RuntimeError, match="reset"):
        env.step({})


def test_an_episode_cut_by_the_horizon_truncates_every_slot():
    env = slotted(6, **dict(SMALL, horizon=100.0))
    env.reset(seed=0)
    while env.agents:
        _, _, terms, truncs, _ = env.step({})
    assert all(truncs.values()) and not any(terms.values())


def test_state_passes_through():
    env = slotted(6)
    env.reset(seed=0)
    np.testing.assert_array_equal(env.state(), env.unwrapped.state())
    assert env.state_space is env.unwrapped.state_space


def test_a_pickled_env_continues_exactly_like_the_original():
    env = slotted(6)
    env.reset(seed=4)
    rng = np.random.default_rng(4)
    for _ in range(10):
        env.step(random_actions(env, rng))
    copy = pickle.loads(pickle.dumps(env))
    while env.agents:
        actions = random_actions(env, rng)
        a, b = env.step(actions), copy.step(actions)
        assert all(np.array_equal(a[0][s], b[0][s]) for s in env.possible_agents) and a[1:4] == b[1:4]
    assert copy.unwrapped.total_revenue == env.unwrapped.total_revenue


def test_pickle_leaves_the_distance_cache_behind():
    env = slotted(6, **dict(SMALL, city="chengdu"))
    env.reset(seed=0)
    assert len(pickle.dumps(env)) < 20 * 2**20  # the graph, not the cache's rows


@pytest.mark.parametrize("num_slots, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError),
                                              ("8", TypeError), (True, TypeError)])
def test_bad_num_slots_is_rejected_naming_it(num_slots, error):
    with pytest.raises(error, match="num_slots"):
        slotted(num_slots)


def test_an_env_that_is_not_a_dasc_env_is_rejected():
    with pytest.raises(TypeError, match="DASCParallelEnv"):
        FixedSlots(dasc_env.env(**SMALL))


def test_flatten_must_be_a_bool():
    with pytest.raises(TypeError, match="flatten"):
        slotted(4, flatten="yes")


@pytest.mark.parametrize("actions, culprit", [({"slot_0": 2}, "slot_0"), ({"slot_1": 0.5}, "slot_1"),
                                              ({"slot_0": 1, "slot_9": 1}, "slot_9"),
                                              ({"slot_0": 1, "slot_1": np.array([0])}, "slot_1")])
def test_bad_actions_are_rejected_naming_the_slot_without_stepping(actions, culprit):
    env = slotted(4)
    env.reset(seed=0)
    now = env.unwrapped.now
    with pytest.raises(ValueError, match=culprit):
        env.step(actions)
    assert env.unwrapped.now == now and not env.unwrapped.ledger.matches


def test_numpy_and_none_actions_are_accepted():
    env = three_independent_subtasks(num_slots=2)
    env.reset(seed=0)
    env.step({"slot_0": np.array(1), "slot_1": None})
    assert env.unwrapped.sim.last_outcome.recommended.tolist() == [0]
