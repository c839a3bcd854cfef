"""Wall time until the learned policy beats the best non-learning method on a benchmark task's held-out seeds.

    python -m experiments.time_to_beat --task small-quick --minutes 10
    python -m experiments.time_to_beat --task small-scarce-skilled --minutes 30 --seed 1 --csv results/ttb.csv
    python -m experiments.time_to_beat --task small-quick --set credit.scheme=shared   # another reading

The bar: the best of ``dasc_env.benchmarks.REFERENCE_METHODS`` by mean revenue over the task's test seeds. The
learner: ``preset("practical")`` (or ``--preset``) on the task's config (``RMOConfig.on_env``), trained
from ``--seed``; every ``--eval-every`` updates its actor is scored on the same test seeds (actions sampled, as
``RMOPolicy`` acts; ``Trainer.evaluate``). The untrained actor is scored first, as the control. Training
episodes are the trainer's own seeds (none of them a test seed: checked). Prints one row per evaluation and
"beaten after S s" or "not beaten within N minutes"; wall time counts training and evaluation alike.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import dasc_env
from benchmarks.report import fmt, write_csv
from dasc_env.evaluation import run_suite, summarize
from rmo_agents import Trainer, preset
from rmo_agents.trainer import episode_seed


def best_baseline(task) -> tuple[str, float]:
    """(name, mean test-seed revenue) of the best non-learning method (scored as ``dasc-eval --suite`` does)."""
    rows = run_suite([task], list(dasc_env.benchmarks.REFERENCE_METHODS), bound=None, progress=False)
    best = max(summarize(rows), key=lambda s: s["revenue_mean"])
    return best["method"], best["revenue_mean"]


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="small-quick", help="a task of dasc_env.benchmarks")
    parser.add_argument("--suite", default=dasc_env.benchmarks.LATEST, help="suite version")
    parser.add_argument("--minutes", type=float, default=10.0, help="wall-time budget")
    parser.add_argument("--seed", type=int, default=0, help="the trainer's run.seed")
    parser.add_argument("--preset", default="practical")
    parser.add_argument("--eval-every", type=int, default=5, help="updates between evaluations")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                        help="config overrides, as rmo-train --set")
    parser.add_argument("--csv", type=Path, default=None)
    args = parser.parse_args(argv)
    task = dasc_env.benchmarks.get(args.task, args.suite)
    bar_name, bar = best_baseline(task)
    out = tempfile.mkdtemp(prefix="time_to_beat_")
    base = preset(args.preset)
    config = base.with_overrides([f"run.seed={args.seed}", "run.eval_every=0", "run.progress=false",
                                  f"run.out={out}", "run.episodes=1000000000", *args.set])
    config = config.on_env(task.config)
    trainer = Trainer(config)
    rows, start, beaten = [], time.perf_counter(), None
    with trainer:
        while True:
            revenue = trainer.evaluate(list(task.test_seeds))
            elapsed = time.perf_counter() - start
            rows.append({"task": task.name, "seed": args.seed, "wall_s": round(elapsed, 1),
                         "episodes": trainer.episodes_done, "updates": trainer.learner.updates,
                         "held_out_revenue": revenue, "bar": bar, "bar_method": bar_name, "ratio": revenue / bar})
            print(f"{elapsed:8.1f} s  {trainer.episodes_done:6d} episodes  held-out {fmt(revenue):>8}  "
                  f"best baseline {bar_name} {fmt(bar)}  ratio {revenue / bar:.3f}", flush=True)
            if trainer.episodes_done and revenue > bar:
                beaten = elapsed
                break
            if elapsed > 60 * args.minutes:
                break
            for _ in range(args.eval_every):
                trainer.train_iteration()
    seeds_used = {episode_seed(args.seed, k) for k in range(trainer.episodes_done)}
    assert not seeds_used & set(task.test_seeds), "a training episode used a test seed"
    print(f"beaten after {beaten:.0f} s" if beaten is not None else f"not beaten within {args.minutes:g} minutes")
    if args.csv:
        write_csv(args.csv, rows)
    return rows


if __name__ == "__main__":
    main()
