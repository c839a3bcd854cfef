"""``dasc-eval --bound``: each episode's upper bound joined to every method's row, and the share of it."""

import csv
from types import SimpleNamespace

import pytest

import dasc_env
from dasc_env import DASCConfig, save_scenario
from dasc_env.bounds import relaxed_bound
from dasc_env.city import save_graph
from dasc_env.evaluation import BOUND_COLUMNS, COLUMNS, BoundViolation, EpisodeBound, EvalPoint, run_grid, runner
from dasc_env.evaluation.cli import main
from dasc_env.evaluation.regret import interval95
from tests.builders import line_city, make_scenario

SMALL = DASCConfig(city="small", num_tasks=4, num_workers=12, worker_skill_mean=8.0, arrival_window=300.0,
                   decision_interval=30.0)
"""Four tasks on the small city with skilled workers: a positive bound on both seeds used, in seconds."""


def small_points(methods=("greedy", "km"), seeds=(0, 1)):
    return [EvalPoint(m, "small", 4, 12, s) for s in seeds for m in methods]


def test_relaxed_bound_and_share_per_row_match_an_independent_computation():
    rows = run_grid(small_points(), SMALL, progress=False, bound="relaxed")
    for r in rows:
        env = dasc_env.parallel_env(SMALL)
        env.reset(seed=r["seed"])
        expected = relaxed_bound(env.sim.scenario, env.graph, env.config).bound
        assert expected > 0 and r["bound_kind"] == "relaxed"
        assert r["bound"] == pytest.approx(expected)
        assert r["share"] == pytest.approx(r["revenue"] / expected)


def test_the_bound_is_computed_once_per_episode_and_is_at_least_every_methods_revenue(monkeypatch):
    calls = []
    real = runner.episode_bound
    monkeypatch.setattr(runner, "episode_bound", lambda env, how, limit: calls.append(1) or real(env, how, limit))
    rows = run_grid(small_points(("greedy", "km", "ready-km", "all")), SMALL, progress=False, bound="relaxed")
    assert len(calls) == 2 and len(rows) == 8
    assert all(r["revenue"] <= r["bound"] + 1e-6 for r in rows)


def test_a_revenue_above_the_bound_stops_the_run_naming_the_episode(monkeypatch):
    monkeypatch.setattr(runner, "episode_bound", lambda env, how, limit: EpisodeBound(-1.0, "relaxed", 0.0))
    with pytest.raises(BoundViolation, match=r"city=small, num_tasks=4, num_workers=12, seed=0.*relaxed bound"):
        run_grid(small_points(("km",), (0,)), SMALL, progress=False, bound="relaxed")


def one_subtask_scenario():
    """A worker 100 m from one subtask with time to spare: the optimum is rho - kappa * 100 = 99.9."""
    task = dict(created=0.0, expected=5000.0, deadline=9000.0, payment=100.0, subtasks=[(10, [0], 60.0)])
    return make_scenario([(9, [0])], [task])


@pytest.mark.parametrize("how", ["exact", "auto"])
def test_exact_bound_is_the_hand_computed_optimum_and_km_reaches_it(how):
    pytest.importorskip("ortools")
    rows = run_grid([EvalPoint("km", "line", 1, 1, 0)], progress=False, scenarios=[one_subtask_scenario()],
                    graph=line_city(), bound=how, bound_time_limit=10.0)
    (row,) = rows
    assert row["bound_kind"] == "exact"
    assert row["revenue"] == pytest.approx(99.9)
    # CP-SAT's proven bound adds its rounding margin: about a second of Eq. 1's decay, rho * zeta / 60 = 0.033
    assert 99.9 <= row["bound"] <= 99.9 + 0.05
    assert row["share"] == pytest.approx(row["revenue"] / row["bound"]) == pytest.approx(1.0, abs=5e-4)


def test_an_unproven_exact_bound_is_never_looser_than_the_relaxed_one(monkeypatch):
    from dasc_env.bounds import episode

    unproven = SimpleNamespace(status="feasible", bound=1e9, wall_s=1.0)  # CP-SAT stopped with a loose bound
    monkeypatch.setattr(episode, "solve_exact", lambda *args, **kwargs: unproven)
    (row,) = run_grid([EvalPoint("km", "line", 1, 1, 0)], progress=False, scenarios=[one_subtask_scenario()],
                      graph=line_city(), bound="exact", bound_time_limit=1.0)
    scenario = one_subtask_scenario()
    expected = relaxed_bound(scenario, line_city(), scenario.fit_config(city="custom")).bound
    assert row["bound_kind"] == "exact-limit"
    assert row["bound"] == pytest.approx(expected) and expected < 1e9


def test_an_unknown_bound_is_refused():
    with pytest.raises(ValueError, match="'tight'"):
        run_grid(small_points(), SMALL, progress=False, bound="tight")


def test_cli_bound_writes_the_columns_and_the_share_interval(tmp_path, capsys):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    for i, payment in enumerate((100.0, 50.0)):
        task = dict(created=0.0, expected=600.0, deadline=900.0, payment=payment, subtasks=[(10, [0], 60.0)])
        save_scenario(make_scenario([(9, [0]), (20, [0])], [task]), scenarios / f"{i}.npz")
    save_graph(line_city(), tmp_path / "line.npz")
    code = main(["--scenario", str(scenarios), "--graph", str(tmp_path / "line.npz"), "--methods", "greedy",
                 "--bound", "relaxed", "--out", str(tmp_path / "out"), "--quiet", "--no-plots"])
    assert code == 0
    with (tmp_path / "out" / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [*COLUMNS, *BOUND_COLUMNS]
    # The nearest worker is 100 m away: rho - kappa * 100 is both the revenue and the bound.
    assert [float(r["bound"]) for r in rows] == pytest.approx([99.9, 49.9])
    shares = [float(r["revenue"]) / float(r["bound"]) for r in rows]
    with (tmp_path / "out" / "summary.csv").open() as f:
        (summary,) = list(csv.DictReader(f))
    assert [float(summary[k]) for k in ("share_mean", "share_lo", "share_hi")] == pytest.approx(interval95(shares))
    assert "share [95 % interval]" in capsys.readouterr().out


def test_interval95_is_the_student_t_interval():
    mean, lo, hi = interval95([1.0, 2.0, 3.0])  # std 1, n 3: half-width t(0.975, 2) / sqrt(3) = 4.302653 / 1.732051
    assert (mean, lo, hi) == pytest.approx((2.0, 2.0 - 2.484138, 2.0 + 2.484138))
    assert interval95([5.0, float("nan")]) == (5.0, 5.0, 5.0)
