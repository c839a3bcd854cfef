"""Trainer: seeded determinism, bitwise resume from a checkpoint, variants, the decision bias's SPSA step, and a
CUDA update when present."""

import pytest
import torch

from rmo_agents import RMOPolicy, Trainer
from tests.rmo_agents.builders import tiny_config as tiny


def parameters(trainer: Trainer) -> dict[str, torch.Tensor]:
    return {f"{name}.{k}": v.clone() for name, part in trainer.learner.modules().items()
            if isinstance(part, torch.nn.Module) for k, v in part.state_dict().items()}


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_same_seed_gives_identical_parameters_and_revenue(tmp_path):
    first, second = Trainer(tiny(tmp_path / "a")), Trainer(tiny(tmp_path / "b"))
    stats_a, stats_b = first.run(), second.run()
    assert_same(parameters(first), parameters(second))
    assert stats_a["revenue"] == stats_b["revenue"] and stats_a["loss_theta"] == stats_b["loss_theta"]


def test_different_seed_gives_different_parameters(tmp_path):
    first, second = Trainer(tiny(tmp_path / "a")), Trainer(tiny(tmp_path / "b", seed=1))
    first.run(), second.run()
    assert not torch.equal(parameters(first)["actor.mlp.0.weight"], parameters(second)["actor.mlp.0.weight"])


def test_resume_continues_bit_for_bit(tmp_path):
    straight = Trainer(tiny(tmp_path / "straight", episodes=3))
    straight.run()
    Trainer(tiny(tmp_path / "split", episodes=2)).run()
    resumed = Trainer.resume(tmp_path / "split" / "last.pt", episodes=3)
    resumed.run()
    assert resumed.episodes_done == 3 and resumed.learner.updates == 3
    assert_same(parameters(straight), parameters(resumed))
    assert resumed.learner.xi == straight.learner.xi
    assert resumed.learner.eta.pair() == straight.learner.eta.pair()


def test_checkpoint_round_trip_restores_every_state(tmp_path):
    trainer = Trainer(tiny(tmp_path))
    trainer.run()
    loaded = Trainer.resume(tmp_path / "last.pt")
    assert_same(parameters(trainer), parameters(loaded))
    for name in ("opt_actor", "opt_actor_hat", "opt_critic", "opt_eta"):
        state_a = trainer.learner.modules()[name].state_dict()["state"]
        state_b = loaded.learner.modules()[name].state_dict()["state"]
        for key in state_a:
            for field in state_a[key]:
                assert torch.equal(torch.as_tensor(state_a[key][field]), torch.as_tensor(state_b[key][field]))
    assert loaded.learner.xi == trainer.learner.xi and loaded.episodes_done == trainer.episodes_done
    assert torch.equal(loaded.sample_gen.get_state(), trainer.sample_gen.get_state())
    assert torch.equal(loaded.shuffle_gen.get_state(), trainer.shuffle_gen.get_state())


@pytest.mark.parametrize("variant", ["sparse", "shaped", "meta", "rec"])
def test_every_variant_trains_and_only_rmo_moves_eta(tmp_path, variant):
    trainer = Trainer(tiny(tmp_path, variant=variant, episodes=1))
    before = parameters(trainer)
    stats = trainer.run()
    after = parameters(trainer)
    assert not torch.equal(before["actor.mlp.0.weight"], after["actor.mlp.0.weight"])
    assert (stats["alpha"], stats["beta"]) == (0.95, 0.10)
    assert trainer.envs.workers[0].adapter.env.utility_params == (0.95, 0.10)
    assert trainer.envs.workers[0].adapter.env.sim.matcher == ("greedy" if variant == "rec" else "km")


