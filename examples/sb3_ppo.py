"""Train Stable-Baselines3 PPO on DASC through ``FixedSlots`` and SuperSuit, then evaluate one episode.

The env's agents are its live subtasks, which come and go; SB3 needs a fixed set. So the env is wrapped as
``FixedSlots(dasc_env.parallel_env(args.dasc), num_slots=K)``: K agents ``slot_0 .. slot_{K-1}``, each
with one flat float32 ``Box`` observation and ``Discrete(2)`` (1 = recommend my subtask now). SuperSuit turns
the K slots into K sub-environments of one SB3 vector env, so one ``PPO("MlpPolicy", ...)`` network is
shared by every slot (parameter sharing) and each slot's transitions are ordinary single-agent samples.
All slots end an episode together; SuperSuit then resets the env and training goes on across episode ends.
After training the script predicts the first actions of a fresh episode, plays that evaluation episode with
the trained (deterministic) policy and prints the platform revenue ``env.unwrapped.total_revenue`` (Eq. 2).

    python examples/sb3_ppo.py --smoke        # seconds: 3 tasks x 10 workers, 8 slots, 1,024 timesteps
    python examples/sb3_ppo.py                # ~20 s: 20 tasks x 40 workers, 64 slots, 100k timesteps
    python examples/sb3_ppo.py --timesteps 300000 --tasks 30 --workers 60 --seed 1

The default scale is a modest but real run on the ~400-node "small" city: 20 tasks of 2-6 subtasks arriving
over 10 minutes, 40 workers, decisions every 30 s (an episode is ~30-120 steps), 64 slots (which held every
live subtask in our runs; more would wait in ``infos[slot]["overflow"]``), 100k timesteps = 100k slot
decisions, ~1.6k env steps, ~25 episodes, 25 PPO updates. It shows the pipeline, not a tuned learner.

Notes:

* **No action masking.** SB3's PPO cannot mask actions. The slot's action mask (the last fields of the flat
  vector: ``action_mask`` then ``active``; also ``infos[slot]["action_mask"]``) is only an input to the
  network. A "recommend" the mask forbids simply fails in the env (reward ``failed_recommendation_reward``,
  -1); an action for an inactive slot is ignored (reward 0).
* **Rewards.** ``reward_mode`` picks the channel: "sparse" pays Eq. 1's task revenue to the task's last
  subtask only; "shaped" (Eq. 3) rewards every matched subtask. This example uses "shaped": a single PPO
  network over anonymous slots learns far more from a reward at each match than from one at each task's end.
  A slot's reward is that of the subtask it held during the step.
* **Seeding.** SuperSuit 3.11's SB3 wrapper forwards ``VecEnv.seed`` to a gymnasium vector env that has no
  ``seed`` method, so ``PPO(..., seed=s)`` raises ``AttributeError``. The script seeds python/numpy/torch with
  SB3's ``set_random_seed`` and resets the vector env underneath (``vec_env.venv``) with the seed instead:
  env copy i gets seed + i, and the unseeded resets after it (SB3's, SuperSuit's at each episode end) draw
  the following scenarios from that seeded stream.
* SuperSuit reports an episode end as ``dones`` (termination or truncation alike); SB3 therefore never
  bootstraps across one. With the default horizon (the latest task deadline) the env only terminates.
"""

import argparse
import time
from dataclasses import asdict, dataclass, replace

import numpy as np
import supersuit as ss
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.utils import set_random_seed

import dasc_env
from dasc_env import DASCConfig
from dasc_env.wrappers import FixedSlots


