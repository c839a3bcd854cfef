"""A versioned benchmark suite for DASC: named tasks with training and held-out test seeds.

>>> import dasc_env
>>> env = dasc_env.benchmarks.make("small-scarce-skilled", seed=0)   # a training seed of suite v1
>>> [t.name for t in dasc_env.benchmarks.tasks("v1")][:2]
['paper-chengdu-60x300', 'paper-haikou-60x300']

Score methods on the held-out seeds with ``dasc-eval --suite v1 --methods km,ready-km``; the definition of
every version lives in ``suite.py``.
"""

from __future__ import annotations

from ..env import DASCParallelEnv
from .suite import CHEAP_METHODS, HEADROOM, LATEST, REFERENCE_METHODS, SUITES, SuiteTask
from .tuned import TUNED_KM, TunedRule, tuned_rule

__all__ = ["CHEAP_METHODS", "HEADROOM", "LATEST", "REFERENCE_METHODS", "SUITES", "TUNED_KM", "SuiteTask", "TunedRule",
           "get", "make", "tasks", "tuned_rule"]


def tasks(version: str = LATEST) -> tuple[SuiteTask, ...]:
    """The tasks of suite ``version`` (e.g. "v1"), in their published order."""
    if not isinstance(version, str) or version not in SUITES:
        raise ValueError(f"unknown suite version {version!r}; published: {', '.join(SUITES)}")
    return SUITES[version]


def get(name: str, version: str = LATEST) -> SuiteTask:
    """The task ``name`` of suite ``version``."""
    found = {t.name: t for t in tasks(version)}
    if name not in found:
        raise ValueError(f"unknown task {name!r} in suite {version}; its tasks: {', '.join(found)}")
    return found[name]


def make(name: str, seed: int, version: str = LATEST) -> DASCParallelEnv:
    """The env of task ``name`` reset with ``seed``, one of the task's ``train_seeds`` or ``test_seeds``.

    The seed fixes the episode (workers and task stream, drawn by ``env.reset(seed=seed)``), so
    ``env.reset(seed=seed)`` returns this episode's first observations again; ``env.config`` is the task's
    config. Train on ``train_seeds``; the held-out ``test_seeds`` are what ``dasc-eval --suite`` scores.
    """
    task = get(name, version)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    if seed not in task.train_seeds and seed not in task.test_seeds:
        raise ValueError(f"seed={seed} is neither a training seed ({task.train_seeds.start}.."
                         f"{task.train_seeds.stop - 1}) nor a test seed ({task.test_seeds[0]}..{task.test_seeds[-1]}) "
                         f"of task {name!r} in suite {version}")
    env = DASCParallelEnv(task.config)
    env.reset(seed=seed)
    return env
