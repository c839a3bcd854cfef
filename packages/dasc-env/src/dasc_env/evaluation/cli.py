"""``dasc-eval``: run methods over the paper's grid and write a tidy CSV, Fig. 7-style plots and a table.

    dasc-eval --city chengdu --methods greedy,km,game,odta,ready-km \\
              --tasks 20,40,60,80,100 --workers 300 --seeds 5 --jobs 2
    dasc-eval --city chengdu,haikou --paper-grid --seeds 5     # both sweeps of Table 2
    dasc-eval --methods km,rmo --rmo-checkpoint runs/demo/best.pt  # options of a method: --<method>-<option> V
    dasc-eval --scenario my_case.npz --graph city.graphml --methods km,ready-km   # fixed scenario(s), own graph
    dasc-eval --city chengdu --tasks 60 --workers 300 --seeds 3 --bound relaxed    # each method's share of a bound
    dasc-eval --suite v1 --methods greedy,km,ready-km --jobs 2     # the benchmark suite's held-out test seeds

--scenario takes a scenario .npz (dasc_env.scenario.save_scenario) or a folder of them, scored in name
order, each as its own "seed" row (seed i = the i-th file; scenarios.csv in --out lists them); tasks and
workers come from each scenario. --graph takes a road graph: .graphml (osmnx, through the OSM importer) or
.npz (dasc_env.city.save_graph); the "city" column then holds the graph's name. Without --graph a scenario
runs on the one preset --city.

--bound adds each episode's upper bound on Eq. 2 and every method's share of it (revenue / bound) to
results.csv, summary.csv (mean and 95 % interval of the share), the table and the plots: "relaxed" is
dasc_env.bounds.relaxed_bound (provable, seconds at the paper's scale); "exact" the hindsight optimum of
CP-SAT (dasc_env.bounds.solve_exact, pip install 'dasc-env[bounds]'; small episodes only), or, when it stops
at --bound-time-limit, the smaller of its proven bound and the relaxed bound (kind "exact-limit"); "auto"
gives CP-SAT 10 s on episodes of at most 12 subtasks (if OR-Tools is installed) and keeps its result if it
proves the optimum, and takes the relaxed bound everywhere else. A method above its episode's bound is a bug,
reported with the episode, and dasc-eval stops (exit code 3).

--suite VERSION scores the methods on the held-out test seeds of every task of that benchmark suite
(dasc_env.benchmarks; --suite-tasks picks some, --seeds N the first N test seeds), with --bound auto unless
given; it takes no --city/--tasks/--workers/--paper-grid/--scenario/--graph and draws no plots.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from ..baselines import available_methods, make_method
from ..benchmarks import LATEST
from ..bounds import BOUNDS
from .inputs import EvalInputs, read_inputs
from .plots import plot_revenue
from .regret import BoundViolation
from .runner import EvalPoint, run_grid, summarize
from .suite import run_suite, suite_tasks

PAPER_TASKS = (20, 40, 60, 80, 100)
PAPER_WORKERS = (100, 200, 300, 400, 500)


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dasc-eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--city", default=None, help="comma-separated presets (default: chengdu)")
    parser.add_argument("--methods", default="greedy,km,game,odta,ready-km",
                        help="comma-separated registered methods")
    parser.add_argument("--tasks", type=_int_list, default=None, help="numbers of tasks, e.g. 20,40,60 (default 60)")
    parser.add_argument("--workers", type=_int_list, default=None,
                        help="numbers of workers, e.g. 100,300 (default 300)")
    parser.add_argument("--paper-grid", action="store_true",
                        help="Table 2: tasks 20..100 at 300 workers and workers 100..500 at 60 tasks")
    parser.add_argument("--seeds", type=int, default=None, help="runs per point, seeds 0..N-1 (default 5)")
    parser.add_argument("--scenario", type=Path, default=None,
                        help="a scenario .npz or a folder of them, instead of generated scenarios")
    parser.add_argument("--graph", type=Path, default=None,
                        help="a road graph file (.graphml or .npz) instead of a preset city")
    parser.add_argument("--bound", choices=BOUNDS, default=None,
                        help="add each episode's upper bound and every method's share of it (see above)")
    parser.add_argument("--bound-time-limit", type=float, default=60.0,
                        help="seconds CP-SAT may take per episode with --bound exact (default 60)")
    parser.add_argument("--suite", default=None, help=f"a benchmark suite version, e.g. {LATEST}")
    parser.add_argument("--suite-tasks", default=None, help="comma-separated task names of --suite")
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes")
    parser.add_argument("--out", type=Path, default=Path("results/eval"), help="output directory")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def method_options(extra: list[str], methods: list[str]) -> dict[str, dict[str, str]]:
    """``--<method>-<option> VALUE`` (or ``--<method>-<option>=VALUE``) pairs, grouped by method."""
    options: dict[str, dict[str, str]] = {}
    items = iter(extra)
    for item in items:
        flag, sep, value = item.partition("=")
        method = next((m for m in sorted(methods, key=len, reverse=True) if flag.startswith(f"--{m}-")), None)
        if method is None:
            raise ValueError(f"unrecognized argument {item!r} (method options are --<method>-<option> VALUE "
                             f"for a method in --methods)")
        if not sep:
            value = next(items, None)
            if value is None:
                raise ValueError(f"{flag} needs a value")
        options.setdefault(method, {})[flag[len(method) + 3:].replace("-", "_")] = value
    return options


def main(argv: list[str] | None = None) -> int:
    args, extra = build_parser().parse_known_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    unknown = [m for m in methods if m not in available_methods()]
    if unknown:
        print(f"dasc-eval: unknown method(s) {unknown}; available: {', '.join(available_methods())}",
              file=sys.stderr)
        return 2
    try:
        options = method_options(extra, methods)
        for method in options:  # a bad option or checkpoint fails here, before any episode
            make_method(method, **options[method])
    except ValueError as err:
        print(f"dasc-eval: {err}", file=sys.stderr)
        return 2
    try:
        if args.suite is not None:
            return _main_suite(args, methods, options)
        inputs = read_inputs(args)
    except ValueError as err:
        print(f"dasc-eval: {err}", file=sys.stderr)
        return 2
    points = grid_points(args, methods, inputs)
    if inputs.files:
        write_scenario_list(inputs.files, args.out)

    start = time.perf_counter()
    try:
        rows = run_grid(points, jobs=args.jobs, progress=not args.quiet, method_options=options,
                        scenarios=inputs.scenarios, graph=inputs.graph, bound=args.bound,
                        bound_time_limit=args.bound_time_limit)
    except BoundViolation as err:
        print(f"dasc-eval: {err}", file=sys.stderr)
        return 3
    report(rows, args.out, time.perf_counter() - start, plots=not args.no_plots)
    return 0


def _main_suite(args: argparse.Namespace, methods: list[str], options: dict[str, dict]) -> int:
    """``--suite``: every method on the chosen tasks' test seeds (a bad option raises ValueError first)."""
    given = [flag for flag, value in (("--city", args.city), ("--tasks", args.tasks), ("--workers", args.workers),
                                      ("--paper-grid", args.paper_grid), ("--scenario", args.scenario),
                                      ("--graph", args.graph)) if value]
    if given:
        raise ValueError(f"{', '.join(given)} cannot be used with --suite: each task fixes its config and seeds")
    if (args.seeds is not None and args.seeds < 1) or args.jobs < 1:
        raise ValueError("--seeds and --jobs must be >= 1")
    names = [n for n in args.suite_tasks.split(",") if n] if args.suite_tasks is not None else None
    tasks = suite_tasks(args.suite, names)
    start = time.perf_counter()
    try:
        rows = run_suite(tasks, methods, seeds=args.seeds, bound=args.bound or "auto",
                         bound_time_limit=args.bound_time_limit, jobs=args.jobs, progress=not args.quiet,
                         method_options=options)
    except BoundViolation as err:
        print(f"dasc-eval: {err}", file=sys.stderr)
        return 3
    report(rows, args.out, time.perf_counter() - start, plots=False)
    return 0


