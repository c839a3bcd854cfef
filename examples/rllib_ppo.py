"""Train RLlib PPO on DASC through ``FixedSlots``: one policy shared by every agent slot.

RLlib's multi-agent envs need agents, and their spaces, that are known up front; the raw env's agents are
its live subtasks, which come and go. So the env RLlib builds is
``ParallelPettingZooEnv(FixedSlots(dasc_env.parallel_env(args.dasc), num_slots=K))``: K agents
``slot_0 .. slot_{K-1}`` that never change, each with one flat float32 ``Box`` observation and
``Discrete(2)`` (1 = recommend my subtask now). The multi-agent config has a single policy, ``"shared"``,
and maps every slot to it, so one RLModule (RLlib's default PPO MLP, actor and critic) is trained on all
slots' transitions (parameter sharing). PPO runs on RLlib's new API stack (RLModule, Learner, EnvRunner),
the default in Ray 2.60, for ``iterations`` calls of ``algo.train()``; each samples ``train_batch_size``
env steps (K agent steps each) and runs ``num_epochs`` passes of minibatch SGD over them.

    python examples/rllib_ppo.py --smoke                    # ~30-60 s with Ray's start: 3 tasks, 8 slots
    python examples/rllib_ppo.py                            # minutes: 20 tasks x 40 workers, 64 slots
    python examples/rllib_ppo.py --env-runners 4 --iterations 50 --seed 1
    python examples/rllib_ppo.py --address auto --env-runners 32    # on a running Ray cluster

The default scale is a modest but real run on the ~400-node "small" city: 20 tasks of 2-6 subtasks arriving
over 10 minutes, 40 workers, a decision every 30 s (an episode is ~30-120 env steps), 64 slots, 2 EnvRunners,
20 iterations of 500 env steps (10k env steps = 640k slot decisions, ~120 episodes; ~7 minutes on 2 CPU
cores). It shows the pipeline, not a tuned learner. ``--smoke`` (the test's scale): 3 tasks of 2-4 subtasks
over 2 minutes, 10 workers, 8 slots (an episode is ~25-55 env steps), 2 iterations of 64 env steps, sampled
in the driver.

Notes:

* **Ray.** Without ``--address`` the script starts a local Ray instance (``ray.init(num_cpus=...,
  include_dashboard=False)``) and shuts it down at the end. With ``--address`` (``auto``, ``ray://host:10001``)
  it joins a running cluster and leaves it up; ``--env-runners N`` then samples with N EnvRunner actors
  spread over the cluster, so the same command scales out. Every node needs ``dasc-env`` installed.
* **Rewards.** ``reward_mode="shaped"``: every matched subtask pays Eq. 3 at once, far denser than the sparse
  Eq. 1 task revenue paid to a task's last subtask only. A slot's reward is that of the subtask it held
  during the step; an inactive slot gets 0. ``episode_return`` sums all slots, i.e. the raw env's return.
* **No action masking.** RLlib's default RLModule does not mask logits. The slot's action mask (the last
  fields of the flat vector: ``action_mask`` then ``active``) is only an input to the network; a "recommend"
  the mask forbids simply fails in the env (reward -1) and an action of an inactive slot is ignored. RLlib
  2.60's ``ActionMaskingTorchRLModule`` is an example class (``ray.rllib.examples``), not a library module,
  and wants a ``Dict`` observation with exactly two keys, ``"action_mask"`` and ``"observations"``;
  ``FixedSlots(..., flatten=False)`` gives a ``Dict`` with one key per field, so it would need another
  wrapper. This script keeps the default module.
* **Batch units.** ``train_batch_size`` counts env steps (RLlib's default ``count_steps_by="env_steps"``),
  ``minibatch_size`` rows of the shared module, i.e. agent steps; RLlib nevertheless requires
  ``minibatch_size <= train_batch_size``.
* **Seeding.** ``config.debugging(seed=seed)`` seeds python/numpy/torch, and EnvRunner i resets its env with
  seed + i the first time; later resets draw the next scenarios from the env's seeded stream. Runs repeat
  exactly only under a fixed ``PYTHONHASHSEED`` (e.g. ``PYTHONHASHSEED=0 python examples/rllib_ppo.py``):
  RLlib keeps agent ids in sets, so the order in which the slots' actions are sampled varies between
  processes otherwise.
"""

import argparse
import math
import time
from dataclasses import asdict, dataclass, replace

import ray
from ray.rllib.algorithms.ppo import PPOConfig
from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig
from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv
from ray.tune.registry import register_env

import dasc_env
from dasc_env import DASCConfig
from dasc_env.wrappers import FixedSlots

ENV_NAME = "dasc_fixed_slots"
"""The name ``register_env`` gives the env creator."""
POLICY = "shared"
"""The single policy (RLModule) every slot maps to."""


