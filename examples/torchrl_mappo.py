"""Multi-agent PPO (MAPPO) with TorchRL on the DASC env, through the ``FixedSlots`` wrapper.

The DASC env has one agent per live subtask, so its agents come and go; TorchRL's
``PettingZooWrapper`` wants the same agents at every step. ``dasc_env.wrappers.FixedSlots`` maps the
live subtasks onto ``num_slots`` fixed agents ``slot_0 ... slot_{K-1}``, and this script trains them
the way TorchRL's multi-agent PPO tutorial does:

* **Env.** ``PettingZooWrapper(FixedSlots(dasc_env.parallel_env(...), num_slots=K), return_state=True)``.
  TorchRL groups agents named ``<name>_<int>`` by name, so all K slots land in one group ``"slot"``
  (tensors of shape ``(K, ...)``). Observations are the wrapper's flat float32 vectors (the default
  ``flatten=True``; they already contain the slot's action mask and ``active`` flag). TorchRL finds the
  action mask in ``infos[slot]["action_mask"]`` by itself and writes it to ``("slot", "action_mask")``.
  ``use_mask`` (TorchRL's mask of agents that are absent at a step) stays off: slots never leave.
  ``flatten=False`` does not work with TorchRL 0.14: it moves the ``action_mask`` of a ``Dict`` observation
  out of the observation but keeps the copy in the infos, which its info spec lacks, and ``reset()`` fails.
* **Reward.** ``reward_mode="shaped"``: every slot gets Eq. 3's reward for the subtask it held when that
  subtask is matched (or -1 for a recommendation that got no worker), which is far denser than the
  sparse Eq. 1 task revenue paid once per task.
* **Actor.** One MLP shared by all slots (parameter sharing) maps a slot's observation to two logits;
  actions are drawn from a ``MaskedCategorical`` with the env's action mask, so "recommend" is only
  sampled when an idle feasible worker exists. Inactive slots have the mask ``[1, 0]`` and always say no.
* **Critic (MAPPO).** Centralised through the env's global state ``s`` (``FixedSlots.state()``, which TorchRL
  returns as ``"state"`` with ``return_state=True``): the state is encoded once per step, and the value of
  a slot is an MLP of (the slot's observation, that encoding) with parameters shared by all slots. Each slot
  thus has its own value (slot rewards differ) while seeing the whole platform.
* **Training.** TorchRL's single-process ``Collector``
  -> ``GAE`` over the per-slot rewards and done flags ``("slot", "reward" | "done" | "terminated")``, each
  ``(K, 1)`` -> ``ClipPPOLoss`` with minibatch epochs, for ``iterations`` batches of ``frames_per_batch``
  env steps. A slot holds several subtasks in turn, so before GAE the step at which a subtask leaves its
  slot (``infos[slot]["active"]`` goes from 1 to 0; the slot stays inactive for that next step) is marked
  terminated for that slot: a subtask's value never bootstraps from the slot's next occupant.

Scales. The default trains on the "small" city with 20 tasks of 3-8 subtasks, 40 workers, a 15-minute
arrival window, 15-second decision epochs (about 215 steps an episode) and 64 slots, for 25 iterations
of 1,000 steps: 20-30 s an iteration on 2 CPU cores (about 10 minutes), most of it TorchRL's per-agent
Python loop in ``PettingZooWrapper`` (about 11 ms a step for 64 slots, against 1 ms for ``FixedSlots`` itself).
``--smoke`` runs 3 tasks of 2-4 subtasks, 10 workers and 8 slots (25-55 steps an episode) for 2
iterations of 128 steps: a few seconds after the imports, enough to see episodes end and PPO update.
Every run prints, per iteration, the episodes ended so far, the mean return (summed over slots) of the
episodes that ended in the batch, the last PPO loss and how often a slot recommended when it could.
Tested with TorchRL 0.14.1.

    make marl                      # dasc-env's `marl` extra (TorchRL, with torch), or: pip install torchrl
    python examples/torchrl_mappo.py --smoke
    python examples/torchrl_mappo.py --iterations 100 --seed 1
"""

import argparse
import math
import time
from dataclasses import asdict, dataclass, replace

import torch
from tensordict.nn import TensorDictModule
from torch import nn
from torchrl.collectors import Collector
from torchrl.data import LazyTensorStorage, ReplayBuffer, SamplerWithoutReplacement
from torchrl.envs.libs.pettingzoo import PettingZooWrapper
from torchrl.envs.utils import check_env_specs
from torchrl.modules import MLP, MaskedCategorical, MultiAgentMLP, ProbabilisticActor
from torchrl.objectives import ClipPPOLoss, ValueEstimators

import dasc_env
from dasc_env import DASCConfig
from dasc_env.wrappers import FixedSlots

GROUP = "slot"
"""TorchRL's group of the agents ``slot_0 ... slot_{K-1}`` (its default grouping by name prefix)."""


