"""rmo-agents: the RMO learner (meta-gradient MAPPO with joint utility optimisation) for dasc-env.

    from rmo_agents import Trainer, RMOPolicy, preset
    Trainer(preset("practical").replace_path("run.episodes", 50)).run()
    policy = RMOPolicy.load("runs/rmo/best.pt")      # a dasc_env.baselines.Policy
"""

from ._version import __version__
from .checkpoint import CheckpointError
from .config import (
    EnvConfig,
    MetaConfig,
    ModelConfig,
    OptimConfig,
    PPOConfig,
    RMOConfig,
    RunConfig,
)
from .policy import RMOPolicy
from .presets import preset
from .trainer import Trainer

__all__ = ["__version__", "CheckpointError", "EnvConfig", "MetaConfig", "ModelConfig", "OptimConfig", "PPOConfig",
           "RMOConfig", "RMOPolicy", "RunConfig", "Trainer", "preset"]
