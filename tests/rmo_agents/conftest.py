"""Fixtures of the rmo_agents tests: one tiny trained checkpoint shared by the policy and CLI tests."""

import pytest

from rmo_agents import Trainer
from tests.rmo_agents.builders import tiny_config


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory):
    """last.pt of a 2-episode rmo run on the tiny config (eta learned, so it differs from the env default)."""
    out = tmp_path_factory.mktemp("tiny-run")
    Trainer(tiny_config(out, episodes=2)).run()
    return out / "last.pt"
