"""OpenStreetMap GraphML through osmnx, on a tiny graph the test writes itself."""

import networkx as nx
import numpy as np
import pytest

from dasc_env.city import from_graphml

ox = pytest.importorskip("osmnx")

# A 3x3 block of streets near Chengdu's centre (~100 m apart) plus a one-way spur that cannot be left.
LON0, LAT0, STEP = 104.06, 30.66, 0.001


def write_graphml(path):
    g = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(3):
        for j in range(3):
            g.add_node(10 * i + j, x=LON0 + j * STEP, y=LAT0 + i * STEP, street_count=4)
    g.add_node(99, x=LON0 + 5 * STEP, y=LAT0, street_count=1)
    for i in range(3):
        for j in range(3):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < 3 and j + dj < 3:
                    u, v = 10 * i + j, 10 * (i + di) + j + dj
                    length = 96.0 if dj else 111.0
                    g.add_edge(u, v, osmid=u * 100 + v, length=length, oneway=False, reversed=False)
                    g.add_edge(v, u, osmid=u * 100 + v, length=length, oneway=False, reversed=True)
    g.add_edge(2, 99, osmid=7, length=300.0, oneway=True, reversed=False)
    ox.io.save_graphml(g, path)
    return g


def test_graphml_round_trip_keeps_the_strong_component_in_metres(tmp_path):
    path = tmp_path / "tiny.graphml"
    write_graphml(path)
    g = from_graphml(path, use_cache=False)
    # The one-way spur is cut off (not strongly connected); simplification then merges the four
    # corners (two streets each) into the streets joining the edge midpoints: 5 nodes, 8 two-way streets.
    assert g.num_nodes == 5 and g.is_strongly_connected()
    assert g.num_arcs == 16 and sorted(set(np.round(g.lengths))) == [96.0, 111.0, 207.0]
    # Projected to metres: the midpoints of the west and east streets are 2 * ~96 m apart.
    d = np.linalg.norm(g.xy[:, None] - g.xy[None], axis=2)
    assert 180 < d.max() < 240
    assert np.allclose(g.lonlat.min(axis=0), [LON0, LAT0])
    assert g.shortest_distances(np.arange(5)).max() == pytest.approx(2 * 111.0)


def test_graphml_is_cached_and_reread(tmp_path, monkeypatch):
    monkeypatch.setenv("DASC_ENV_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "tiny.graphml"
    write_graphml(path)
    first = from_graphml(path)
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    second = from_graphml(path)
    np.testing.assert_array_equal(first.xy, second.xy)
    assert (first.csr != second.csr).nnz == 0


def test_missing_graphml_file_names_the_path(tmp_path):
    with pytest.raises(ValueError, match="nowhere.graphml"):
        from_graphml(tmp_path / "nowhere.graphml")


def test_malformed_xml_raises_value_error_naming_the_file(tmp_path):
    path = tmp_path / "broken.graphml"
    path.write_text("<graphml><graph><node id='1'></graph>")
    with pytest.raises(ValueError, match="broken.graphml.*not well-formed"):
        from_graphml(path, use_cache=False)


def test_graphml_not_written_by_osmnx_raises_value_error_naming_the_file(tmp_path):
    g = nx.MultiDiGraph(crs="epsg:4326")
    g.add_edge(1, 2, length=10.0)
    g.add_edge(2, 1, length=10.0)
    path = tmp_path / "plain.graphml"
    nx.write_graphml(g, path)
    with pytest.raises(ValueError, match="plain.graphml.*not an osmnx road graph"):
        from_graphml(path, use_cache=False)


def test_graphml_without_coordinates_raises_value_error_naming_the_file(tmp_path):
    path = tmp_path / "nocoords.graphml"
    write_graphml(path)
    g = ox.io.load_graphml(path)
    for _, data in g.nodes(data=True):
        del data["x"], data["y"]
    ox.io.save_graphml(g, path)
    with pytest.raises(ValueError, match="nocoords.graphml.*'x'/'y'"):
        from_graphml(path, use_cache=False)
