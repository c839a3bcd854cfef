"""TUNED-KM's parameters per suite task: which cells of (ready, busy_sooner) it recommends, and eta.

Found on each task's training seeds by ``python -m experiments.tune_km --task NAME`` (coordinate search over
the 16 cell sets and an (alpha, beta) grid, every candidate on the same seeds; the command, the seeds and the
training-seed revenue of each entry are in ``docs/EXPERIMENTS.md``). Like the suite's tasks, an entry is never
edited once published: a better tuning is a new suite version's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import DASCConfig
from .suite import SUITES


@dataclass(frozen=True)
class TunedRule:
    """TUNED-KM's parameters: ``cells[c]`` says whether an OPEN subtask of cell c = ready + 2 busy_sooner is
    recommended (the cell numbering of rmo-agents' decision bias), and ``eta`` the (alpha, beta) of Eq. 13."""

    cells: tuple[bool, bool, bool, bool]
    eta: tuple[float, float]


TUNED_KM: dict[str, TunedRule] = {
    "small-quick": TunedRule(cells=(False, True, False, False), eta=(0.3, 0.3)),
    "small-deep-dags": TunedRule(cells=(False, True, False, False), eta=(0.3, 0.1)),
    "small-tight-deadlines": TunedRule(cells=(False, True, False, True), eta=(0.5, 0.1)),
    "small-scarce-skilled": TunedRule(cells=(False, True, False, False), eta=(0.3, 0.3)),
    "small-costly-travel": TunedRule(cells=(False, True, False, False), eta=(0.3, 0.3)),
    "small-rush-hour": TunedRule(cells=(False, True, False, False), eta=(0.3, 0.1)),
}
"""Suite task name -> its tuned rule (v1's small tasks that have been tuned)."""


def tuned_rule(config: DASCConfig) -> tuple[str, TunedRule] | None:
    """The name and shipped ``TunedRule`` of the suite task whose config is ``config``, or None if none has one."""
    for version in SUITES.values():
        for task in version:
            if task.config == config and task.name in TUNED_KM:
                return task.name, TUNED_KM[task.name]
    return None
