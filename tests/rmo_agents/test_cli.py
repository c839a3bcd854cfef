"""rmo-train and rmo-eval: a smoke run writes TensorBoard events, checkpoints and results; bad input exits 2."""

import csv
import json
import subprocess
import sys

import torch

import dasc_env
from rmo_agents import RMOConfig, RMOPolicy, Trainer
from rmo_agents.cli import SHORTCUTS, eval_main, train_main, train_parser
from rmo_agents.config import EnvConfig
from tests.rmo_agents.builders import tiny_config

TINY = ["--city", "small", "--tasks", "4", "--workers", "12", "--threads", "1", "--no-progress",
        "--set", 'env.dasc={"arrival_window": 300.0, "decision_interval": 30.0}',
        "--set", "model.gat_heads=2", "--set", "model.gat_hidden=4", "--set", "model.actor_hidden=[16]",
        "--set", "ppo.epochs=1"]


def read_csv(path) -> list[dict[str, str]]:
    with open(path) as f:
        return list(csv.DictReader(f))


def test_train_then_resume_then_eval_writes_every_output(tmp_path):
    out = tmp_path / "run"
    assert train_main([*TINY, "--num-envs", "1", "--episodes", "2", "--eval-every", "1", "--eval-seeds", "1",
                       "--out", str(out)]) == 0  # one episode per update: one metrics row per episode
    for name in ("last.pt", "best.pt", "config.json", "metrics.csv"):
        assert (out / name).is_file(), name
    assert list((out / "tb").glob("events.out.tfevents.*"))
    assert train_main(["--resume", str(out / "last.pt"), "--episodes", "3", "--no-progress"]) == 0
    rows = read_csv(out / "metrics.csv")
    assert [int(r["episodes"]) for r in rows] == [1, 2, 3]
    logged = {"revenue", "loss_theta", "loss_theta_hat", "meta_norm", "xi", "alpha", "beta", "eval_revenue"}
    assert logged <= set(rows[0])
    assert eval_main([str(out / "best.pt"), "--seeds", "1", "--methods", "rmo,rec,km", "--no-plots", "--quiet",
                      "--out", str(tmp_path / "eval")]) == 0
    results = read_csv(tmp_path / "eval" / "results.csv")
    assert sorted(r["method"] for r in results) == ["km", "rec", "rmo"]
    assert {r["num_tasks"] for r in results} == {"4"}


def test_bad_config_value_exits_2_naming_the_field(tmp_path, capsys):
    assert train_main([*TINY, "--set", "ppo.gamma=2", "--out", str(tmp_path)]) == 2
    assert "ppo.gamma=2" in capsys.readouterr().err


def test_resume_refuses_to_change_the_config(tmp_path, checkpoint, capsys):
    assert train_main(["--resume", str(checkpoint), "--tasks", "9"]) == 2
    assert "cannot change" in capsys.readouterr().err


