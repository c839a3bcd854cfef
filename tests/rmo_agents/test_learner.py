"""Learner helpers: minibatch selection keeps each task graph once."""

import torch

from rmo_agents.learner import select


def test_select_keeps_each_graph_once_and_renumbers_the_index():
    obs = {"task_nodes": torch.arange(5.0).view(5, 1, 1).expand(5, 2, 3), "task_adjacency": torch.zeros(5, 2, 2),
           "task_mask": torch.ones(5, 2), "graph_index": torch.tensor([0, 0, 1, 3, 3, 3, 4]),
           **{k: torch.arange(7) for k in ("self_index", "workers", "workers_mask", "subtasks", "subtasks_mask",
                                          "action_mask")}}
    out = select(obs, torch.tensor([5, 0, 3, 1]))
    assert out["task_nodes"][:, 0, 0].tolist() == [0.0, 3.0]
    assert out["graph_index"].tolist() == [1, 0, 1, 0]
    assert out["workers"].tolist() == [5, 0, 3, 1]
    assert torch.equal(out["task_nodes"][out["graph_index"]], obs["task_nodes"][obs["graph_index"][[5, 0, 3, 1]]])
