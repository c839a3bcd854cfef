"""Throughput of one RMO training iteration (rollout + full meta-gradient update), CPU or CUDA, side by side.

On ``Trainer(preset("practical"))`` at one (city, tasks, workers) point (default: chengdu, 60 x 300):

* rollout: ``rmo_agents.rollout.collect`` with the trainer's actor (env step, state tables, observation
  stacking and the batched actor forward): env steps/s and agent-transitions/s;
* the full update, ``Learner.update`` (K epochs of actor minibatches: theta-hat, theta with the meta-gradient,
  eta; then the critic's epochs): agent-transitions/s per epoch = transitions x epochs / seconds, its split
  into actor and critic time, and its peak memory (CUDA: ``max_memory_allocated``; CPU: the process RSS);
* per minibatch (1024, 2048 samples of the same rollout): the fused ``meta.meta_step`` (xi = 1, eta
  sensitivities) vs a plain first-order two-policy PPO step (``meta.ppo_step`` for theta and theta-hat),
  median of interleaved repeats, and their ratio;
* the reference: a meta-update loop of the released code's shape (kiren-costello/dasc ``src/net/agent.py``,
  ``meta_gradient_update_group_strategy``), on up to ``--reference-cap`` transitions of the same rollout: per
  decision step (all the agents live at that step), theta-hat's loss and its gradient with ``create_graph``,
  then for EACH theta-hat parameter tensor j a second backward of sum(g_j) into theta (grad_outputs = ones),
  theta's gradient -(mu/2) chi xi * g_j (.) sum_j d(sum g_j)/d theta, SGD steps of both policies, theta's own
  PPO step against a frozen copy, and the eta part (grad wrt the advantage with ``create_graph``, then its
  second gradient wrt theta-hat) on the positively rewarded agents. Like the released code it feeds one task-graph
  row per agent (the learner's minibatches share one row per task and step). The critic is left out of the reference
  (it is per minibatch there), so the printed ratio (full update incl. critic over the loop) is conservative.

    python benchmarks/train_step.py                      # chengdu, 60 tasks x 300 workers
    python benchmarks/train_step.py --quick              # small city, 20 x 40: a smoke test in seconds
    python benchmarks/train_step.py --threads 1 --csv results/train_step.csv
    python benchmarks/train_step.py --device cuda --minibatch 16384
    python benchmarks/train_step.py --backends sync:1,subprocess:2,ray:2 --iterations 2

``--backends BACKEND:N,...`` instead times whole training iterations (``Trainer.train_iteration``: N episodes
rolled out in lock-step on N env copies of that backend, then one update) and prints, per backend and env
count, env steps/s and agent-transitions/s of the rollout and over the whole iteration, and the rollout and
learner shares of the wall time.
"""

from __future__ import annotations

import argparse
import copy
import csv
import math
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from rmo_agents import Trainer, preset
from rmo_agents.buffer import GRAPH_KEYS
from rmo_agents.learner import select
from rmo_agents.meta import meta_step, ppo_step
from rmo_agents.rollout import collect
from rmo_agents.trainer import episode_seed

RELEASED_CODE_TRANSITIONS_PER_S = 220.0
"""The released code's own update on one 60x300 episode of data, measured on this 2-core CPU (issue text)."""

# Constants of the released code's update (Table 1 / run_cd.py); they set step sizes, not the amount of work.
REF_LR, REF_CHI, REF_XI, REF_CLIP = 1e-3, 1e-3, 1.0, 0.2


