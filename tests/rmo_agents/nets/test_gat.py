"""GraphEncoder: masking, locality, edge direction, dense/sparse agreement (design note, tests section 4)."""

import pytest
import torch

from rmo_agents.config import ModelConfig
from rmo_agents.nets import GraphEncoder

F_IN = 5
BACKENDS = ("dense", "sparse")


def encoder(backend="dense", edges="undirected", seed=0, dtype=torch.float64):
    torch.manual_seed(seed)
    model = ModelConfig(gat_heads=2, gat_hidden=4, gat_out=3, gat_backend=backend, gat_edges=edges)
    return GraphEncoder(F_IN, model).to(dtype)


def path_graph(t=6, length=4, dtype=torch.float64):
    """One graph: the chain 0 -> 1 -> ... -> length-1, padded to ``t`` rows with random padding features."""
    gen = torch.Generator().manual_seed(1)
    nodes = torch.randn(1, t, F_IN, generator=gen, dtype=dtype)
    adjacency = torch.zeros(1, t, t, dtype=torch.int8)
    idx = torch.arange(length - 1)
    adjacency[0, idx, idx + 1] = 1
    mask = (torch.arange(t) < length).to(torch.int8)[None]
    return nodes, adjacency, mask


def random_graphs(n=12, t=8, dtype=torch.float64, seed=2):
    """Random DAGs of 1..t nodes with some finished (masked-out) nodes, edges restricted to the mask."""
    gen = torch.Generator().manual_seed(seed)
    sizes = torch.randint(1, t + 1, (n,), generator=gen)
    mask = (torch.arange(t)[None] < sizes[:, None]) & (torch.rand(n, t, generator=gen) > 0.2)
    adjacency = (torch.rand(n, t, t, generator=gen) < 0.4).triu(1) & mask[:, :, None] & mask[:, None, :]
    nodes = torch.randn(n, t, F_IN, generator=gen, dtype=dtype)
    return nodes, adjacency.to(torch.int8), mask.to(torch.int8)


@pytest.mark.parametrize("backend", BACKENDS)
def test_padded_and_finished_rows_are_exactly_zero(backend):
    nodes, adjacency, mask = random_graphs()
    out = encoder(backend)(nodes, adjacency, mask)
    assert out.shape == (12, 8, 3)
    assert torch.equal(out[mask == 0], torch.zeros_like(out[mask == 0]))
    assert (out[mask == 1] != 0).any(dim=1).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_padded_row_features_do_not_change_valid_outputs(backend):
    nodes, adjacency, mask = random_graphs()
    net = encoder(backend)
    changed = torch.where(mask[..., None] == 1, nodes, float("nan"))
    assert torch.equal(net(nodes, adjacency, mask), net(changed, adjacency, mask))


