"""DascAdapter: its arrays say what the env's per-agent dicts say (a second env replays the same seed and actions)."""

import numpy as np
import pytest

import dasc_env
from dasc_env import DASCConfig
from rmo_agents.adapter import DascAdapter
from rmo_agents.batch import GRAPH_KEYS
from rmo_agents.env_source import EnvSource

CONFIG = DASCConfig(city="small", num_tasks=6, num_workers=6, arrival_window=300.0, min_subtasks=2, max_subtasks=4)
SEED = 3
UTILITY_KEYS = ("u_skill", "u_dist", "u_time")


def eq12(u_skill, u_dist, u_time, alpha, beta):
    return alpha * beta * u_skill + alpha * (1 - beta) * u_dist + (1 - alpha) * u_time


def stack_dicts(obs: dict, agents: list[str]) -> dict[str, np.ndarray]:
    keys = obs[agents[0]].keys()
    return {k: np.stack([obs[a][k] for a in agents]) for k in keys}


def per_agent(batch: dict | None) -> dict[str, np.ndarray]:
    """A shared-graph batch read back per agent (each agent's own graph rows)."""
    if batch is None:
        return {}
    return {k: batch[k][batch["graph_index"]] if k in GRAPH_KEYS else batch[k].copy()
            for k in batch if k != "graph_index"}


@pytest.fixture(scope="module")
def twin():
    """One random-action episode played by the adapter and, with the same seed and actions, by a plain env."""
    adapter = DascAdapter(EnvSource(CONFIG))
    plain = dasc_env.parallel_env(CONFIG)
    live, batch = adapter.reset(SEED)
    obs, _ = plain.reset(seed=SEED)
    rng = np.random.default_rng(0)
    steps = [dict(live=live.copy(), batch=per_agent(batch), agents=list(plain.agents),
                  stacked=stack_dicts(obs, plain.agents))]
    while live.size:
        step = steps[-1]
        actions = rng.integers(0, 2, live.size)
        before = plain.total_revenue
        result, live, batch = adapter.step(actions)
        obs, rewards, terms, truncs, infos = plain.step(dict(zip(step["agents"], actions.tolist())))
        step.update(actions=actions, result=result, rewards=rewards, terms=terms, truncs=truncs, infos=infos,
                    revenue_delta=plain.total_revenue - before, agents_after=list(plain.agents))
        steps.append(dict(live=live.copy(), batch=per_agent(batch), agents=list(plain.agents),
                          stacked=stack_dicts(obs, plain.agents) if plain.agents else {}))
    return adapter, plain, steps[:-1]  # the last entry is the empty state after the final step


def test_twin_episode_has_matches_drops_and_late_arrivals(twin):
    _, _, steps = twin
    assert any(s["result"].terminated.any() for s in steps)
    assert any(s["result"].truncated.any() for s in steps)
    assert any(set(s["agents_after"]) - set(s["agents"]) for s in steps)


def test_reset_batch_equals_the_stacked_per_agent_dicts(twin):
    _, _, steps = twin
    first = steps[0]
    assert set(first["batch"]) == set(first["stacked"])
    for k, v in first["stacked"].items():
        np.testing.assert_array_equal(first["batch"][k], v, err_msg=k)


def test_step_batch_equals_the_stacked_per_agent_dicts_at_every_step(twin):
    _, _, steps = twin
    for t, s in enumerate(steps[1:], start=1):
        assert set(s["batch"]) == set(s["stacked"])
        for k, v in s["stacked"].items():
            np.testing.assert_array_equal(s["batch"][k], v, err_msg=f"step {t} {k}")


def test_live_indices_are_the_agents_subtasks_in_agents_order(twin):
    _, plain, steps = twin
    for s in steps:
        assert s["live"].tolist() == [plain.agent_subtask(a) for a in s["agents"]]


