"""Scenarios: workers and the stream of spatial tasks (DAGs of subtasks)."""

from .dag import latest_finish_times, random_dag
from .generator import generate_scenario
from .scenario import Scenario

__all__ = ["Scenario", "generate_scenario", "latest_finish_times", "random_dag"]