# ------------------------------------------------------------------ timing and memory helpers
def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def rss_bytes() -> int:
    """Current resident set size of this process (Linux /proc), 0 where unavailable."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def max_rss_bytes() -> int:
    """Peak RSS of the process so far (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class OtherLoad:
    """CPU time used by every other process while a block runs, in cores (Linux /proc; NaN elsewhere).

    The load average lags by a minute; this says whether another job shared the cores during each timed phase.
    """

    def __init__(self):
        self.phases: dict[str, float] = {}

    @staticmethod
    def _ticks() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)  # all but idle and iowait
        with open("/proc/self/stat") as f:
            own = f.read().rsplit(")", 1)[1].split()
        return busy, int(own[11]) + int(own[12])  # utime + stime of this process (all its threads)

    @contextmanager
    def phase(self, name: str):
        try:
            busy0, own0 = self._ticks()
        except (OSError, ValueError, IndexError):
            self.phases[name] = math.nan
            yield
            return
        t0 = time.perf_counter()
        yield
        busy1, own1 = self._ticks()
        seconds = max(time.perf_counter() - t0, 1e-9)
        self.phases[name] = max(0.0, (busy1 - busy0) - (own1 - own0)) / os.sysconf("SC_CLK_TCK") / seconds
        print(f"[train_step] {name}: {seconds:.1f} s, other processes {self.phases[name]:.2f} cores", file=sys.stderr,
              flush=True)


class RssSampler:
    """Samples the process RSS every ``interval`` s in a thread: the peak reached inside the ``with`` block."""

    def __init__(self, interval: float = 0.01):
        self.interval, self.start, self.peak = interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> RssSampler:
        self.start = self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


class SectionTimer:
    """Wraps methods of one object (instance attributes shadowing them) and sums their wall time."""

    def __init__(self, obj, names: dict[str, str], device: torch.device):
        self.totals = dict.fromkeys(names.values(), 0.0)
        self.device = device
        for method, label in names.items():
            if hasattr(obj, method):
                setattr(obj, method, self._wrap(getattr(obj, method), label))
        self.obj, self.methods = obj, list(names)

    def _wrap(self, fn, label: str):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            out = fn(*args, **kwargs)
            sync(self.device)
            self.totals[label] += time.perf_counter() - t0
            return out
        return timed

    def remove(self) -> None:
        for method in self.methods:
            self.obj.__dict__.pop(method, None)


# ------------------------------------------------------------------ the pieces
def per_agent(obs: dict, idx: torch.Tensor) -> dict:
    """Observations of transitions ``idx`` with one task-graph row per agent, as the released code stores them."""
    graph = obs["graph_index"][idx]
    out = {k: v[idx] for k, v in obs.items() if k not in GRAPH_KEYS and k != "graph_index"}
    out.update({k: obs[k][graph] for k in GRAPH_KEYS})
    return out


def make_trainer(args: argparse.Namespace, out: str, extra: dict | None = None) -> Trainer:
    cfg = preset("practical")
    changes = {"env.city": args.city, "env.num_tasks": args.tasks, "env.num_workers": args.workers,
               "run.progress": False, "run.out": out, "run.device": args.device, "run.threads": args.threads,
               "run.seed": args.seed, **(extra or {})}
    if args.minibatch:
        changes["ppo.minibatch_size"] = args.minibatch
    if args.epochs:
        changes["ppo.epochs"] = args.epochs
    for key, value in changes.items():
        cfg = cfg.replace_path(key, value)
    return Trainer(cfg)


def run_rollout(trainer: Trainer, episodes: int) -> tuple[list, float]:
    learner, cfg = trainer.learner, trainer.config
    recorded, seconds = [], 0.0
    for k in range(episodes):
        sync(trainer.device)
        t0 = time.perf_counter()
        recorded += collect(trainer.envs, learner.actor, [episode_seed(cfg.run.seed, k)], learner.eta.pair(),
                            trainer.sample_gen, trainer.device)
        sync(trainer.device)
        seconds += time.perf_counter() - t0
    return recorded, seconds


def run_update(trainer: Trainer, episodes: list) -> dict:
    """``Learner.update`` once, timed (actor/critic split) with its peak memory."""
    learner, device = trainer.learner, trainer.device
    timer = SectionTimer(learner, {"_prepare": "prepare", "_actor_minibatch": "actor",
                                   "_critic_minibatch": "critic"}, device)
    out: dict = {"rss_before": rss_bytes(), "maxrss_before": max_rss_bytes()}
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        out["cuda_before"] = torch.cuda.memory_allocated(device)
    try:
        with RssSampler() as sampler:
            sync(device)
            t0 = time.perf_counter()
            learner.update(episodes, trainer.shuffle_gen)
            sync(device)
            out["seconds"] = time.perf_counter() - t0
    finally:
        timer.remove()
    out.update(timer.totals, rss_peak=sampler.peak, rss_start=sampler.start, maxrss_after=max_rss_bytes())
    if device.type == "cuda":
        out["cuda_peak"] = torch.cuda.max_memory_allocated(device)
    return out


