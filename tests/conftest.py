"""Fixtures shared by the whole suite."""

import os

import pytest
from hypothesis import settings

from tests.builders import line_city

# CI replays the same examples every run; locally hypothesis explores new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_collection_modifyitems(config, items):
    """Slow tests first. ``make test`` runs ``--dist loadfile``: each file goes to one xdist worker (so a module
    fixture runs once), and files go out in the order their first test is collected; a file with a slow test
    collected last would run alone on one core while the other idles."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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
