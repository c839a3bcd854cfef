"""Env copies for rollouts: in process, in subprocesses, or as Ray actors, all driven in lock-step.

The unit is an ``EnvWorker``: one dasc-env env (``DascAdapter``) and the recorder of its current
episode. Per decision step a worker receives its agents' actions (sampled by the learner's single
batched actor forward over every copy), steps its env, records the transition and answers with the
next observation batch; at the end it hands over the finished ``Episode``. The env and the episode
data stay in the worker, only observations and actions travel.

Backends (``EnvConfig.backend``):

* ``"sync"``: the workers live in this process (no copies, no parallelism).
* ``"subprocess"``: one process per worker (``multiprocessing`` with the forkserver start method),
  so the numpy env steps of several copies run on several cores.
* ``"ray"``: one Ray actor per worker, on a local Ray instance or the cluster at ``ray_address``
  (the ``rmo-agents[ray]`` extra).

Faults: a worker that dies (its process killed, a Ray node lost) is replaced by a fresh one, and
the episode it was playing starts over from its seed; the other copies go on. ``restarts`` counts
them and a warning says what happened, so no episode is lost or counted twice.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import traceback
import warnings
from collections.abc import Callable

import numpy as np

from .adapter import DascAdapter
from .buffer import Episode, EpisodeRecorder
from .config import BACKENDS
from .env_source import EnvSource

MAX_RESTARTS = 3
"""Replacements of one env copy within one collection before the run gives up (a worker that keeps dying
is a bug or a broken machine, not bad luck)."""


class WorkerRestartWarning(UserWarning):
    """A rollout worker died and was replaced; its episode started over."""


class EnvWorker:
    """One env copy and its episode recorder (what every backend runs)."""

    def __init__(self, source: EnvSource, matcher: str = "km"):
        self.adapter = DascAdapter(source, matcher)
        self.recorder: EpisodeRecorder | None = None
        self.agents = np.empty(0, dtype=np.int64)
        self.batch: dict[str, np.ndarray] | None = None

    def reset(self, seed: int, eta: tuple[float, float], record: bool) -> dict[str, np.ndarray] | None:
        """Start the episode of ``seed`` with eta pushed to the matcher; the first observation batch
        (shared task graphs), or None when the episode has no agent."""
        self.adapter.set_eta(*eta)
        self.recorder = EpisodeRecorder(tuple(eta)) if record else None
        self.agents, self.batch = self.adapter.reset(seed)
        return self.batch

    def step(self, actions: np.ndarray, log_prob: np.ndarray) -> dict[str, np.ndarray] | None:
        """Act for the live agents; the next observation batch, or None when the episode is over."""
        state = self.adapter.state_tables() if self.recorder is not None else None
        result, live, batch = self.adapter.step(actions)
        if self.recorder is not None:
            self.recorder.add(self.agents, self.batch, state, actions, log_prob, result)
        self.agents, self.batch = live, batch
        return None if result.done else batch

    def finish(self, metrics: dict[str, float]) -> Episode | dict[str, float]:
        """The recorded ``Episode`` (or, without recording, the ledger metrics) with ``metrics`` added."""
        metrics = {**self.adapter.episode_metrics(), **metrics}
        if self.recorder is None:
            return metrics
        return self.recorder.finish(metrics, *self.adapter.task_outcomes())

    def pid(self) -> int:
        return os.getpid()


class VecEnv:
    """``num_envs`` workers; ``call`` runs one method on several of them at once."""

    def __init__(self, make_worker: Callable[[], EnvWorker], num_envs: int):
        self.make_worker, self.num_envs = make_worker, num_envs
        self.restarts = 0

    def call(self, calls: dict[int, tuple[str, tuple]]) -> tuple[dict[int, object], set[int]]:
        """Run ``calls[j] = (method, args)`` on worker j; (results by worker, workers that died)."""
        raise NotImplementedError

    def restart(self, j: int) -> None:
        """Replace worker ``j`` (after it died) by a fresh one."""
        self.restarts += 1

    def close(self) -> None:
        """Stop the workers; the next ``call`` starts them again."""


class SyncVecEnv(VecEnv):
    """The workers in this process."""

    def __init__(self, make_worker: Callable[[], EnvWorker], num_envs: int):
        super().__init__(make_worker, num_envs)
        self.workers = [make_worker() for _ in range(num_envs)]

    def call(self, calls):
        return {j: getattr(self.workers[j], method)(*args) for j, (method, args) in calls.items()}, set()

    def restart(self, j: int) -> None:
        super().restart(j)
        self.workers[j] = self.make_worker()


class SubprocVecEnv(VecEnv):
    """One process per worker (forkserver: the server imports this module once, workers fork from it)."""

    def __init__(self, make_worker: Callable[[], EnvWorker], num_envs: int):
        super().__init__(make_worker, num_envs)
        self._context = mp.get_context("forkserver")
        self._context.set_forkserver_preload([__name__])
        self._procs: list = [None] * num_envs
        self._pipes: list = [None] * num_envs

    def call(self, calls):
        for j in calls:
            if self._procs[j] is None:
                self._start(j)
        lost = set()
        for j, (method, args) in calls.items():
            try:
                self._pipes[j].send((method, args))
            except (BrokenPipeError, ConnectionResetError, EOFError):
                lost.add(j)
        return _gather(calls, lambda j: self._pipes[j].recv(), (EOFError, ConnectionResetError, BrokenPipeError),
                       lost)

    def restart(self, j: int) -> None:
        super().restart(j)
        self._stop(j)
        self._start(j)

    def pid(self, j: int) -> int:
        return self._procs[j].pid

    def close(self) -> None:
        for j in range(self.num_envs):
            self._stop(j)

    def _start(self, j: int) -> None:
        parent, child = self._context.Pipe()
        proc = self._context.Process(target=_serve, args=(child, self.make_worker), daemon=True,
                                     name=f"rmo-rollout-{j}")
        proc.start()
        child.close()
        self._procs[j], self._pipes[j] = proc, parent

    def _stop(self, j: int) -> None:
        proc, pipe = self._procs[j], self._pipes[j]
        if proc is None:
            return
        try:
            pipe.send(("close", ()))
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
            pass
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        pipe.close()
        self._procs[j] = self._pipes[j] = None


def _gather(calls: dict, receive: Callable[[int], tuple[bool, object]], died: tuple[type[BaseException], ...],
            lost: set[int]) -> tuple[dict[int, object], set[int]]:
    """Read every reply to ``calls`` (so each channel stays in step), except from workers already ``lost``;
    a worker whose ``receive`` raises one of ``died`` is lost. Then raise the first worker error, if any."""
    results, errors = {}, {}
    for j in sorted(calls.keys() - lost):
        try:
            ok, value = receive(j)
        except died:
            lost.add(j)
            continue
        (results if ok else errors)[j] = value
    if errors:
        j, trace = next(iter(errors.items()))
        raise RuntimeError(f"rollout worker {j} failed in {calls[j][0]}():\n{trace}")
    return results, lost


def _serve(pipe, make_worker: Callable[[], EnvWorker]) -> None:
    """A worker process: build the worker, then answer (method, args) requests until "close". An error,
    in building the worker or in a request, is answered with its traceback (the learner raises it)."""
    try:
        worker, failure = make_worker(), None
    except Exception:
        worker, failure = None, traceback.format_exc()
    while True:
        method, args = pipe.recv()
        if method == "close":
            return
        if failure is not None:
            pipe.send((False, failure))
            continue
        try:
            pipe.send((True, getattr(worker, method)(*args)))
        except Exception:
            pipe.send((False, traceback.format_exc()))


class RayVecEnv(VecEnv):
    """One Ray actor per worker, on a local Ray instance or the cluster at ``address``."""

    def __init__(self, make_worker: Callable[[], EnvWorker], num_envs: int, address: str | None = None):
        super().__init__(make_worker, num_envs)
        try:
            import ray
        except ImportError:
            raise ValueError("env.backend='ray' needs Ray: pip install 'rmo-agents[ray]'") from None
        self._ray = ray
        self._address = address
        self._started_ray = False
        self._actors: list = [None] * num_envs
        self._remote = ray.remote(num_cpus=1, max_restarts=0)(_RayWorker)

    def call(self, calls):
        ray = self._ray
        if not ray.is_initialized():
            ray.init(address=self._address, include_dashboard=False, log_to_driver=False)
            self._started_ray = True
        for j in calls:
            if self._actors[j] is None:
                self._actors[j] = self._remote.remote(self.make_worker)
        refs = {j: self._actors[j].call.remote(method, args) for j, (method, args) in calls.items()}
        return _gather(calls, lambda j: ray.get(refs[j]), (ray.exceptions.RayActorError,), set())

    def restart(self, j: int) -> None:
        super().restart(j)
        self._kill(j)
        self._actors[j] = self._remote.remote(self.make_worker)

    def pid(self, j: int) -> int:
        return self._ray.get(self._actors[j].call.remote("pid", ()))[1]

    def close(self) -> None:
        for j in range(self.num_envs):
            self._kill(j)
        if self._started_ray:
            self._ray.shutdown()
            self._started_ray = False

    def _kill(self, j: int) -> None:
        if self._actors[j] is not None:
            self._ray.kill(self._actors[j], no_restart=True)
            self._actors[j] = None


class _RayWorker:
    """The Ray actor around an ``EnvWorker``; answers (ok, value) like a worker process."""

    def __init__(self, make_worker: Callable[[], EnvWorker]):
        try:
            self.worker, self.failure = make_worker(), None
        except Exception:
            self.worker, self.failure = None, traceback.format_exc()

    def call(self, method: str, args: tuple) -> tuple[bool, object]:
        if self.failure is not None:
            return False, self.failure
        try:
            return True, getattr(self.worker, method)(*args)
        except Exception:
            return False, traceback.format_exc()


class WorkerFactory:
    """A picklable ``EnvWorker`` builder (processes and Ray actors build their own)."""

    def __init__(self, source: EnvSource, matcher: str):
        self.source, self.matcher = source, matcher

    def __call__(self) -> EnvWorker:
        return EnvWorker(self.source, self.matcher)


def make_vec_env(source: EnvSource, num_envs: int, backend: str = "sync", matcher: str = "km",
                 ray_address: str | None = None) -> VecEnv:
    """``num_envs`` env copies of ``source`` on ``backend`` ("sync", "subprocess" or "ray")."""
    if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
        raise ValueError(f"num_envs={num_envs!r} must be an int >= 1")
    factory = WorkerFactory(source, matcher)
    if backend == "sync":
        return SyncVecEnv(factory, num_envs)
    if backend == "subprocess":
        return SubprocVecEnv(factory, num_envs)
    if backend == "ray":
        return RayVecEnv(factory, num_envs, ray_address)
    raise ValueError(f"backend={backend!r} must be one of {BACKENDS}")


def warn_restart(j: int, seed: int, step: int) -> None:
    warnings.warn(f"rollout worker {j} died at decision step {step}; it was replaced and its episode "
                  f"(seed {seed}) starts over", WorkerRestartWarning, stacklevel=3)
