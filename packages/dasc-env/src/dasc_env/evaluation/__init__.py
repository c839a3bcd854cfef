"""The evaluation harness behind ``dasc-eval``: every method scored identically on the same scenarios."""

from .plots import plot_revenue
from .runner import COLUMNS, EvalPoint, evaluate_point, run_episode, run_grid, summarize

__all__ = ["COLUMNS", "EvalPoint", "evaluate_point", "plot_revenue", "run_episode", "run_grid", "summarize"]
