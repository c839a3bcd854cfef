"""Checkpoints: plain data only, clear errors for bad files, no code run from a crafted pickle."""

import json

import pytest
import torch

from rmo_agents import CheckpointError, Trainer
from rmo_agents.checkpoint import FORMAT, load_checkpoint, save_checkpoint
from tests.rmo_agents.builders import tiny_config

MARKER = "pickle-payload-ran"


class Payload:
    """Unpickling this would create a file: the loader must refuse it first."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_checkpoint_with_a_pickle_payload_is_refused_and_runs_nothing(tmp_path, checkpoint):
    data = torch.load(checkpoint, weights_only=True)
    data["payload"] = Payload(tmp_path / MARKER)
    crafted = tmp_path / "crafted.pt"
    torch.save(data, crafted)
    with pytest.raises(CheckpointError, match="pickled objects"):
        load_checkpoint(crafted)
    assert not (tmp_path / MARKER).exists()


@pytest.mark.parametrize("content", [b"", b"not a zip file at all", "truncated"])
def test_corrupt_file_gives_a_checkpoint_error_naming_it(tmp_path, checkpoint, content):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(checkpoint.read_bytes()[:200] if content == "truncated" else content)
    with pytest.raises(CheckpointError, match="bad.pt"):
        load_checkpoint(bad)


def test_missing_file_gives_a_checkpoint_error(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "nothing.pt")


def test_plain_tensor_file_that_is_not_a_checkpoint_is_refused(tmp_path):
    other = tmp_path / "weights.pt"
    torch.save({"w": torch.zeros(2)}, other)
    with pytest.raises(CheckpointError, match="not an rmo-agents checkpoint"):
        load_checkpoint(other)


def with_config_field(checkpoint, path, section: str, field: str, value):
    """A copy of ``checkpoint`` at ``path`` whose saved config has ``section.field = value``."""
    data = torch.load(checkpoint, weights_only=True)
    config = json.loads(data["config"])
    config[section][field] = value
    data["config"] = json.dumps(config)
    torch.save(data, path)
    return path


def test_checkpoint_of_another_model_gives_a_clear_error(tmp_path, checkpoint):
    other = with_config_field(checkpoint, tmp_path / "other.pt", "model", "gat_hidden", 6)
    with pytest.raises(CheckpointError, match="does not fit"):
        Trainer.resume(other)


def test_checkpoint_with_an_invalid_config_is_refused(tmp_path, checkpoint):
    bad = with_config_field(checkpoint, tmp_path / "bad-config.pt", "ppo", "gamma", 3.0)
    with pytest.raises(CheckpointError, match="ppo.gamma"):
        load_checkpoint(bad)


def test_save_writes_the_format_tag_and_leaves_no_temporary_file(tmp_path):
    save_checkpoint(tmp_path / "x.pt", {"config": json.dumps(tiny_config(tmp_path).to_dict())})
    assert torch.load(tmp_path / "x.pt", weights_only=True)["format"] == FORMAT
    assert [p.name for p in tmp_path.iterdir()] == ["x.pt"]
