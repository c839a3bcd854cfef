"""rmo-agents: the RMO learner (meta-gradient MAPPO with joint utility optimisation) for dasc-env.

    from rmo_agents import Trainer, RMOPolicy, preset
    Trainer(preset("practical").replace_path("run.episodes", 50)).run()
    policy = RMOPolicy.load("runs/rmo/best.pt")      # a dasc_env.baselines.Policy
"""

__version__ = "0.1.0"

from .checkpoint import CheckpointError  # noqa: E402
from .config import (  # noqa: E402
    EnvConfig,
    MetaConfig,
    ModelConfig,
    OptimConfig,
    PPOConfig,
    RMOConfig,
    RunConfig,
    preset,
)
from .policy import RMOPolicy  # noqa: E402
from .trainer import Trainer  # noqa: E402

__all__ = ["CheckpointError", "EnvConfig", "MetaConfig", "ModelConfig", "OptimConfig", "PPOConfig", "RMOConfig",
           "RMOPolicy", "RunConfig", "Trainer", "preset"]
