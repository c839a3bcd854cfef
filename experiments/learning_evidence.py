"""Does training beat the baselines? Learned vs untrained vs every non-learning method vs the bound, on suite tasks.

    python -m experiments.learning_evidence --tasks small-quick --seeds 5 --episodes 400 --jobs 2 --out results/evidence
    python -m experiments.learning_evidence --tasks small-quick --seeds 5 --out results/evidence --reuse   # score only
    python -m experiments.learning_evidence --tasks small-quick --set meta.variant=sparse   # another reading

For each task (``dasc_env.benchmarks``) and training seed 0..S-1, the ``practical`` preset (or ``--preset``, with
``--set`` overrides) is trained on the task's config (``RMOConfig.on_env``) for ``--episodes`` episodes, on the
trainer's own episode seeds (checked to avoid the test seeds). Its actor is saved before (``first.pt``) and
after (``last.pt``) training. No checkpoint is chosen on the test seeds: the learned policy is the last one.
Every ``--eval-every`` updates the held-out revenue (sampled) is recorded: the learning curve.

Then, on the task's test seeds (the same scenarios for every method): every non-learning method
(``REFERENCE_METHODS``, as ``dasc-eval --suite``, and TUNED-KM where the task has a shipped tuning) with the
relaxed bound, and for every training seed the untrained actor (sampled) and the trained one, sampled (as
``RMOPolicy`` acts) and arg-max. Per training seed s, the
paired ratio is mean revenue of s / mean revenue of the best non-learning method, the gap closed is
(s - best) / (bound - best), and "- untrained" is (s - the same seed's untrained actor) / best: mean and 95 %
Student-t interval over the seeds. ``--reuse`` scores the runs
already in ``--out`` (those with a ``last.pt``) instead of training them again.

The ablation (issue 34), on by default where the configuration learns policy-level parameters by paired search
(``search.eta`` or ``model.decision_bias``, as preset ``revenue``): every training seed is also trained with the
actor frozen (``scalars-only``: only the searched scalars learn) and with the searches off (``network-only``: only
the networks, and eta's meta-gradient, learn), on the same episodes, and both are scored (sampled) beside
``learned``. ``--no-ablation`` trains the configuration alone.

Writes ``curves.csv``, ``episodes.csv`` (every method and test seed), ``summary.csv``, ``ratios.png`` (per-seed
paired ratios to the best baseline; the bound's ratio dashed) and ``curves.png`` under ``--out``, and prints the
table.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

import numpy as np

import dasc_env
from benchmarks.report import fmt, write_csv
from dasc_env.evaluation import run_suite
from dasc_env.evaluation.regret import interval95
from experiments.paper.common import pyplot, run_jobs

ACTORS = (("untrained", "first.pt", True), ("learned", "last.pt", True), ("learned-argmax", "last.pt", False))
"""(label, checkpoint, sampled) of the learned methods scored per training seed."""

ABLATION = {"scalars-only": ("optim.lr_theta=1e-12", "optim.lr_theta_hat=1e-12"),
            "network-only": ("search.eta=false", "model.decision_bias=false")}
"""Ablation variant -> the overrides that make it, applied after ``--set``; each is scored (sampled) under its name."""

LEARNED = (*(label for label, _, _ in ACTORS), *ABLATION)
"""Every label a training seed's actor is scored under, in the tables' order."""


def ablation(preset_name: str, overrides: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The ablation variants that differ from the configuration itself: all of ``ABLATION`` when it searches
    policy-level parameters from E(M) (``search.eta`` or ``model.decision_bias``), else none."""
    from rmo_agents import preset

    config = preset(preset_name).with_overrides(list(overrides))
    return dict(ABLATION) if config.search.eta or config.model.decision_bias else {}