def test_print_config_shows_the_resolved_config(capsys):
    assert train_main(["--preset", "paper", "--set", "ppo.epochs=3", "--print-config"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["ppo"]["epochs"] == 3 and printed["optim"]["optimizer"] == "sgd"


def test_backend_flags_set_where_the_env_copies_run(capsys):
    argv = ["--num-envs", "8", "--backend", "ray", "--ray-address", "auto", "--print-config"]
    assert train_main(argv) == 0
    env = json.loads(capsys.readouterr().out)["env"]
    assert (env["num_envs"], env["backend"], env["ray_address"]) == (8, "ray", "auto")
    assert train_main(["--backend", "threads", "--print-config"]) == 2
    assert "env.backend='threads'" in capsys.readouterr().err


def test_help_documents_every_option():
    text = train_parser().format_help()
    for flag in SHORTCUTS:
        assert f"--{flag.replace('_', '-')}" in text
    for flag in ("--preset", "--config", "--set", "--resume"):
        assert flag in text


def test_eval_of_a_missing_checkpoint_exits_2(tmp_path, capsys):
    assert eval_main([str(tmp_path / "none.pt")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_console_scripts_are_installed():
    for script in ("rmo-train", "rmo-eval"):
        done = subprocess.run([sys.executable, "-c", f"from importlib.metadata import entry_points; "
                               f"print([e.value for e in entry_points(group='console_scripts', name='{script}')])"],
                              capture_output=True, text=True, check=True)
        assert "rmo_agents.cli" in done.stdout


def test_zero_episodes_writes_the_untrained_checkpoint(tmp_path):
    out = tmp_path / "untrained"
    assert train_main([*TINY, "--episodes", "0", "--out", str(out)]) == 0
    untrained = RMOPolicy.load(out / "last.pt")
    fresh = Trainer(RMOConfig.from_file(out / "config.json").replace_path("run.out", str(tmp_path / "fresh")))
    for a, b in zip(untrained.actor.parameters(), fresh.learner.actor.parameters()):
        assert torch.equal(a, b)
    assert (out / "best.pt").is_file() and not (out / "metrics.csv").exists()


def test_train_and_eval_on_a_scenario_file(tmp_path):
    from tests.rmo_agents.test_env_source import hand_made

    case = dasc_env.save_scenario(hand_made(), tmp_path / "case.npz")
    out = tmp_path / "run"
    assert train_main([*TINY, "--scenario", str(case), "--episodes", "1", "--out", str(out)]) == 0
    assert eval_main([str(out / "last.pt"), "--methods", "rmo,km", "--no-plots", "--quiet",
                      "--out", str(tmp_path / "eval")]) == 0  # on the training scenario by default
    results = read_csv(tmp_path / "eval" / "results.csv")
    assert sorted((r["method"], r["num_tasks"], r["num_workers"]) for r in results) == [("km", "2", "2"),
                                                                                         ("rmo", "2", "2")]


def test_eval_of_a_missing_scenario_file_exits_2_naming_it(tmp_path, checkpoint, capsys):
    assert eval_main([str(checkpoint), "--scenario", str(tmp_path / "gone.npz"), "--quiet"]) == 2
    assert "gone.npz" in capsys.readouterr().err


def test_suite_task_trains_on_the_task_and_validates_off_its_test_seeds(capsys):
    from dasc_env import benchmarks

    assert train_main(["--suite-task", "small-quick", "--eval-seeds", "4", "--num-envs", "2", "--print-config"]) == 0
    printed = json.loads(capsys.readouterr().out)
    task = benchmarks.get("small-quick")
    env = EnvConfig.from_dasc(task.config, num_envs=2)
    assert printed["env"] == json.loads(json.dumps(RMOConfig(env=env).to_dict()))["env"]
    base = printed["run"]["eval_seed_base"]
    assert base == task.train_seeds.stop - 4 and set(range(base, base + 4)) <= set(task.train_seeds)


def test_suite_task_refuses_env_flags_it_would_override(capsys):
    assert train_main(["--suite-task", "small-quick", "--tasks", "5", "--print-config"]) == 2
    assert "drop --tasks" in capsys.readouterr().err
    assert train_main(["--suite-task", "small-quick", "--set", "env.dasc={}", "--print-config"]) == 2
    assert "drop env.dasc" in capsys.readouterr().err
    assert train_main(["--suite-task", "no-such-task", "--print-config"]) == 2
    assert "unknown task 'no-such-task'" in capsys.readouterr().err


def test_trainer_evaluates_on_the_configured_held_out_seeds(tmp_path):
    config = tiny_config(tmp_path).with_overrides(["run.eval_seed_base=42", "run.eval_seeds=2"])
    with Trainer(config) as trainer:
        assert trainer.evaluate() == trainer.evaluate([42, 43])


def test_suite_task_validation_seeds_follow_eval_seeds_set_later_and_never_reach_the_test_seeds(capsys):
    from dasc_env import benchmarks

    assert train_main(["--suite-task", "small-quick", "--set", "run.eval_seeds=5", "--print-config"]) == 0
    run = json.loads(capsys.readouterr().out)["run"]
    assert run["eval_seed_base"] == benchmarks.get("small-quick").train_seeds.stop - 5
    assert train_main(["--suite-task", "small-quick", "--set", "run.eval_seed_base=999999", "--set",
                       "run.eval_seeds=3", "--print-config"]) == 2
    assert "would evaluate on test seeds of 'small-quick'" in capsys.readouterr().err
    assert train_main(["--suite", "v1", "--print-config"]) == 2
    assert "--suite needs --suite-task" in capsys.readouterr().err
