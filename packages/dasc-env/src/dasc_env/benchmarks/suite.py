"""The benchmark suite's definition: named tasks, each a frozen config with training and held-out test seeds.

A version is immutable once published: changing any task (its config, its seeds) or the task list means a new
version in ``SUITES``, never an edit of an old one, so scores reported against "v1" stay comparable.

Seeds: seed ``s`` of a task is the episode ``env.reset(seed=s)`` draws on the task's config (the workers and the
stream of tasks; the city is fixed by ``config.city_seed``). Train on ``train_seeds``; report on ``test_seeds``,
which no training seed equals. The headroom tasks were chosen by measurement (``experiments/suite_selection.py``,
``docs/BENCHMARKS.md``): on their test seeds the relaxed upper bound (``dasc_env.bounds.relaxed_bound``) is at
least ``HEADROOM`` times the best of the ``CHEAP_METHODS``'s mean revenue.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import DASCConfig

CHEAP_METHODS = ("greedy", "km", "ready-km", "admit-km", "all")
"""The non-learning methods that take seconds per episode that v1's headroom tasks were selected against: the bar
a headroom task's bound must clear 1.3x (fixed with v1)."""
REFERENCE_METHODS = (*CHEAP_METHODS, "wait-km")
"""The non-learning methods a learner is measured against (``experiments/learning_evidence.py``, the leaderboard):
the cheap ones and WAIT-KM, KM that waits for a busy worker arriving sooner than every idle one, found after v1
was selected; every one takes seconds per episode."""
HEADROOM = 1.3
"""A headroom task's mean relaxed bound over its test seeds is at least this times the best cheap method's mean."""
TRAIN_SEEDS = range(0, 1_000_000)
"""Training seeds of every v1 task."""
PAPER_TEST_SEEDS = tuple(range(1_000_000, 1_000_003))
"""Held-out seeds of the paper-scale tasks (9-21 s per episode and method in the v1 leaderboard's run)."""
SMALL_TEST_SEEDS = tuple(range(1_000_000, 1_000_010))
"""Held-out seeds of the small-city tasks."""


@dataclass(frozen=True)
class SuiteTask:
    """One named task of a suite version."""

    name: str
    config: DASCConfig
    train_seeds: range
    test_seeds: tuple[int, ...]
    about: str
    """Why the task is in the suite (one line)."""

    def __post_init__(self) -> None:
        if not isinstance(self.config, DASCConfig):
            raise TypeError(f"SuiteTask {self.name!r}: config must be a DASCConfig, got {type(self.config).__name__}")
        if not self.test_seeds or min(self.test_seeds) < 0 or self.train_seeds.start < 0:
            raise ValueError(f"SuiteTask {self.name!r}: seeds must be >= 0 and test_seeds non-empty")
        overlap = [s for s in self.test_seeds if s in self.train_seeds]
        if overlap:
            raise ValueError(f"SuiteTask {self.name!r}: test seeds {overlap} are also training seeds")


_PAPER = DASCConfig(num_tasks=60, num_workers=300)
_SMALL = DASCConfig(city="small", num_tasks=20, num_workers=12, worker_skill_mean=8.0, arrival_window=1200.0)
"""The small city (20 x 20 blocks of 100 m) with skilled workers (8 of 10 skills on average), so almost every
task has workers with its skills, and 20 minutes of arrivals."""


def _small(name: str, about: str, **changes) -> SuiteTask:
    return SuiteTask(name, _SMALL.replace(**changes), TRAIN_SEEDS, SMALL_TEST_SEEDS, about)


SUITE_V1: tuple[SuiteTask, ...] = (
    SuiteTask("paper-chengdu-60x300", _PAPER.replace(city="chengdu"), TRAIN_SEEDS, PAPER_TEST_SEEDS,
              "the paper's central point of Table 2, Chengdu-sized city (continuity)"),
    SuiteTask("paper-haikou-60x300", _PAPER.replace(city="haikou"), TRAIN_SEEDS, PAPER_TEST_SEEDS,
              "the paper's central point of Table 2, Haikou-sized city (continuity)"),
    _small("small-scarce-skilled", "12 skilled workers for 20 tasks: which tasks to serve decides the revenue"),
    _small("small-tight-deadlines", "scarce workers and t_e, t_d close to the work itself (1.05x, 1.5x)",
           expected_factor=1.05, deadline_factor=1.5),
    _small("small-deep-dags", "long dependency chains (edge probability 0.8): order and pre-positioning matter",
           dag_edge_prob=0.8),
    _small("small-rush-hour", "30 tasks arriving within 10 minutes for 12 workers", num_tasks=30,
           arrival_window=600.0),
    _small("small-costly-travel", "travel costs 5 per km (Eq. 1's kappa 5x the paper's)", kappa=5e-3),
    _small("small-quick", "10 tasks x 6 workers in 10 minutes, 15 s epochs: the cheapest task (about a second per "
           "episode for the cheap methods), for training runs of minutes", num_tasks=10, num_workers=6,
           arrival_window=600.0, decision_interval=15.0),
)

SUITES: dict[str, tuple[SuiteTask, ...]] = {"v1": SUITE_V1}
"""Every published version; the newest is ``LATEST``."""
LATEST = "v1"
