import numpy as np
import pytest

from dasc_env import DASCConfig, generate_scenario
from dasc_env.city import save_graph, synthetic_city
from dasc_env.scenario import CityDemand, load_scenario, load_scenarios, save_scenario, scenario_files
from dasc_env.scenario.io import FIELDS


def scenario():
    c = DASCConfig(num_tasks=6, num_workers=9)
    return generate_scenario(c, CityDemand(synthetic_city("small"), c), np.random.default_rng(2))


def test_scenario_round_trips_through_npz(tmp_path):
    original = scenario()
    path = save_scenario(original, tmp_path / "run1")
    assert path.name == "run1.npz"
    back = load_scenario(path)
    for name in ("worker_nodes", "worker_skills", "task_created", "task_deadline", "task_ptr", "subtask_skills",
                 "subtask_durations", "edges", "latest_expected", "latest_deadline"):
        np.testing.assert_array_equal(getattr(back, name), getattr(original, name))


def test_wrong_version_is_rejected_with_the_file_name(tmp_path):
    s = scenario()
    path = tmp_path / "old.npz"
    np.savez(path, format="dasc-scenario", version=99, **{"edges": s.edges})
    with pytest.raises(ValueError, match="old.npz.*version 99"):
        load_scenario(path)


def test_missing_field_is_named(tmp_path):
    path = tmp_path / "partial.npz"
    np.savez(path, format="dasc-scenario", version=1, edges=np.zeros((0, 2), int))
    with pytest.raises(ValueError, match="worker_nodes"):
        load_scenario(path)


def test_not_a_scenario_file_is_rejected(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_text("hello")
    with pytest.raises(ValueError, match="junk.npz"):
        load_scenario(path)


@pytest.mark.parametrize("damage", ["empty", "truncated", "bit-flipped"])
def test_damaged_file_raises_value_error_naming_it(tmp_path, damage):
    good = save_scenario(scenario(), tmp_path / "good")
    raw = bytearray(good.read_bytes())
    if damage == "empty":
        raw = bytearray()
    elif damage == "truncated":
        raw = raw[: len(raw) // 2]
    else:  # flip bits inside the compressed payload of every member, past the local headers
        for i in range(200, len(raw) - 200, 97):
            raw[i] ^= 0xFF
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="bad.npz"):
        load_scenario(bad)


def test_a_folder_loads_in_name_order(tmp_path):
    c = DASCConfig(num_tasks=2, num_workers=3)
    demand = CityDemand(synthetic_city("small"), c)
    for name, tasks in (("b", 2), ("a", 1), ("c", 3)):
        save_scenario(generate_scenario(c.replace(num_tasks=tasks), demand, np.random.default_rng(0)), tmp_path / name)
    (tmp_path / "notes.txt").write_text("not a scenario")
    assert [s.num_tasks for s in load_scenarios(tmp_path)] == [1, 2, 3]
    assert [p.name for p in scenario_files(tmp_path)] == ["a.npz", "b.npz", "c.npz"]


def test_a_single_file_loads_as_a_list_of_one(tmp_path):
    path = save_scenario(scenario(), tmp_path / "one")
    assert [s.num_tasks for s in load_scenarios(path)] == [6]


def test_an_empty_folder_is_refused_naming_it(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty: folder holds no .npz scenario file"):
        load_scenarios(tmp_path / "empty")


def test_a_missing_path_is_named(tmp_path):
    with pytest.raises(ValueError, match="nowhere.npz: no such file"):
        load_scenario(tmp_path / "nowhere.npz")


def test_a_road_graph_file_is_not_a_scenario(tmp_path, line):
    save_graph(line, tmp_path / "graph.npz")
    with pytest.raises(ValueError, match="graph.npz: not a dasc-scenario file"):
        load_scenario(tmp_path / "graph.npz")


def test_a_plain_npy_array_is_not_a_scenario(tmp_path):
    np.save(tmp_path / "array.npy", np.zeros(3))
    with pytest.raises(ValueError, match="array.npy: not an .npz archive"):
        load_scenario(tmp_path / "array.npy")


def test_a_pickled_object_array_is_refused_without_unpickling(tmp_path):
    s = scenario()
    arrays = {name: getattr(s, name) for name in FIELDS}
    arrays["edges"] = np.array([object()], dtype=object)
    np.savez(tmp_path / "pickled.npz", format="dasc-scenario", version=1, **arrays)
    with pytest.raises(ValueError, match="pickled.npz: not a readable"):
        load_scenario(tmp_path / "pickled.npz")


def test_an_unsorted_stream_in_a_file_is_refused_naming_file_and_task(tmp_path):
    s = scenario()
    arrays = {name: getattr(s, name) for name in FIELDS}
    arrays["task_created"] = arrays["task_created"][::-1].copy()
    np.savez(tmp_path / "unsorted.npz", format="dasc-scenario", version=1, **arrays)
    with pytest.raises(ValueError, match=r"unsorted.npz: Scenario.task_created\[1\] must be >= task_created\[0\]"):
        load_scenario(tmp_path / "unsorted.npz")
