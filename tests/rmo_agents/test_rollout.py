"""Rollouts: the same episodes on every backend, a dead worker's episode replayed whole, per-copy generators."""

import os

import numpy as np
import pytest
import torch

from rmo_agents.rollout import collect
from rmo_agents.vec_env import WorkerRestartWarning
from tests.rmo_agents.builders import assert_same_episodes, kill_during_step, rollouts, with_backend


def test_subprocess_backend_gives_the_same_rollouts_as_the_sync_backend(tmp_path):
    sync = with_backend(tmp_path / "sync", "sync")
    sub = with_backend(tmp_path / "sub", "subprocess")
    try:
        assert_same_episodes(rollouts(sync), rollouts(sub))
        assert len({sub.envs.pid(0), sub.envs.pid(1), os.getpid()}) == 3
    finally:
        sub.close()


def test_a_killed_subprocess_worker_is_replaced_and_its_episode_replayed(tmp_path):
    trainer = with_backend(tmp_path, "subprocess")
    try:
        kill_during_step(trainer.envs, victim=1, at_call=5)
        with pytest.warns(WorkerRestartWarning, match="worker 1 died at decision step 4"):
            episodes = rollouts(trainer)
        assert trainer.envs.restarts == 1 and len(episodes) == 2
        undisturbed = rollouts(with_backend(tmp_path / "fresh", "sync"))
        replayed = episodes[1]  # one whole episode of seed 12, from its first state on
        np.testing.assert_array_equal(replayed.state_workers[0], undisturbed[1].state_workers[0])
        assert replayed.num_steps == replayed.step.max() + 1 and replayed.metrics["completed"] >= 0
    finally:
        trainer.close()


def test_a_worker_that_keeps_dying_stops_the_collection(tmp_path):
    trainer = with_backend(tmp_path, "subprocess")
    try:
        kill_during_step(trainer.envs, victim=0, at_call=2, again=True)
        with pytest.warns(WorkerRestartWarning), pytest.raises(RuntimeError, match="worker 0 died 4 times"):
            rollouts(trainer)
    finally:
        trainer.close()


def test_per_copy_generators_give_each_episode_the_actions_of_its_own_seed(tmp_path):
    trainer = with_backend(tmp_path, "sync")
    learner, seeds = trainer.learner, [21, 22]
    together = collect(trainer.envs, learner.actor, seeds, learner.eta.pair(),
                       [torch.Generator().manual_seed(s) for s in seeds], trainer.device)
    alone = [collect(trainer.envs, learner.actor, [s], learner.eta.pair(), [torch.Generator().manual_seed(s)],
                     trainer.device)[0] for s in seeds]
    assert_same_episodes(together, alone)


def test_a_replaced_copy_replays_with_its_generator_rewound(tmp_path):
    trainer = with_backend(tmp_path, "subprocess")
    try:
        learner, seeds = trainer.learner, [21, 22]
        generators = lambda: [torch.Generator().manual_seed(s) for s in seeds]  # noqa: E731
        undisturbed = collect(trainer.envs, learner.actor, seeds, learner.eta.pair(), generators(), trainer.device)
        kill_during_step(trainer.envs, victim=1, at_call=4)
        with pytest.warns(WorkerRestartWarning):
            replayed = collect(trainer.envs, learner.actor, seeds, learner.eta.pair(), generators(), trainer.device)
        assert_same_episodes(undisturbed, replayed)
    finally:
        trainer.close()


def test_collect_refuses_more_seeds_than_copies_or_a_generator_per_copy_mismatch(tmp_path):
    trainer = with_backend(tmp_path, "sync")
    learner = trainer.learner
    with pytest.raises(ValueError, match="seeds has 3 entries"):
        collect(trainer.envs, learner.actor, [1, 2, 3], learner.eta.pair(), torch.Generator(), trainer.device)
    with pytest.raises(ValueError, match="1 generators for 2 env copies"):
        collect(trainer.envs, learner.actor, [1, 2], learner.eta.pair(), [torch.Generator()], trainer.device)
