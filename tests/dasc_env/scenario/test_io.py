import numpy as np
import pytest

from dasc_env import DASCConfig, generate_scenario
from dasc_env.city import CityDemand, synthetic_city
from dasc_env.scenario import load_scenario, save_scenario


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
