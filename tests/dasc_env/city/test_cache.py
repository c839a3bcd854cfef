import numpy as np

from dasc_env.city import load_city, load_graph, save_graph, synthetic_city


def test_saved_graph_loads_identically(tmp_path, line):
    save_graph(line, tmp_path / "g.npz")
    back = load_graph(tmp_path / "g.npz")
    np.testing.assert_array_equal(back.xy, line.xy)
    np.testing.assert_array_equal(back.lengths, line.lengths)
    assert (back.csr != line.csr).nnz == 0


def test_load_city_builds_once_then_reads_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DASC_ENV_CACHE", str(tmp_path))
    built = load_city("small", seed=5)
    files = list(tmp_path.glob("small-*.npz"))
    assert len(files) == 1
    again = load_city("small", seed=5)
    np.testing.assert_array_equal(again.xy, synthetic_city("small", 5).xy)
    np.testing.assert_array_equal(again.lonlat, built.lonlat)


def test_a_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("DASC_ENV_CACHE", str(tmp_path))
    load_city("small", seed=6)
    (path,) = tmp_path.glob("small-*.npz")
    path.write_bytes(b"not a zip")
    assert load_city("small", seed=6).num_nodes == synthetic_city("small", 6).num_nodes
