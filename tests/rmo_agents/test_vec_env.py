"""Rollout backends: where env copies run, how a worker's error reaches the learner, Ray."""

import functools

import numpy as np
import pytest
import torch

from rmo_agents import RMOConfig
from rmo_agents.env_source import EnvSource
from rmo_agents.vec_env import EnvWorker, SubprocVecEnv, WorkerRestartWarning, make_vec_env
from tests.rmo_agents.builders import kill_during_step, with_backend
from tests.rmo_agents.builders import tiny_config as tiny


def test_training_goes_on_through_a_killed_worker_with_no_update_lost_or_counted_twice(tmp_path):
    trainer = with_backend(tmp_path, "subprocess", episodes=4)
    kill_during_step(trainer.envs, victim=0, at_call=3)
    with pytest.warns(WorkerRestartWarning):
        stats = trainer.run()
    assert trainer.episodes_done == 4 and trainer.learner.updates == 2
    rows = (tmp_path / "metrics.csv").read_text().splitlines()
    restarts = rows[0].split(",").index("worker_restarts")
    assert [r.split(",")[restarts] for r in rows[1:]] == ["1.0", "0.0"]
    assert stats["worker_restarts"] == 0.0


def test_an_exception_in_a_worker_is_raised_with_its_traceback(tmp_path):
    trainer = with_backend(tmp_path, "subprocess")
    try:
        trainer.envs.call({0: ("reset", (1, (0.5, 0.5), True))})
        with pytest.raises(RuntimeError, match="(?s)worker 0 failed in step.*expected one per live agent"):
            trainer.envs.call({0: ("step", (np.zeros(0), np.zeros(0)))})
    finally:
        trainer.close()


def test_a_worker_that_cannot_be_built_raises_its_error_instead_of_restarting(tmp_path):
    envs = SubprocVecEnv(functools.partial(EnvWorker, EnvSource("not a config")), 1)
    try:
        with pytest.raises(RuntimeError, match="(?s)worker 0 failed in reset.*config must be a DASCConfig"):
            envs.call({0: ("reset", (1, (0.5, 0.5), True))})
        assert envs.restarts == 0
    finally:
        envs.close()


def test_after_a_worker_error_the_other_workers_answer_their_own_requests(tmp_path):
    trainer = with_backend(tmp_path, "subprocess")
    try:
        with pytest.raises(RuntimeError, match="worker 0 failed in nope"):
            trainer.envs.call({0: ("nope", ()), 1: ("pid", ())})
        results, lost = trainer.envs.call({1: ("reset", (1, (0.5, 0.5), False))})
        assert isinstance(results[1], dict) and not lost
    finally:
        trainer.close()


def test_unknown_backend_is_rejected_naming_the_field(tmp_path):
    with pytest.raises(ValueError, match="env.backend='threads'"):
        tiny(tmp_path).replace_path("env.backend", "threads")
    with pytest.raises(ValueError, match="backend='threads'"):
        make_vec_env(EnvSource(RMOConfig().env.dasc_config()), 1, "threads")
    with pytest.raises(ValueError, match="num_envs='2'"):
        make_vec_env(EnvSource(RMOConfig().env.dasc_config()), "2")


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray instance with room for two rollout actors."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'rmo-agents[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.slow
def test_two_updates_on_local_ray_match_the_sync_backend(tmp_path, local_ray):
    trainer = with_backend(tmp_path, "ray", episodes=4)
    trainer.run()
    assert trainer.episodes_done == 4 and trainer.learner.updates == 2 and trainer.envs.restarts == 0
    reference = with_backend(tmp_path / "sync", "sync", episodes=4)
    reference.run()
    for a, b in zip(trainer.learner.actor.parameters(), reference.learner.actor.parameters()):
        assert torch.equal(a, b)  # the same rollouts, so the same updates


@pytest.mark.slow
def test_two_updates_on_local_ray_with_an_actor_killed(tmp_path, local_ray):
    trainer = with_backend(tmp_path, "ray", episodes=4)
    kill_during_step(trainer.envs, victim=1, at_call=3)
    with pytest.warns(WorkerRestartWarning, match="worker 1 died"):
        trainer.run()
    assert trainer.episodes_done == 4 and trainer.learner.updates == 2 and trainer.envs.restarts == 1