def test_rewards_equal_the_infos_reward_channels(twin):
    _, _, steps = twin
    for s in steps:
        r = s["result"]
        assert r.reward_sparse.tolist() == [s["infos"][a]["reward_sparse"] for a in s["agents"]]
        assert r.reward_shaped.tolist() == [s["infos"][a]["reward_shaped"] for a in s["agents"]]
        assert r.reward_sparse.tolist() == [s["rewards"][a] for a in s["agents"]]  # reward_mode "sparse"


def test_terminated_and_truncated_equal_the_envs(twin):
    _, _, steps = twin
    for s in steps:
        assert s["result"].terminated.tolist() == [s["terms"][a] for a in s["agents"]]
        assert s["result"].truncated.tolist() == [s["truncs"][a] for a in s["agents"]]


def test_utilities_equal_the_matched_infos_and_are_zero_otherwise(twin):
    _, _, steps = twin
    for s in steps:
        for j, a in enumerate(s["agents"]):
            info = s["infos"][a]
            expected = [info[k] for k in UTILITY_KEYS] if "utility" in info else [0.0, 0.0, 0.0]
            assert s["result"].utilities[j].tolist() == expected
            assert ("utility" in info) == bool(s["result"].terminated[j])


def test_busy_is_the_ledger_time_from_match_to_finish_and_zero_otherwise(twin):
    _, plain, steps = twin
    matches = {m.subtask: m.finish - m.matched_at for m in plain.ledger.matches}
    seen = 0
    for s in steps:
        busy = s["result"].busy
        for j, subtask in enumerate(s["live"]):
            if s["result"].terminated[j]:
                assert busy[j] == pytest.approx(matches[int(subtask)]) and busy[j] > 0
                seen += 1
            else:
                assert busy[j] == 0.0
    assert seen == len(matches) > 0


def test_revenue_delta_is_the_change_of_the_envs_total_revenue(twin):
    _, _, steps = twin
    for s in steps:
        assert s["result"].revenue_delta == pytest.approx(s["revenue_delta"], abs=1e-9)


def test_failed_recommendations_count_recommended_agents_left_unmatched(twin):
    _, _, steps = twin
    for s in steps:
        expected = sum(int(a) == 1 and not s["terms"][name] for a, name in zip(s["actions"], s["agents"]))
        assert s["result"].failed_recommendations == expected


def test_done_exactly_when_no_agent_is_left(twin):
    _, _, steps = twin
    assert [s["result"].done for s in steps] == [not s["agents_after"] for s in steps]
    assert steps[-1]["result"].done and not any(s["result"].done for s in steps[:-1])


def test_episode_metrics_read_the_ledger(twin):
    adapter, plain, _ = twin
    metrics = adapter.episode_metrics()
    assert metrics["revenue"] == pytest.approx(plain.total_revenue)
    assert metrics["completed"] == plain.ledger.count("completed")
    assert metrics["failed"] == plain.ledger.count("failed")
    assert metrics["completed"] + metrics["failed"] == CONFIG.num_tasks


# ------------------------------------------------------------------ eta
def matched_infos_until(adapter: DascAdapter, count: int, max_steps: int = 400) -> list[dict]:
    """Step ``adapter.env`` directly, recommending every live agent, until ``count`` matches were seen."""
    env, found = adapter.env, []
    for _ in range(max_steps):
        if not env.agents or len(found) >= count:
            break
        _, _, _, _, infos = env.step(env.actions_for(adapter.env.observation_batch[0]))
        found += [info for info in infos.values() if "utility" in info]
    assert len(found) >= count
    return found


def test_set_eta_before_reset_makes_the_matched_utility_eq_12_at_that_eta():
    adapter = DascAdapter(EnvSource(CONFIG))
    adapter.set_eta(0.3, 0.6)
    adapter.reset(SEED)
    assert adapter.env.utility_params == (0.3, 0.6)
    infos = matched_infos_until(adapter, 5)
    for info in infos:
        u = [info[k] for k in UTILITY_KEYS]
        assert info["utility"] == pytest.approx(eq12(*u, 0.3, 0.6), abs=1e-12)
    # the check discriminates: at the default eta the utilities would differ
    assert any(abs(eq12(*[i[k] for k in UTILITY_KEYS], CONFIG.alpha, CONFIG.beta) - i["utility"]) > 1e-6
               for i in infos)