@dataclass(frozen=True)
class Args:
    """Every knob of the run. The defaults are the modest "real" scale; ``Args.smoke()`` a seconds-long one."""

    seed: int = 0
    """Seeds python/numpy/torch (the policy), the training env copies (seed + i) and the evaluation episode."""

    # --- env ---
    dasc: DASCConfig = DASCConfig(city="small", num_tasks=20, num_workers=40, min_subtasks=2, max_subtasks=6,
                                  decision_interval=30.0, arrival_window=600.0, reward_mode="shaped")
    """The env (``DASCConfig`` documents every field): the "small" city, 20 tasks, 40 workers, decisions every
    30 s, shaped rewards (see the module doc)."""

    # --- FixedSlots / vectorisation ---
    num_slots: int = 64
    """K: fixed agent slots = SB3 sub-environments per env copy; live subtasks beyond K wait for a slot."""
    num_vec_envs: int = 1
    """Independent env copies SuperSuit concatenates (each adds K sub-environments)."""

    # --- PPO ---
    total_timesteps: int = 100_000
    """Slot decisions to train on (each env step gives K * num_vec_envs of them)."""
    n_steps: int = 64
    """Env steps per sub-environment per rollout: a rollout holds n_steps * K * num_vec_envs samples."""
    batch_size: int = 512
    """Minibatch size of a PPO update (divides the rollout size)."""
    n_epochs: int = 10
    """Passes over a rollout per PPO update."""
    learning_rate: float = 3e-4
    """Adam learning rate."""
    gamma: float = 0.99
    """Discount per env step (decision epoch)."""
    gae_lambda: float = 0.95
    """GAE lambda."""
    clip_range: float = 0.2
    """PPO ratio clip."""
    ent_coef: float = 0.01
    """Entropy bonus, to keep recommending/waiting both explored."""
    device: str = "cpu"
    """Torch device; a small MLP policy runs best on the CPU."""
    torch_threads: int = 1
    """CPU threads of torch: a small MLP gains nothing from more, and on a busy CPU they slow it down ~10x."""
    verbose: int = 1
    """SB3 verbosity (1 prints its training table)."""

    @classmethod
    def smoke(cls) -> "Args":
        """A seconds-long run. An episode is ~25-55 env steps of 8 slots, at most ~105 (the latest deadline:
        120 s + 2.5 x 4 x 300 s, in 30 s epochs); 2 rollouts of 64 env steps (2 PPO updates) cross at least one
        episode end, typically two to four."""
        dasc = cls.dasc.replace(num_tasks=3, num_workers=10, max_subtasks=4, arrival_window=120.0)
        return cls(dasc=dasc, num_slots=8, total_timesteps=1_024, n_steps=64, batch_size=128, n_epochs=4, verbose=0)


class EpisodeCounter(BaseCallback):
    """Counts episode ends during training: the K slots of one env copy are all done at the same step."""

    def __init__(self, num_slots: int):
        super().__init__()
        self.num_slots = num_slots
        self.episodes = 0

    def _on_step(self) -> bool:
        dones = np.asarray(self.locals["dones"]).reshape(-1, self.num_slots)  # (env copies, K)
        self.episodes += int(dones.all(axis=1).sum())
        return True


def make_env(args: Args) -> FixedSlots:
    """The DASC env with its dynamic subtask agents mapped onto K fixed slots (flat Box observations)."""
    return FixedSlots(dasc_env.parallel_env(args.dasc), num_slots=args.num_slots)


def stack(observations: dict, env: FixedSlots) -> np.ndarray:
    """(K, D) batch of the slots' flat observations, in slot order."""
    return np.stack([observations[slot] for slot in env.possible_agents])


