"""Console scripts ``rmo-train`` and ``rmo-eval``.

    rmo-train --preset practical --city small --tasks 20 --workers 40 --episodes 200 --out runs/demo
    rmo-train --resume runs/demo/last.pt --episodes 400
    rmo-train --scenario my_case.npz --episodes 300 --out runs/case      # also --graph city.graphml
    rmo-train --episodes 0 --out runs/untrained                         # the untrained control
    rmo-train --suite-task small-quick --episodes 300 --out runs/sq     # a task of dasc_env.benchmarks
    rmo-eval runs/demo/best.pt --city small --tasks 20 --workers 40 --seeds 5
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import fields
from pathlib import Path

from .checkpoint import load_checkpoint
from .config import VARIANTS, RMOConfig
from .presets import PRESETS, preset
from .trainer import Trainer

# Flags that set one config field each: flag -> (section.field, type, help)
SHORTCUTS = {
    "city": ("env.city", str, "synthetic city preset: small, chengdu, haikou"),
    "tasks": ("env.num_tasks", int, "|Q|: tasks per episode"),
    "workers": ("env.num_workers", int, "|W|: workers"),
    "scenario": ("env.scenario", str, "a scenario .npz replayed every episode, or a folder of them cycled by seed "
                 "(|Q| and |W| then come from the files)"),
    "graph": ("env.graph", str, "a road graph file (.graphml or the .npz of dasc_env.city.save_graph) instead of "
              "--city"),
    "num_envs": ("env.num_envs", int, "env copies stepped together per update"),
    "backend": ("env.backend", str, "where the env copies run: sync, subprocess or ray"),
    "ray_address": ("env.ray_address", str, "Ray cluster for --backend ray (default: a local Ray instance)"),
    "variant": ("meta.variant", str, f"what to train: {', '.join(VARIANTS)}"),
    "episodes": ("run.episodes", int, "env episodes to train on in all"),
    "seed": ("run.seed", int, "seed of everything"),
    "device": ("run.device", str, "auto, cpu or cuda"),
    "eval_every": ("run.eval_every", int, "evaluate (and keep best.pt) every N updates; 0: never"),
    "eval_seeds": ("run.eval_seeds", int, "held-out episodes per evaluation"),
    "threads": ("run.threads", int, "torch CPU threads (0: default)"),
    "out": ("run.out", str, "run folder: last.pt, best.pt, config.json, metrics.csv, tb/"),
}


def train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rmo-train", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train RMO (meta-gradient MAPPO + learned KM utility) on dasc-env.",
        epilog="Every RMOConfig field can be set with --set section.field=value (JSON values), e.g.\n"
               "  --set ppo.epochs=2 --set credit.scheme=task --set optim.optimizer=adam\n"
               f"Sections: {', '.join(f.name for f in fields(RMOConfig))} (see rmo_agents/config.py for every "
               "field).")
    parser.add_argument("--preset", choices=list(PRESETS), default="practical",
                        help="starting configuration: " + "; ".join(f"'{name}': {p.summary}"
                                                                    for name, p in PRESETS.items()))
    parser.add_argument("--config", type=Path, help="a JSON or TOML config file (replaces --preset)")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                        help="set any config field (repeatable)")
    parser.add_argument("--resume", type=Path, metavar="CHECKPOINT",
                        help="continue a run from its last.pt (only --episodes, --out, --device, --threads and "
                             "--no-progress may change)")
    parser.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--suite-task", metavar="NAME",
                        help="train on a task of dasc_env.benchmarks (sets env.city, env.num_tasks, env.num_workers "
                             "and env.dasc; evaluations use the last seeds of its training range, never its test "
                             "seeds)")
    parser.add_argument("--suite", default=None, help="suite version of --suite-task (default: the newest)")
    for flag, (field, kind, text) in SHORTCUTS.items():
        parser.add_argument(f"--{flag.replace('_', '-')}", dest=flag, type=kind, help=f"{text} ({field})")
    return parser


def train_main(argv: list[str] | None = None) -> int:
    args = train_parser().parse_args(argv)
    try:
        if args.resume is not None:
            changes = {k: getattr(args, k) for k in ("out", "device", "threads") if getattr(args, k) is not None}
            if args.no_progress:
                changes["progress"] = False
            fixed = [f for f in SHORTCUTS if getattr(args, f) is not None and f not in changes and f != "episodes"]
            fixed += [f"--{f.replace('_', '-')}" for f in ("suite_task", "suite") if getattr(args, f) is not None]
            if fixed or args.assignments or args.config:
                raise ValueError(f"--resume continues the saved config; it cannot change {fixed or 'the config'}")
            trainer = Trainer.resume(args.resume, episodes=args.episodes, **changes)
        else:
            config = RMOConfig.from_file(args.config) if args.config else preset(args.preset)
            task = suite_task(args)
            if task is not None:
                config = config.on_env(task.config)
            for flag, (field, _, _) in SHORTCUTS.items():
                if getattr(args, flag) is not None:
                    config = config.replace_path(field, getattr(args, flag))
            config = config.with_overrides(args.assignments)
            if task is not None:
                explicit = any(a.split("=")[0].strip() == "run.eval_seed_base" for a in args.assignments)
                config = validation_seeds(config, task, explicit)
            if args.no_progress:
                config = config.replace_path("run.progress", False)
            if args.print_config:
                print(json.dumps(config.to_dict()))
                return 0
            trainer = Trainer(config)
    except (ValueError, TypeError) as err:
        print(f"rmo-train: {err}", file=sys.stderr)
        return 2
    last = trainer.run()
    out = trainer.out
    print(f"rmo-train: {trainer.episodes_done} episodes, {trainer.learner.updates} updates; "
          f"last revenue {last.get('revenue', float('nan')):.1f}, eta = ({last.get('alpha', 0):.3f}, "
          f"{last.get('beta', 0):.3f}); wrote {out / 'last.pt'}, {out / 'best.pt'}, {out / 'metrics.csv'}, "
          f"{out / 'tb'}")
    return 0


TASK_FIELDS = ("city", "tasks", "workers", "scenario", "graph")
"""Shortcuts that ``--suite-task`` sets itself."""
TASK_ENV_FIELDS = tuple(f"env.{name}" for name in ("city", "num_tasks", "num_workers", "dasc", "scenario", "graph"))
"""The same, as ``--set`` paths."""


def suite_task(args: argparse.Namespace):
    """The ``dasc_env.benchmarks`` task of ``--suite-task`` (None without it), after checking that no other flag
    sets what the task sets."""
    import dasc_env

    if args.suite_task is None:
        if args.suite is not None:
            raise ValueError("--suite needs --suite-task")
        return None
    clash = [f"--{f}" for f in TASK_FIELDS if getattr(args, f) is not None]
    clash += [a.split("=")[0].strip() for a in args.assignments if a.split("=")[0].strip() in TASK_ENV_FIELDS]
    if clash:
        raise ValueError(f"--suite-task sets the env itself; drop {', '.join(clash)}")
    return dasc_env.benchmarks.get(args.suite_task, args.suite or dasc_env.benchmarks.LATEST)


def validation_seeds(config: RMOConfig, task, explicit: bool) -> RMOConfig:
    """``config`` evaluating on ``run.eval_seeds`` seeds of ``task``'s training range (its last ones, unless
    ``run.eval_seed_base`` was set): validation episodes, never the test seeds the task is scored on."""
    run = config.run
    base = run.eval_seed_base if explicit else task.train_seeds.stop - run.eval_seeds
    if set(range(base, base + run.eval_seeds)) & set(task.test_seeds):
        raise ValueError(f"run.eval_seed_base={base} with run.eval_seeds={run.eval_seeds} would evaluate on test "
                         f"seeds of {task.name!r} ({task.test_seeds[0]}..{task.test_seeds[-1]})")
    return config.replace_path("run.eval_seed_base", base)


def eval_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rmo-eval", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Score a trained checkpoint (as RMO and REC) next to dasc-env's baselines on the same "
                    "scenarios and ledger; writes results.csv, summary.csv and plots like dasc-eval.")
    parser.add_argument("checkpoint", type=Path, help="a checkpoint written by rmo-train (best.pt or last.pt)")
    parser.add_argument("--city", default=None, help="comma-separated presets (default: the training city)")
    parser.add_argument("--tasks", default=None, help="comma-separated task counts (default: the training value)")
    parser.add_argument("--workers", default=None, help="comma-separated worker counts (default: the training value)")
    parser.add_argument("--seeds", type=int, default=5, help="episodes per point, seeds 0..N-1")
    parser.add_argument("--scenario", default=None,
                        help="a scenario .npz or a folder of them, one run each (default: the training scenarios)")
    parser.add_argument("--graph", default=None, help="a road graph file (default: the training graph, if any)")
    parser.add_argument("--methods", default="rmo,rec,greedy,km,ready-km,random",
                        help="methods to score; rmo and rec use the checkpoint")
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <checkpoint dir>/eval)")
    parser.add_argument("--no-plots", action="store_true", help="write the CSVs and the table only")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def eval_main(argv: list[str] | None = None) -> int:
    from dasc_env.baselines import available_methods
    from dasc_env.city import read_graph_file
    from dasc_env.evaluation import EvalPoint, run_grid
    from dasc_env.evaluation.cli import report
    from dasc_env.scenario import load_scenarios

    args = eval_parser().parse_args(argv)
    try:
        config = load_checkpoint(args.checkpoint)["config"]
        env = config.env
        methods = _items(args.methods, str, None)
        unknown = [m for m in methods if m not in available_methods()]
        if unknown:
            raise ValueError(f"unknown method(s) {unknown}; available: {', '.join(available_methods())}")
        if args.seeds < 1 or args.jobs < 1:
            raise ValueError(f"--seeds={args.seeds} and --jobs={args.jobs} must be >= 1")
        graph_file, scenario_file = args.graph or env.graph, args.scenario or env.scenario
        graph = read_graph_file(graph_file) if graph_file else None
        scenarios = load_scenarios(scenario_file) if scenario_file else None
        cities = [graph.name] if graph is not None else _items(args.city, str, env.city)
        if scenarios is not None:
            points = [EvalPoint(m, cities[0], s.num_tasks, s.num_workers, i) for i, s in enumerate(scenarios)
                      for m in methods]
        else:
            tasks = _items(args.tasks, int, env.num_tasks)
            workers = _items(args.workers, int, env.num_workers)
            points = [EvalPoint(m, c, t, w, s) for c in cities for t in tasks for w in workers
                      for s in range(args.seeds) for m in methods]
    except (ValueError, TypeError) as err:
        print(f"rmo-eval: {err}", file=sys.stderr)
        return 2
    options = {m: {"checkpoint": str(args.checkpoint)} for m in ("rmo", "rec")}
    start = time.perf_counter()
    rows = run_grid(points, config=env.dasc_config(), jobs=args.jobs, progress=not args.quiet,
                    method_options=options, scenarios=scenarios, graph=graph)
    report(rows, args.out or args.checkpoint.parent / "eval", time.perf_counter() - start, plots=not args.no_plots)
    return 0


def _items(text: str | None, kind, default) -> list:
    if text is None:
        return [default]
    try:
        values = [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"expected a comma-separated list of {kind.__name__}, got {text!r}") from None
    if not values:
        raise ValueError(f"empty list {text!r}")
    return values
