"""A fixed set of agent slots over the dynamic subtask agents, for MARL libraries that need one.

Stable-Baselines3 (through SuperSuit), TorchRL, RLlib, BenchMARL and AgileRL assume that the agents
of a PettingZoo env are the same at every step. ``FixedSlots`` maps the live subtasks of a
``DASCParallelEnv`` onto ``num_slots`` agents named ``"slot_0" ... "slot_{K-1}"``:

* **Slots.** A subtask takes a slot when it appears and keeps it until it leaves (matched or
  dropped). New subtasks take the lowest free slots, oldest subtask (lowest global index) first.
  A slot vacated at a step shows the inactive observation with the departing subtask's last
  reward and is handed out again from the next step on.
* **Overflow.** With ``num_slots`` below ``num_tasks * max_subtasks`` (the default, which can never
  overflow) more subtasks can be live than there are slots. Live subtasks without a slot do not
  recommend; they wait and take a slot, oldest first, as soon as one is free. ``infos[slot]
  ["overflow"]`` counts them at every step.
* **Inactive slots** observe zeros with ``active = 0`` and action mask ``[1, 0]``, get reward 0,
  and any action for them is ignored.
* **Rewards.** A slot gets the reward of the subtask it held during the step (``reward_mode`` of the
  config picks the channel), so the slot rewards of a step sum to the raw env's.
* **Episode end.** All slots end together, with ``terminations`` (the stream is exhausted) or
  ``truncations`` (the horizon cut it); ``agents`` is then empty, as PettingZoo expects.
* **Observation.** ``flatten=True``: one float32 ``Box`` per slot, the concatenation of the raw
  observation's arrays in the order of ``fields`` (``self_index`` as a one-hot ``self_node``, then
  the action mask and the ``active`` flag). ``flatten=False``: a ``Dict`` of ``Box`` es with the same
  fields and dtypes as the raw observation.
* **Infos** hold the same keys for every slot at every step: ``active``, ``subtask`` (global index,
  -1 when inactive), ``action_mask``, ``reward_sparse``, ``reward_shaped``, ``worker`` (-1 unless
  matched this step), ``u_skill``, ``u_dist``, ``u_time``, ``utility`` (0 unless matched; Eq. 9-12)
  and ``overflow``.

Each step fills one fresh array per field (libraries such as RLlib keep the observations they are
given, so buffers are not reused across steps) through index arrays, with no Python work per slot
beyond building the dicts the PettingZoo API returns.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from ..env.actions import is_binary_action
from ..env.dasc_env import DASCParallelEnv
from ..simulator.ledger import UNPUBLISHED

INFO_KEYS = ("active", "subtask", "action_mask", "reward_sparse", "reward_shaped", "worker",
             "u_skill", "u_dist", "u_time", "utility", "overflow")
"""The keys of every slot's info dict."""

_MATCH_KEYS = ("u_skill", "u_dist", "u_time", "utility")


