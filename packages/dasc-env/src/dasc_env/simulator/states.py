"""Codes of the simulator's state arrays (``Simulator.sub_state``, ``Simulator.task_state``)."""

# Subtask states
UNSEEN, OPEN, ASSIGNED, DROPPED = 0, 1, 2, 3
# Task states
T_UNSEEN, T_LIVE, T_ASSIGNED, T_FAILED = 0, 1, 2, 3
