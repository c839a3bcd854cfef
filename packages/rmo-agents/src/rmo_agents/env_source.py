"""What the learner trains on: a dasc-env config, and optionally a road graph file and scenario files.

``EnvSource.from_config(EnvConfig)`` reads ``env.graph`` (GraphML through dasc-env's OSM importer, or the
``.npz`` that ``dasc_env.city.save_graph`` writes) and ``env.scenario`` (one ``.npz`` written by
``dasc_env.save_scenario``, replayed at every reset, or a folder of them, cycled by episode seed:
scenario ``seed mod n`` in name order). With scenarios, |Q| and |W| come from them, not from
``env.num_tasks``/``env.num_workers``. Every env copy (in process, subprocess or Ray actor) is built from the
same ``EnvSource``; ``describe()`` is what a checkpoint records of it, so that an evaluation can say when it
scores a checkpoint on something else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields

import numpy as np

import dasc_env
from dasc_env import DASCConfig, RoadGraph, Scenario
from dasc_env.city import load_city, read_graph_file
from dasc_env.scenario import load_scenarios

from .config import EnvConfig


@dataclass(frozen=True)
class EnvSource:
    """A ``DASCConfig`` with the road graph and the fixed scenarios it runs on (None / empty: generated)."""

    config: DASCConfig
    graph: RoadGraph | None = None
    scenarios: tuple[Scenario, ...] = ()

    @classmethod
    def from_config(cls, env: EnvConfig) -> EnvSource:
        """Read the files ``env`` names (``ValueError`` naming a missing or bad file)."""
        config = env.dasc_config()
        graph = read_graph_file(env.graph) if env.graph is not None else None
        scenarios = tuple(load_scenarios(env.scenario)) if env.scenario is not None else ()
        if scenarios:
            workers = {s.num_workers for s in scenarios}
            if len(workers) > 1:
                raise ValueError(f"env.scenario={env.scenario!r}: the scenarios have different worker counts "
                                 f"{sorted(workers)}; one run needs one |W|")
            config = config.replace(num_tasks=max(s.num_tasks for s in scenarios), num_workers=workers.pop())
            nodes = (graph if graph is not None else load_city(config.city, config.city_seed)).num_nodes
            for s in scenarios:
                s.check_fits(nodes, config.max_subtasks, config.num_skills)
        return cls(config, graph, scenarios)

    def make_env(self):
        """A dasc-env parallel env on this source's config and graph."""
        return dasc_env.parallel_env(self.config, city=self.graph)

    def scenario_for(self, seed: int) -> Scenario | None:
        """The fixed scenario of the episode of ``seed`` (cycled by seed), or None: generated from the seed."""
        return self.scenarios[int(seed) % len(self.scenarios)] if self.scenarios else None

    def describe(self) -> dict:
        """What a checkpoint records: the graph's name and the fingerprints of the fixed scenarios."""
        city = self.graph.name if self.graph is not None else self.config.city
        return {"city": city, "scenarios": [fingerprint(s) for s in self.scenarios]}


def fingerprint(scenario: Scenario) -> str:
    """A short hash of a scenario's input arrays: equal scenarios, equal fingerprints."""
    digest = hashlib.sha256()
    for f in fields(scenario):
        if f.init:
            digest.update(np.ascontiguousarray(getattr(scenario, f.name)).tobytes())
    return digest.hexdigest()[:16]