class FixedSlots(ParallelEnv):
    """Expose a ``DASCParallelEnv`` as ``num_slots`` agents that never change (see the module doc).

    Args:
        env: a ``DASCParallelEnv`` (``dasc_env.parallel_env(...)``).
        num_slots: K, the number of slots; default ``num_tasks * max_subtasks`` of the env's config,
            which can hold every subtask of an episode. A smaller pool is faster; subtasks beyond it
            wait for a slot (``infos[slot]["overflow"]``).
        flatten: one flat float32 ``Box`` observation per slot (default) or a ``Dict`` of ``Box`` es.
    """

    def __init__(self, env: DASCParallelEnv, num_slots: int | None = None, flatten: bool = True):
        if not isinstance(env, DASCParallelEnv):
            raise TypeError(f"env must be a dasc_env DASCParallelEnv (dasc_env.parallel_env(...)), "
                            f"got {type(env).__name__}")
        if num_slots is None:
            num_slots = env.config.num_tasks * env.config.max_subtasks
        if isinstance(num_slots, bool) or not isinstance(num_slots, (int, np.integer)):
            raise TypeError(f"num_slots must be an int or None, got {num_slots!r}")
        if num_slots < 1:
            raise ValueError(f"num_slots={num_slots!r} must be >= 1")
        if not isinstance(flatten, bool):
            raise TypeError(f"flatten must be a bool, got {flatten!r}")
        self.env = env
        self.num_slots = int(num_slots)
        self.flatten = flatten
        self.metadata = {**env.metadata, "name": "dasc_fixed_slots_v0"}
        self.render_mode = env.render_mode
        self.possible_agents = [f"slot_{k}" for k in range(self.num_slots)]
        self.agents: list[str] = []
        self._slot_of_name = {name: k for k, name in enumerate(self.possible_agents)}
        self.fields = slot_fields(env.observation_space(None))
        """Name, shape and dtype of each observation field, in the order of the flat vector."""
        self.flat_size = sum(int(np.prod(shape)) for _, shape, _ in self.fields)
        if flatten:
            self._observation_space = spaces.Box(-np.inf, np.inf, (self.flat_size,), np.float32)
        else:
            self._observation_space = spaces.Dict({
                name: spaces.Box(*_bounds(dtype), shape, dtype) for name, shape, dtype in self.fields})
        self.state_space = env.state_space
        self._subtask = np.full(self.num_slots, -1, dtype=np.int64)
        self._overflow = 0

    # -------------------------------------------------------------- spaces
    def observation_space(self, agent: str):
        return self._observation_space

    def action_space(self, agent: str):
        return self.env.action_space(agent)

    @property
    def unwrapped(self) -> DASCParallelEnv:
        return self.env

    # ------------------------------------------------------------------ API
    def reset(self, seed: int | None = None, options: dict | None = None):
        self.env.reset(seed=seed, options=options)
        self._subtask.fill(-1)
        self._assign(np.zeros(self.num_slots, dtype=bool))
        self.agents = [] if self.env.episode_over else list(self.possible_agents)
        observations, mask = self._observe()
        zeros = np.zeros(self.num_slots)
        return observations, self._infos(mask, zeros, zeros, np.full(self.num_slots, -1), {})

    def step(self, actions: dict):
        if not self.agents:
            raise RuntimeError("the episode is over (or not started): call reset()")
        held = self._subtask.copy()
        occupied = held >= 0
        out = self.env.step_subtasks(held[(self._actions(actions) == 1) & occupied])

        sparse, shaped, worker = np.zeros(self.num_slots), np.zeros(self.num_slots), np.full(self.num_slots, -1)
        sparse[occupied] = out.reward_sparse[held[occupied]]
        shaped[occupied] = out.reward_shaped[held[occupied]]
        slot_of = np.full(self.env.scenario.num_subtasks, -1)
        slot_of[held[occupied]] = np.flatnonzero(occupied)
        matched = slot_of[out.matched]  # every match was recommended, so it held a slot
        worker[matched] = out.workers
        match_values = {key: _scatter(self.num_slots, matched, getattr(out, key)) for key in _MATCH_KEYS}

        live = np.zeros(slot_of.size, dtype=bool)
        live[self.env.observation_batch[0]] = True
        vacated = occupied & ~live[np.maximum(held, 0)]
        self._subtask[vacated] = -1
        self._assign(vacated)
        observations, mask = self._observe()
        infos = self._infos(mask, sparse, shaped, worker, match_values)
        rewards = dict(zip(self.possible_agents, (sparse if self.env.config.reward_mode == "sparse"
                                                  else shaped).tolist()))
        ended = self.env.episode_over
        cut = ended and any(t.status == UNPUBLISHED for t in self.env.ledger.tasks)
        terminations = dict.fromkeys(self.possible_agents, ended and not cut)
        truncations = dict.fromkeys(self.possible_agents, cut)
        if ended:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def state(self) -> np.ndarray:
        return self.env.state()

    def render(self):
        return self.env.render()

    def close(self) -> None:
        self.env.close()

    @property
    def slot_subtasks(self) -> np.ndarray:
        """(K,) the global subtask index each slot holds now, -1 for an inactive slot (a copy)."""
        return self._subtask.copy()

    @property
    def overflow(self) -> int:
        """Live subtasks without a slot after the last ``reset``/``step``."""
        return self._overflow

    # ------------------------------------------------------------ helpers
    def _assign(self, cooling: np.ndarray) -> None:
        """Give free slots (not vacated this step) to the live subtasks that have none, oldest first."""
        live = self.env.observation_batch[0]
        waiting = live[~np.isin(live, self._subtask)]
        free = np.flatnonzero((self._subtask < 0) & ~cooling)
        n = min(free.size, waiting.size)
        self._subtask[free[:n]] = waiting[:n]
        self._overflow = int(waiting.size - n)

    def _observe(self) -> tuple[dict, np.ndarray]:
        """Observations of every slot, and the (K, 2) int8 action masks."""
        live, batch = self.env.observation_batch
        rows = np.flatnonzero(self._subtask >= 0)
        pos = np.searchsorted(live, self._subtask[rows])
        mask = np.zeros((self.num_slots, 2), dtype=np.int8)
        mask[:, 0] = 1
        if self.flatten:
            flat = np.zeros((self.num_slots, self.flat_size), dtype=np.float32)
            arrays, offset = {}, 0
            for name, shape, _ in self.fields:
                size = int(np.prod(shape))
                arrays[name] = flat[:, offset:offset + size].reshape(self.num_slots, *shape)
                offset += size
        else:
            arrays = {name: np.zeros((self.num_slots, *shape), dtype) for name, shape, dtype in self.fields}
        if rows.size:
            mask[rows] = batch["action_mask"][pos]
            for name in arrays.keys() & batch.keys():
                if name != "self_index":
                    arrays[name][rows] = batch[name][pos]
            arrays["self_node"][rows, batch["self_index"][pos]] = 1
            arrays["active"][rows] = 1
        arrays["action_mask"][:] = mask
        if self.flatten:
            return dict(zip(self.possible_agents, flat)), mask
        names = list(arrays)
        columns = [arrays[name] for name in names]
        return {slot: dict(zip(names, (c[k] for c in columns)))
                for k, slot in enumerate(self.possible_agents)}, mask

    def _infos(self, mask, sparse, shaped, worker, match_values) -> dict[str, dict]:
        """Every slot's info: a copy of the idle template, updated where a subtask is or was this step."""
        active = self._subtask >= 0
        template = dict.fromkeys(INFO_KEYS, 0.0)
        template.update(active=False, subtask=-1, worker=-1, overflow=self._overflow)
        infos = {slot: {**template, "action_mask": row} for slot, row in zip(self.possible_agents, mask)}
        busy = np.flatnonzero(active | (worker >= 0) | (sparse != 0) | (shaped != 0))
        keys = ("active", "subtask", "reward_sparse", "reward_shaped", "worker", *match_values)
        columns = [active[busy].tolist(), self._subtask[busy].tolist(), sparse[busy].tolist(),
                   shaped[busy].tolist(), worker[busy].tolist(), *(v[busy].tolist() for v in match_values.values())]
        for k, values in zip(busy.tolist(), zip(*columns)):
            infos[self.possible_agents[k]].update(zip(keys, values))
        return infos

    def _actions(self, actions) -> np.ndarray:
        """(K,) the 0/1 action of each slot (0 where none is given)."""
        if not isinstance(actions, dict):
            raise TypeError(f"actions must be a dict slot -> 0/1, got {type(actions).__name__}")
        chosen = np.zeros(self.num_slots, dtype=np.int8)
        if not actions:
            return chosen
        unknown = actions.keys() - self._slot_of_name.keys()
        if unknown:
            raise ValueError(f"actions[{sorted(unknown)[0]!r}]: not a slot of this env "
                             f"(slot_0 ... slot_{self.num_slots - 1})")
        slots = np.fromiter(map(self._slot_of_name.__getitem__, actions), np.int64, len(actions))
        values = list(actions.values())
        try:
            array = np.asarray(values)
        except ValueError:  # ragged (e.g. an array among scalars): checked value by value below
            array = np.empty(0, dtype=object)
        if array.dtype.kind not in "iub" or array.shape != (len(values),) or not np.isin(array, (0, 1)).all():
            # None means no recommendation; anything else must be 0 or 1, as in the raw env
            for name, value in actions.items():
                if value is not None and not is_binary_action(value):
                    raise ValueError(f"actions[{name!r}]={value!r} is outside Discrete(2); use 0 or 1")
            array = np.array([0 if v is None else int(v) for v in values], dtype=np.int8)
        chosen[slots] = array
        return chosen


def slot_fields(raw: spaces.Dict) -> list[tuple[str, tuple[int, ...], np.dtype]]:
    """Name, shape and dtype of each slot observation field, from the raw env's observation space:
    the raw fields with ``self_index`` as a one-hot ``self_node``, the action mask last but one and
    the ``active`` flag last."""
    fields = []
    for name, space in raw.spaces.items():
        if name == "self_index":
            fields.append(("self_node", (int(space.n),), np.dtype(np.int8)))
        elif name != "action_mask":
            fields.append((name, tuple(space.shape), np.dtype(space.dtype)))
    fields.append(("action_mask", tuple(raw["action_mask"].shape), np.dtype(np.int8)))
    fields.append(("active", (1,), np.dtype(np.int8)))
    return fields


def _bounds(dtype: np.dtype) -> tuple[float, float]:
    return (0, 1) if dtype == np.int8 else (-np.inf, np.inf)


def _scatter(size: int, index: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.zeros(size)
    out[index] = values
    return out
