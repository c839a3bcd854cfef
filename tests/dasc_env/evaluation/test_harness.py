import csv
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import dasc_env
from dasc_env.baselines import RulePolicy, make_method, register_method
from dasc_env.evaluation import COLUMNS, EvalPoint, evaluate_point, run_episode, run_grid, runner
from dasc_env.evaluation.cli import main


def test_every_method_sees_the_same_scenario_for_a_seed():
    scenarios = []
    for method in ("greedy", "random"):
        env = dasc_env.parallel_env(num_tasks=4, num_workers=20, city="small")
        run_episode(env, make_method(method), seed=7)
        scenarios.append(env.unwrapped.scenario)
    a, b = scenarios
    for name in ("worker_nodes", "worker_skills", "subtask_nodes", "subtask_skills", "edges", "task_created"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_metrics_agree_with_the_ledger():
    row = evaluate_point(EvalPoint("km", "small", 5, 30, 1))
    assert set(COLUMNS) <= set(row)
    env = dasc_env.parallel_env(num_tasks=5, num_workers=30, city="small")
    again = run_episode(env, make_method("km"), seed=1)
    assert again["revenue"] == pytest.approx(row["revenue"]) == pytest.approx(env.unwrapped.total_revenue)
    assert row["completed"] + row["failed"] == 5


def test_a_registered_method_runs_in_the_harness_unchanged():
    register_method("finished-greedy-test", lambda: RulePolicy("finished-greedy-test", "finished", "greedy"),
                    overwrite=True)
    row = evaluate_point(EvalPoint("finished-greedy-test", "small", 3, 20, 0))
    assert row["method"] == "finished-greedy-test" and row["completed"] + row["failed"] == 3


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_a_pool_worker_runs_torch_single_threaded(start_method):
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(start_method),
                                 initializer=runner.single_threaded) as pool:
            assert pool.submit(torch.get_num_threads).result() == 1
    finally:
        torch.set_num_threads(threads)


def test_parallel_grid_starts_its_workers_single_threaded(monkeypatch):
    pools = []

    class RecordingPool(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs.get("initializer"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(runner, "ProcessPoolExecutor", RecordingPool)
    rows = run_grid([EvalPoint("km", "small", 3, 20, s) for s in (0, 1)], jobs=2, progress=False)
    assert pools == [runner.single_threaded] and [r["seed"] for r in rows] == [0, 1]


def test_registering_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        register_method("km", lambda: RulePolicy("km", "all"))


def test_unknown_method_is_named():
    with pytest.raises(ValueError, match="'rmo-magic'"):
        make_method("rmo-magic")


@pytest.mark.slow
def test_cli_on_a_2x2_grid_writes_csv_and_plots(tmp_path, capsys):
    out = tmp_path / "eval"
    code = main(["--city", "small", "--methods", "greedy,ready-km", "--tasks", "3,4", "--workers", "15,20",
                 "--seeds", "2", "--out", str(out), "--quiet"])
    assert code == 0
    with (out / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(COLUMNS) and len(rows) == 2 * 2 * 2 * 2
    assert {r["method"] for r in rows} == {"greedy", "ready-km"}
    assert (out / "summary.csv").exists()
    assert (out / "revenue_vs_tasks_small.png").stat().st_size > 0
    assert (out / "revenue_vs_workers_small.png").stat().st_size > 0
    assert "ready-km" in capsys.readouterr().out


def test_cli_rejects_an_unknown_method(tmp_path, capsys):
    assert main(["--methods", "nope", "--out", str(tmp_path)]) == 2
    assert "nope" in capsys.readouterr().err


def test_cli_without_matplotlib_writes_the_csvs_says_so_and_exits_0(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    code = main(["--city", "small", "--methods", "greedy", "--tasks", "3,4", "--workers", "15", "--seeds", "1",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 0 and (tmp_path / "results.csv").is_file()
    assert "plots skipped" in capsys.readouterr().out


def test_cli_at_one_grid_point_says_where_the_results_are(tmp_path, capsys):
    code = main(["--city", "small", "--methods", "greedy", "--tasks", "3", "--workers", "15", "--seeds", "1",
                 "--out", str(tmp_path), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0 and "no plot" in out and "revenue: E(M)" in out and "one seed" in out


def test_cli_rejects_a_city_that_is_not_a_preset(tmp_path, capsys):
    assert main(["--city", "custom", "--methods", "km", "--out", str(tmp_path)]) == 2
    assert "not synthetic presets" in capsys.readouterr().err


class SkillFirst(RulePolicy):
    """KM that weighs skills only: eta = (1, 1) gives v1 = 1, v2 = v3 = 0 (Eq. 13)."""

    def __init__(self):
        super().__init__("skill-first", "finished", "km")

    def reset(self, env, seed=None):
        super().reset(env, seed)
        env.set_utility_params(1.0, 1.0)


def one_subtask_two_workers_env():
    """A subtask at node 10 needing skill 0. Worker 0 at node 9 has 3 skills (u_skill 1/3, 100 m away), worker 1
    at node 15 has 1 (u_skill 1, 500 m). With the default eta (0.95, 0.10): u = 0.095 u_skill + 0.855 u_dist + .05
    u_time gives worker 0 (0.8696 + ..) over worker 1 (0.8645 + ..); skills only picks worker 1."""
    from tests.builders import line_city, make_scenario, tiny_config

    task = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0, subtasks=[(10, [0], 60.0)])
    scenario = make_scenario([(9, [0, 1, 2]), (15, [0])], [task])
    return dasc_env.parallel_env(tiny_config(scenario), city=line_city(), scenario=scenario)


def test_km_scores_the_same_after_a_method_that_set_its_own_eta_on_the_same_env():
    env = one_subtask_two_workers_env()
    first = run_episode(env, make_method("km"), seed=0)
    run_episode(env, SkillFirst(), seed=0)
    assert env.ledger.matches[0].worker == 1
    again = run_episode(env, make_method("km"), seed=0)
    assert env.ledger.matches[0].worker == 0
    assert again["revenue"] == first["revenue"] == pytest.approx(100.0 - 1e-3 * 100.0)


def test_every_episode_starts_from_the_config_eta():
    env = one_subtask_two_workers_env()
    run_episode(env, SkillFirst(), seed=0)
    run_episode(env, RulePolicy("plain", "finished", "km"), seed=0)
    assert env.utility_params == (env.config.alpha, env.config.beta)
