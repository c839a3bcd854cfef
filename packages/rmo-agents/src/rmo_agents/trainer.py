"""Algorithm 1 end to end: collect with theta -> credit -> update theta-hat, theta, eta, phi -> searches -> log,
evaluate, save.

    from rmo_agents import Trainer, preset
    Trainer(preset("practical")).run()

Every random choice flows from ``RunConfig.seed``: parameter initialisation
(``torch.manual_seed``), action sampling and minibatch shuffling (two
``torch.Generator``s) and the env episodes (seed of episode k:
``SeedSequence([seed, k])``); the extra episodes and draws of the searches and of replay credit come from their
named streams (``paired.SEED_STREAMS``). Evaluation uses held-out episode seeds ``run.eval_seed_base`` + i
(10^6 + i).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from dasc_env.env import observation_space, state_features

from ._version import __version__
from .checkpoint import CheckpointError, load_checkpoint, load_state, save_checkpoint
from .config import RMOConfig
from .credit import make_credit
from .env_source import EnvSource
from .learner import Learner
from .logger import RunLogger
from .paired import PairedEvaluator
from .rollout import collect
from .search import searches
from .vec_env import make_vec_env


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("run.device='cuda' but CUDA is not available (use 'auto' or 'cpu')")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def episode_seed(run_seed: int, episode: int) -> int:
    """The env seed of training episode ``episode``: independent streams per (run seed, episode)."""
    return int(np.random.SeedSequence([run_seed, episode]).generate_state(1)[0])


class Trainer:
    """One training run. ``Trainer.resume(path, episodes=...)`` continues a checkpointed run bit-for-bit."""

    def __init__(self, config: RMOConfig):
        if not isinstance(config, RMOConfig):
            raise TypeError(f"config must be an RMOConfig, got {type(config).__name__}")
        self.config = config
        run = config.run
        self.device = resolve_device(run.device)
        if run.threads:
            torch.set_num_threads(run.threads)
        if run.deterministic:
            torch.use_deterministic_algorithms(True)
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
        torch.manual_seed(run.seed)
        env = config.env
        self.source = EnvSource.from_config(env)
        self.envs = make_vec_env(self.source, env.num_envs, env.backend, config.meta.matcher, env.ray_address)
        dasc = self.source.config
        self.credit = make_credit(config, self.source, self.device)
        self.learner = Learner(config, observation_space(dasc), *state_features(dasc), self.device, self.credit)
        self.evaluator = PairedEvaluator(self.envs, self.device)
        self.searches = searches(config, self.evaluator)
        self.sample_gen = torch.Generator(device=self.device).manual_seed(run.seed + 1)
        self.shuffle_gen = torch.Generator().manual_seed(run.seed + 2)
        self.episodes_done = 0
        self.best_revenue = -np.inf
        self.out = Path(run.out)

    def close(self) -> None:
        """Stop the rollout workers (processes, Ray actors); they start again when needed."""
        self.envs.close()

    def __enter__(self) -> Trainer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------- main loop
    def run(self, callback: Callable[[dict[str, float]], None] | None = None) -> dict[str, float]:
        """Train until ``run.episodes`` episodes are done; returns the last update's scalars.

        ``callback(stats)``, if given, is called after every iteration (update, evaluation when due, log and
        ``last.pt``) with that iteration's scalars; ``self`` holds the run's state at that point."""
        cfg, run = self.config, self.config.run
        self.out.mkdir(parents=True, exist_ok=True)
        cfg.save(self.out / "config.json")
        logger = RunLogger(self.out, total=run.episodes, start=self.episodes_done, progress=run.progress)
        last: dict[str, float] = {}
        try:
            while self.episodes_done < run.episodes:
                last = self.train_iteration()
                learner = self.learner
                if run.eval_every and learner.updates % run.eval_every == 0:
                    last["eval_revenue"] = self.evaluate()
                    if last["eval_revenue"] > self.best_revenue:
                        self.best_revenue = last["eval_revenue"]
                        self.save(self.out / "best.pt")
                logger.log(self.episodes_done, learner.updates, last)
                self.save(self.out / "last.pt")
                if callback is not None:
                    callback(last)
            for name in ("last.pt", "best.pt"):  # with run.episodes = 0: the untrained actor
                if not (self.out / name).exists():
                    self.save(self.out / name)
        finally:
            logger.close()
            self.close()
        return last

    def train_iteration(self) -> dict[str, float]:
        """Alg. 1 lines 4-16 once: collect one episode per env copy, assign credit, update, step the searches."""
        learner, n = self.learner, min(self.envs.num_envs, self.config.run.episodes - self.episodes_done)
        seeds = [episode_seed(self.config.run.seed, self.episodes_done + j) for j in range(n)]
        restarts = self.envs.restarts
        t0 = time.perf_counter()
        episodes = collect(self.envs, learner.actor, seeds, learner.eta.pair(), self.sample_gen, self.device)
        t1 = time.perf_counter()
        self.credit.prepare(episodes, seeds, learner.actor, learner.updates)
        t_credit = time.perf_counter()
        stats = learner.update(episodes, self.shuffle_gen)
        t2 = time.perf_counter()
        for search in self.searches:
            stats.update(search.step(learner))
        t3 = time.perf_counter()
        learner.end_episodes(n)
        self.episodes_done += n
        transitions = sum(e.num_transitions for e in episodes)
        steps = sum(e.num_steps for e in episodes)
        stats.update(
            revenue=float(np.mean([e.metrics["revenue"] for e in episodes])),
            completed=float(np.mean([e.metrics["completed"] for e in episodes])),
            failed=float(np.mean([e.metrics["failed"] for e in episodes])),
            failed_recommendations=float(np.mean([e.metrics["failed_recommendations"] for e in episodes])),
            env_steps=float(steps), transitions=float(transitions),
            rollout_steps_per_s=steps / max(t1 - t0, 1e-9), rollout_transitions_per_s=transitions / max(t1 - t0, 1e-9),
            learner_transitions_per_s=transitions * self.config.ppo.epochs / max(t2 - t_credit, 1e-9),
            rollout_s=t1 - t0, replay_s=t_credit - t1, learner_s=t2 - t_credit, revenue_steps_s=t3 - t2,
            worker_restarts=float(self.envs.restarts - restarts))
        return stats

    def evaluate(self, seeds: int | Sequence[int] | None = None) -> float:
        """Mean revenue E(M) of theta on held-out episodes, played on all env copies: ``seeds`` of them
        (``run.eval_seed_base`` + i; default ``run.eval_seeds``), or the episodes of the given seeds (e.g. a
        benchmark task's test seeds), through the paired evaluator (``paired.PairedEvaluator``): each episode's
        actions are sampled from a generator seeded by its own seed, exactly as ``RMOPolicy`` acts in dasc-env's
        harness, so both score a policy the same."""
        count = self.config.run.eval_seeds if seeds is None else seeds
        if isinstance(count, Sequence) and not isinstance(count, str):
            held_out = [int(s) for s in count]
            if not held_out or min(held_out) < 0:
                raise ValueError(f"seeds={seeds!r} must be a non-empty list of non-negative episode seeds")
        elif isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"seeds={seeds!r} must be a positive int or a list of episode seeds")
        else:
            held_out = [self.config.run.eval_seed_base + i for i in range(count)]
        return self.evaluator.mean_revenue(self.learner.actor, held_out, self.learner.eta.pair())

    # ----------------------------------------------------------------- checkpoints
    def state_dict(self) -> dict:
        return {
            "config": json.dumps(self.config.to_dict()),
            "modules": {name: part.state_dict() for name, part in self.learner.modules().items()},
            "xi": self.learner.xi, "updates": self.learner.updates, "episodes_done": self.episodes_done,
            "best_revenue": float(self.best_revenue),
            "device": self.device.type,
            "sample_gen": self.sample_gen.get_state(), "shuffle_gen": self.shuffle_gen.get_state(),
            "versions": _versions(), "trained_on": self.source.describe(),
        }

    def save(self, path: str | Path) -> None:
        save_checkpoint(path, self.state_dict())

    @classmethod
    def resume(cls, path: str | Path, episodes: int | None = None, **run_changes) -> Trainer:
        """Continue the run saved in ``path``, to ``episodes`` in all (default: its own total)."""
        data = load_checkpoint(path)
        config = data["config"]
        if episodes is not None:
            config = config.replace_path("run.episodes", episodes)
        for key, value in run_changes.items():
            config = config.replace_path(f"run.{key}", value)
        trainer = cls(config)
        parts = trainer.learner.modules()
        missing = set(parts) ^ set(data["modules"])
        if missing:
            raise CheckpointError(f"checkpoint {path} holds {sorted(data['modules'])}; this run needs {sorted(parts)}")
        for name, part in parts.items():
            load_state(part, data["modules"][name], name, path)
        trainer.learner.xi, trainer.learner.updates = float(data["xi"]), int(data["updates"])
        trainer.episodes_done, trainer.best_revenue = int(data["episodes_done"]), float(data["best_revenue"])
        if config.run.episodes < trainer.episodes_done:
            raise ValueError(f"episodes={config.run.episodes} is fewer than the {trainer.episodes_done} the checkpoint "
                             "has already trained")
        if data["device"] == trainer.device.type:
            trainer.sample_gen.set_state(data["sample_gen"])
        else:  # a CUDA generator's state does not fit a CPU generator: continue seeded, but not bitwise
            warnings.warn(f"checkpoint {path} was written on {data['device']}, resuming on {trainer.device.type}: "
                          "action sampling is reseeded, so the run is not a bitwise continuation", stacklevel=2)
            trainer.sample_gen.manual_seed(episode_seed(config.run.seed + 1, trainer.episodes_done))
        trainer.shuffle_gen.set_state(data["shuffle_gen"])
        return trainer


def _versions() -> dict[str, str]:
    import dasc_env

    return {"rmo_agents": __version__, "dasc_env": dasc_env.__version__, "torch": str(torch.__version__),
            "numpy": np.__version__}