def grid_points(args: argparse.Namespace, methods: list[str], inputs: EvalInputs) -> list[EvalPoint]:
    """The (method, city, tasks, workers, seed) points: one per scenario file, or the grid of the options."""
    if inputs.scenarios is not None:
        return [EvalPoint(m, inputs.cities[0], sc.num_tasks, sc.num_workers, i)
                for i, sc in enumerate(inputs.scenarios) for m in methods]
    if args.paper_grid:
        sizes = sorted({(t, 300) for t in PAPER_TASKS} | {(60, w) for w in PAPER_WORKERS})
    else:
        sizes = [(t, w) for t in args.tasks or [60] for w in args.workers or [300]]
    seeds = args.seeds if args.seeds is not None else 5
    return [EvalPoint(m, c, t, w, s) for c in inputs.cities for t, w in sizes for s in range(seeds) for m in methods]


def write_scenario_list(files: list[Path], out: Path) -> None:
    """``scenarios.csv`` in ``out``: which file each seed row replayed."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "scenarios.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["seed", "scenario"])
        writer.writerows(enumerate(str(p) for p in files))


def report(rows: list[dict], out: Path, elapsed: float, plots: bool = True) -> list[dict]:
    """Write ``results.csv`` and ``summary.csv`` into ``out``, print the table, draw the plots; the summary."""
    summary = summarize(rows)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with (out / "summary.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    print(format_table(summary))
    print(f"{len(rows)} episodes in {elapsed:.1f} s; wrote {out / 'results.csv'}, {out / 'summary.csv'}")
    if plots:
        try:
            written = plot_revenue(summary, out)
        except ImportError:
            print("plots skipped: they need matplotlib (pip install 'dasc-env[render]'); --no-plots silences this")
            return summary
        for path in written:
            print(f"wrote {path}")
        if not written:
            print("no plot: plots need at least two values of --tasks or --workers; the CSVs hold every result")
    return summary


def format_table(summary: list[dict]) -> str:
    """The summary as text: one line per (task,) city, size and method, best first; with a bound, the bound and
    the share's mean and 95 % interval; with published best-known plans (``--suite``), the share of those too."""
    suite, bounded = "task" in summary[0], "bound_mean" in summary[0]
    known = "of_best_known_mean" in summary[0]
    lines = [("task".rjust(22) + " ") * suite + f"{'city':>8} {'tasks':>5} {'workers':>7} {'method':>10} "
             f"{'revenue':>20} {'completed':>10} {'on time':>8} {'wall s':>7}"
             + f" {'bound':>9} {'share [95 % interval]':>22}" * bounded
             + f" {'best-known':>10} {'of it [95 % interval]':>22}" * known]
    for s in sorted(summary, key=lambda s: (s.get("task", ""), s["city"], s["num_tasks"], s["num_workers"],
                                            -s["revenue_mean"])):
        line = (f"{s.get('task', ''):>22} " * suite + f"{s['city']:>8} {s['num_tasks']:>5} {s['num_workers']:>7} "
                f"{s['method']:>10} {s['revenue_mean']:>11.1f} +- {s['revenue_std']:>6.1f} "
                f"{s['completed_mean']:>10.1f} {s['on_time_share_mean']:>8.2f} {s['wall_s_mean']:>7.2f}")
        if bounded:
            line += f" {s['bound_mean']:>9.1f} {s['share_mean']:>6.3f} [{s['share_lo']:.3f}, {s['share_hi']:.3f}]"
        if known:
            line += (f" {s['best_known_mean']:>10.1f} {s['of_best_known_mean']:>6.3f} "
                     f"[{s['of_best_known_lo']:.3f}, {s['of_best_known_hi']:.3f}]")
        lines.append(line)
    seeds = sorted({s["seeds"] for s in summary})
    spread = "mean +- std over seeds" if max(seeds) > 1 else "one seed, so no spread (+- 0)"
    lines.append(f"revenue: E(M) of Eq. 2 in payment units, {spread}; completed: tasks completed (mean); "
                 "on time: share of all tasks completed by t_e; wall s: seconds per episode")
    if bounded:
        kinds = ", ".join(sorted({s["bound_kind"] for s in summary}))
        lines.append(f"bound: upper bound on Eq. 2 per episode ({kinds}), mean over seeds; share: revenue / bound "
                     "per episode, mean and 95 % Student-t interval over seeds")
    if known:
        lines.append("best-known: E(M) of the episode's published best-known hindsight plan (dasc_env.bounds."
                     "reference_data), mean over the seeds that have one; of it: revenue / best-known per episode")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
