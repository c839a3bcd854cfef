"""RoadGraph.distance / distances: directed road distances, against hand-made graphs and brute force."""

import numpy as np
import pytest

from dasc_env.city import RoadGraph


def one_way_triangle():
    """0 -> 1 -> 2 -> 0, 100 m each, one way; node 3 has one arc 3 -> 0 and cannot be reached."""
    return RoadGraph(np.zeros((4, 2)), [0, 1, 2, 3], [1, 2, 0, 0], [100.0, 100.0, 100.0, 100.0], name="triangle")


def floyd_warshall(graph):
    n = graph.num_nodes
    d = np.full((n, n), np.inf)
    np.fill_diagonal(d, 0.0)
    for u, v, length in zip(graph.tails, graph.heads, graph.lengths):
        d[u, v] = min(d[u, v], length)
    for k in range(n):
        for i in range(n):
            for j in range(n):
                d[i, j] = min(d[i, j], d[i, k] + d[k, j])
    return d


def test_distance_follows_one_way_streets():
    g = one_way_triangle()
    assert g.distance(0, 1) == 100.0 and g.distance(1, 0) == 200.0


def test_an_unreachable_node_is_at_infinity():
    g = one_way_triangle()
    assert g.distance(0, 3) == np.inf and g.distance(3, 0) == 100.0


def test_distances_is_the_source_by_target_matrix(line):
    sources, targets = [3, 0, 3, 20], [5, 5, 1]
    expected = 100.0 * np.abs(np.subtract.outer(sources, targets))
    np.testing.assert_array_equal(line.distances(sources, targets), expected)


@pytest.mark.parametrize("seed", range(5))
def test_distances_equal_brute_force_with_more_or_fewer_sources_than_targets(seed):
    rng = np.random.default_rng(seed)
    n = 9
    tails, heads = rng.integers(0, n, 20), rng.integers(0, n, 20)
    g = RoadGraph(rng.random((n, 2)), tails, heads, rng.uniform(10.0, 100.0, 20))
    full = floyd_warshall(g)
    many, few = rng.integers(0, n, 12), rng.integers(0, n, 3)
    np.testing.assert_allclose(g.distances(many, few), full[np.ix_(many, few)], rtol=1e-12)
    np.testing.assert_allclose(g.distances(few, many), full[np.ix_(few, many)], rtol=1e-12)


def test_empty_sources_give_an_empty_matrix(line):
    assert line.distances([], [1, 2]).shape == (0, 2)


def test_a_node_outside_the_graph_is_named(line):
    with pytest.raises(ValueError, match=r"targets: node 21 is outside \[0, 21\) \(the nodes of road graph 'line'\)"):
        line.distances([0], [1, 21])


def test_a_negative_node_in_distance_is_named(line):
    with pytest.raises(ValueError, match="u: node -1 is outside"):
        line.distance(-1, 3)


def test_non_integer_nodes_are_a_type_error(line):
    with pytest.raises(TypeError, match="sources must be a sequence of integer node ids"):
        line.distances([0.5], [1])
