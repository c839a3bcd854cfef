"""DASC as a PettingZoo ``ParallelEnv``: every unassigned subtask of a live task is an agent.

* Agents ``"subtask_{q}_{i}"`` (subtask i of task q) appear when task q is published and leave when
  matched (terminated) or when their task fails (truncated; ``infos[agent]["failed_reason"]``, also in
  the ledger's ``TaskOutcome``: "horizon" or "deadline", and under ``config.task_failure`` "skills" or
  "travel" also "skills" and "travel"). A task that fails the moment it is published (a subtask needs
  skills no worker has, under "skills" or "travel") never has agents.
  Ids are never reused within an episode; ``possible_agents`` lists every
  subtask of the episode's scenario (before the first reset, when the
  scenario is not drawn yet: every id the config allows). The list object is
  updated in place, so wrappers that kept a reference stay current.
* Action: ``Discrete(2)``, 1 = recommend this subtask for matching now.
  Agents missing from ``actions``, or given ``None``, do not recommend. The action mask is a
  hint, not enforced: a masked recommendation simply fails. "Recommend" is allowed when this epoch
  can match the subtask (Stage 2's pair test: skills, L^w, finishing by t^d_tau; a predecessor still
  unassigned must itself be matchable this epoch, and counts at its earliest finish); the mask ignores
  contention, so it is never stricter than the matcher (``dasc_env.simulator.feasibility``).
* Observations: ``dasc_env.env.observations`` (``task_nodes`` ends with the ``DECISION_FEATURES``:
  whether each live subtask is matchable now, the share of its task's other live subtasks that are,
  its feasible idle workers, the live subtasks competing for them, and the busy skilled worker that
  could arrive first).
* Rewards: both channels are computed every step and sit in
  ``infos[agent]["reward_sparse"]`` / ``["reward_shaped"]``; ``reward_mode``
  picks the one in ``rewards``. A matched agent's info also carries
  ``worker``, ``u_skill``, ``u_dist``, ``u_time`` and ``utility`` (Eq. 9-12).
* ``state()`` is the flat global state for centralised critics;
  ``state_tables()`` gives the same as padded tables.
* Read-only faces of the episode (``dasc_env.env.views``): ``subtask_status`` (``SubtaskStatus`` codes),
  ``idle_workers``, ``worker_nodes``, ``reach`` and ``matching_problem``, for methods that act through the env.
"""

from __future__ import annotations

import copy
import functools
import warnings

import numpy as np
from gymnasium.utils import seeding
from pettingzoo import ParallelEnv
from pettingzoo.utils import parallel_to_aec

from ..city import DistanceCache, RoadGraph, load_city
from ..config import CUSTOM_CITY, DASCConfig, check_eta
from ..matching import check_matcher
from ..scenario import CityDemand, Scenario, generate_scenario
from ..simulator import EpochOutcome, Simulator
from .actions import action_space, is_binary_action
from .observations import ObservationEncoder
from .views import EpisodeViews


def parallel_env(config: DASCConfig | None = None, *, city: RoadGraph | str | None = None,
                 scenario: Scenario | None = None, render_mode: str | None = None, **overrides):
    """Create the parallel env. Keyword ``overrides`` set ``DASCConfig`` fields."""
    return DASCParallelEnv(config, city=city, scenario=scenario, render_mode=render_mode, **overrides)


def env(config: DASCConfig | None = None, **kwargs):
    """The same environment through PettingZoo's AEC interface."""
    return parallel_to_aec(parallel_env(config, **kwargs))


RESET_OPTIONS = ("scenario",)
"""Keys ``reset(options=...)`` accepts: ``"scenario"``, a ``Scenario`` for this episode only."""


@functools.lru_cache(maxsize=8)
def _preset_city(name: str, seed: int) -> RoadGraph:
    return load_city(name, seed)