@dataclass(frozen=True)
class Args:
    # --- environment ---
    dasc: DASCConfig = DASCConfig(city="small", num_tasks=20, num_workers=40, min_subtasks=3, max_subtasks=8,
                                  decision_interval=15.0, arrival_window=900.0, reward_mode="shaped")
    """The env (``DASCConfig`` documents every field): the "small" city, 20 tasks, 40 workers, decisions every
    15 s, shaped rewards (see the module doc)."""
    num_slots: int = 64
    """K: fixed agents of the ``FixedSlots`` wrapper (subtasks beyond K wait for a free slot)."""

    # --- collection ---
    frames_per_batch: int = 1000
    """Env steps collected per iteration (one frame is one step of all K slots)."""
    iterations: int = 25
    """Collect-then-train iterations; the run takes ``iterations * frames_per_batch`` env steps."""

    # --- PPO ---
    num_epochs: int = 4
    """Passes over each collected batch."""
    minibatch_size: int = 250
    """Frames (of K slots each) per gradient step."""
    lr: float = 3e-4
    """Adam learning rate of actor and critic."""
    max_grad_norm: float = 1.0
    """Gradient-norm clip."""
    gamma: float = 0.99
    """Discount per env step."""
    lmbda: float = 0.95
    """GAE lambda."""
    clip_epsilon: float = 0.2
    """PPO ratio clip."""
    entropy_coef: float = 1e-3
    """Weight of the entropy bonus."""
    hidden: int = 128
    """Width of the two hidden layers of every MLP."""

    # --- run ---
    seed: int = 0
    """Seeds torch and the env (scenarios of successive episodes follow from it)."""
    device: str = "cpu"
    """Torch device of the networks and the collected data."""
    torch_threads: int = 1
    """CPU threads of torch during ``main`` (these small networks run fastest on one); 0 keeps torch's setting."""


SMOKE = dict(dasc=Args.dasc.replace(num_tasks=3, num_workers=10, min_subtasks=2, max_subtasks=4,
                                    decision_interval=30.0, arrival_window=120.0),
             num_slots=8, frames_per_batch=128, iterations=2, num_epochs=2, minibatch_size=32, hidden=64)
"""``--smoke``: a scale that ends episodes and updates the networks in seconds (the test's scale)."""


def smoke_args(**changes) -> Args:
    """``Args`` at the smoke scale, with ``changes`` on top."""
    return replace(Args(), **{**SMOKE, **changes})


def make_env(args: Args) -> PettingZooWrapper:
    """The DASC env as K fixed slots, wrapped for TorchRL (one group ``"slot"``, action masks from infos)."""
    raw = dasc_env.parallel_env(args.dasc)
    return PettingZooWrapper(FixedSlots(raw, num_slots=args.num_slots), return_state=True,
                             seed=args.seed, device=args.device)


