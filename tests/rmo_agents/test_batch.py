"""The shared-graph batch: one graph row per (step, task), selection, and turning observations into actions."""

import math

import numpy as np
import pytest
import torch

import dasc_env
from rmo_agents.batch import (
    AGENT_KEYS,
    GRAPH_KEYS,
    READY_COLUMN,
    concat_shared,
    observe,
    ready,
    recommend_rates,
    sample_actions,
    select,
    share_graphs,
)
from tests.rmo_agents.builders import PLAYED_CONFIG, make_actor, make_obs


def per_agent_batch(n: int = 5) -> dict[str, np.ndarray]:
    """A per-agent batch whose graph rows are marked by their agent's number."""
    batch = {k: v.numpy() for k, v in make_obs(n, seed=1).items()}
    batch["task_nodes"] = np.broadcast_to(np.arange(n, dtype=np.float64)[:, None, None], (n, 6, 10)).copy()
    return batch


def test_share_graphs_keeps_the_first_graph_of_each_group_and_indexes_it():
    batch = per_agent_batch()
    shared = share_graphs(batch, np.array([7, 3, 7, 3, 9]))
    assert shared["task_nodes"][:, 0, 0].tolist() == [1.0, 0.0, 4.0]  # groups 3, 7, 9: their first agents
    assert shared["graph_index"].tolist() == [1, 0, 1, 0, 2]
    for k in AGENT_KEYS:
        np.testing.assert_array_equal(shared[k], batch[k])


def test_concat_shared_offsets_each_parts_graph_index():
    a = share_graphs(per_agent_batch(), np.array([0, 0, 1, 1, 1]))
    b = share_graphs(per_agent_batch(), np.array([5, 6, 6, 7, 7]))
    out = concat_shared([a, b])
    assert out["graph_index"].tolist() == [0, 0, 1, 1, 1, 2, 3, 3, 4, 4]
    for k in GRAPH_KEYS:
        np.testing.assert_array_equal(out[k][out["graph_index"]],
                                      np.concatenate([a[k][a["graph_index"]], b[k][b["graph_index"]]]))


def test_select_keeps_each_graph_once_and_renumbers_the_index():
    obs = {"task_nodes": torch.arange(5.0).view(5, 1, 1).expand(5, 2, 3), "task_adjacency": torch.zeros(5, 2, 2),
           "task_mask": torch.ones(5, 2), "graph_index": torch.tensor([0, 0, 1, 3, 3, 3, 4]),
           **{k: torch.arange(7) for k in AGENT_KEYS}}
    out = select(obs, torch.tensor([5, 0, 3, 1]))
    assert out["task_nodes"][:, 0, 0].tolist() == [0.0, 3.0]
    assert out["graph_index"].tolist() == [1, 0, 1, 0]
    assert out["workers"].tolist() == [5, 0, 3, 1]
    assert torch.equal(out["task_nodes"][out["graph_index"]], obs["task_nodes"][obs["graph_index"][[5, 0, 3, 1]]])


def test_observe_shares_one_graph_per_task_and_matches_the_observation_batch():
    env = dasc_env.parallel_env(PLAYED_CONFIG)
    env.reset(seed=3)
    live, batch = observe(env)
    expected_live, per_agent = env.observation_batch
    np.testing.assert_array_equal(live, expected_live)
    tasks = env.scenario.subtask_task[live]
    assert batch["task_mask"].shape[0] == np.unique(tasks).size
    for k in GRAPH_KEYS:
        np.testing.assert_array_equal(batch[k][batch["graph_index"]], per_agent[k])


def test_observe_gives_no_batch_when_no_agent_is_live():
    env = dasc_env.parallel_env(PLAYED_CONFIG)
    env.reset(seed=3)
    while env.agents:
        env.step({a: 0 for a in env.agents})
    live, batch = observe(env)
    assert live.size == 0 and batch is None


@pytest.mark.parametrize("greedy", [False, True])
def test_sample_actions_never_takes_a_masked_action_and_repeats_with_the_generator(greedy):
    actor = make_actor(dtype=torch.float32)
    batch = {k: v.numpy() for k, v in make_obs(64, seed=2, dtype=torch.float32).items()}
    draws = [sample_actions(actor, batch, torch.Generator().manual_seed(9), torch.device("cpu"), greedy)
             for _ in range(2)]
    actions, log_prob = draws[0]
    assert actions.dtype == np.int64 and log_prob.dtype == np.float32 and actions.shape == (64,)
    assert not actions[batch["action_mask"][:, 1] == 0].any()
    np.testing.assert_array_equal(actions, draws[1][0])


def test_ready_reads_each_agents_own_node():
    nodes = torch.zeros(2, 3, 20)
    nodes[0, 1, READY_COLUMN] = 1.0
    nodes[1, 2, READY_COLUMN] = 1.0
    obs = {"task_nodes": nodes, "self_index": torch.tensor([0, 1, 2, 0]), "graph_index": torch.tensor([0, 0, 1, 1])}
    assert ready(obs).tolist() == [False, True, True, False]


def test_recommend_rates_split_the_sampled_recommendations_by_the_ready_feature():
    # two graphs of 3 subtasks; agents 0-3 own rows (0, 0), (0, 1), (1, 2), (1, 0); rows 1 and 2 are ready
    nodes = torch.zeros(2, 3, 20)
    nodes[0, 1, READY_COLUMN] = 1.0
    nodes[1, 2, READY_COLUMN] = 1.0
    obs = {"task_nodes": nodes, "self_index": torch.tensor([0, 1, 2, 0]), "graph_index": torch.tensor([0, 0, 1, 1])}
    actions = torch.tensor([1, 1, 0, 0])
    rates = recommend_rates(obs, actions, torch.tensor([0, 1, 2, 3]))
    assert rates == {"recommend_rate": 0.5, "recommend_rate_ready": 0.5, "recommend_rate_not_ready": 0.5}
    rates = recommend_rates(obs, actions, torch.tensor([1, 3]))
    assert rates == {"recommend_rate": 0.5, "recommend_rate_ready": 1.0, "recommend_rate_not_ready": 0.0}
    assert math.isnan(recommend_rates(obs, actions, torch.tensor([1]))["recommend_rate_not_ready"])