class DASCParallelEnv(EpisodeViews, ParallelEnv):
    """Dependency-aware spatial crowdsourcing with one agent per subtask.

    Args:
        config: a ``DASCConfig``; ``overrides`` replace its fields.
        city: a road graph (``config.city`` then reads "custom"; the graph is ``env.graph``), or the
            name of a synthetic preset (sets ``config.city``); default: the preset ``config.city``.
        scenario: a fixed scenario used at every reset; default: a fresh one
            drawn from the reset seed. ``reset(options={"scenario": s})``
            also sets one for a single episode.
        render_mode: ``None`` (no drawing, no matplotlib import), ``"rgb_array"``
            (``render()`` returns a ``(640, 640, 3)`` uint8 frame) or ``"human"`` (a window).
    """

    metadata = {"name": "dasc_v0", "render_modes": ["human", "rgb_array"], "render_fps": 4,
                "is_parallelizable": True}

    def __init__(self, config: DASCConfig | None = None, *, city: RoadGraph | str | None = None,
                 scenario: Scenario | None = None, render_mode: str | None = None, **overrides):
        config = config if config is not None else DASCConfig()
        if isinstance(city, str):
            overrides["city"], city = city, None
        if not isinstance(config, DASCConfig):
            raise TypeError(f"config must be a DASCConfig, got {type(config).__name__}")
        if overrides:
            config = config.replace(**overrides)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode={render_mode!r} must be None or one of {self.metadata['render_modes']}")
        if city is not None and not isinstance(city, RoadGraph):
            raise TypeError(f"city must be a RoadGraph, got {type(city).__name__}")
        if city is not None:
            config = config.replace(city=CUSTOM_CITY)
        elif config.city == CUSTOM_CITY:
            raise ValueError(f"city={CUSTOM_CITY!r} stands for a RoadGraph given to the env: pass city=<RoadGraph>")
        self.config = config
        self.render_mode = render_mode
        self.graph = city if city is not None else _preset_city(config.city, config.city_seed)
        if scenario is not None:
            self._check_scenario(scenario)
        self._fixed_scenario = scenario
        self.demand = CityDemand(self.graph, config)
        self.distances = DistanceCache(self.graph, config.worker_range, config.distance_cache_mb)
        self.encoder = ObservationEncoder(config, self.graph, self.distances)
        self.state_space = self.encoder.state_space
        self._action_space = action_space()
        self._np_random, _ = seeding.np_random(None)
        self.sim: Simulator | None = None
        self._renderer = None
        self._observe = True
        self._names_of = np.empty(0, dtype=object)
        self._index_of: dict[str, int] = {}
        self._batch: tuple[np.ndarray, dict[str, np.ndarray]] = (np.empty(0, np.int64), {})
        self.agents: list[str] = []
        slots = [f"subtask_{q}_{i}" for q in range(config.num_tasks) for i in range(config.max_subtasks)]
        self.possible_agents: list[str] = (self._names(scenario) if scenario is not None else slots)
        self._alpha, self._beta = config.alpha, config.beta
        self._matcher = config.matcher

    # -------------------------------------------------------------- spaces
    def observation_space(self, agent: str):
        return self.encoder.observation_space

    def action_space(self, agent: str):
        return self._action_space

    # ------------------------------------------------------------------ API
    def reset(self, seed: int | None = None, options: dict | None = None):
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
                raise TypeError(f"seed must be an int or None, got {seed!r}")
            if seed < 0:
                raise ValueError(f"seed={seed!r} must be >= 0")
            self._np_random, _ = seeding.np_random(int(seed))
        if options is not None and not isinstance(options, dict):
            raise TypeError(f"options must be a dict or None, got {type(options).__name__}")
        unknown = sorted(set(options or {}) - set(RESET_OPTIONS))
        if unknown:  # a warning, not an error: PettingZoo's api_test passes an arbitrary key and expects a reset
            warnings.warn(f"reset options {unknown} are ignored; accepted: {list(RESET_OPTIONS)}", stacklevel=2)
        scenario = (options or {}).get("scenario", self._fixed_scenario)
        if scenario is None:
            scenario = generate_scenario(self.config, self.demand, self._np_random)
        else:
            self._check_scenario(scenario)
        self.sim = Simulator(self.config, self.graph, scenario, self.distances)
        self.sim.set_utility_params(self._alpha, self._beta)
        self.sim.set_matcher(self._matcher)
        self._names_of = np.array(self._names(scenario), dtype=object)
        self._index_of = {name: i for i, name in enumerate(self._names_of)}
        self.possible_agents[:] = self._names_of.tolist()
        live = self.sim.open_subtasks
        self.agents = self._names_of[live].tolist()
        self._encode(live)
        observations = self._observation_dicts()
        infos = {a: {"reward_sparse": 0.0, "reward_shaped": 0.0} for a in self.agents}
        return observations, infos

    def step(self, actions: dict):
        if self.sim is None:
            raise RuntimeError("call reset() before step()")
        recommended = self._parse_actions(actions)
        before = self.sim.open_subtasks
        out = self.step_subtasks(recommended)
        after = self._batch[0]
        names = self._names_of

        channel = out.reward_sparse if self.config.reward_mode == "sparse" else out.reward_shaped
        rewards = {names[i]: float(channel[i]) for i in before}
        terminations = dict.fromkeys(names[before].tolist(), False)
        truncations = dict.fromkeys(names[before].tolist(), False)
        infos = {names[i]: {"reward_sparse": float(out.reward_sparse[i]),
                            "reward_shaped": float(out.reward_shaped[i])} for i in before}
        for j, i in enumerate(out.matched):
            terminations[names[i]] = True
            infos[names[i]].update(worker=int(out.workers[j]), u_skill=float(out.u_skill[j]),
                                   u_dist=float(out.u_dist[j]), u_time=float(out.u_time[j]),
                                   utility=float(out.utility[j]))
        reason_of = dict(zip(out.failed_tasks.tolist(), out.failed_reasons))
        was_live = np.zeros(self.sim.scenario.num_subtasks, dtype=bool)
        was_live[before] = True
        now_live = np.zeros_like(was_live)
        now_live[after] = True
        for i in out.dropped[was_live[out.dropped]]:  # a task failed at publication had no agents
            truncations[names[i]] = True
            infos[names[i]]["failed_reason"] = reason_of[int(self.sim.scenario.subtask_task[i])]
        fresh = after[~was_live[after]]  # ascending, like before and after
        for i in fresh:
            rewards[names[i]] = 0.0
            terminations[names[i]] = False
            truncations[names[i]] = False
            infos[names[i]] = {"reward_sparse": 0.0, "reward_shaped": 0.0}

        observations = self._observation_dicts()
        departed = before[~now_live[before]]
        for i in departed:
            observations[names[i]] = self.encoder.terminal_observation()
        return observations, rewards, terminations, truncations, infos

    def copy(self, observe: bool = True, future_tasks: bool = True) -> DASCParallelEnv:
        """An independent copy of the episode in progress: stepped with the same actions, it continues exactly
        as this env would, and stepping it leaves this env untouched (what a planner simulating candidate
        decisions forward needs). The read-only parts (road graph, scenario, distance cache, encoder, demand
        model) are shared; the simulator's state, the ledger, the random generator and the agent lists are copied.
        A planning copy: ``observe=False`` skips the observation encoding of its steps (about half of a step's
        time; ``observation_batch`` is then empty, everything else is as usual), and ``future_tasks=False`` ends
        its task stream now, so it never publishes a task the platform has not seen yet (an online planner's
        knowledge; ``Simulator.forget_future``).
        """
        sim = self._require_sim()
        shared = {id(part): part for part in (self.config, self.graph, sim.scenario, self.distances, self.encoder,
                                              self.demand)}
        twin = copy.copy(self)
        twin.sim = copy.deepcopy(sim, shared)
        if not future_tasks:
            twin.sim.forget_future()
        twin._np_random = copy.deepcopy(self._np_random)
        twin.agents, twin.possible_agents = list(self.agents), list(self.possible_agents)
        twin._renderer, twin._observe = None, bool(observe)
        if not observe:
            twin._batch = (self._batch[0], {})
        return twin

    def step_subtasks(self, recommended) -> EpochOutcome:
        """The array form of ``step``, for wrappers and batched learners: recommend the subtasks
        ``recommended`` (global indices of live agents) and run one decision epoch.

        Returns the simulator's ``EpochOutcome`` (per-subtask reward arrays of both channels, the
        matches with Eq. 9-12 utilities, the dropped subtasks). ``agents`` and ``observation_batch``
        are updated; no per-agent dicts are built.
        """
        if self.sim is None:
            raise RuntimeError("call reset() before step_subtasks()")
        out = self.sim.step(recommended)
        after = self.sim.open_subtasks
        self.agents = self._names_of[after].tolist()
        self._encode(after)
        return out

    def state(self) -> np.ndarray:
        if self.sim is None:
            raise RuntimeError("call reset() before state()")
        return self.encoder.state(self.sim)

    def state_tables(self) -> dict[str, np.ndarray]:
        """The global state as padded tables (see ``ObservationEncoder.state_tables``)."""
        if self.sim is None:
            raise RuntimeError("call reset() before state_tables()")
        return self.encoder.state_tables(self.sim)

    def render(self):
        """Draw the current epoch (see ``dasc_env.env.render``); ``None`` without a render mode."""
        if self.render_mode is None:
            return None
        sim = self._require_sim()
        if self._renderer is None or self._renderer_graph is not sim.graph:
            from .render import Renderer

            self.close()
            self._renderer, self._renderer_graph = Renderer(sim, self.render_mode), sim.graph
        return self._renderer.draw(sim)

    @property
    def observe(self) -> bool:
        """Whether steps encode observations (default True). False skips the encoding, about half of a step's
        time: each live agent's observation ``reset`` and ``step`` return is then an empty dict and
        ``observation_batch`` holds no arrays; rewards, infos, the action masks' rules and the episode itself are
        as usual. Takes effect at the next ``reset`` or ``step``."""
        return self._observe

    @observe.setter
    def observe(self, value: bool) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"observe must be a bool, got {value!r}")
        self._observe = bool(value)

    @property
    def renderer(self):
        """The ``Renderer`` drawing this env's frames: ``None`` until the first ``render()`` and after ``close()``."""
        return self._renderer

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    # ---------------------------------------------------------- platform
    def set_utility_params(self, alpha: float, beta: float) -> None:
        """Set eta = (alpha, beta) of the matching utility (Eq. 13) from the next step on."""
        check_eta(alpha, beta)
        self._alpha, self._beta = float(alpha), float(beta)
        if self.sim is not None:
            self.sim.set_utility_params(alpha, beta)

    def set_matcher(self, matcher) -> None:
        """Stage 2 matcher from the next step on: "km", "greedy", or a callable taking a
        ``dasc_env.matching.MatchingProblem`` and returning (rows, cols) of feasible pairs."""
        check_matcher(matcher)
        self._matcher = matcher
        if self.sim is not None:
            self.sim.set_matcher(matcher)

    @property
    def utility_params(self) -> tuple[float, float]:
        return self._alpha, self._beta

    def actions_for(self, subtasks) -> dict[str, int]:
        """An action for every live agent: 1 for the agents of ``subtasks`` (global indices), else 0."""
        sim = self._require_sim()
        chosen = np.zeros(sim.scenario.num_subtasks, dtype=bool)
        chosen[np.asarray(subtasks, dtype=np.int64)] = True
        live = sim.open_subtasks
        return dict(zip(self._names_of[live].tolist(), chosen[live].astype(int).tolist()))

    @property
    def observation_batch(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The observations of the last ``reset``/``step`` as arrays: ``(subtasks, batch)``.

        ``subtasks`` are the global indices of ``agents`` in order, and each value of ``batch``
        has a leading agent axis in that order (the per-agent dicts are views into it). For
        learners that batch all agents in one forward pass; treat the arrays as read-only.
        """
        return self._batch

    def agent_subtask(self, agent: str) -> int:
        """Global subtask index (into ``scenario`` arrays) of an agent id."""
        if agent not in self._index_of:
            raise ValueError(f"unknown agent {agent!r}")
        return self._index_of[agent]

    # ------------------------------------------------------------ helpers
    def _encode(self, subtasks: np.ndarray) -> None:
        observe = subtasks.size and self._observe
        self._batch = (subtasks, self.encoder.encode(self.sim, subtasks) if observe else {})

    def _observation_dicts(self) -> dict[str, dict]:
        """Per-agent observation dicts: views into ``observation_batch``."""
        subtasks, batch = self._batch
        names = self._names_of[subtasks].tolist()
        if not batch:
            return {name: {} for name in names}
        keys = list(batch)
        return {name: dict(zip(keys, row)) for name, row in zip(names, zip(*batch.values()))}

    def _parse_actions(self, actions) -> np.ndarray:
        if not isinstance(actions, dict):
            raise TypeError(f"actions must be a dict agent -> 0/1, got {type(actions).__name__}")
        live = set(self.agents)
        chosen = []
        for agent, action in actions.items():
            if agent not in live:
                raise ValueError(f"actions[{agent!r}]: {agent!r} is not a live agent")
            if action is None:
                continue
            if not is_binary_action(action):
                raise ValueError(f"actions[{agent!r}]={action!r} is outside Discrete(2); use 0 or 1")
            if action:
                chosen.append(self._index_of[agent])
        return np.asarray(chosen, dtype=np.int64)

    def _check_scenario(self, scenario) -> None:
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenario must be a dasc_env Scenario, got {type(scenario).__name__}")
        scenario.check_fits(self.graph.num_nodes, self.config.max_subtasks, self.config.num_skills)
        if scenario.num_tasks > self.config.num_tasks or scenario.num_workers != self.config.num_workers:
            raise ValueError(
                f"scenario has {scenario.num_tasks} tasks and {scenario.num_workers} workers; the config "
                f"allows num_tasks>={scenario.num_tasks} and needs num_workers={scenario.num_workers}")

    @staticmethod
    def _names(scenario: Scenario) -> list[str]:
        return [f"subtask_{q}_{i}" for q, i in zip(scenario.subtask_task.tolist(), scenario.subtask_local.tolist())]
