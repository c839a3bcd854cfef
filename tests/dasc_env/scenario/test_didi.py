"""Order (DiDi GAIA layout) and worker CSV import, on small files the tests write."""

import numpy as np
import pytest

import dasc_env
from dasc_env import DASCConfig, verify_ledger
from dasc_env.city import synthetic_city
from dasc_env.scenario import read_orders, read_workers, scenario_from_orders

CITY = synthetic_city("small")
LON, LAT = CITY.lonlat.mean(axis=0)
HEADER = "order_id,ride_start_time,ride_stop_time,pickup_longitude,pickup_latitude,dropoff_longitude,dropoff_latitude"


def order_lines(n=20, seed=0):
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        start = 1_477_958_400 + 30 * i
        lon, lat = CITY.lonlat[rng.integers(CITY.num_nodes)]
        lines.append(f"o{i},{start},{start + rng.integers(30, 900)},{lon:.6f},{lat:.6f},{lon + 0.001:.6f},{lat:.6f}")
    return lines


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_headerless_gaia_orders_are_read_in_column_order(tmp_path):
    orders = read_orders(write(tmp_path, "gaia.csv", order_lines(5)), CITY)
    assert len(orders) == 5 and orders.order_id.tolist() == ["o0", "o1", "o2", "o3", "o4"]
    assert orders.start[1] - orders.start[0] == 30


def test_orders_with_a_header_may_reorder_columns(tmp_path):
    lines = order_lines(3)
    cols = HEADER.split(",")
    swapped = [",".join([c[1] for c in sorted(zip(cols, line.split(",")), key=lambda p: p[0])]) for line in lines]
    path = write(tmp_path, "named.csv", [",".join(sorted(cols)), *swapped])
    a, b = read_orders(path, CITY), read_orders(write(tmp_path, "plain.csv", lines), CITY)
    np.testing.assert_array_equal(a.pickup_lon, b.pickup_lon)


def test_scenario_from_orders_runs_in_the_env_without_breaking_constraints(tmp_path):
    orders = read_orders(write(tmp_path, "gaia.csv", order_lines(64)), CITY)  # 4 tasks of <= 16
    config = DASCConfig(num_tasks=4, num_workers=15, city="small")
    scenario = scenario_from_orders(orders, CITY, config, np.random.default_rng(0))
    assert scenario.num_tasks == 4 and scenario.task_created[0] == 0.0
    chosen = np.argsort(orders.start)[: scenario.num_subtasks]
    np.testing.assert_array_equal(scenario.subtask_nodes, CITY.nearest_nodes(orders.pickup_lon[chosen],
                                                                              orders.pickup_lat[chosen]))
    env = dasc_env.parallel_env(config, city=CITY, scenario=scenario)
    env.reset(seed=0)
    while env.agents:
        env.step({a: 1 for a in env.agents})
    assert verify_ledger(scenario, env.unwrapped.ledger, config) == []


def test_workers_are_snapped_to_the_nearest_node(tmp_path):
    lon, lat = CITY.lonlat[17]
    path = write(tmp_path, "workers.csv", ["longitude,latitude,skills", f"{lon},{lat},1;0;0;1;0;0;0;0;0;1"])
    nodes, skills = read_workers(path, CITY, num_skills=10)
    assert nodes.tolist() == [17] and np.flatnonzero(skills[0]).tolist() == [0, 3, 9]


@pytest.mark.parametrize("lines, message", [
    ([], "empty"),
    (["order_id,ride_start_time,pickup_longitude"], "missing column"),
    ([f"o1,abc,1477958500,{LON},{LAT},{LON},{LAT}"], r"line 1: field 'ride_start_time' is not a number"),
    ([f"o1,1477958400,1477958500,{LON},{LAT},{LON},{LAT}", "o2,1477958400,1477958500,130.0,10.0,130.0,10.0"],
     r"line 2: .*pickup_longitude.*outside"),
    ([f"o1,1477958400,1477958300,{LON},{LAT},{LON},{LAT}"], "before 'ride_start_time'"),
    ([f"o1,1477958400,{LON},{LAT}"], "line 1: expected 7 fields"),
])
def test_malformed_order_files_name_file_line_and_field(tmp_path, lines, message):
    path = write(tmp_path, "bad_orders.csv", lines)
    with pytest.raises(ValueError, match=f"bad_orders.csv.*{message}"):
        read_orders(path, CITY)


@pytest.mark.parametrize("row, message", [
    (f"{LON},{LAT},1;0;1", r"line 2: field 'skills' must be 10"),
    (f"{LON},north,1;0;0;0;0;0;0;0;0;0", "line 2: field 'latitude' is not a number"),
    (f"{LON},{LAT},1;0;0;0;0;0;0;0;0;2", "field 'skills'"),
])
def test_malformed_worker_files_name_file_line_and_field(tmp_path, row, message):
    path = write(tmp_path, "bad_workers.csv", ["longitude,latitude,skills", row])
    with pytest.raises(ValueError, match=f"bad_workers.csv.*{message}"):
        read_workers(path, CITY, num_skills=10)


def test_worker_file_without_the_skills_column_is_rejected(tmp_path):
    path = write(tmp_path, "w.csv", ["longitude,latitude", f"{LON},{LAT}"])
    with pytest.raises(ValueError, match=r"w.csv, line 1: missing column\(s\) \['skills'\]"):
        read_workers(path, CITY, num_skills=10)


def test_too_few_orders_for_num_tasks_raise_unless_a_shorter_stream_is_allowed(tmp_path):
    orders = read_orders(write(tmp_path, "short.csv", order_lines(40)), CITY)
    config = DASCConfig(num_tasks=10, num_workers=15, city="small")
    with pytest.raises(ValueError, match="40 orders make only .* of num_tasks=10"):
        scenario_from_orders(orders, CITY, config, np.random.default_rng(0))
    scenario = scenario_from_orders(orders, CITY, config, np.random.default_rng(0), allow_fewer=True)
    assert 2 <= scenario.num_tasks < 10
