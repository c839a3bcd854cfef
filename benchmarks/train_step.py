"""Throughput of one RMO training iteration (rollout + full meta-gradient update), CPU or CUDA, side by side.

On ``Trainer(preset("practical"))`` at one (city, tasks, workers) point (default: chengdu, 60 x 300):

* rollout: ``rmo_agents.rollout.collect`` with the trainer's actor (env step, state tables, observation
  stacking and the batched actor forward): env steps/s and agent-transitions/s;
* the full update, ``Learner.update`` (K epochs of actor minibatches: theta-hat, theta with the meta-gradient,
  eta; then the critic's epochs): agent-transitions/s per epoch = transitions x epochs / seconds, its split
  into ``prepare``, ``actor_step`` and ``critic_step`` time, and its peak memory (CUDA: ``max_memory_allocated``;
  CPU: the process RSS);
* per minibatch (1024, 2048 samples of the same rollout): the fused ``meta.meta_step`` (xi = 1, eta
  sensitivities) vs a plain first-order two-policy PPO step (``meta.ppo_step`` for theta and theta-hat),
  median of interleaved repeats, and their ratio;
* the reference: a meta-update loop of the released code's shape (``released_loop.py``: per decision step, one
  second backward per theta-hat parameter tensor, one task-graph row per agent) on up to ``--reference-cap``
  transitions of the same rollout. It leaves the critic out, so the printed ratio (full update incl. critic over
  the loop) is conservative.

    python benchmarks/train_step.py                      # chengdu, 60 tasks x 300 workers
    python benchmarks/train_step.py --quick              # small city, 20 x 40: a smoke test in seconds
    python benchmarks/train_step.py --threads 1 --csv results/train_step.csv
    python benchmarks/train_step.py --device cuda --minibatch 16384
    python benchmarks/train_step.py --set model.critic_encoder=deepsets   # the critic's set encoder
    python benchmarks/train_step.py --backends sync:1,subprocess:2,ray:2 --iterations 2

``--backends BACKEND:N,...`` instead times whole training iterations (``Trainer.run``: N episodes rolled out
in lock-step on N env copies of that backend, then one update, per iteration) and prints, per backend and env
count, env steps/s and agent-transitions/s of the rollout and over the whole iteration, and the rollout and
learner shares of the wall time. The timing itself is in ``train_timing.py``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import torch
from released_loop import RELEASED_CODE_TRANSITIONS_PER_S
from report import print_rows, row, write_csv
from train_timing import Measured, backend_rows, measure

MIB = 1 / 2**20


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
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
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                        help="override a field of the practical preset (repeatable)")
    parser.add_argument("--csv", type=Path, help="also write the rows to this CSV file")
    parser.add_argument("--backends", help="BACKEND:COPIES,... (sync, subprocess, ray): time whole training "
                        "iterations per rollout backend instead")
    parser.add_argument("--iterations", type=int, default=2, help="timed iterations per backend (after a warm-up)")
    args = parser.parse_args(argv)
    if args.quick:
        args.city, args.tasks, args.workers = "small", 20, 40
    return args


def update_rows(m: Measured) -> list[dict]:
    """Rollout and full-update throughput with its split; the CPU targets are checked on the CPU only."""
    on_cpu, upd, update_tps = m.trainer.device.type == "cpu", m.update, m.update_tps
    steps, transitions, epochs = m.steps, m.transitions, m.trainer.config.ppo.epochs
    return [
        row("rollout env steps/s", steps / m.rollout_s, "steps/s", ">= 250" if on_cpu else "-",
            steps / m.rollout_s >= 250 if on_cpu else None),
        row("rollout agent-transitions/s", transitions / m.rollout_s, "trans/s"),
        row("rollout wall time", m.rollout_s, "s"),
        row("full update (both policies, meta, eta, critic) per epoch", update_tps, "trans/s",
            ">= 8,000" if on_cpu else "-", update_tps >= 8000 if on_cpu else None),
        row("full update wall time", upd["seconds"], "s"),
        row("  of which values + GAE (prepare)", upd["prepare"], "s"),
        row("  of which actor minibatches (theta-hat, theta+meta, eta)", upd["actor"], "s"),
        row("  of which critic minibatches", upd["critic"], "s"),
        row("actor part alone per epoch", transitions * epochs / max(upd["actor"], 1e-9), "trans/s"),
    ]


def comparison_rows(m: Measured) -> list[dict]:
    """Fused meta step vs plain PPO per minibatch size, then the released-shape loop (when it ran)."""
    rows = []
    for s, t in m.minibatch.items():
        ratio = t["fused"] / t["plain"]
        rows += [
            row(f"minibatch {s}: distinct task graphs (GAT rows)", t["graphs"], "graphs"),
            row(f"minibatch {s}: fused meta_step (xi=1, eta sens.)", 1e3 * t["fused"], "ms"),
            row(f"minibatch {s}: plain PPO step x2 (theta, theta-hat)", 1e3 * t["plain"], "ms"),
            row(f"minibatch {s}: fused / plain", ratio, "x", "<= 1.3", ratio <= 1.3),
            row(f"minibatch {s}: fused meta_step throughput", s / t["fused"], "trans/s"),
        ]
    if m.reference is not None:
        ref = m.reference
        ref_tps, update_tps = ref["transitions"] / ref["seconds"], m.update_tps
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
    return rows


def memory_rows(m: Measured) -> list[dict]:
    upd, rows = m.update, []
    if m.trainer.device.type == "cuda":
        rows += [row("update peak GPU memory allocated", upd["cuda_peak"] * MIB, "MiB"),
                 row("GPU memory allocated before the update", upd["cuda_before"] * MIB, "MiB")]
    return rows + [
        row("update peak RSS increase (sampled, over its start)", (upd["rss_peak"] - upd["rss_start"]) * MIB, "MiB"),
        row("process peak RSS (ru_maxrss) before -> after update",
            f"{upd['maxrss_before'] * MIB:,.0f} -> {upd['maxrss_after'] * MIB:,.0f}", "MiB")]


def print_report(args: argparse.Namespace, m: Measured, rows: list[dict]) -> None:
    cfg, device = m.trainer.config, m.trainer.device
    steps, transitions = m.steps, m.transitions
    print(f"RMO train step: city {args.city}, {args.tasks} tasks x {args.workers} workers, preset practical "
          f"({cfg.optim.optimizer}, K = {cfg.ppo.epochs} epochs, actor minibatch {cfg.ppo.minibatch_size}, "
          f"critic minibatch {cfg.ppo.critic_minibatch_size}, sampling {cfg.ppo.sampling}, critic encoder "
          f"{cfg.model.critic_encoder}{', overrides ' + ' '.join(args.set) if args.set else ''})")
    print(f"device {device} [{device_name(device)}], torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"load average {' '.join(f'{x:.2f}' for x in m.load[0])} before / "
          f"{' '.join(f'{x:.2f}' for x in m.load[1])} after")
    busy = ", ".join(f"{k} {v:.2f}" for k, v in m.others.phases.items())
    print(f"CPU used by other processes during each phase (cores, mean): {busy}")
    if device.type == "cpu" and any(v > 0.25 for v in m.others.phases.values()):
        print("WARNING: another job shared the CPU during a timed phase; its figures are not from a quiet machine")
    print(f"rollout: {len(m.episodes)} episode(s), {steps} env steps, {transitions} agent-transitions "
          f"({transitions / max(steps, 1):.1f} live agents/step); revenue "
          f"{np.mean([e.metrics['revenue'] for e in m.episodes]):.1f}")
    print_rows(rows)
    if device.type != "cpu":
        print("(the absolute targets are the 2-core CPU ones; on CUDA only the ratios are checked)")


def device_name(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({os.cpu_count()} cores)"


def run_context(args: argparse.Namespace, m: Measured) -> dict:
    """The columns in front of every CSV row: machine, point, update size, load."""
    cfg, device = m.trainer.config, m.trainer.device
    return {"device": str(device), "device_name": device_name(device), "torch": torch.__version__,
            "threads": torch.get_num_threads(), "city": args.city, "tasks": args.tasks, "workers": args.workers,
            "episodes": len(m.episodes), "transitions": m.transitions,
            "epochs": cfg.ppo.epochs, "minibatch": cfg.ppo.minibatch_size, "load_1min": m.load[0][0],
            **{f"other_cpu_{k}": round(v, 3) for k, v in m.others.phases.items()}}


def print_backend_table(args: argparse.Namespace, rows: list[dict]) -> None:
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


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.backends:
        rows = backend_rows(args)
        print_backend_table(args, rows)
    else:
        m = measure(args)
        rows = update_rows(m) + comparison_rows(m) + memory_rows(m)
        print_report(args, m, rows)
        context = run_context(args, m)
        rows = [{**context, **r} for r in rows]
    if args.csv:
        write_csv(args.csv, rows)
        print(f"wrote {args.csv}")


if __name__ == "__main__":
    main()
