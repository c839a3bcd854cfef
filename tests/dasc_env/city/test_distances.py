"""Road distances to subtask locations, cached per target node (``dasc_env.city.distances``)."""

import networkx as nx
import numpy as np

from dasc_env.city import DistanceCache, synthetic_city


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


def test_cache_runs_dijkstra_once_per_target_node(line):
    cache = DistanceCache(line, limit=np.inf)
    cache.slots([3, 5, 3])
    assert cache.dijkstra_runs == 2
    d = cache.distances(cache.slots([5, 3]), [0])
    assert cache.dijkstra_runs == 2  # both rows were cached
    np.testing.assert_allclose(d[:, 0], [500.0, 300.0])
