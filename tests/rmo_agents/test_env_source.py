"""EnvSource: training on scenario and graph files; checkpoints say what they were trained on."""

import warnings

import pytest

import dasc_env
from dasc_env.city import save_graph
from dasc_env.evaluation import run_episode
from dasc_env.scenario import ScenarioBuilder
from rmo_agents import RMOPolicy, Trainer
from rmo_agents.env_source import EnvSource, fingerprint
from tests.rmo_agents.builders import tiny_config


def hand_made(payment: float = 20.0, workers: int = 2):
    """Two small tasks on the small city (one with a dependency) and ``workers`` workers with every skill used."""
    b = ScenarioBuilder(city="small", num_skills=10)
    first = b.task(created=0.0, expected=600.0, deadline=900.0, payment=payment)
    s1 = first.subtask(node=12, skills=[0], duration=20.0)
    first.subtask(node=40, skills=[1], duration=120.0, after=[s1])
    b.task(created=60.0, expected=700.0, deadline=1000.0, payment=15.0).subtask(node=15, skills=[0], duration=60.0)
    for node in (15, 30, 50)[:workers]:
        b.worker(node=node, skills=[0, 1])
    return b.build()


def scenario_config(tmp_path, path, **run):
    return tiny_config(tmp_path / "run", **run).replace_path("env.scenario", str(path))


def test_a_scenario_file_sets_the_task_and_worker_counts(tmp_path):
    path = dasc_env.save_scenario(hand_made(), tmp_path / "case.npz")
    source = EnvSource.from_config(scenario_config(tmp_path, path).env)
    assert (source.config.num_tasks, source.config.num_workers) == (2, 2)
    assert [fingerprint(s) for s in source.scenarios] == [fingerprint(hand_made())]


def test_a_folder_of_scenarios_is_cycled_by_episode_seed(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    dasc_env.save_scenario(hand_made(payment=20.0), folder / "a.npz")
    dasc_env.save_scenario(hand_made(payment=30.0), folder / "b.npz")
    source = EnvSource.from_config(scenario_config(tmp_path, folder).env)
    assert [float(source.scenario_for(seed).task_payment[0]) for seed in (0, 1, 2, 7)] == [20.0, 30.0, 20.0, 30.0]


def test_scenarios_with_different_worker_counts_are_refused(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    dasc_env.save_scenario(hand_made(workers=2), folder / "a.npz")
    dasc_env.save_scenario(hand_made(workers=3), folder / "b.npz")
    with pytest.raises(ValueError, match="different worker counts"):
        EnvSource.from_config(scenario_config(tmp_path, folder).env)


def test_a_missing_scenario_file_is_named(tmp_path):
    with pytest.raises(ValueError, match="nowhere.npz"):
        Trainer(scenario_config(tmp_path, tmp_path / "nowhere.npz"))


def test_training_replays_the_scenario_file_in_every_episode(tmp_path):
    path = dasc_env.save_scenario(hand_made(), tmp_path / "case.npz")
    trainer = Trainer(scenario_config(tmp_path, path, episodes=2))
    seen = []
    trainer.run(callback=lambda stats: seen.append(fingerprint(trainer.envs.workers[0].adapter.env.scenario)))
    assert seen == [fingerprint(hand_made())] * 2


def test_training_runs_on_a_graph_file(tmp_path):
    graph = dasc_env.parallel_env(tiny_config(tmp_path).env.dasc_config()).graph
    save_graph(graph, tmp_path / "city.npz")
    trainer = Trainer(tiny_config(tmp_path / "run", episodes=1).replace_path("env.graph", str(tmp_path / "city.npz")))
    trainer.run()
    env = trainer.envs.workers[0].adapter.env
    assert env.config.city == "custom" and env.graph.num_nodes == graph.num_nodes


def test_a_checkpoint_warns_when_scored_on_another_scenario(tmp_path):
    path = dasc_env.save_scenario(hand_made(), tmp_path / "case.npz")
    Trainer(scenario_config(tmp_path, path, episodes=1)).run()
    policy = RMOPolicy.load(tmp_path / "run" / "last.pt")
    assert policy.trained_on == {"city": "small", "scenarios": [fingerprint(hand_made())]}
    same = dasc_env.parallel_env(hand_made().fit_config(city="small"), scenario=hand_made())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run_episode(same, policy, seed=0)
    other = hand_made(payment=99.0)
    with pytest.warns(UserWarning, match="not one of them"):
        run_episode(dasc_env.parallel_env(other.fit_config(city="small"), scenario=other), policy, seed=0)