def train(task_name: str, suite: str, seed: int, episodes: int, eval_every: int, out: str, preset_name: str,
          overrides: tuple[str, ...], test_seeds: int | None = None, variant: str = "learned") -> list[dict]:
    """Train one run on a suite task; the rows of its learning curve (held-out revenue, sampled), labelled with
    ``variant`` (``learned``, or the name of the ablation variant that ``overrides`` make)."""
    from rmo_agents import Trainer, preset
    from rmo_agents.trainer import episode_seed

    task = dasc_env.benchmarks.get(task_name, suite)
    held_out = list(task.test_seeds[:test_seeds])
    config = preset(preset_name).with_overrides([
        f"run.seed={seed}", f"run.episodes={episodes}", "run.eval_every=0", "run.progress=false", "run.threads=1",
        f"run.out={out}", *overrides])
    config = config.on_env(task.config)
    rows, train_s = [], 0.0
    with Trainer(config) as trainer:
        trainer.save(Path(out) / "first.pt")

        def record() -> None:
            rows.append({"task": task_name, "variant": variant, "seed": seed, "episodes": trainer.episodes_done,
                         "updates": trainer.learner.updates, "train_s": round(train_s, 1),
                         "held_out_revenue": trainer.evaluate(held_out)})
            print(f"{task_name} {variant} seed {seed}: {trainer.episodes_done:5d} episodes, {train_s:7.0f} s training, "
                  f"held-out revenue {fmt(rows[-1]['held_out_revenue'])}", flush=True)

        record()
        while trainer.episodes_done < episodes:
            start = time.perf_counter()
            trainer.train_iteration()
            train_s += time.perf_counter() - start
            if eval_every and trainer.learner.updates % eval_every == 0:
                record()
        if rows[-1]["episodes"] != trainer.episodes_done:
            record()
        trainer.save(Path(out) / "last.pt")
        used = {episode_seed(seed, k) for k in range(trainer.episodes_done)}
    if used & set(task.test_seeds):
        raise RuntimeError(f"run {out}: a training episode used a test seed of {task_name}")
    return rows


def reference_methods(task) -> list[str]:
    """``REFERENCE_METHODS``, and TUNED-KM where the task has a shipped tuning (``dasc_env.benchmarks.TUNED_KM``)."""
    tuned = ["tuned-km"] if task.name in dasc_env.benchmarks.TUNED_KM else []
    return [*dasc_env.benchmarks.REFERENCE_METHODS, *tuned]


def score(task, runs: dict[int, Path], test_seeds: int | None = None,
          variants: dict[str, dict[int, Path]] | None = None) -> list[dict]:
    """Rows (method, train_seed, seed, revenue, bound) of every non-learning method and every run's actors on the test
    seeds of ``task`` (the first ``test_seeds``), and of each ablation variant's trained actor (sampled) under the
    variant's name; the non-learning methods' rows carry the relaxed bound."""
    rows = run_suite([task], reference_methods(task), seeds=test_seeds, bound="relaxed", progress=False)
    bounds = {r["seed"]: r["bound"] for r in rows}
    out = [{"task": task.name, "method": r["method"], "train_seed": -1, "seed": r["seed"], "revenue": r["revenue"],
            "bound": r["bound"]} for r in rows]
    actors = [(label, folder / name, sample, s) for s, folder in runs.items() for label, name, sample in ACTORS]
    actors += [(label, folder / "last.pt", True, s) for label, folders in (variants or {}).items()
               for s, folder in folders.items()]
    for label, checkpoint, sample, train_seed in actors:
        got = run_suite([task], ["rmo"], seeds=test_seeds, bound=None, progress=False,
                        method_options={"rmo": {"checkpoint": str(checkpoint), "sample": sample}})
        out += [{"task": task.name, "method": label, "train_seed": train_seed, "seed": r["seed"],
                 "revenue": r["revenue"], "bound": bounds[r["seed"]]} for r in got]
    return out


def per_seed(rows: list[dict], label: str) -> np.ndarray:
    """Mean test revenue of method ``label`` per training seed, in seed order."""
    seeds = sorted({r["train_seed"] for r in rows if r["method"] == label})
    return np.array([np.mean([r["revenue"] for r in rows if r["method"] == label and r["train_seed"] == s])
                     for s in seeds])


def summarize(rows: list[dict]) -> list[dict]:
    """Per task and method: mean revenue, and for the learned methods the paired ratio to the best non-learning method
    and the share of its gap to the bound closed, per training seed, with 95 % intervals over the seeds."""
    out = []
    for task in dict.fromkeys(r["task"] for r in rows):
        mine = [r for r in rows if r["task"] == task]
        baselines = {m: float(np.mean([r["revenue"] for r in mine if r["method"] == m]))
                 for m in dict.fromkeys(r["method"] for r in mine if r["train_seed"] < 0)}
        best_name = max(baselines, key=baselines.get)
        best = baselines[best_name]
        bound = float(np.mean([r["bound"] for r in mine if r["method"] == best_name]))
        for name, value in baselines.items():
            gap = (value - best) / (bound - best)
            out.append({"task": task, "method": name, "seeds": 1, "revenue": value, "ratio": value / best,
                        "ratio_lo": value / best, "ratio_hi": value / best, "gap_closed": gap, "gap_lo": gap,
                        "gap_hi": gap, "best": best_name, "best_revenue": best, "bound": bound, "per_seed": "",
                        "vs_untrained": math.nan, "vs_untrained_lo": math.nan, "vs_untrained_hi": math.nan})
        untrained = per_seed(mine, "untrained")
        for label in LEARNED:
            revenue = per_seed(mine, label)
            if not revenue.size:
                continue
            ratio, lo, hi = interval95(revenue / best)
            gap, gap_lo, gap_hi = interval95((revenue - best) / (bound - best))
            gain, gain_lo, gain_hi = interval95((revenue - untrained) / best)
            out.append({"task": task, "method": label, "seeds": len(revenue), "revenue": float(revenue.mean()),
                        "ratio": ratio, "ratio_lo": lo, "ratio_hi": hi, "gap_closed": gap, "gap_lo": gap_lo,
                        "gap_hi": gap_hi, "best": best_name, "best_revenue": best, "bound": bound,
                        "per_seed": " ".join(f"{x:.3f}" for x in revenue / best), "vs_untrained": gain,
                        "vs_untrained_lo": gain_lo, "vs_untrained_hi": gain_hi})
    return out