@dataclass(frozen=True)
class Args:
    """Every knob of the run. The defaults are the modest "real" scale; ``Args.smoke()`` a tiny one."""

    seed: int = 0
    """``config.debugging(seed=...)``: python/numpy/torch, and EnvRunner i's first env reset (seed + i)."""

    # --- env ---
    dasc: DASCConfig = DASCConfig(city="small", num_tasks=20, num_workers=40, min_subtasks=2, max_subtasks=6,
                                  decision_interval=30.0, arrival_window=600.0, reward_mode="shaped")
    """The env (``DASCConfig`` documents every field): the "small" city, 20 tasks, 40 workers, decisions every
    30 s, shaped rewards (see the module doc)."""
    num_slots: int = 64
    """K: the fixed agents of ``FixedSlots``; live subtasks beyond K wait for a free slot."""

    # --- PPO ---
    iterations: int = 20
    """``algo.train()`` calls; each samples one train batch and updates the policy on it."""
    train_batch_size: int = 500
    """Env steps sampled per iteration (each is K agent steps)."""
    minibatch_size: int = 500
    """Agent steps per SGD minibatch (RLlib requires it <= train_batch_size)."""
    num_epochs: int = 4
    """Passes over a train batch per iteration."""
    lr: float = 3e-4
    """Adam learning rate."""
    gamma: float = 0.99
    """Discount per env step (decision epoch)."""
    lambda_: float = 0.95
    """GAE lambda."""
    entropy_coeff: float = 0.01
    """Entropy bonus, to keep recommending/waiting both explored."""
    vf_clip_param: float = 100.0
    """Clip of the value loss; shaped returns reach tens per slot, which RLlib's default (10) would clip."""
    hiddens: tuple = (128, 128)
    """Hidden layer sizes of the policy and value MLPs."""

    # --- Ray ---
    address: str | None = None
    """Ray cluster to join ("auto", "ray://host:10001"); None starts (and then stops) a local Ray instance."""
    env_runners: int = 2
    """EnvRunner actors sampling in parallel; 0 samples in the driver process."""
    num_cpus: int | None = None
    """Logical CPUs of a local Ray instance; None: env_runners + 1 (the driver holds the learner)."""

    @classmethod
    def smoke(cls, **changes) -> "Args":
        """Tens of seconds on 2 CPU cores, Ray's start included: an episode is ~25-55 env steps of 8 slots,
        so 2 iterations of 64 env steps end at least one episode and make 2 PPO updates."""
        dasc = cls.dasc.replace(num_tasks=3, num_workers=10, max_subtasks=4, arrival_window=120.0)
        small = dict(dasc=dasc, num_slots=8, iterations=2, train_batch_size=64, minibatch_size=64, num_epochs=2,
                     hiddens=(32, 32), env_runners=0)
        return cls(**{**small, **changes})


def make_env(env_config: dict) -> ParallelPettingZooEnv:
    """The env creator each EnvRunner calls (``env_config`` is the config's, plus the runner's index)."""
    env = dasc_env.parallel_env(env_config["dasc"])
    return ParallelPettingZooEnv(FixedSlots(env, num_slots=env_config["num_slots"]))


def ppo_config(args: Args) -> PPOConfig:
    return (
        PPOConfig()
        .environment(ENV_NAME, env_config={"dasc": args.dasc, "num_slots": args.num_slots})
        .env_runners(num_env_runners=args.env_runners)
        .multi_agent(policies={POLICY}, policy_mapping_fn=lambda agent_id, episode, **kwargs: POLICY)
        .rl_module(model_config=DefaultModelConfig(fcnet_hiddens=list(args.hiddens)))
        .training(train_batch_size_per_learner=args.train_batch_size, minibatch_size=args.minibatch_size,
                  num_epochs=args.num_epochs, lr=args.lr, gamma=args.gamma, lambda_=args.lambda_,
                  entropy_coeff=args.entropy_coeff, vf_clip_param=args.vf_clip_param)
        .debugging(seed=args.seed)
    )


def main(args: Args) -> dict:
    if args.iterations < 1:
        raise ValueError(f"iterations={args.iterations!r} must be >= 1")
    started_ray = not ray.is_initialized()
    if started_ray and args.address:
        ray.init(address=args.address)
    elif started_ray:
        ray.init(num_cpus=args.num_cpus or args.env_runners + 1, include_dashboard=False)
    try:
        register_env(ENV_NAME, make_env)
        algo = ppo_config(args).build_algo()
        try:
            start = time.perf_counter()
            for iteration in range(1, args.iterations + 1):
                result = algo.train()
                runners, learner = result["env_runners"], result["learners"][POLICY]
                print(f"iter {iteration:3d}  env steps {runners['num_env_steps_sampled_lifetime']:7.0f}  "
                      f"episodes {runners.get('num_episodes_lifetime', 0):5.0f}  "
                      f"return {runners.get('episode_return_mean', math.nan):9.2f}  "
                      f"loss {learner['total_loss']:8.4f}  ({time.perf_counter() - start:.0f} s)", flush=True)
            train_seconds = time.perf_counter() - start
        finally:
            algo.stop()
    finally:
        if started_ray:
            ray.shutdown()
    return dict(
        iterations=int(result["training_iteration"]),
        episodes=int(runners.get("num_episodes_lifetime", 0)),  # 0 until an episode has ended
        env_steps=int(runners["num_env_steps_sampled_lifetime"]),
        episode_return_mean=float(runners.get("episode_return_mean", math.nan)),  # over the last <= 100 episodes
        loss=float(learner["total_loss"]),  # the last iteration's mean PPO loss
        train_seconds=train_seconds,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="the tiny scale of Args.smoke()")
    parser.add_argument("--address", help="Args.address: a Ray cluster to join (default: a local Ray)")
    parser.add_argument("--env-runners", type=int, help="Args.env_runners")
    parser.add_argument("--iterations", type=int, help="Args.iterations")
    parser.add_argument("--tasks", type=int, dest="num_tasks", help="Args.dasc.num_tasks")
    parser.add_argument("--workers", type=int, dest="num_workers", help="Args.dasc.num_workers")
    parser.add_argument("--slots", type=int, dest="num_slots", help="Args.num_slots")
    parser.add_argument("--seed", type=int, help="Args.seed")
    cli = {key: value for key, value in vars(parser.parse_args()).items() if value is not None}
    args = Args.smoke() if cli.pop("smoke") else Args()
    dasc = {key: cli.pop(key) for key in ("num_tasks", "num_workers") if key in cli}
    args = replace(args, dasc=args.dasc.replace(**dasc), **cli)
    print(asdict(args))
    results = main(args)
    print("  ".join(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
                    for key, value in results.items()))
