"""Fixtures shared by the whole suite."""

import pytest

from tests.builders import line_city


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
