"""What ``dasc-eval`` scores on: preset cities or a road graph file, generated scenarios or scenario files.

Everything is read and checked before any episode runs; a problem raises ``ValueError`` naming the
option or the file, which the CLI prints with exit code 2.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from ..city import PRESETS, RoadGraph, load_city, read_graph_file
from ..config import DASCConfig
from ..scenario import Scenario, load_scenario, scenario_files


@dataclass
class EvalInputs:
    cities: list[str]
    """Labels of the ``city`` column: preset names, or the graph's name."""
    graph: RoadGraph | None = None
    """The road graph of ``--graph``; None: the preset cities."""
    scenarios: list[Scenario] | None = None
    """The scenarios of ``--scenario`` (seed i replays the i-th); None: generated from the seeds."""
    files: list[Path] = field(default_factory=list)
    """The files ``scenarios`` came from."""


def read_inputs(args: argparse.Namespace) -> EvalInputs:
    """Check the options and read the graph and scenario files they name."""
    if (args.seeds is not None and args.seeds < 1) or args.jobs < 1:
        raise ValueError("--seeds and --jobs must be >= 1")
    if args.suite_tasks is not None:
        raise ValueError("--suite-tasks names tasks of a benchmark suite: give --suite too")
    if args.scenario is not None:
        given = [flag for flag, value in (("--tasks", args.tasks), ("--workers", args.workers),
                                          ("--seeds", args.seeds), ("--paper-grid", args.paper_grid)) if value]
        if given:
            raise ValueError(f"{', '.join(given)} cannot be used with --scenario: tasks, workers and the runs "
                             "(one per scenario file) come from the scenarios")
    if args.graph is not None:
        if args.city is not None:
            raise ValueError("--city and --graph both name the road graph: give one")
        graph = read_graph_file(args.graph)
        inputs = EvalInputs([graph.name], graph)
    else:
        inputs = EvalInputs(_presets(args.city or "chengdu", single=args.scenario is not None))
    if args.scenario is not None:
        inputs.files = scenario_files(args.scenario)
        inputs.scenarios = [load_scenario(path) for path in inputs.files]
        graph = inputs.graph if inputs.graph is not None else load_city(inputs.cities[0], DASCConfig().city_seed)
        for path, scenario in zip(inputs.files, inputs.scenarios):
            _check_nodes(path, scenario, graph)
    return inputs


def _presets(text: str, single: bool) -> list[str]:
    cities = [c for c in text.split(",") if c]
    unknown = [c for c in cities if c not in PRESETS]
    if unknown:
        raise ValueError(f"--city {unknown} are not synthetic presets; choose from {sorted(PRESETS)} "
                         "(or give a road graph file with --graph)")
    if single and len(cities) != 1:
        raise ValueError(f"--scenario runs on one road graph, got --city {cities}")
    return cities


def _check_nodes(path: Path, scenario: Scenario, graph: RoadGraph) -> None:
    try:
        scenario.check_fits(graph.num_nodes, int(scenario.task_sizes().max()), scenario.num_skills)
    except ValueError as err:
        raise ValueError(f"{path}: {err} on road graph {graph.name!r}; give the graph it was made for with "
                         "--graph") from None
