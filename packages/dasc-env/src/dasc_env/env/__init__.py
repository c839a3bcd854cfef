"""The PettingZoo parallel environment, its action space and its observation/state encoders."""

from .actions import action_space, is_binary_action
from .dasc_env import DASCParallelEnv, env, parallel_env
from .observations import (
    BINARY_DECISION_FEATURES,
    DECISION_FEATURES,
    ObservationEncoder,
    decision_column,
    observation_space,
    state_features,
)
from .status import SubtaskStatus, is_live, is_matched

__all__ = ["BINARY_DECISION_FEATURES", "DECISION_FEATURES", "DASCParallelEnv", "ObservationEncoder", "SubtaskStatus",
           "action_space", "decision_column", "env", "is_binary_action", "is_live", "is_matched", "observation_space",
           "parallel_env", "state_features"]