def compare_minibatch(trainer: Trainer, data: dict, size: int, repeats: int, gen: torch.Generator) -> dict:
    """Median seconds of the fused meta step vs two plain PPO steps on the same ``size`` samples."""
    learner, cfg, device = trainer.learner, trainer.config, trainer.device
    ppo, meta = cfg.ppo, cfg.meta
    idx = learner._epoch_samples(data, gen)[:size].to(device)  # the learner's own minibatch order (ppo.sampling)
    obs = select(data["obs"], idx)
    actions, old, adv, adv_hat = (data[k][idx] for k in ("actions", "log_prob", "adv", "adv_hat"))
    theta = dict(learner.actor.named_parameters())
    theta_hat = dict(learner.actor_hat.named_parameters())
    inner_lr = meta.meta_inner_lr if meta.meta_inner_lr is not None else cfg.optim.lr_theta_hat / 2
    kw = {"clip_eps": ppo.clip_eps, "entropy_coef": ppo.entropy_coef}

    def fused():
        meta_step(learner.actor, theta, theta_hat, obs, actions, old, adv, adv_hat, xi=1.0, inner_lr=inner_lr,
                  want_sensitivity=True, **kw)

    def plain():
        ppo_step(learner.actor, theta, obs, actions, old, adv, **kw)
        ppo_step(learner.actor, theta_hat, obs, actions, old, adv_hat, **kw)

    times: dict[str, list[float]] = {"fused": [], "plain": []}
    for rep in range(repeats + 1):  # interleaved, so a change of machine load hits both; rep 0 is a warm-up
        for name, fn in (("fused", fused), ("plain", plain)):
            sync(device)
            t0 = time.perf_counter()
            fn()
            sync(device)
            if rep:
                times[name].append(time.perf_counter() - t0)
    return {**{k: statistics.median(v) for k, v in times.items()}, "graphs": int(obs["task_mask"].shape[0])}


