"""A trained RMO actor as a ``dasc_env.baselines.Policy``, scored by dasc-env's harness like every baseline.

    policy = RMOPolicy.load("runs/demo/best.pt")            # RMO: KM with the learned eta
    policy = RMOPolicy.load("runs/demo/best.pt", "greedy")  # REC: the same recommendations, greedy matching

Registered as the dasc-env methods ``rmo`` and ``rec`` (entry-point group
``dasc_env.methods``); their factories take ``checkpoint=`` (``dasc-eval
--rmo-checkpoint PATH``) or read the ``RMO_CHECKPOINT`` environment variable.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch

from dasc_env.baselines import Policy
from dasc_env.config import MATCHERS, parse_eta
from dasc_env.env import observation_space

from .batch import observe, sample_actions
from .checkpoint import CheckpointError, load_checkpoint, load_state
from .env_source import fingerprint
from .eta import Eta
from .nets import Actor


class RMOPolicy(Policy):
    """Recommend with a trained actor theta; match with ``matcher``.

    ``sample=True`` (default) draws each agent's action from pi_theta with a generator seeded by the
    episode seed, as in training: a subtask is reconsidered every epoch, so a policy that recommends
    with probability 0.3 per epoch still recommends within a few epochs, while its arg-max
    (``sample=False``) never does.
    """

    def __init__(self, actor: Actor, eta: tuple[float, float], matcher: str = "km", name: str = "rmo",
                 sample: bool = True, device: str | torch.device = "cpu", observation_space=None,
                 trained_on: dict | None = None):
        if matcher not in MATCHERS:
            raise ValueError(f"matcher={matcher!r} must be one of {MATCHERS}")
        self.actor = actor.to(device).eval()
        self.eta, self.matcher, self.name, self.sample = eta, matcher, name, sample
        self.device = torch.device(device)
        self.observation_space = observation_space
        """The space the actor was trained on; ``reset`` refuses an env whose observations differ."""
        self.trained_on = trained_on
        """The city and fixed scenarios of its training run (``EnvSource.describe``); ``reset`` warns when an
        episode is on something else."""

    @classmethod
    def load(cls, path: str | Path, matcher: str = "km", name: str | None = None, sample: bool = True,
             device: str | torch.device = "cpu", eta: tuple[float, float] | None = None) -> RMOPolicy:
        """The target policy theta and eta of a checkpoint written by ``rmo-train`` (``eta``: match with these
        (alpha, beta) instead of the learned ones)."""
        data = load_checkpoint(path, map_location=device)
        config = data["config"]
        space = observation_space(config.env.dasc_config())
        actor = Actor.from_space(space, config.model)
        load_state(actor, data["modules"]["actor"], "actor", path)
        learned = Eta.from_config(config.meta)
        load_state(learned, data["modules"]["eta"], "eta", path)
        return cls(actor, learned.pair() if eta is None else eta, matcher,
                   name or ("rmo" if matcher == "km" else "rec"), sample, device, observation_space=space,
                   trained_on=data.get("trained_on"))

    def reset(self, env, seed: int | None = None) -> None:
        super().reset(env, seed)
        if self.observation_space is not None and env.observation_space(None) != self.observation_space:
            raise ValueError(f"the actor expects observations {self.observation_space}, the env gives "
                             f"{env.observation_space(None)} (max_subtasks, num_skills and top_k_* must match "
                             "the training env)")
        self._warn_if_elsewhere(env)
        self.generator = torch.Generator(device=self.device).manual_seed(0 if seed is None else int(seed))
        if self.matcher == "km":
            env.set_utility_params(*self.eta)

    def _warn_if_elsewhere(self, env) -> None:
        """Say when this episode is not on the city or the fixed scenarios the actor was trained on."""
        if not self.trained_on:
            return
        city, scenarios = self.trained_on["city"], self.trained_on["scenarios"]
        if env.graph.name != city:
            warnings.warn(f"{self.name}: the actor was trained on the city {city!r}; scoring it on "
                          f"{env.graph.name!r}", stacklevel=3)
        if scenarios and fingerprint(env.scenario) not in scenarios:
            warnings.warn(f"{self.name}: the actor was trained on {len(scenarios)} fixed scenario(s); this episode's "
                          "scenario is not one of them", stacklevel=3)

    def act(self, env, observations: dict) -> dict[str, int]:
        live, batch = observe(env)
        if batch is None:
            return {}
        actions, _ = sample_actions(self.actor, batch, self.generator, self.device, greedy=not self.sample)
        return env.actions_for(live[actions.astype(bool)])


def _checkpoint(checkpoint: str | None) -> str:
    path = checkpoint or os.environ.get("RMO_CHECKPOINT")
    if not path:
        raise CheckpointError("the rmo/rec methods need a trained checkpoint: pass checkpoint=PATH "
                              "(dasc-eval --rmo-checkpoint PATH) or set RMO_CHECKPOINT")
    return path


def _flag(value: bool | str) -> bool:
    """A bool, or its spelling as a command-line option value (dasc-eval passes strings)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"sample={value!r} must be true or false")


def rmo_method(checkpoint: str | None = None, sample: bool | str = True, eta=None) -> RMOPolicy:
    """Factory of the dasc-env method ``rmo``: learned recommendation, KM, learned eta (Fig. 7); ``eta``
    ("alpha,beta") matches with fixed weights instead."""
    return RMOPolicy.load(_checkpoint(checkpoint), "km", "rmo", sample=_flag(sample), eta=parse_eta(eta))


def rec_method(checkpoint: str | None = None, sample: bool | str = True) -> RMOPolicy:
    """Factory of the dasc-env method ``rec``: learned recommendation, greedy matching (Fig. 7)."""
    return RMOPolicy.load(_checkpoint(checkpoint), "greedy", "rec", sample=_flag(sample))
