"""dasc-eval on scenario and road graph files the tests write: rows, order, and errors with exit code 2.

Line city (nodes 0..20, 100 m apart). ONE_TASK: one subtask at node 10 (skill 0, 60 s, rho = 100, t_e = 5000 s);
a worker at node 9 reaches it in 10 s and finishes at 70 s, before t_e: revenue 100 - kappa * 100 m = 99.9.
"""

import csv

import pytest

from dasc_env.city import save_graph
from dasc_env.evaluation.cli import main
from dasc_env.scenario import save_scenario
from tests.builders import line_city, make_scenario

ONE_TASK = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0, subtasks=[(10, [0], 60.0)])


@pytest.fixture
def files(tmp_path):
    save_graph(line_city(), tmp_path / "line.npz")
    save_scenario(make_scenario([(9, [0])], [ONE_TASK]), tmp_path / "cases" / "b_one_worker")
    save_scenario(make_scenario([(9, [0]), (20, [0])], [ONE_TASK, ONE_TASK]), tmp_path / "cases" / "a_two_workers")
    return tmp_path


def rows(out):
    with (out / "results.csv").open() as f:
        return list(csv.DictReader(f))


def test_a_scenario_file_on_a_graph_file_is_scored_with_its_sizes(files):
    code = main(["--scenario", str(files / "cases" / "b_one_worker.npz"), "--graph", str(files / "line.npz"),
                 "--methods", "km,ready-km", "--out", str(files / "out"), "--quiet", "--no-plots"])
    assert code == 0
    got = [(r["method"], r["city"], r["num_tasks"], r["num_workers"], r["seed"], float(r["revenue"]))
           for r in rows(files / "out")]
    assert got == [("km", "line", "1", "1", "0", pytest.approx(99.9)), ("ready-km", "line", "1", "1", "0",
                                                                         pytest.approx(99.9))]


def test_a_folder_is_scored_in_name_order_one_seed_per_file(files):
    code = main(["--scenario", str(files / "cases"), "--graph", str(files / "line.npz"), "--methods", "km",
                 "--out", str(files / "out"), "--quiet", "--no-plots"])
    assert code == 0
    assert [(r["seed"], r["num_workers"]) for r in rows(files / "out")] == [("0", "2"), ("1", "1")]
    with (files / "out" / "scenarios.csv").open() as f:
        assert [r["scenario"].rsplit("/", 1)[-1] for r in csv.DictReader(f)] == ["a_two_workers.npz",
                                                                                 "b_one_worker.npz"]


def test_a_scenario_without_a_graph_runs_on_the_preset_city(files):
    code = main(["--scenario", str(files / "cases" / "b_one_worker.npz"), "--city", "small", "--methods", "km",
                 "--out", str(files / "out"), "--quiet", "--no-plots"])
    assert code == 0 and [r["city"] for r in rows(files / "out")] == ["small"]


def test_a_graph_file_alone_scores_generated_scenarios_on_it(files):
    code = main(["--graph", str(files / "line.npz"), "--methods", "km", "--tasks", "2", "--workers", "3",
                 "--seeds", "2", "--out", str(files / "out"), "--quiet", "--no-plots"])
    assert code == 0
    assert [(r["city"], r["num_tasks"], r["seed"]) for r in rows(files / "out")] == [("line", "2", "0"),
                                                                                     ("line", "2", "1")]


def test_a_graphml_file_goes_through_the_osm_importer(tmp_path):
    pytest.importorskip("osmnx")
    from tests.dasc_env.city.test_osm import write_graphml

    write_graphml(tmp_path / "tiny.graphml")  # 5 nodes once simplified
    save_scenario(make_scenario([(0, [0])], [{**ONE_TASK, "subtasks": [(4, [0], 60.0)]}]), tmp_path / "case")
    code = main(["--scenario", str(tmp_path / "case.npz"), "--graph", str(tmp_path / "tiny.graphml"),
                 "--methods", "km", "--out", str(tmp_path / "out"), "--quiet", "--no-plots"])
    assert code == 0 and [r["city"] for r in rows(tmp_path / "out")] == ["tiny"]


@pytest.mark.parametrize("args, message", [
    (["--scenario", "{d}/nowhere.npz", "--graph", "{d}/line.npz"], "nowhere.npz: no such file"),
    (["--scenario", "{d}/cases", "--graph", "{d}/bad.npz"], "bad.npz: not a readable dasc-road-graph"),
    (["--scenario", "{d}/cases", "--graph", "{d}/line.txt"], "line.txt: a road graph file must end in"),
    (["--scenario", "{d}/line.npz", "--graph", "{d}/line.npz"], "line.npz: not a dasc-scenario file"),
    (["--scenario", "{d}/empty"], "empty: folder holds no .npz scenario file"),
    (["--scenario", "{d}/cases", "--tasks", "3"], "--tasks cannot be used with --scenario"),
    (["--graph", "{d}/line.npz", "--city", "small"], "--city and --graph both name the road graph"),
    (["--scenario", "{d}/cases", "--city", "small,chengdu"], "--scenario runs on one road graph"),
])
def test_bad_files_and_options_exit_2_naming_them(files, capsys, args, message):
    (files / "bad.npz").write_bytes(b"PK\x03\x04 truncated")
    (files / "line.txt").write_text("0 1 100")
    (files / "empty").mkdir()
    argv = [a.format(d=files) for a in args] + ["--methods", "km", "--out", str(files / "out"), "--quiet"]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_scenario_with_nodes_beyond_the_graph_names_the_file(files, capsys):
    far = make_scenario([(9, [0])], [{**ONE_TASK, "subtasks": [(30, [0], 60.0)]}])
    save_scenario(far, files / "far")
    assert main(["--scenario", str(files / "far.npz"), "--graph", str(files / "line.npz"), "--methods", "km",
                 "--out", str(files / "out"), "--quiet"]) == 2
    assert "far.npz: Scenario.subtask_nodes[0] must be node indices < 21" in capsys.readouterr().err