class SlotCritic(nn.Module):
    """V(o_k, s): the global state is encoded once per step, then one head shared by the slots."""

    def __init__(self, obs_size: int, state_size: int, hidden: int):
        super().__init__()
        self.state_encoder = MLP(in_features=state_size, out_features=hidden, num_cells=[hidden],
                                 activation_class=nn.Tanh, activate_last_layer=True)
        self.head = MLP(in_features=obs_size + hidden, out_features=1, num_cells=[hidden, hidden],
                        activation_class=nn.Tanh)

    def forward(self, observation: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        encoded = self.state_encoder(state).unsqueeze(-2)  # (..., 1, hidden)
        encoded = encoded.expand(*observation.shape[:-1], encoded.shape[-1])  # (..., K, hidden)
        return self.head(torch.cat([observation, encoded], dim=-1))


def count_episodes(dones: torch.Tensor, rewards: torch.Tensor, running: float) -> tuple[list[float], float]:
    """Returns (summed over slots) of the episodes that end in a batch, and the unfinished one's running sum."""
    finished = []
    for done, reward in zip(dones.tolist(), rewards.tolist()):
        running += reward
        if done:
            finished.append(running)
            running = 0.0
    return finished, running


def main(args: Args) -> dict:
    """Train; returns ``iterations``, ``episodes`` (episode ends in the collected data), ``loss`` (the last
    total PPO loss), ``frames``, ``episode_returns`` (each ended episode's reward summed over slots), ``seconds``."""
    threads = torch.get_num_threads()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    try:
        return train(args)
    finally:
        torch.set_num_threads(threads)


def train(args: Args) -> dict:
    """``main`` without the thread setting."""
    torch.manual_seed(args.seed)
    env = make_env(args)
    check_env_specs(env)
    n_slots = len(env.group_map[GROUP])
    obs_size = env.observation_spec[GROUP, "observation"].shape[-1]
    state_size = env.observation_spec["state"].shape[-1]

    # Actor: one MLP for all slots (share_params), logits -> masked categorical over {no, recommend}.
    actor_net = MultiAgentMLP(n_agent_inputs=obs_size, n_agent_outputs=2, n_agents=n_slots, centralised=False,
                              share_params=True, device=args.device, depth=2, num_cells=args.hidden,
                              activation_class=nn.Tanh)
    actor_module = TensorDictModule(actor_net, in_keys=[(GROUP, "observation")], out_keys=[(GROUP, "logits")])
    policy = ProbabilisticActor(actor_module, spec=env.full_action_spec_unbatched[env.action_key],
                                in_keys={"logits": (GROUP, "logits"), "mask": (GROUP, "action_mask")},
                                out_keys=[env.action_key], distribution_class=MaskedCategorical,
                                return_log_prob=True, log_prob_key=(GROUP, "action_log_prob"))

    # Critic: each slot's value from its observation and the encoded global state.
    critic = TensorDictModule(SlotCritic(obs_size, state_size, args.hidden).to(args.device),
                              in_keys=[(GROUP, "observation"), "state"], out_keys=[(GROUP, "state_value")])

    env.set_seed(args.seed)  # before the collector, whose first reset then continues the seeded stream
    collector = Collector(env, policy, frames_per_batch=args.frames_per_batch,
                          total_frames=args.frames_per_batch * args.iterations, device=args.device,
                          auto_register_policy_transforms=False)  # a stateless policy: nothing to track
    buffer = ReplayBuffer(storage=LazyTensorStorage(args.frames_per_batch, device=args.device),
                          sampler=SamplerWithoutReplacement(), batch_size=args.minibatch_size)

    loss_module = ClipPPOLoss(actor_network=policy, critic_network=critic, clip_epsilon=args.clip_epsilon,
                              entropy_coeff=args.entropy_coef, normalize_advantage=False)
    # The group's per-slot reward, done and terminated flags (K, 1) drive GAE slot by slot.
    loss_module.set_keys(reward=env.reward_key, action=env.action_key, value=(GROUP, "state_value"),
                         sample_log_prob=(GROUP, "action_log_prob"), done=(GROUP, "done"),
                         terminated=(GROUP, "terminated"))
    loss_module.make_value_estimator(ValueEstimators.GAE, gamma=args.gamma, lmbda=args.lmbda)
    gae = loss_module.value_estimator
    optim = torch.optim.Adam(loss_module.parameters(), lr=args.lr)

    episodes, returns, running, loss, iterations = 0, [], 0.0, math.nan, 0
    start = time.perf_counter()
    for iteration, data in enumerate(collector):
        dones = data["next", "done"].reshape(-1)
        episodes += int(dones.sum())
        finished, running = count_episodes(dones, data["next", GROUP, "reward"].sum((-2, -1)), running)
        returns += finished

        # A subtask that leaves its slot (matched or dropped) is done there: cut the slot's trajectory.
        left = (data[GROUP, "info", "active"] > 0) & (data["next", GROUP, "info", "active"] == 0)
        for key in ("done", "terminated"):
            data["next", GROUP, key] |= left.unsqueeze(-1)
        with torch.no_grad():
            gae(data, params=loss_module.critic_network_params,
                target_params=loss_module.target_critic_network_params)
        buffer.extend(data.reshape(-1))
        for _ in range(args.num_epochs):
            for _ in range(max(args.frames_per_batch // args.minibatch_size, 1)):
                losses = loss_module(buffer.sample())
                total = losses["loss_objective"] + losses["loss_critic"] + losses["loss_entropy"]
                total.backward()
                torch.nn.utils.clip_grad_norm_(loss_module.parameters(), args.max_grad_norm)
                optim.step()
                optim.zero_grad()
                loss = total.item()
        collector.update_policy_weights_()
        iterations = iteration + 1

        recent = f"{sum(finished) / len(finished):9.1f}" if finished else "        -"
        allowed = data[GROUP, "action_mask"][..., 1]
        print(f"iter {iterations:3d}  episodes {episodes:4d}  episode return {recent}  loss {loss:9.3f}  "
              f"recommends when allowed {data[env.action_key][allowed].float().mean():.2f}  "
              f"{time.perf_counter() - start:6.1f} s")
    collector.shutdown()  # closes the env too
    return {"iterations": iterations, "episodes": episodes, "loss": loss,
            "frames": iterations * args.frames_per_batch, "episode_returns": returns,
            "seconds": time.perf_counter() - start}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny scale (seconds): see SMOKE")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--iterations", type=int)
    parser.add_argument("--frames-per-batch", type=int)
    parser.add_argument("--num-tasks", type=int, help="Args.dasc.num_tasks")
    parser.add_argument("--num-workers", type=int, help="Args.dasc.num_workers")
    parser.add_argument("--num-slots", type=int)
    parser.add_argument("--device")
    cli = {key: value for key, value in vars(parser.parse_args()).items() if value is not None}
    args = smoke_args() if cli.pop("smoke") else Args()
    dasc = {key: cli.pop(key) for key in ("num_tasks", "num_workers") if key in cli}
    args = replace(args, dasc=args.dasc.replace(**dasc), **cli)
    print(asdict(args))
    results = main(args)
    returns = results.pop("episode_returns")
    print({**results, "mean_episode_return": sum(returns) / len(returns) if returns else math.nan})
