"""The learning-sanity scenarios as a table: optimum, heuristics, untrained and trained actors, per seed.

    python -m experiments.learning_sanity                                  # the practical preset, seeds 0-2
    python -m experiments.learning_sanity --set credit.scheme=shared     # another reading, same seeds
    python -m experiments.learning_sanity --preset revenue                 # another preset
    python -m experiments.learning_sanity --seeds 5 --csv results/learning_sanity.csv

The scenarios and their proven optima are ``dasc_env.benchmarks.sanity``, the training setup
``experiments.sanity``: those of the tests in ``tests/rmo_agents/learning``. Each seed trains ``EPISODES``
episodes; "argmax" is the trained actor acting by arg-max (one episode: the scenario is fixed), "sampled" the
mean over 16 action seeds, "untrained" the same seed's untrained actor, sampled. Wall time is the training time
of all seeds of a scenario.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import dasc_env
from benchmarks.report import write_csv
from dasc_env.baselines import make_method
from dasc_env.benchmarks.sanity import OPTIMA, SCENARIOS, config_for
from dasc_env.evaluation import run_episode
from experiments.sanity import EPISODES, scores, training_config
from rmo_agents import Trainer
from rmo_agents.presets import PRESETS


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--episodes", type=int, default=EPISODES)
    parser.add_argument("--preset", default="practical", choices=PRESETS)
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE")
    parser.add_argument("--csv", type=Path, default=None)
    args = parser.parse_args(argv)
    rows, work = [], Path(tempfile.mkdtemp(prefix="learning_sanity_"))
    print(f"{'scenario':<22}{'optimum':>9}{'km':>9}{'untrained':>11}{'argmax':>28}{'sampled':>28}{'wall s':>8}")
    for name, build in SCENARIOS.items():
        scenario = build()
        path = work / f"{name}.npz"
        dasc_env.save_scenario(scenario, path)
        env = dasc_env.parallel_env(config_for(scenario), scenario=scenario)
        km = run_episode(env, make_method("km"), seed=0)["revenue"]
        start, per_seed = time.perf_counter(), []
        for seed in range(args.seeds):
            results = []
            for episodes in (0, args.episodes):
                out = work / f"{name}-{seed}-{episodes}"
                config = training_config(name, path, out, seed, episodes, args.preset).with_overrides(args.set)
                Trainer(config).run()
                results.append(scores(out / "last.pt", env))
            (_, before), (greedy, sampled) = results
            per_seed.append((before, greedy, sampled))
            rows.append({"scenario": name, "seed": seed, "optimum": OPTIMA[name], "km": km, "untrained": before,
                         "argmax": greedy, "sampled": sampled, "settings": " ".join([args.preset, *args.set])})
        before, greedy, sampled = np.array(per_seed).T
        print(f"{name:<22}{OPTIMA[name]:9.1f}{km:9.1f}{before.mean():11.1f}{' '.join(f'{g:.1f}' for g in greedy):>28}"
              f"{' '.join(f'{s:.1f}' for s in sampled):>28}{time.perf_counter() - start:8.0f}", flush=True)
    if args.csv:
        write_csv(args.csv, rows)
    return rows


if __name__ == "__main__":
    main()