class ReleasedShapeLoop:
    """The released code's per-decision-step meta-update (actor part), on copies of theta and theta-hat."""

    def __init__(self, trainer: Trainer):
        learner = trainer.learner
        self.theta, self.theta_hat = copy.deepcopy(learner.actor), copy.deepcopy(learner.actor_hat)
        self.old = copy.deepcopy(learner.actor)  # old_group_actor: theta at the start of the update
        self.opt_meta = torch.optim.SGD(self.theta.parameters(), lr=REF_LR)
        self.opt_hat = torch.optim.SGD(self.theta_hat.parameters(), lr=REF_LR)
        self.opt_group = torch.optim.SGD(self.theta.parameters(), lr=REF_LR)
        self.alpha, self.beta = learner.eta.pair()

    @staticmethod
    def surrogate(log_ratio: torch.Tensor, adv: torch.Tensor) -> torch.Tensor:
        ratio = torch.exp(log_ratio)
        return torch.mean(-torch.min(ratio * adv, torch.clamp(ratio, 1 - REF_CLIP, 1 + REF_CLIP) * adv))

    @staticmethod
    def nan_guard(params, fill: float) -> None:
        for p in params:
            if torch.all(torch.isnan(p.grad)):
                p.grad[...] = fill

    def step(self, obs: dict, actions, adv, adv_hat, positive, chain) -> None:
        theta_p, hat_p = list(self.theta.parameters()), list(self.theta_hat.parameters())
        # Step 3: theta-hat's loss with the live theta in the ratio; g^ with create_graph; per tensor j,
        # d(sum g^_j)/d theta (grad_outputs = ones): one second backward per parameter tensor.
        lp_hat = self.theta_hat.log_prob_entropy(obs, actions)[0]
        lp = self.theta.log_prob_entropy(obs, actions)[0]
        loss_hat = self.surrogate(lp_hat - lp, adv_hat)
        g_hat = torch.autograd.grad(loss_hat, hat_p, grad_outputs=torch.ones_like(loss_hat), create_graph=True,
                                    retain_graph=True)
        second = []
        for g_j in g_hat:
            grads = torch.autograd.grad(g_j, theta_p, grad_outputs=torch.ones_like(g_j), retain_graph=True,
                                        allow_unused=True)
            second.append([torch.zeros_like(p) if g is None else g for g, p in zip(grads, theta_p)])
        # Step 4: theta-hat's own loss, backward (into both policies).
        self.opt_hat.zero_grad(set_to_none=True)
        self.opt_meta.zero_grad(set_to_none=True)
        self.surrogate(lp_hat - lp, adv_hat).backward()
        # Step 5: theta's grad = -(mu/2) chi xi * g^_k (.) sum_j d(sum g^_j)/d theta_k (elementwise, per tensor).
        for p, q, m in zip(theta_p, hat_p, zip(*second)):
            p.grad = -REF_LR / 2 * REF_CHI * q.grad * sum(m) * REF_XI
        for q in hat_p:
            q.grad = q.grad * REF_CHI
        torch.nn.utils.clip_grad_norm_(theta_p, max_norm=1 - 1e-6)
        torch.nn.utils.clip_grad_norm_(hat_p, max_norm=1 - 1e-6)
        self.nan_guard(theta_p, 1e-9)
        self.nan_guard(hat_p, 1e-9)
        self.opt_meta.step()
        self.opt_hat.step()
        # Step 6: theta's own PPO step against old_group_actor.
        self.opt_group.zero_grad(set_to_none=True)
        lp = self.theta.log_prob_entropy(obs, actions)[0]
        lp_old = self.old.log_prob_entropy(obs, actions)[0].detach()
        (self.surrogate(lp - lp_old, adv) * REF_CHI).backward()
        self.nan_guard(theta_p, 0.0)
        torch.nn.utils.clip_grad_norm_(theta_p, max_norm=1 - 1e-6)
        self.opt_group.step()
        # Steps 7-10: eta on the positively rewarded agents: d loss / d A^ with create_graph, its second
        # gradient wrt theta-hat, theta-hat's gradient, their per-tensor product summed, times du/d eta.
        if not bool(positive.any()):
            return
        sub_obs = {k: v[positive] for k, v in obs.items()}
        sub_actions = actions[positive]
        adv_leaf = adv_hat[positive].detach().clone().requires_grad_()
        lp_hat = self.theta_hat.log_prob_entropy(sub_obs, sub_actions)[0]
        lp = self.theta.log_prob_entropy(sub_obs, sub_actions)[0].detach()
        loss = self.surrogate(lp_hat - lp, adv_leaf)
        (g_adv,) = torch.autograd.grad(loss, adv_leaf, grad_outputs=torch.ones_like(loss), create_graph=True,
                                       retain_graph=True)
        second_hat = torch.autograd.grad(g_adv, hat_p, grad_outputs=torch.ones_like(g_adv), retain_graph=True,
                                         allow_unused=True)
        self.opt_hat.zero_grad(set_to_none=True)
        loss.backward()
        u_meta = sum((q.grad * s).sum() for q, s in zip(hat_p, second_hat) if s is not None)
        g_alpha, g_beta = (chain[positive].sum(0) * u_meta).tolist()
        if not np.isnan(g_alpha):
            self.alpha = min(1.0, max(0.0, self.alpha + REF_LR / 2 * 0.1 * g_alpha * REF_CHI))
            self.beta = min(1.0, max(0.0, self.beta + REF_LR / 2 * 0.1 * g_beta * REF_CHI))


