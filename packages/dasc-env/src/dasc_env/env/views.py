"""Read-only faces of an episode's state, for platform methods that act through the env.

Rule baselines and other ``Policy`` classes read what they need here instead of reaching into the
simulator: ``subtask_status`` (see ``dasc_env.env.status``), the idle workers and every worker's node,
which workers can reach which subtasks, where a busy worker would arrive before every idle one, and the Stage 2
matching problem the env would solve now.
Nothing here changes the episode.
"""

from __future__ import annotations

import numpy as np

from .._checks import index_array
from ..matching import MatchingProblem
from ..scenario import Scenario
from ..simulator import Ledger, Simulator
from .status import SubtaskStatus, subtask_status


class EpisodeViews:
    """Mixed into ``DASCParallelEnv``: properties and queries on the current episode (after ``reset``)."""

    sim: Simulator | None

    def _require_sim(self) -> Simulator:
        if self.sim is None:
            raise RuntimeError("call reset() first")
        return self.sim

    @property
    def scenario(self) -> Scenario:
        return self._require_sim().scenario

    @property
    def ledger(self) -> Ledger:
        return self._require_sim().ledger

    @property
    def total_revenue(self) -> float:
        """E(M) of Eq. 2 over the tasks booked so far (the sum of the ledger's task revenues)."""
        return self._require_sim().total_revenue

    @property
    def now(self) -> float:
        return self._require_sim().now

    @property
    def episode_over(self) -> bool:
        """True once the task stream is exhausted or the horizon reached (``agents`` is then empty)."""
        return self._require_sim().done

    @property
    def subtask_status(self) -> np.ndarray:
        """(S,) int8 ``SubtaskStatus`` code of every subtask of the scenario now: UNPUBLISHED, OPEN (live, every
        predecessor assigned), BLOCKED (live, some predecessor not yet assigned), ASSIGNED (matched, not
        finished), FINISHED or DROPPED. A fresh array at each access."""
        return subtask_status(self._require_sim())

    @property
    def idle_workers(self) -> np.ndarray:
        """Indices of the workers free now (not travelling to or working on a subtask), ascending."""
        return self._require_sim().idle_workers

    @property
    def worker_nodes(self) -> np.ndarray:
        """(W,) each worker's node: where it is if idle, else the node of the subtask it is busy with
        (where it will become idle). A read-only view."""
        view = self._require_sim().worker_node.view()
        view.flags.writeable = False
        return view

    def reach(self, subtasks, workers) -> tuple[np.ndarray, np.ndarray]:
        """``(skilled, distance)``, each (len(subtasks), len(workers)): whether the worker has every skill the
        subtask needs (K^tau subset of K^w), and the road distance from the worker's node (``worker_nodes``)
        to the subtask's in metres, ``inf`` beyond L^w (``config.worker_range``)."""
        sim = self._require_sim()
        sc = sim.scenario
        return sim.reach(index_array(subtasks, sc.num_subtasks, "subtasks", "subtask"),
                         index_array(workers, sc.num_workers, "workers", "worker"))

    @property
    def busy_sooner(self) -> np.ndarray:
        """(S,) bool: the live subtasks for which a busy worker with their skills, within L^w of them from where it
        becomes free, would arrive (time until free + distance / v_w) before every idle worker that could take them
        this epoch (the ``busy_sooner`` decision feature of the observation; ``simulator.feasibility``)."""
        sim = self._require_sim()
        reach = sim.epoch_reach()
        out = np.zeros(sim.scenario.num_subtasks, dtype=bool)
        out[reach.subtasks] = sim.busy_arrival(reach).sooner
        return out

    def matching_problem(self, subtasks, workers) -> MatchingProblem:
        """The Stage 2 problem (feasibility, start and finish times, Eq. 9-13 utilities with the current eta)
        the env would solve now for OPEN ``subtasks`` and idle ``workers``; nothing is matched."""
        sim = self._require_sim()
        sc = sim.scenario
        subtasks = index_array(subtasks, sc.num_subtasks, "subtasks", "subtask")
        workers = index_array(workers, sc.num_workers, "workers", "worker")
        status = subtask_status(sim)[subtasks]
        if (status != SubtaskStatus.OPEN).any():
            bad = int(np.argmax(status != SubtaskStatus.OPEN))
            raise ValueError(f"subtasks: subtask {int(subtasks[bad])} is {SubtaskStatus(status[bad]).name}, "
                             "not OPEN (live with every predecessor assigned)")
        busy = ~np.isin(workers, sim.idle_workers)
        if busy.any():
            raise ValueError(f"workers: worker {int(workers[np.argmax(busy)])} is busy until "
                             f"{sim.worker_free_at[workers[np.argmax(busy)]]} s, not idle at {sim.now} s")
        return sim.matching_problem(subtasks, workers)
