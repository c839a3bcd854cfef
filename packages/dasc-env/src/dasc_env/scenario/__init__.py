"""Scenarios: workers and the stream of spatial tasks (DAGs of subtasks), generated, loaded or imported."""

from .builder import ScenarioBuilder, SubtaskHandle, TaskBuilder
from .dag import latest_finish_times, random_dag
from .demand import CityDemand
from .didi import Orders, read_orders, read_workers, scenario_from_orders
from .generator import generate_scenario
from .io import load_scenario, load_scenarios, save_scenario, scenario_files
from .scenario import Scenario

__all__ = [
    "CityDemand",
    "Orders",
    "Scenario",
    "ScenarioBuilder",
    "SubtaskHandle",
    "TaskBuilder",
    "generate_scenario",
    "latest_finish_times",
    "load_scenario",
    "load_scenarios",
    "random_dag",
    "read_orders",
    "read_workers",
    "save_scenario",
    "scenario_files",
    "scenario_from_orders",
]
