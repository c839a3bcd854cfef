"""TUNED-KM: KM on the OPEN subtasks of chosen cells of (ready, busy_sooner), at a tuned eta; the rule a learner
of the decision bias and eta must beat (issue #34).

An OPEN subtask (every predecessor assigned) falls in cell c = ready + 2 busy_sooner: ``ready`` when every
predecessor has finished, ``busy_sooner`` when a busy skilled worker would reach it before every idle one
(``env.busy_sooner``). The same cells as rmo-agents' decision bias (``ModelConfig.decision_bias_features =
("ready", "busy_sooner")``). The rule recommends the subtasks of the cells switched on and matches them by KM
on the utility of Eq. 9-13 at its eta. Cells "0101" is KM, "0100" WAIT-KM, "1111" READY-KM; on a suite task
the shipped tuning (``dasc_env.benchmarks.tuned``) fills whatever is not given.
"""

from __future__ import annotations

import numpy as np

from ..benchmarks.tuned import TUNED_KM, tuned_rule
from ..config import parse_eta
from ..env import DASCParallelEnv, SubtaskStatus
from .policy import Policy


def parse_cells(value) -> tuple[bool, bool, bool, bool] | None:
    """None, four bools (cells 0-3), or their spelling as four characters 0/1 (e.g. ``--tuned-km-cells 0100``)."""
    if value is None:
        return None
    if isinstance(value, str):
        flags = tuple(ch == "1" for ch in value) if set(value) <= {"0", "1"} else ()
    else:
        try:
            flags = tuple(value)
        except TypeError:
            flags = ()
        flags = flags if all(isinstance(v, (bool, np.bool_)) or v in (0, 1) for v in flags) else ()
    if len(flags) != 4:
        raise ValueError(f"cells={value!r} must be four 0/1 flags for the cells ready + 2 busy_sooner = 0..3 "
                         "(e.g. '0100': ready and no busy worker sooner)")
    return tuple(bool(v) for v in flags)


class TunedKMPolicy(Policy):
    """Recommend the OPEN subtasks whose (ready, busy_sooner) cell is on; KM at ``eta``."""

    name = "tuned-km"
    observes = False

    def __init__(self, cells=None, eta=None):
        self.cells, self.eta = parse_cells(cells), parse_eta(eta)

    def reset(self, env: DASCParallelEnv, seed: int | None = None) -> None:
        super().reset(env, seed)
        cells, eta = self.cells, self.eta
        if cells is None or eta is None:
            shipped = tuned_rule(env.config)
            if shipped is None:
                raise ValueError("tuned-km has no shipped tuning for this config (it is not a tuned suite task: "
                                 f"{sorted(TUNED_KM) or 'none yet'}); give cells= and eta=")
            cells = shipped[1].cells if cells is None else cells
            eta = shipped[1].eta if eta is None else eta
        self._on = np.array(cells)
        env.set_utility_params(*eta)

    def recommend(self, env: DASCParallelEnv) -> np.ndarray:
        status = env.subtask_status
        open_ = status == SubtaskStatus.OPEN
        ready = open_ & env.scenario.all_predecessors(status == SubtaskStatus.FINISHED)
        return open_ & self._on[ready + 2 * env.busy_sooner]

