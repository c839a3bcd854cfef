"""TUNED-KM: the (ready, busy_sooner) cells it recommends, its eta, and the shipped tuning of a suite task."""

import dataclasses

import pytest

import dasc_env
from dasc_env.baselines import make_method, run_episode
from dasc_env.benchmarks import TUNED_KM, TunedRule, get, tuned_rule

SEED = 1_000_000


def play(env, method, **options):
    revenue = run_episode(env, make_method(method, **options), seed=SEED)["revenue"]
    return revenue, [dataclasses.astuple(m) for m in env.ledger.matches]


@pytest.fixture(scope="module")
def env():
    """small-quick's first test seed, on which KM, WAIT-KM and READY-KM all play differently (asserted below)."""
    return dasc_env.DASCParallelEnv(get("small-quick").config)


def test_km_wait_km_and_ready_km_differ_on_the_episode(env):
    assert len({play(env, m)[0] for m in ("km", "wait-km", "ready-km")}) == 3


@pytest.mark.parametrize(("cells", "rule"), [("0101", "km"), ("0100", "wait-km"), ("1111", "ready-km")])
def test_a_cell_set_plays_the_rule_it_spells(env, cells, rule):
    eta = (env.config.alpha, env.config.beta)
    assert play(env, "tuned-km", cells=cells, eta=eta) == play(env, rule)


def test_its_eta_is_the_one_km_matches_with(env):
    assert play(env, "tuned-km", cells=(False, True, False, True), eta="0.5,0.5") == play(env, "km", eta=(0.5, 0.5))


def test_on_a_suite_task_the_shipped_tuning_fills_what_is_not_given(monkeypatch):
    task = get("small-quick")
    monkeypatch.setitem(TUNED_KM, task.name, TunedRule(cells=(False, True, False, False), eta=(0.5, 0.3)))
    env = dasc_env.DASCParallelEnv(task.config)
    assert play(env, "tuned-km") == play(env, "tuned-km", cells="0100", eta=(0.5, 0.3))
    assert play(env, "tuned-km", cells="1111") == play(env, "tuned-km", cells="1111", eta=(0.5, 0.3))


def test_without_a_shipped_tuning_it_asks_for_cells_and_eta():
    env = dasc_env.parallel_env(num_tasks=2, num_workers=3, city="small")
    with pytest.raises(ValueError, match="tuned-km has no shipped tuning.*give cells= and eta="):
        run_episode(env, make_method("tuned-km", cells="0101"), seed=0)


@pytest.mark.parametrize("cells", ["012", "01010", "", [0, 1, 2, 0], (True, False), 5])
def test_bad_cells_raise_a_value_error_naming_them(cells):
    with pytest.raises(ValueError, match=r"cells=.* must be four 0/1 flags"):
        make_method("tuned-km", cells=cells, eta="0.5,0.5")


def test_every_shipped_tuning_belongs_to_a_suite_task_and_is_found_by_its_config():
    assert TUNED_KM
    for name, rule in TUNED_KM.items():
        assert tuned_rule(get(name).config) == (name, rule)
