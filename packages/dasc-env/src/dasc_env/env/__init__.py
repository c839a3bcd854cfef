"""The PettingZoo parallel environment and its observation/state encoders."""

from .dasc_env import DASCParallelEnv, env, parallel_env
from .observations import ObservationEncoder

__all__ = ["DASCParallelEnv", "ObservationEncoder", "env", "parallel_env"]
