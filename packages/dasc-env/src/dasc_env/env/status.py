"""The public per-subtask status of an episode, derived from the simulator's state with array code.

``DASCParallelEnv.subtask_status`` is an int8 array over the scenario's subtasks holding these codes:

=========== ==== ==============================================================================
UNPUBLISHED 0    its task's creation time t_c has not come yet
OPEN        1    a live agent whose predecessors are all assigned: it can be matched this epoch
BLOCKED     2    a live agent with a predecessor not yet assigned (the env's layered matching
                 can still match it in the epoch its predecessor is matched)
ASSIGNED    3    matched to a worker, finish time still ahead
FINISHED    4    matched, and its finish time has come
DROPPED     5    its task could no longer end by t_d (or the horizon came) before it was matched
=========== ==== ==============================================================================

Live agents (``env.agents``) are exactly the OPEN and BLOCKED subtasks.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from ..simulator import Simulator
from ..simulator.states import ASSIGNED as SIM_ASSIGNED
from ..simulator.states import DROPPED as SIM_DROPPED
from ..simulator.states import OPEN as SIM_OPEN


class SubtaskStatus(IntEnum):
    """Codes of ``DASCParallelEnv.subtask_status`` (see the module docstring)."""

    UNPUBLISHED = 0
    OPEN = 1
    BLOCKED = 2
    ASSIGNED = 3
    FINISHED = 4
    DROPPED = 5


def subtask_status(sim: Simulator) -> np.ndarray:
    """(S,) int8 ``SubtaskStatus`` codes of every subtask of ``sim``'s scenario at ``sim.now``."""
    state = sim.sub_state
    status = _STATUS_OF_STATE[state.view(np.uint8)]  # OPEN, ASSIGNED, DROPPED; any other state UNPUBLISHED
    status[(state == SIM_OPEN) & sim.blocked()] = SubtaskStatus.BLOCKED
    status[sim.finished()] = SubtaskStatus.FINISHED
    return status


_STATUS_OF_STATE = np.full(256, SubtaskStatus.UNPUBLISHED, dtype=np.int8)
"""The status of each int8 simulator state (indexed by its byte), before BLOCKED and FINISHED are told apart."""
_STATUS_OF_STATE[[SIM_OPEN, SIM_ASSIGNED, SIM_DROPPED]] = [SubtaskStatus.OPEN, SubtaskStatus.ASSIGNED,
                                                            SubtaskStatus.DROPPED]


def is_live(status: np.ndarray) -> np.ndarray:
    """(S,) True where a status array marks a live agent (OPEN or BLOCKED)."""
    return (status == SubtaskStatus.OPEN) | (status == SubtaskStatus.BLOCKED)


def is_matched(status: np.ndarray) -> np.ndarray:
    """(S,) True where a status array marks a matched subtask (ASSIGNED or FINISHED)."""
    return (status == SubtaskStatus.ASSIGNED) | (status == SubtaskStatus.FINISHED)
