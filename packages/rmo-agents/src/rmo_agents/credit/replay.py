"""Replay credit (``credit.scheme="replay"``): what one agent's action did to E(M), by replaying.

For a decision i (agent k at step t of a recorded episode) the difference reward is

    D_i = Q(s_t, recommend_k) - Q(s_t, wait_k)

with everything else held equal: the episode is replayed from its seed with the recorded actions up to t, then
played on twice, once with k recommending and once with k waiting (every other agent at t as recorded), and
after t both twins act with the current actor on **common random numbers**: agent j at time c recommends when
u(key, c, j) < pi(recommend | o_j), u a uniform keyed by the decision, the simulated time and the subtask
(``keyed_uniforms``), so the twins differ only where the flipped action made their states differ. D_i is the
change of the final E(M) (Eq. 2): the team objective itself, what the action did to every task, the contention
for workers included, which per-task credit cannot see.

With two actions the exact advantage of the taken action a_i follows (``difference_advantages``):
A_i = pi(a'_i) (Q(a_i) - Q(a'_i)) = +-(1 - pi(a_i)) D_i (+ after recommending, - after waiting), pi the rollout's
policy. The actor trains on the replayed decisions alone (``credit.replays`` per episode, drawn
uniformly among the transitions with a choice); most flips change nothing (the recommendation would have failed
anyway): their twins are in the same state, so D = 0 exactly, with nothing to play. The others play two
continuations to the episode's end, all of an update's in lock-step with one batched actor forward per step.
"""

from __future__ import annotations

import numpy as np
import torch

from ..adapter import DascAdapter
from ..batch import concat_shared, observe, sample_actions
from ..buffer import Episode
from ..config import CreditConfig
from ..nets import Actor
from ..paired import seed_stream
from .base import Credit


