"""The PettingZoo parallel environment and its observation/state encoders."""

from .dasc_env import DASCParallelEnv, env, parallel_env
from .observations import ObservationEncoder, observation_space, state_features

__all__ = ["DASCParallelEnv", "ObservationEncoder", "env", "observation_space", "parallel_env", "state_features"]
