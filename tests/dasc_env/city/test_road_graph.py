import numpy as np
import pytest

from dasc_env.city import RoadGraph, synthetic_city


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