@pytest.mark.parametrize(("backend", "tol"), [("dense", 1e-14), ("sparse", 0.0)])
def test_adding_padding_leaves_valid_outputs_unchanged(backend, tol):
    """Bitwise for "sparse" (it never sees padded rows). "dense" multiplies (T, T) attention matrices, and BLAS
    may order that sum differently for another T (the padded terms are exact zeros): equal to a few ulps."""
    nodes, adjacency, mask = random_graphs(t=8)
    net = encoder(backend)
    pad = 5
    wide_nodes = torch.cat([nodes, torch.randn(12, pad, F_IN, dtype=nodes.dtype)], dim=1)
    wide_adjacency = torch.nn.functional.pad(adjacency, (0, pad, 0, pad), value=1)
    wide_mask = torch.nn.functional.pad(mask, (0, pad))
    narrow = net(nodes, adjacency, mask)
    wide = net(wide_nodes, wide_adjacency, wide_mask)
    torch.testing.assert_close(wide[:, :8], narrow, rtol=0, atol=tol)
    assert torch.equal(wide[:, 8:], torch.zeros_like(wide[:, 8:]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_edges_to_finished_nodes_are_ignored(backend):
    nodes, adjacency, mask = path_graph(length=4)
    mask[0, 2] = 0  # node 2 finished; the adjacency still lists 1 -> 2 -> 3
    net = encoder(backend)
    cut = adjacency.clone()
    cut[0, 1, 2] = cut[0, 2, 3] = 0
    assert torch.equal(net(nodes, adjacency, mask), net(nodes, cut, mask))


@pytest.mark.parametrize("backend", BACKENDS)
def test_node_outside_two_hops_has_no_effect(backend):
    nodes, adjacency, mask = path_graph(length=4)
    net = encoder(backend)
    base = net(nodes, adjacency, mask)
    far = nodes.clone()
    far[0, 3] += 10.0  # three hops from node 0
    assert torch.equal(net(far, adjacency, mask)[0, 0], base[0, 0])
    near = nodes.clone()
    near[0, 2] += 10.0  # two hops from node 0
    assert not torch.equal(net(near, adjacency, mask)[0, 0], base[0, 0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_directed_node_attends_to_predecessors_only(backend):
    nodes, adjacency, mask = path_graph(length=3)
    net = encoder(backend, edges="directed")
    base = net(nodes, adjacency, mask)
    changed = nodes.clone()
    changed[0, 1] += 10.0
    out = net(changed, adjacency, mask)
    assert torch.equal(out[0, 0], base[0, 0])  # node 0 has no predecessor
    assert not torch.equal(out[0, 2], base[0, 2])  # node 1 is node 2's predecessor


def test_directed_and_undirected_differ():
    nodes, adjacency, mask = random_graphs()
    undirected = encoder(edges="undirected")(nodes, adjacency, mask)
    directed = encoder(edges="directed")(nodes, adjacency, mask)
    assert not torch.allclose(undirected, directed)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_node_graph_has_finite_outputs_and_gradients(backend):
    net = encoder(backend)
    nodes = torch.randn(1, 1, F_IN, dtype=torch.float64, requires_grad=True)
    out = net(nodes, torch.zeros(1, 1, 1, dtype=torch.int8), torch.ones(1, 1, dtype=torch.int8))
    out.sum().backward()
    assert torch.isfinite(out).all() and (out != 0).any()
    assert all(torch.isfinite(p.grad).all() for p in net.parameters())
    assert torch.isfinite(nodes.grad).all()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("all_masked", ["one_graph", "whole_batch"])
def test_all_masked_graph_has_zero_outputs_and_finite_gradients(backend, all_masked):
    nodes, adjacency, mask = random_graphs(n=3)
    mask[0] = 0
    if all_masked == "whole_batch":
        mask[:] = 0
    net = encoder(backend)
    out = net(nodes, adjacency, mask)
    (out.square().sum() + sum(p.sum() for p in net.parameters())).backward()
    assert torch.equal(out[0], torch.zeros_like(out[0]))
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())


@pytest.mark.parametrize("edges", ["undirected", "directed"])
@pytest.mark.parametrize(("dtype", "tol"), [(torch.float64, 1e-12), (torch.float32, 1e-5)])
def test_dense_equals_sparse(edges, dtype, tol):
    nodes, adjacency, mask = random_graphs(n=64, t=16, dtype=dtype)
    dense = encoder("dense", edges, dtype=dtype)
    sparse = encoder("sparse", edges, seed=99, dtype=dtype)
    sparse.load_state_dict(dense.state_dict())
    torch.testing.assert_close(sparse(nodes, adjacency, mask), dense(nodes, adjacency, mask), rtol=0, atol=tol)


def test_backends_share_parameter_names_and_shapes():
    dense, sparse = encoder("dense").state_dict(), encoder("sparse").state_dict()
    assert {k: v.shape for k, v in dense.items()} == {k: v.shape for k, v in sparse.items()}
    assert all(torch.equal(dense[k], sparse[k]) for k in dense)  # same seed, same initial parameters
