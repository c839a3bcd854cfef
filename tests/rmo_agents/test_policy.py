"""RMOPolicy: a trained checkpoint acts wherever a dasc_env Policy does, scored by the same harness and ledger."""

import copy
from pathlib import Path

import pytest

import dasc_env
from dasc_env.baselines import available_methods, make_method
from dasc_env.evaluation import run_episode
from dasc_env.evaluation.cli import main as dasc_eval
from rmo_agents import CheckpointError, RMOPolicy, Trainer
from tests.rmo_agents.builders import tiny_config


def tiny_env(**overrides):
    config = tiny_config(".").env.dasc_config()
    return dasc_env.parallel_env(config.replace(**overrides))


def test_rmo_plays_an_episode_with_its_learned_eta_and_a_clean_ledger(checkpoint):
    policy = RMOPolicy.load(checkpoint)
    env = tiny_env()
    metrics = run_episode(env, policy, seed=3)
    assert env.utility_params == policy.eta != (0.5, 0.5)
    assert env.sim.matcher == "km"
    assert dasc_env.verify_ledger(env.scenario, env.ledger, env.config) == []
    assert metrics["revenue"] == env.total_revenue


def test_rec_uses_the_same_actor_with_greedy_matching(checkpoint):
    env = tiny_env()
    run_episode(env, RMOPolicy.load(checkpoint, matcher="greedy"), seed=3)
    assert env.sim.matcher == "greedy"


def test_the_policy_is_deterministic_for_an_episode_seed(checkpoint):
    first = run_episode(tiny_env(), RMOPolicy.load(checkpoint), seed=5)["revenue"]
    assert run_episode(tiny_env(), RMOPolicy.load(checkpoint), seed=5)["revenue"] == first


def test_policy_refuses_an_env_with_other_observation_shapes(checkpoint):
    env = tiny_env(max_subtasks=12)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="expects observations"):
        RMOPolicy.load(checkpoint).reset(env, 0)


def test_rmo_and_rec_are_registered_dasc_env_methods(checkpoint):
    assert {"rmo", "rec"} <= set(available_methods())
    assert make_method("rmo", checkpoint=str(checkpoint)).matcher == "km"
    assert make_method("rec", checkpoint=str(checkpoint)).matcher == "greedy"


def test_rmo_method_without_a_checkpoint_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv("RMO_CHECKPOINT", raising=False)
    with pytest.raises(CheckpointError, match="--rmo-checkpoint"):
        make_method("rmo")


