"""Fixtures shared by the whole suite."""

import os

import pytest
from hypothesis import settings

from tests.builders import line_city

# CI replays the same examples every run; locally hypothesis explores new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def line():
    return line_city()


@pytest.fixture(autouse=True, scope="session")
def _private_graph_cache(tmp_path_factory):
    """Keep the tests' cached road graphs out of the user's cache directory."""
    mp = pytest.MonkeyPatch()
    mp.setenv("DASC_ENV_CACHE", str(tmp_path_factory.mktemp("graph-cache")))
    yield
    mp.undo()
