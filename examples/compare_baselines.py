"""Compare the non-learning methods on identical scenarios, the way Fig. 7 of the paper does.

    python examples/compare_baselines.py                                  # 60 tasks x 300 workers, 1 seed
    python examples/compare_baselines.py --tasks 20,40,60 --seeds 3 --out results/compare

The same runs are available from the command line as ``dasc-eval``.
"""

import argparse
from pathlib import Path

from dasc_env.baselines import available_methods
from dasc_env.evaluation import EvalPoint, plot_revenue, run_grid, summarize
from dasc_env.evaluation.cli import format_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--city", default="chengdu")
    parser.add_argument("--methods", default=",".join(available_methods()))
    parser.add_argument("--tasks", default="60")
    parser.add_argument("--workers", default="300")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/compare"))
    args = parser.parse_args()

    points = [EvalPoint(method, args.city, int(t), int(w), seed)
              for t in args.tasks.split(",") for w in args.workers.split(",")
              for seed in range(args.seeds) for method in args.methods.split(",")]
    summary = summarize(run_grid(points, jobs=args.jobs))
    print(format_table(summary))
    for path in plot_revenue(summary, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
