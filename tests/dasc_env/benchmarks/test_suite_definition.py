"""``dasc_env.benchmarks``: the versioned suite's definition, its look-ups and ``make``."""

import dataclasses

import numpy as np
import pytest

import dasc_env
from dasc_env import DASCConfig, benchmarks
from dasc_env.benchmarks import SUITES, SuiteTask

_SMALL = dict(city="small", num_tasks=20, num_workers=12, worker_skill_mean=8.0, arrival_window=1200.0)
V1 = {  # name: (the config's fields that differ from DASCConfig's defaults, number of test seeds)
    "paper-chengdu-60x300": ({}, 3),
    "paper-haikou-60x300": ({"city": "haikou"}, 3),
    "small-scarce-skilled": (_SMALL, 10),
    "small-tight-deadlines": ({**_SMALL, "expected_factor": 1.05, "deadline_factor": 1.5}, 10),
    "small-deep-dags": ({**_SMALL, "dag_edge_prob": 0.8}, 10),
    "small-rush-hour": ({**_SMALL, "num_tasks": 30, "arrival_window": 600.0}, 10),
    "small-costly-travel": ({**_SMALL, "kappa": 5e-3}, 10),
    "small-quick": ({**_SMALL, "num_tasks": 10, "num_workers": 6, "arrival_window": 600.0,
                     "decision_interval": 15.0}, 10),
}
"""v1 as published: a published version never changes (a changed task, or a changed DASCConfig default that
moves one, is a new version)."""


def test_v1_is_unchanged():
    defaults = DASCConfig().to_dict()
    published = {t.name: ({k: v for k, v in t.config.to_dict().items() if v != defaults[k]}, len(t.test_seeds))
                 for t in benchmarks.tasks("v1")}
    assert published == V1
    for task in benchmarks.tasks("v1"):
        assert task.train_seeds == range(0, 1_000_000)
        assert task.test_seeds == tuple(range(1_000_000, 1_000_000 + V1[task.name][1]))


@pytest.mark.parametrize("version", list(SUITES))
def test_task_names_are_unique(version):
    names = [t.name for t in benchmarks.tasks(version)]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("version", list(SUITES))
def test_train_and_test_seeds_are_disjoint(version):
    for task in benchmarks.tasks(version):
        assert not set(task.test_seeds) & set(task.train_seeds), task.name


def test_v1_keeps_the_papers_central_points():
    tasks = {t.name: t.config for t in benchmarks.tasks("v1")}
    for city in ("chengdu", "haikou"):
        config = tasks[f"paper-{city}-60x300"]
        assert (config.city, config.num_tasks, config.num_workers) == (city, 60, 300)
        assert config.replace(city="chengdu") == DASCConfig()


def test_a_task_cannot_be_edited_in_place():
    task = benchmarks.get("small-quick", "v1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.config = DASCConfig()
    assert isinstance(benchmarks.tasks("v1"), tuple)


def test_a_task_whose_test_seeds_are_training_seeds_is_refused():
    with pytest.raises(ValueError, match=r"test seeds \[5\]"):
        SuiteTask("leaky", DASCConfig(), range(0, 10), (5, 20), "")


def test_unknown_version_and_task_are_named():
    with pytest.raises(ValueError, match="'v0'"):
        benchmarks.tasks("v0")
    with pytest.raises(ValueError, match="'no-such-task'"):
        benchmarks.make("no-such-task", seed=0)


def test_a_seed_outside_the_tasks_seed_lists_is_refused():
    task = benchmarks.get("small-quick")
    outside = task.test_seeds[-1] + 1
    with pytest.raises(ValueError, match=f"seed={outside} is neither"):
        benchmarks.make("small-quick", seed=outside)
    with pytest.raises(TypeError, match="seed"):
        benchmarks.make("small-quick", seed=True)


@pytest.mark.parametrize("seed", [3, 1_000_000])
def test_make_gives_the_tasks_config_and_the_seeds_episode(seed):
    env = dasc_env.benchmarks.make("small-quick", seed=seed)
    assert env.config == benchmarks.get("small-quick").config
    reference = dasc_env.parallel_env(benchmarks.get("small-quick").config)
    reference.reset(seed=seed)
    for name in ("worker_nodes", "worker_skills", "subtask_nodes", "task_created", "task_payment"):
        np.testing.assert_array_equal(getattr(env.sim.scenario, name), getattr(reference.sim.scenario, name))
    assert env.agents  # reset: the first epoch's subtasks are live
