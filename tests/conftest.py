"""Fixtures shared by the whole suite."""

import os

# MKL (inside torch) picks its kernels by the CPU's instruction set, and its AVX-512 kernels round differently
# from its AVX2 ones: training on an AVX-512 machine drifts by ~2e-4 from the references of
# tests/rmo_agents/data, written on AVX2 ones. Pinned before anything loads MKL (pytest-xdist's workers inherit
# it), so the suite's numbers are the same on every x86 CPU.
os.environ.setdefault("MKL_ENABLE_INSTRUCTIONS", "AVX2")

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from tests.builders import line_city  # noqa: E402

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
