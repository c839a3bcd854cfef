"""The per-agent action: ``Discrete(2)``, 1 = recommend this subtask for matching now, 0 = wait.

The env and its wrappers accept a Python or numpy integer or bool (0-d arrays included) and read
``None`` as "no recommendation"; anything else is outside the space and raises ``ValueError``.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces


def action_space() -> spaces.Discrete:
    """The action space of every agent."""
    return spaces.Discrete(2)


def is_binary_action(action) -> bool:
    """True for 0 or 1 as a Python or numpy integer or bool (0-d arrays included)."""
    if isinstance(action, np.ndarray):
        if action.shape != ():
            return False
        action = action[()]
    return isinstance(action, (int, np.integer, np.bool_)) and action in (0, 1)