def train(args: Args) -> tuple[PPO, dict]:
    """PPO on the K slots of ``num_vec_envs`` env copies; the model and the training figures."""
    set_random_seed(args.seed)  # python, numpy, torch

    # --- the vector env: K slots x num_vec_envs copies, one SB3 sub-environment each ---
    vec_env = ss.pettingzoo_env_to_vec_env_v1(make_env(args))
    vec_env = ss.concat_vec_envs_v1(vec_env, args.num_vec_envs, num_cpus=0, base_class="stable_baselines3")
    vec_env.venv.reset(seed=args.seed)  # not PPO(seed=...): see "Seeding" in the module doc

    # --- PPO, one MLP policy shared by every slot ---
    model = PPO("MlpPolicy", vec_env, n_steps=args.n_steps, batch_size=args.batch_size, n_epochs=args.n_epochs,
                learning_rate=args.learning_rate, gamma=args.gamma, gae_lambda=args.gae_lambda,
                clip_range=args.clip_range, ent_coef=args.ent_coef, device=args.device, verbose=args.verbose)
    counter = EpisodeCounter(args.num_slots)
    start = time.perf_counter()
    model.learn(total_timesteps=args.total_timesteps, callback=counter)
    train_seconds = time.perf_counter() - start
    # PPO records train/loss at every update; no log dump follows the last one, so the value is still here
    loss = float(model.logger.name_to_value["train/loss"])
    vec_env.close()
    return model, dict(episodes=counter.episodes, loss=loss, timesteps=model.num_timesteps,
                       train_seconds=train_seconds)


def evaluate(model: PPO, args: Args) -> dict:
    """One fresh episode with the trained (deterministic) policy on the wrapped env; its revenue and figures."""
    env = make_env(args)
    observations, _ = env.reset(seed=args.seed + args.num_vec_envs)  # a seed no training copy was reset with
    first_actions, _ = model.predict(stack(observations, env), deterministic=True)
    actions = first_actions
    steps, episode_reward, failed = 0, 0.0, 0
    while env.agents:
        recommended = (actions == 1) & (env.slot_subtasks >= 0)  # a recommendation by an active slot
        observations, rewards, _, _, infos = env.step(dict(zip(env.possible_agents, actions.tolist())))
        steps += 1
        episode_reward += sum(rewards.values())
        failed += sum(infos[slot]["worker"] < 0 for slot in np.asarray(env.possible_agents)[recommended])
        if env.agents:
            actions, _ = model.predict(stack(observations, env), deterministic=True)
    ledger = env.unwrapped.ledger
    result = dict(revenue=float(env.unwrapped.total_revenue), first_actions=first_actions.tolist(),
                  eval_steps=steps, eval_reward=episode_reward, failed_recommendations=int(failed),
                  tasks_completed=ledger.count("completed"), tasks_failed=ledger.count("failed"))
    env.close()
    return result


def main(args: Args) -> dict:
    """Train, then evaluate: ``episodes`` (ends seen in training), ``loss`` (the last PPO loss), ``revenue``
    (of the evaluation episode) and more."""
    threads = torch.get_num_threads()
    torch.set_num_threads(args.torch_threads)
    try:
        model, training = train(args)
        return {**training, **evaluate(model, args)}
    finally:
        torch.set_num_threads(threads)  # main() may run inside a larger process (the tests)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="the seconds-long scale of Args.smoke()")
    parser.add_argument("--timesteps", type=int, dest="total_timesteps", help="Args.total_timesteps")
    parser.add_argument("--tasks", type=int, dest="num_tasks", help="Args.dasc.num_tasks")
    parser.add_argument("--workers", type=int, dest="num_workers", help="Args.dasc.num_workers")
    parser.add_argument("--slots", type=int, dest="num_slots", help="Args.num_slots")
    parser.add_argument("--seed", type=int, help="Args.seed")
    cli = {key: value for key, value in vars(parser.parse_args()).items() if value is not None}
    args = Args.smoke() if cli.pop("smoke") else Args()
    dasc = {key: cli.pop(key) for key in ("num_tasks", "num_workers") if key in cli}
    args = replace(args, dasc=args.dasc.replace(**dasc), **cli)
    print(asdict(args))
    for key, value in main(args).items():
        if isinstance(value, list):
            value = "".join(map(str, value))
        print(f"{key:>22}: {value:.3f}" if isinstance(value, float) else f"{key:>22}: {value}")
