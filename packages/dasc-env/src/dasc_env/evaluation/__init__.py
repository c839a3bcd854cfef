"""The evaluation harness behind ``dasc-eval``: every method scored identically on the same scenarios, with each
episode's upper bound and every method's share of it (``regret``), on a grid or a benchmark suite (``suite``)."""

from ..baselines import run_episode
from ..bounds import BOUNDS, EpisodeBound, episode_bound
from .plots import plot_revenue
from .regret import BOUND_COLUMNS, BoundViolation, interval95
from .runner import COLUMNS, EvalPoint, evaluate_point, run_grid, summarize
from .suite import REFERENCE_COLUMNS, run_suite, suite_tasks

__all__ = ["BOUNDS", "BOUND_COLUMNS", "COLUMNS", "REFERENCE_COLUMNS", "BoundViolation", "EpisodeBound", "EvalPoint",
           "episode_bound", "evaluate_point", "interval95", "plot_revenue", "run_episode", "run_grid", "run_suite",
           "suite_tasks", "summarize"]