def plot_ratios(rows: list[dict], summary: list[dict], path: Path) -> None:
    """Per task: every training seed's paired ratio to the best non-learning method (dots), their mean and 95 %
    interval, the non-learning methods (grey lines) and the bound (dashed)."""
    plt = pyplot()
    tasks = list(dict.fromkeys(s["task"] for s in summary))
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.5 * len(tasks), 4), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        mine = {s["method"]: s for s in summary if s["task"] == task}
        best = next(iter(mine.values()))
        labels = [label for label in LEARNED if label in mine]
        for x, label in enumerate(labels):
            ratios = [float(v) for v in mine[label]["per_seed"].split()]
            ax.scatter(np.full(len(ratios), x) + np.linspace(-0.12, 0.12, len(ratios)), ratios, s=18, zorder=3)
            s = mine[label]
            ax.errorbar(x + 0.25, s["ratio"], yerr=[[s["ratio"] - s["ratio_lo"]], [s["ratio_hi"] - s["ratio"]]],
                        fmt="o", color="black", capsize=3)
        for name, s in mine.items():
            if s["seeds"] == 1:
                ax.axhline(s["ratio"], color="grey", linewidth=0.8, linestyle="-" if name == s["best"] else ":")
                ax.annotate(name, (len(labels) - 0.45, s["ratio"]), fontsize=7, color="grey", va="center")
        ax.axhline(best["bound"] / best["best_revenue"], color="red", linestyle="--", linewidth=0.9)
        ax.annotate("bound", (len(labels) - 0.45, best["bound"] / best["best_revenue"]), fontsize=7, color="red")
        ax.set_xticks(range(len(labels)), labels, fontsize=7)
        ax.set_xlim(-0.5, len(labels) + 0.2)
        ax.set_title(f"{task} (best: {best['best']})", fontsize=9)
    axes[0][0].set_ylabel("revenue / best non-learning method (same test seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def read_curves(path: Path) -> list[dict]:
    """The rows of an earlier ``curves.csv`` (none if there is no such file), typed as ``train`` writes them."""
    if not path.exists():
        return []
    with path.open() as f:
        return [{"task": r["task"], "variant": r.get("variant", "learned"), "seed": int(r["seed"]),
                 "episodes": int(r["episodes"]),
                 "updates": int(r["updates"]), "train_s": float(r["train_s"]),
                 "held_out_revenue": float(r["held_out_revenue"])} for r in csv.DictReader(f)]


def plot_curves(curves: list[dict], summary: list[dict], path: Path) -> None:
    """Held-out revenue (sampled) against training episodes, one line per run (the ablation's dotted), the best
    non-learning method dashed."""
    plt = pyplot()
    tasks = list(dict.fromkeys(c["task"] for c in curves))
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.5 * len(tasks), 3.5), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for variant, seed in dict.fromkeys((c["variant"], c["seed"]) for c in curves if c["task"] == task):
            mine = [c for c in curves if (c["task"], c["variant"], c["seed"]) == (task, variant, seed)]
            ax.plot([c["episodes"] for c in mine], [c["held_out_revenue"] for c in mine], linewidth=1,
                    linestyle="-" if variant == "learned" else ":", label=f"{variant} seed {seed}")
        best = next(s for s in summary if s["task"] == task)
        ax.axhline(best["best_revenue"], color="grey", linestyle="--", label=best["best"])
        ax.set_title(task, fontsize=9)
        ax.set_xlabel("training episodes")
    axes[0][0].set_ylabel("held-out revenue (sampled)")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def print_table(summary: list[dict]) -> None:
    print(f"{'task':<22} {'method':<15} {'seeds':>5} {'revenue':>8} {'/ best':>7} {'95% CI':>15} "
          f"{'gap closed':>10} {'95% CI':>17} {'- untrained':>11} {'95% CI':>17}")
    for s in summary:
        ci = f"[{s['ratio_lo']:.3f}, {s['ratio_hi']:.3f}]" if s["seeds"] > 1 else "-"
        gap_ci = f"[{s['gap_lo']:+.2f}, {s['gap_hi']:+.2f}]" if s["seeds"] > 1 else "-"
        gain = f"{s['vs_untrained']:+.3f}" if s["per_seed"] else "-"
        gain_ci = f"[{s['vs_untrained_lo']:+.3f}, {s['vs_untrained_hi']:+.3f}]" if s["seeds"] > 1 else "-"
        print(f"{s['task']:<22} {s['method']:<15} {s['seeds']:>5} {fmt(s['revenue']):>8} {s['ratio']:>7.3f} "
              f"{ci:>15} {s['gap_closed']:>+10.2f} {gap_ci:>17} {gain:>11} {gain_ci:>17}")
    for task in dict.fromkeys(s["task"] for s in summary):
        first = next(s for s in summary if s["task"] == task)
        print(f"{task}: best non-learning method {first['best']} {fmt(first['best_revenue'])}, relaxed bound "
              f"{fmt(first['bound'])} ({first['bound'] / first['best_revenue']:.2f} x best)")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="small-quick", help="comma-separated tasks of dasc_env.benchmarks")
    parser.add_argument("--suite", default=dasc_env.benchmarks.LATEST, help="suite version")
    parser.add_argument("--seeds", type=int, default=5, help="training seeds 0..S-1 per task")
    parser.add_argument("--episodes", type=int, default=400, help="training episodes per run")
    parser.add_argument("--eval-every", type=int, default=20, help="updates between learning-curve points (0: none)")
    parser.add_argument("--preset", default="practical")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                        help="config overrides, as rmo-train --set")
    parser.add_argument("--test-seeds", type=int, default=None, help="only the first N test seeds of each task")
    parser.add_argument("--jobs", type=int, default=1, help="training runs in parallel processes")
    parser.add_argument("--reuse", action="store_true", help="score the runs in --out that have a last.pt")
    parser.add_argument("--ablation", action=argparse.BooleanOptionalAction, default=True,
                        help="also train scalars-only and network-only where the configuration searches (default on)")
    parser.add_argument("--out", type=Path, default=Path("results/evidence"))
    args = parser.parse_args(argv)
    tasks = [dasc_env.benchmarks.get(name, args.suite) for name in args.tasks.split(",")]
    if args.seeds < 1 or args.episodes < 1:
        raise SystemExit(f"--seeds {args.seeds} and --episodes {args.episodes} must be >= 1")
    start = time.perf_counter()
    variants = {"learned": (), **(ablation(args.preset, tuple(args.set)) if args.ablation else {})}
    folders = {(t.name, v, s): args.out / t.name / (f"seed-{s}" if v == "learned" else f"{v}/seed-{s}")
               for t in tasks for v in variants for s in range(args.seeds)}
    jobs = [(t, args.suite, s, args.episodes, args.eval_every, str(f), args.preset, (*args.set, *variants[v]),
             args.test_seeds, v) for (t, v, s), f in folders.items() if not (args.reuse and (f / "last.pt").exists())]
    curves = [row for run in run_jobs(train, jobs, args.jobs) for row in run]
    trained = {(r["task"], r["variant"], r["seed"]) for r in curves}
    kept = [r for r in read_curves(args.out / "curves.csv") if (r["task"], r["variant"], r["seed"]) not in trained]
    curves = kept + curves  # --reuse keeps the curves of the runs it did not train again
    if curves:
        write_csv(args.out / "curves.csv", curves)
    seeds = range(args.seeds)
    rows = [r for t in tasks for r in score(t, {s: folders[t.name, "learned", s] for s in seeds}, args.test_seeds,
                                            {v: {s: folders[t.name, v, s] for s in seeds} for v in variants
                                             if v != "learned"})]
    summary = summarize(rows)
    write_csv(args.out / "episodes.csv", rows)
    write_csv(args.out / "summary.csv", summary)
    plot_ratios(rows, summary, args.out / "ratios.png")
    if curves:
        plot_curves(curves, summary, args.out / "curves.png")
    print_table(summary)
    print(f"wrote {args.out} in {time.perf_counter() - start:.0f} s")
    return summary


if __name__ == "__main__":
    main()