def test_dasc_eval_scores_rmo_next_to_a_baseline(tmp_path, checkpoint):
    code = dasc_eval(["--city", "small", "--tasks", "4", "--workers", "12", "--methods", "km,rmo", "--seeds", "1",
                      "--rmo-checkpoint", str(checkpoint), "--out", str(tmp_path), "--no-plots", "--quiet"])
    assert code == 0
    lines = (tmp_path / "results.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["km", "rmo"]


def test_dasc_eval_refuses_an_option_for_a_method_not_asked_for(tmp_path, capsys):
    code = dasc_eval(["--methods", "km", "--rmo-checkpoint", "x.pt", "--out", str(tmp_path)])
    assert code == 2 and "unrecognized argument" in capsys.readouterr().err


def test_policy_trained_on_another_variant_loads(tmp_path):
    Trainer(tiny_config(tmp_path, variant="sparse", episodes=1)).run()
    assert RMOPolicy.load(tmp_path / "last.pt").eta == (0.95, 0.10)


def test_sample_option_is_parsed_from_its_command_line_spelling(checkpoint):
    assert make_method("rmo", checkpoint=str(checkpoint), sample="false").sample is False
    assert make_method("rmo", checkpoint=str(checkpoint), sample="true").sample is True
    with pytest.raises(ValueError, match="sample='maybe'"):
        make_method("rmo", checkpoint=str(checkpoint), sample="maybe")


def test_eta_option_matches_with_the_given_weights(checkpoint):
    env = tiny_env()
    policy = make_method("rmo", checkpoint=str(checkpoint), eta="0.95,0.10")
    run_episode(env, policy, seed=3)
    assert policy.eta == env.utility_params == (0.95, 0.10)
    assert make_method("rmo", checkpoint=str(checkpoint), eta=(0.5, 0.5)).eta == (0.5, 0.5)


@pytest.mark.parametrize("bad", ["0.9", "a,b", "0.5,1.5", (0.1, 0.2, 0.3)])
def test_eta_option_refuses_anything_but_two_weights_in_the_unit_interval(checkpoint, bad):
    with pytest.raises(ValueError, match="eta=.* must be two numbers in \\[0, 1\\]"):
        make_method("rmo", checkpoint=str(checkpoint), eta=bad)


def test_unknown_method_option_names_the_method_and_option(checkpoint):
    with pytest.raises(ValueError, match="'rmo' does not take .*unexpected keyword argument 'colour'"):
        make_method("rmo", checkpoint=str(checkpoint), colour="red")


def test_argmax_mode_is_available_and_deterministic(checkpoint):
    policy = RMOPolicy.load(checkpoint, sample=False)
    assert not policy.sample
    assert run_episode(tiny_env(), policy, seed=5)["revenue"] == run_episode(tiny_env(), policy, seed=6 - 1)["revenue"]


def test_trainer_evaluate_scores_like_the_policy_in_dasc_envs_harness(tmp_path):
    trainer = Trainer(tiny_config(tmp_path).replace_path("env.num_envs", 2))
    policy = RMOPolicy(copy.deepcopy(trainer.learner.actor), trainer.learner.eta.pair())
    harness = [run_episode(tiny_env(), policy, seed=seed)["revenue"] for seed in range(10**6, 10**6 + 3)]
    assert trainer.evaluate(3) == pytest.approx(sum(harness) / 3, rel=1e-12)
    assert trainer.evaluate([10**6 + 2, 10**6, 10**6 + 1]) == pytest.approx(sum(harness) / 3, rel=1e-12)


def test_trainer_evaluate_on_given_seeds_scores_those_episodes(tmp_path):
    trainer = Trainer(tiny_config(tmp_path))
    policy = RMOPolicy(copy.deepcopy(trainer.learner.actor), trainer.learner.eta.pair())
    assert trainer.evaluate([7]) == pytest.approx(run_episode(tiny_env(), policy, seed=7)["revenue"], rel=1e-12)
    with pytest.raises(ValueError, match="seeds"):
        trainer.evaluate([])


def test_km_scores_the_same_before_and_after_rmo_on_one_env(checkpoint):
    env, km = tiny_env(), make_method("km")
    first = run_episode(env, km, seed=4)
    run_episode(env, RMOPolicy.load(checkpoint), seed=4)
    assert env.utility_params == RMOPolicy.load(checkpoint).eta != (env.config.alpha, env.config.beta)
    again = run_episode(env, km, seed=4)
    assert {k: v for k, v in again.items() if k != "wall_s"} == {k: v for k, v in first.items() if k != "wall_s"}
    assert env.ledger.matches and env.utility_params == (env.config.alpha, env.config.beta)


SHIPPED = sorted((Path(__file__).resolve().parents[2] / "examples" / "checkpoints").glob("*.pt"))


@pytest.mark.parametrize("shipped", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_checkpoint_plays_its_suite_task_with_a_clean_ledger(shipped):
    """examples/checkpoints (every one): still loads on today's observation space and acts on the task it was
    trained on (all are small-quick's), matching with the eta it holds."""
    policy = RMOPolicy.load(shipped)
    env = dasc_env.benchmarks.make("small-quick", seed=1_000_000)
    metrics = run_episode(env, policy, seed=1_000_000)
    assert dasc_env.verify_ledger(env.scenario, env.ledger, env.config) == []
    assert metrics["revenue"] == env.total_revenue > 0
    assert env.utility_params == policy.eta