def test_rmo_variant_moves_eta_and_pushes_it_to_the_env(tmp_path):
    trainer = Trainer(tiny(tmp_path, variant="rmo", episodes=2))
    first = trainer.train_iteration()
    assert (first["alpha"], first["beta"]) != (0.5, 0.5)
    trainer.train_iteration()  # its rollout ran with the eta learned by the first update
    env = trainer.envs.workers[0].adapter.env
    assert env.utility_params == pytest.approx((first["alpha"], first["beta"]), abs=1e-12)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("overrides", [[], ["meta.variant=sparse", "credit.scheme=replay", "credit.replays=4"],
                                       ["meta.variant=sparse", "model.decision_bias=true"]])
def test_one_update_on_the_gpu(tmp_path, overrides):
    trainer = Trainer(tiny(tmp_path, episodes=1, device="cuda").with_overrides(overrides))
    stats = trainer.run()
    assert next(trainer.learner.actor.parameters()).is_cuda
    assert all(v == v for v in stats.values())


def test_two_env_copies_give_two_episodes_per_update(tmp_path):
    config = tiny(tmp_path, episodes=4).replace_path("env.num_envs", 2)
    trainer = Trainer(config)
    stats = trainer.run()
    assert trainer.episodes_done == 4 and trainer.learner.updates == 2
    single = Trainer(tiny(tmp_path / "one", episodes=1))
    assert stats["env_steps"] > single.train_iteration()["env_steps"]


def test_theta_hat_starts_as_a_copy_of_theta(tmp_path):
    learner = Trainer(tiny(tmp_path, episodes=1)).learner
    for a, b in zip(learner.actor.parameters(), learner.actor_hat.parameters()):
        assert torch.equal(a, b)


def test_run_calls_back_after_every_iteration_with_its_scalars(tmp_path):
    trainer = Trainer(tiny(tmp_path, episodes=3, eval_every=2, eval_seeds=1))
    seen = []
    last = trainer.run(callback=lambda stats: seen.append((trainer.episodes_done, dict(stats))))
    assert [episodes for episodes, _ in seen] == [1, 2, 3]
    assert ["eval_revenue" in stats for _, stats in seen] == [False, True, False]
    assert seen[-1][1] == last


def test_resume_to_fewer_episodes_than_done_is_refused(tmp_path, checkpoint):
    with pytest.raises(ValueError, match="episodes=1"):
        Trainer.resume(checkpoint, episodes=1)


def test_resume_from_another_device_warns_and_continues(tmp_path, checkpoint):
    data = torch.load(checkpoint, weights_only=True)
    data["device"], data["sample_gen"] = "cuda", torch.zeros(16, dtype=torch.uint8)
    moved = tmp_path / "moved.pt"
    torch.save(data, moved)
    with pytest.warns(UserWarning, match="not a bitwise continuation"):
        trainer = Trainer.resume(moved, episodes=3, out=str(tmp_path / "out"))
    trainer.run()
    assert trainer.episodes_done == 3


# One paired episode per side of the decision bias's search (default 4): the same code path at a quarter of the cost.
BIAS = ["model.decision_bias=true", "search.bias_episodes=1"]


def test_a_run_with_the_decision_bias_saves_it_with_the_actor(tmp_path):
    config = tiny(tmp_path, variant="sparse", episodes=2).with_overrides(BIAS)
    trainer = Trainer(config)
    trainer.run()
    learned = trainer.learner.actor.decision_bias
    assert learned.abs().sum() > 0
    assert torch.equal(RMOPolicy.load(tmp_path / "last.pt").actor.decision_bias, learned)


@pytest.mark.slow
@pytest.mark.parametrize("overrides", [BIAS, ["credit.scheme=replay", "credit.replays=4"]])
def test_resume_with_replay_credit_or_the_decision_bias_continues_bit_for_bit(tmp_path, overrides):
    def config(folder, episodes):
        return tiny(tmp_path / folder, variant="sparse", episodes=episodes).with_overrides(overrides)

    straight = Trainer(config("straight", 3))
    straight.run()
    Trainer(config("split", 2)).run()
    resumed = Trainer.resume(tmp_path / "split" / "last.pt", episodes=3)
    resumed.run()
    assert_same(parameters(straight), parameters(resumed))