def test_set_eta_during_an_episode_applies_from_the_next_step():
    adapter = DascAdapter(EnvSource(CONFIG))
    adapter.reset(SEED)
    matched_infos_until(adapter, 1)
    adapter.set_eta(0.8, 0.2)
    for info in matched_infos_until(adapter, 3):
        u = [info[k] for k in UTILITY_KEYS]
        assert info["utility"] == pytest.approx(eq12(*u, 0.8, 0.2), abs=1e-12)


def test_set_eta_outside_the_unit_square_raises():
    with pytest.raises(ValueError, match="alpha"):
        DascAdapter(EnvSource(CONFIG)).set_eta(1.5, 0.5)


def test_matcher_argument_reaches_the_env():
    adapter = DascAdapter(EnvSource(CONFIG), matcher="greedy")
    adapter.reset(SEED)
    assert adapter.env.sim.matcher == "greedy"


# ------------------------------------------------------------------ state tables
def advance_until_visible_rows_have_a_gap(adapter: DascAdapter) -> dict:
    rng = np.random.default_rng(1)
    live, _ = adapter.reset(SEED)
    while live.size:
        tables = adapter.env.state_tables()
        rows = np.flatnonzero(tables["subtasks_mask"])
        if rows.size and rows[-1] + 1 > rows.size:  # some hidden row sits before a visible one
            return tables
        _, live, _ = adapter.step(rng.integers(0, 2, live.size))
    raise AssertionError("no step had a hidden row before a visible one")


def test_state_tables_compacts_visible_subtask_rows_to_the_front_in_order():
    adapter = DascAdapter(EnvSource(CONFIG))
    full = advance_until_visible_rows_have_a_gap(adapter)
    compact = adapter.state_tables()
    expected = [full["subtasks"][r] for r in range(full["subtasks"].shape[0]) if full["subtasks_mask"][r]]
    assert compact["subtasks"].shape == (len(expected), full["subtasks"].shape[1])
    np.testing.assert_array_equal(compact["subtasks"], np.array(expected))


def test_state_tables_keeps_workers_and_time_and_drops_the_mask():
    adapter = DascAdapter(EnvSource(CONFIG))
    full = advance_until_visible_rows_have_a_gap(adapter)
    compact = adapter.state_tables()
    assert set(compact) == {"workers", "subtasks", "time"}
    np.testing.assert_array_equal(compact["workers"], full["workers"])
    np.testing.assert_array_equal(compact["time"], full["time"])


# ------------------------------------------------------------------ action checks
@pytest.mark.parametrize("shape", ["short", "long", "column"])
def test_actions_of_the_wrong_shape_raise_value_error_before_stepping(shape):
    adapter = DascAdapter(EnvSource(CONFIG))
    live, _ = adapter.reset(SEED)
    actions = {"short": np.ones(live.size - 1, dtype=np.int64), "long": np.ones(live.size + 1, dtype=np.int64),
               "column": np.ones((live.size, 1), dtype=np.int64)}[shape]
    now = adapter.env.now
    with pytest.raises(ValueError, match="shape"):
        adapter.step(actions)
    assert adapter.env.now == now and adapter.env.observation_batch[0].tolist() == live.tolist()


def test_an_episode_runs_on_the_array_path_without_the_per_agent_dicts(monkeypatch):
    adapter = DascAdapter(EnvSource(CONFIG))

    def refuse(*args, **kwargs):
        raise AssertionError("the adapter must not go through the per-agent dict API")

    monkeypatch.setattr(adapter.env, "step", refuse)
    monkeypatch.setattr(adapter.env, "actions_for", refuse)
    live, _ = adapter.reset(SEED)
    steps = 0
    while live.size:
        result, live, _ = adapter.step(np.ones(live.size, dtype=np.int64))
        steps += 1
    assert steps > 0 and result.done