class ReplayCredit(Credit):
    """theta's A is each replayed decision's exact advantage from its difference reward; no critic."""

    trains_critic = False

    def __init__(self, config: CreditConfig, env_failed_reward: float, source, matcher: str, run_seed: int,
                 device: torch.device):
        super().__init__(config, env_failed_reward)
        self.source, self.matcher, self.run_seed, self.device = source, matcher, run_seed, device
        self.adapter: DascAdapter | None = None

    def prepare(self, episodes: list[Episode], seeds: list[int], actor: Actor, update: int) -> None:
        """``credit.replays`` decisions of each episode, drawn from the run seed and ``update`` (stream "replay"),
        get their D = Q(recommend) - Q(wait) (``difference_rewards``, played in this process)."""
        if self.adapter is None:
            self.adapter = DascAdapter(self.source, self.matcher)
        rng = np.random.default_rng(seed_stream(self.run_seed, "replay", update))
        rows = [choose_replays(episode, self.config.replays, rng) for episode in episodes]
        gains = difference_rewards(self.adapter, actor, episodes, seeds, rows, self.device)
        for episode, chosen, gain in zip(episodes, rows, gains):
            episode.difference = np.full(episode.num_transitions, np.nan)
            episode.difference[chosen] = gain

    def assign(self, episode: Episode, team: np.ndarray, task: np.ndarray | None) -> np.ndarray:
        return difference_advantages(episode)

    def actor_rows(self, team: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The replayed transitions (theta's A is NaN elsewhere)."""
        return np.flatnonzero(~np.isnan(team)), np.nan_to_num(team)

    def normalise(self, team: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact advantages, already centred per state: divided by their RMS over ``rows`` only."""
        return team / (np.sqrt(np.mean(team[rows] ** 2)) + 1e-8) if rows.size else team


def difference_advantages(episode: Episode) -> np.ndarray:
    """A_i = pi(a'_i) (Q(a_i) - Q(a'_i)), the exact advantage of a two-action policy, from D_i = Q(recommend) -
    Q(wait) (``Episode.difference``): (1 - pi(a_i)) D_i where the rollout recommended, -(1 - pi(a_i)) D_i where it
    waited; NaN where i was not replayed."""
    if episode.difference is None:
        raise ValueError("credit.scheme='replay' needs episodes with a difference (ReplayCredit.prepare)")
    other = 1.0 - np.exp(episode.log_prob.astype(np.float64))  # pi(a'_i)
    return np.where(episode.actions == 1, other, -other) * episode.difference


def keyed_uniforms(key: int, now: float, subtasks: np.ndarray) -> np.ndarray:
    """u in [0, 1) per subtask in ``subtasks``, a function of (key, the simulated time in ms, the subtask) only:
    the common random numbers of a replay's twins."""
    n = int(subtasks.max()) + 1 if subtasks.size else 0
    return np.random.default_rng([int(key), int(round(now * 1000.0))]).random(n)[subtasks]


def choose_replays(episode: Episode, count: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``count`` transitions of ``episode`` to replay, uniformly without replacement among those with a
    choice ("recommend" allowed), in ascending order."""
    choice = np.flatnonzero(episode.obs["action_mask"][:, 1] > 0)
    return np.sort(rng.choice(choice, size=min(count, choice.size), replace=False))


def difference_rewards(adapter: DascAdapter, actor: Actor, episodes: list[Episode], seeds: list[int],
                       rows: list[np.ndarray], device: torch.device) -> list[np.ndarray]:
    """D_i = Q(recommend) - Q(wait) of each transition in ``rows[e]`` of ``episodes[e]`` (played from ``seeds[e]``
    with eta ``episode.eta``): the final E(M) of the twin that recommends minus that of the twin that waits.

    Twins whose flip changed no match (the recommendation would have failed anyway) are in the same state, so
    D = 0 without playing them out; the others of all episodes are played out together (``play_out``)."""
    gains = [np.zeros(r.size) for r in rows]
    twins, keys, where = [], [], []
    for e, (episode, seed, chosen) in enumerate(zip(episodes, seeds, rows)):
        for k, pair in flipped_twins(adapter, episode, seed, chosen):
            twins += pair
            keys += [int(np.random.SeedSequence([seed, int(chosen[k])]).generate_state(1)[0])] * 2
            where.append((e, k))
    revenue = play_out(twins, keys, actor, device)
    for (e, k), recommend, wait in zip(where, revenue[0::2], revenue[1::2]):
        gains[e][k] = recommend - wait
    return gains


def flipped_twins(adapter: DascAdapter, episode: Episode, seed: int, rows: np.ndarray) -> list[tuple[int, list]]:
    """For each transition ``rows[k]`` whose flip changes the epoch's matches: (k, [twin that recommends, twin that
    waits]), both stepped through the decision's epoch (every other agent as recorded). The episode is replayed from
    ``seed`` with the recorded actions; a replay that leaves the recorded agents raises ``RuntimeError``."""
    adapter.set_eta(*episode.eta)
    adapter.reset(seed)
    env, out = adapter.env, []
    for t in range(int(episode.step[rows].max()) + 1 if rows.size else 0):
        at_t = np.flatnonzero(episode.step == t)
        live, recommended = episode.agent[at_t], episode.agent[at_t][episode.actions[at_t] == 1]
        if not np.array_equal(env.observation_batch[0], live):
            raise RuntimeError(f"replay of episode seed {seed} diverged at step {t}: it does not reproduce the record "
                               "(another seed, env source or matcher, or a non-deterministic env)")
        for k in np.flatnonzero(episode.step[rows] == t):
            agent = episode.agent[rows[k]]
            others = recommended[recommended != agent]
            pair, outcomes = [env.copy(), env.copy()], []
            for twin, chosen in zip(pair, (np.sort(np.append(others, agent)), others)):
                outcomes.append(twin.step_subtasks(chosen))
            if not (np.array_equal(outcomes[0].matched, outcomes[1].matched)
                    and np.array_equal(outcomes[0].workers, outcomes[1].workers)):
                out.append((int(k), pair))
        env.step_subtasks(recommended)
    return out


@torch.no_grad()
def play_out(envs: list, keys: list[int], actor: Actor, device: torch.device) -> np.ndarray:
    """Final E(M) of each env played to its end by ``actor`` on the common random numbers of ``keys[j]``
    (``keyed_uniforms``), all envs in lock-step with one actor forward per step."""
    running = [j for j, env in enumerate(envs) if env.agents]
    while running:
        observed = [observe(envs[j]) for j in running]
        uniforms = np.concatenate([keyed_uniforms(keys[j], envs[j].now, live)
                                   for j, (live, _) in zip(running, observed)])
        actions, _ = sample_actions(actor, concat_shared([b for _, b in observed]), None, device, uniforms=uniforms)
        start = 0
        for j, (live, _) in zip(running, observed):
            envs[j].step_subtasks(live[actions[start:start + live.size] == 1])
            start += live.size
        running = [j for j in running if envs[j].agents]
    return np.array([env.total_revenue for env in envs], dtype=np.float64)
