"""dasc-env: dependency-aware spatial crowdsourcing (DASC) as a PettingZoo parallel environment.

>>> import dasc_env
>>> env = dasc_env.parallel_env(num_tasks=20, num_workers=100, city="small")
>>> obs, infos = env.reset(seed=0)
>>> env = dasc_env.benchmarks.make("small-quick", seed=0)   # a named task of the benchmark suite
"""

from . import benchmarks
from .city import RoadGraph, synthetic_city
from .config import DASCConfig
from .env import DASCParallelEnv, SubtaskStatus, env, parallel_env
from .scenario import Scenario, ScenarioBuilder, generate_scenario, load_scenario, save_scenario
from .simulator import Ledger, MatchRecord, TaskOutcome, verify_ledger

__version__ = "0.1.0"

__all__ = [
    "DASCConfig",
    "DASCParallelEnv",
    "Ledger",
    "MatchRecord",
    "RoadGraph",
    "Scenario",
    "ScenarioBuilder",
    "SubtaskStatus",
    "TaskOutcome",
    "benchmarks",
    "env",
    "generate_scenario",
    "load_scenario",
    "parallel_env",
    "save_scenario",
    "synthetic_city",
    "verify_ledger",
]
