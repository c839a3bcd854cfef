import numpy as np
import pytest

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


def test_a_truncated_graph_file_raises_value_error_naming_it(tmp_path, line):
    save_graph(line, tmp_path / "g.npz")
    raw = (tmp_path / "g.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="cut.npz: not a readable dasc-road-graph"):
        load_graph(tmp_path / "cut.npz")


def test_a_graph_file_of_another_version_is_named(tmp_path, line):
    np.savez(tmp_path / "future.npz", format="dasc-road-graph", version=7, xy=line.xy)
    with pytest.raises(ValueError, match="future.npz: dasc-road-graph version 7 is not supported"):
        load_graph(tmp_path / "future.npz")


def test_a_graph_file_missing_arrays_names_them(tmp_path, line):
    np.savez(tmp_path / "partial.npz", format="dasc-road-graph", version=1, xy=line.xy)
    with pytest.raises(ValueError, match=r"partial.npz: missing array\(s\) \['name', 'tails'"):
        load_graph(tmp_path / "partial.npz")