def reference_window(data: dict, cap: int) -> list[tuple[int, int]]:
    """Consecutive decision-step groups [a, b) from the middle of the data, until ``cap`` transitions."""
    key = data["episode_id"].astype(np.int64) * (1 << 32) + data["episode_step"].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    bounds = np.r_[starts, key.size]
    n = key.size
    first = int(np.searchsorted(starts, max(0, (n - cap) // 2)))
    groups, total = [], 0
    for g in range(first, starts.size):
        if total >= cap:
            break
        a, b = int(bounds[g]), int(bounds[g + 1])
        groups.append((a, b))
        total += b - a
    return groups


def run_reference(trainer: Trainer, data: dict, positive: torch.Tensor, cap: int) -> dict:
    device = trainer.device
    loop = ReleasedShapeLoop(trainer)
    groups = reference_window(data, cap)

    def step(a: int, b: int) -> None:
        loop.step(per_agent(data["obs"], torch.arange(a, b, device=device)), data["actions"][a:b], data["adv"][a:b],
                  data["adv_hat"][a:b], positive[a:b], data["chain"][a:b])

    step(*groups[0])  # warm-up
    sync(device)
    t0 = time.perf_counter()
    for a, b in groups:
        step(a, b)
    sync(device)
    seconds = time.perf_counter() - t0
    transitions = sum(b - a for a, b in groups)
    return {"seconds": seconds, "transitions": transitions, "groups": len(groups),
            "tensors": len(list(loop.theta_hat.parameters()))}


# ------------------------------------------------------------------ report
def fmt(value: float) -> str:
    if isinstance(value, str):
        return value
    if value != value:  # NaN
        return "nan"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def row(metric: str, value: float, unit: str, target: str = "-", ok: bool | None = None) -> dict:
    met = "-" if ok is None else ("yes" if ok else "NO")
    return {"metric": metric, "value": value, "unit": unit, "target": target, "met": met}


def backend_table(args: argparse.Namespace) -> list[dict]:
    """Whole training iterations per (backend, env copies): throughput and the rollout/learner split."""
    rows = []
    for spec in args.backends.split(","):
        backend, _, num_envs = spec.partition(":")
        if not num_envs.isdigit():
            raise SystemExit(f"--backends {spec!r}: expected BACKEND:COPIES, e.g. subprocess:2")
        with tempfile.TemporaryDirectory(prefix="train_step_") as out:
            totals = dict(env_steps=0.0, transitions=0.0, rollout_s=0.0, learner_s=0.0)
            with make_trainer(args, out, {"env.backend": backend, "env.num_envs": int(num_envs),
                                          "run.episodes": int(num_envs) * (args.iterations + 1)}) as trainer:
                trainer.train_iteration()  # warm-up: worker start, distance caches, allocator
                for _ in range(args.iterations):
                    stats = trainer.train_iteration()
                    for key in totals:
                        totals[key] += stats[key]
        wall = totals["rollout_s"] + totals["learner_s"]
        rows.append({"backend": backend, "env_copies": int(num_envs), "iterations": args.iterations,
                     "rollout_steps_per_s": totals["env_steps"] / totals["rollout_s"],
                     "rollout_transitions_per_s": totals["transitions"] / totals["rollout_s"],
                     "iteration_steps_per_s": totals["env_steps"] / wall,
                     "iteration_transitions_per_s": totals["transitions"] / wall,
                     "rollout_share": totals["rollout_s"] / wall, "learner_share": totals["learner_s"] / wall})
    header = ("backend", "copies", "rollout steps/s", "rollout trans/s", "iter steps/s", "iter trans/s",
              "rollout %", "learner %")
    print(f"training iterations at {args.city} {args.tasks}x{args.workers}, {torch.get_num_threads()} torch "
          f"thread(s), {os.cpu_count()} cores")
    print(" | ".join(f"{h:>15}" for h in header))
    for r in rows:
        values = (r["backend"], r["env_copies"], f"{r['rollout_steps_per_s']:.0f}",
                  f"{r['rollout_transitions_per_s']:.0f}", f"{r['iteration_steps_per_s']:.0f}",
                  f"{r['iteration_transitions_per_s']:.0f}", f"{100 * r['rollout_share']:.0f}",
                  f"{100 * r['learner_share']:.0f}")
        print(" | ".join(f"{v:>15}" for v in values))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--city", default="chengdu", help="dasc-env city preset")
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="small city, 20 tasks x 40 workers (smoke test)")
    parser.add_argument("--episodes", type=int, default=1, help="rollout episodes (all go into the update)")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--minibatch", type=int, default=0, help="override ppo.minibatch_size of the update")
    parser.add_argument("--epochs", type=int, default=0, help="override ppo.epochs (K) of the update")
    parser.add_argument("--sizes", default="1024,2048", help="minibatch sizes of the fused-vs-plain comparison")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per minibatch size (median)")
    parser.add_argument("--reference-cap", type=int, default=2048,
                        help="transitions given to the released-shape loop (0: skip it)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, help="also write the rows to this CSV file")
    parser.add_argument("--backends", help="BACKEND:COPIES,... (sync, subprocess, ray): time whole training "
                        "iterations per rollout backend instead")
    parser.add_argument("--iterations", type=int, default=2, help="timed iterations per backend (after a warm-up)")
    args = parser.parse_args()
    if args.quick:
        args.city, args.tasks, args.workers = "small", 20, 40
    if args.backends:
        rows = backend_table(args)
        if args.csv:
            args.csv.parent.mkdir(parents=True, exist_ok=True)
            with args.csv.open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
            print(f"wrote {args.csv}")
        return

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="train_step_") as out:
        trainer = make_trainer(args, out)
        cfg, learner, device = trainer.config, trainer.learner, trainer.device
        on_cpu = device.type == "cpu"

        others = OtherLoad()
        with others.phase("rollout"):
            episodes, rollout_s = run_rollout(trainer, args.episodes)
        steps = sum(e.num_steps for e in episodes)
        transitions = sum(e.num_transitions for e in episodes)
        with others.phase("update"):
            upd = run_update(trainer, episodes)

        data = learner._prepare(episodes)
        n = int(data["actions"].shape[0])
        gen = torch.Generator().manual_seed(args.seed)
        sizes = [s for s in (int(x) for x in args.sizes.split(",")) if s <= n]
        with others.phase("minibatches"):
            mb = {s: compare_minibatch(trainer, data, s, args.repeats, gen) for s in sizes}
        positive = torch.from_numpy(np.concatenate([e.reward_shaped for e in episodes]) > 0).to(device)
        ref = None
        if args.reference_cap > 0:
            with others.phase("reference"):
                ref = run_reference(trainer, data, positive, min(args.reference_cap, n))
    load_after = os.getloadavg()

    epochs = cfg.ppo.epochs
    update_tps = transitions * epochs / upd["seconds"]
    rows = [
        row("rollout env steps/s", steps / rollout_s, "steps/s", ">= 250" if on_cpu else "-",
            steps / rollout_s >= 250 if on_cpu else None),
        row("rollout agent-transitions/s", transitions / rollout_s, "trans/s"),
        row("rollout wall time", rollout_s, "s"),
        row("full update (both policies, meta, eta, critic) per epoch", update_tps, "trans/s",
            ">= 8,000" if on_cpu else "-", update_tps >= 8000 if on_cpu else None),
        row("full update wall time", upd["seconds"], "s"),
        row("  of which values + GAE (_prepare)", upd["prepare"], "s"),
        row("  of which actor minibatches (theta-hat, theta+meta, eta)", upd["actor"], "s"),
        row("  of which critic minibatches", upd["critic"], "s"),
        row("actor part alone per epoch", transitions * epochs / max(upd["actor"], 1e-9), "trans/s"),
    ]
    for s, t in mb.items():
        ratio = t["fused"] / t["plain"]
        rows += [
            row(f"minibatch {s}: distinct task graphs (GAT rows)", t["graphs"], "graphs"),
            row(f"minibatch {s}: fused meta_step (xi=1, eta sens.)", 1e3 * t["fused"], "ms"),
            row(f"minibatch {s}: plain PPO step x2 (theta, theta-hat)", 1e3 * t["plain"], "ms"),
            row(f"minibatch {s}: fused / plain", ratio, "x", "<= 1.3", ratio <= 1.3),
            row(f"minibatch {s}: fused meta_step throughput", s / t["fused"], "trans/s"),
        ]
    if ref is not None:
        ref_tps = ref["transitions"] / ref["seconds"]
        rows += [
            row(f"released-shape loop ({ref['transitions']} trans, {ref['groups']} steps, {ref['tensors']} tensors)",
                ref_tps, "trans/s"),
            row("full update per epoch / released-shape loop", update_tps / ref_tps, "x", ">= 10",
                update_tps / ref_tps >= 10),
            row("released code's own update, 60x300 episode (issue, for scale)", RELEASED_CODE_TRANSITIONS_PER_S,
                "trans/s"),
            row("full update per epoch / released code's own (220/s)", update_tps / RELEASED_CODE_TRANSITIONS_PER_S,
                "x"),
        ]
    mib = 1 / 2**20
    if device.type == "cuda":
        rows += [row("update peak GPU memory allocated", upd["cuda_peak"] * mib, "MiB"),
                 row("GPU memory allocated before the update", upd["cuda_before"] * mib, "MiB")]
    rows += [row("update peak RSS increase (sampled, over its start)", (upd["rss_peak"] - upd["rss_start"]) * mib,
                 "MiB"),
             row("process peak RSS (ru_maxrss) before -> after update",
                 f"{upd['maxrss_before'] * mib:,.0f} -> {upd['maxrss_after'] * mib:,.0f}", "MiB")]

    threads = torch.get_num_threads()
    print(f"RMO train step: city {args.city}, {args.tasks} tasks x {args.workers} workers, preset practical "
          f"({cfg.optim.optimizer}, K = {epochs} epochs, actor minibatch {cfg.ppo.minibatch_size}, "
          f"critic minibatch {cfg.ppo.critic_minibatch_size}, sampling {cfg.ppo.sampling})")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({os.cpu_count()} cores)"
    print(f"device {device} [{name}], torch {torch.__version__}, {threads} thread(s), "
          f"load average {' '.join(f'{x:.2f}' for x in load_before)} before / "
          f"{' '.join(f'{x:.2f}' for x in load_after)} after")
    busy = ", ".join(f"{k} {v:.2f}" for k, v in others.phases.items())
    print(f"CPU used by other processes during each phase (cores, mean): {busy}")
    if on_cpu and any(v > 0.25 for v in others.phases.values()):
        print("WARNING: another job shared the CPU during a timed phase; its figures are not from a quiet machine")
    print(f"rollout: {len(episodes)} episode(s), {steps} env steps, {transitions} agent-transitions "
          f"({transitions / max(steps, 1):.1f} live agents/step); revenue "
          f"{np.mean([e.metrics['revenue'] for e in episodes]):.1f}")
    width = max(len(r["metric"]) for r in rows)
    print(f"{'metric':<{width}} | {'value':>15} | {'unit':>7} | {'target':>8} | {'met':>3}")
    print("-" * (width + 46))
    for r in rows:
        print(f"{r['metric']:<{width}} | {fmt(r['value']):>15} | {r['unit']:>7} | {r['target']:>8} | {r['met']:>3}")
    if not on_cpu:
        print("(the absolute targets are the 2-core CPU ones; on CUDA only the ratios are checked)")

    if args.csv:
        context = {"device": str(device), "device_name": name, "torch": torch.__version__, "threads": threads,
                   "city": args.city, "tasks": args.tasks, "workers": args.workers, "episodes": len(episodes),
                   "transitions": transitions, "epochs": epochs, "minibatch": cfg.ppo.minibatch_size,
                   "load_1min": load_before[0],
                   **{f"other_cpu_{k}": round(v, 3) for k, v in others.phases.items()}}
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=[*context, *rows[0]])
            writer.writeheader()
            writer.writerows({**context, **r} for r in rows)
        print(f"wrote {args.csv}")


if __name__ == "__main__":
    main()
