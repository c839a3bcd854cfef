import networkx as nx
import numpy as np
import pytest

from dasc_env.city import DistanceCache, RoadGraph, synthetic_city


def test_parallel_arcs_keep_the_shortest():
    g = RoadGraph(np.zeros((2, 2)), [0, 0, 1], [1, 1, 0], [50.0, 30.0, 40.0])
    assert g.num_arcs == 2 and g.num_edges == 1
    assert g.csr[0, 1] == 30.0


def test_bad_lengths_are_rejected_with_the_field_name():
    with pytest.raises(ValueError, match="lengths"):
        RoadGraph(np.zeros((2, 2)), [0], [1], [-1.0])


def test_out_of_range_node_is_rejected():
    with pytest.raises(ValueError, match="heads"):
        RoadGraph(np.zeros((2, 2)), [0], [5], [1.0])


def test_cache_distances_equal_networkx_dijkstra():
    g = synthetic_city("small", seed=3)
    nxg = g.to_networkx()
    rng = np.random.default_rng(0)
    targets = rng.integers(0, g.num_nodes, size=5)
    sources = rng.integers(0, g.num_nodes, size=30)
    cache = DistanceCache(g, limit=np.inf)
    got = cache.distances(cache.slots(targets), sources)
    for i, t in enumerate(targets):
        to_t = nx.single_source_dijkstra_path_length(nxg.reverse(), int(t), weight="length")
        np.testing.assert_allclose(got[i], [to_t[int(s)] for s in sources], rtol=1e-5)


def test_cache_marks_beyond_limit_as_inf(line):
    cache = DistanceCache(line, limit=450.0)
    d = cache.distances(cache.slots([0]), [0, 4, 5, 20])[0]
    np.testing.assert_allclose(d, [0.0, 400.0, np.inf, np.inf])


def test_cache_stays_correct_while_evicting(line):
    cache = DistanceCache(line, limit=np.inf, memory_mb=0.0)  # 16 rows only
    for t in list(range(21)) + [0, 20, 3]:
        d = cache.distances(cache.slots([t, (t + 7) % 21]), [0, 10, 20])
        np.testing.assert_allclose(d[0], [100 * abs(t - s) for s in (0, 10, 20)])


def test_one_request_larger_than_the_cache_grows_it(line):
    cache = DistanceCache(line, limit=np.inf, memory_mb=0.0)
    targets = np.arange(21)
    d = cache.distances(cache.slots(targets), [0])
    np.testing.assert_allclose(d[:, 0], targets * 100.0)


@pytest.mark.parametrize("preset, nodes, edges", [("chengdu", 36630, 50786), ("haikou", 20592, 49549)])
def test_presets_match_the_paper_sizes_within_5_percent(preset, nodes, edges):
    g = synthetic_city(preset, seed=0)
    assert abs(g.num_nodes / nodes - 1) < 0.05
    assert abs(g.num_edges / edges - 1) < 0.05


def test_synthetic_city_is_strongly_connected_and_seeded():
    a, b, c = synthetic_city("small", 1), synthetic_city("small", 1), synthetic_city("small", 2)
    assert a.is_strongly_connected()
    np.testing.assert_array_equal(a.xy, b.xy)
    assert a.xy.shape != c.xy.shape or not np.array_equal(a.xy, c.xy)


def test_unknown_preset_names_the_value():
    with pytest.raises(ValueError, match="atlantis"):
        synthetic_city("atlantis")
