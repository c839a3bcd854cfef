"""Checkpoints: plain tensors and dicts only, read with ``torch.load(weights_only=True)``.

A checkpoint holds everything a bitwise resume needs: the actor (theta), the
auxiliary actor (theta-hat) and the critic (phi) under ``Learner.modules()``'s names,
their optimiser states, eta and its optimiser, xi, both value normalisers, the
counters, the torch generator states, the config (as JSON) and the package
versions. Loading never unpickles arbitrary objects: a file carrying a pickled
object is refused with ``CheckpointError`` before anything in it runs.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import torch

from .config import RMOConfig

FORMAT = "rmo-agents-checkpoint/2"
FORMAT_1_NAMES = {"theta": "actor", "theta_hat": "actor_hat", "opt_theta": "opt_actor",
                  "opt_theta_hat": "opt_actor_hat", "opt_phi": "opt_critic"}
"""Format 1 named the parts by the paper's symbols; format 2 by ``Learner.modules()`` (read both)."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: unreadable, not plain data, or from an incompatible run."""


def save_checkpoint(path: str | Path, payload: dict) -> None:
    """Write ``payload`` (plain data) atomically: a crash mid-write never leaves a truncated checkpoint."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        torch.save({"format": FORMAT, **payload}, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Read a checkpoint written by ``save_checkpoint``; ``CheckpointError`` names the file and the problem."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        data = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError, RuntimeError, EOFError, ... for bad files
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        if "weights_only" in str(err) or "Unsupported global" in str(err):
            reason = "it contains pickled objects, not only tensors and plain data, and is refused"
        raise CheckpointError(f"cannot load checkpoint {path}: {reason}") from None
    if isinstance(data, dict) and data.get("format") == "rmo-agents-checkpoint/1" and "modules" in data:
        data = {**data, "format": FORMAT,
                "modules": {FORMAT_1_NAMES.get(k, k): v for k, v in data["modules"].items()}}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an rmo-agents checkpoint (format {FORMAT})")
    try:
        data["config"] = RMOConfig.from_dict(json.loads(data["config"]))
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"checkpoint {path} has an invalid config: {err}") from None
    return data


def load_state(module, state: dict, name: str, path: str | Path) -> None:
    """``module.load_state_dict(state)`` with a clear error when the shapes or names do not match."""
    try:
        module.load_state_dict(state)
    except (RuntimeError, ValueError, KeyError) as err:
        first = str(err).splitlines()[0]
        raise CheckpointError(f"checkpoint {path}: {name} does not fit this model/config ({first})") from None
