"""What the paper-experiment scripts share: scales, seeded training runs that record their progress, CSV, plots.

Every script takes ``--scale smoke|local|full``:

* ``smoke``: seconds to a minute on 2 CPU cores; what the test suite runs (checks the outputs, not the numbers);
* ``local``: about an hour on the 2-core reference machine, at reduced sizes that each script states;
* ``full``: the paper's scale (Chengdu-sized city, 60 tasks x 300 workers, hundreds of episodes), for a GPU box.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.report import write_csv  # noqa: F401  (the figure scripts import it from here)

SCALES = ("smoke", "local", "full")


def suite_point(name: str, version: str = "v1") -> dict:
    """A ``dasc_env.benchmarks`` task as a training point (city, tasks, workers, dasc)."""
    import dasc_env
    from rmo_agents.config import EnvConfig

    env = EnvConfig.from_dasc(dasc_env.benchmarks.get(name, version).config)
    return dict(city=env.city, tasks=env.num_tasks, workers=env.num_workers, dasc=dict(env.dasc))


SMALL_QUICK = suite_point("small-quick")
"""Suite v1's small-quick: the ``local`` scale of Fig. 5 and 6, a point where the relaxed bound is 1.65x the best
cheap method."""


def training_run(variant: str, seed: int, point: dict, episodes: int, eval_every: int, eval_seeds: int,
                 out: str, overrides: tuple[str, ...] = (), evaluate: bool = True,
                 label: str | None = None) -> list[dict]:
    """Train one ``practical``-preset run (``Trainer.run``) and record a row after every update (and at the start);
    the rows' ``variant`` is ``label`` (default: ``variant``).

    ``point``: city, tasks, workers and ``dasc`` (extra ``DASCConfig`` fields). Rows hold the episodes, env
    steps and agent-transitions trained on so far, eta = (alpha, beta), the training episodes' revenue, and
    with ``evaluate`` every ``eval_every`` updates (``run.eval_every``; and at the start and the end) the held-out
    revenue of theta (``eval_revenue``, NaN in between), always on the same held-out scenarios. The run's
    checkpoints before and after training are ``out/first.pt`` and ``out/last.pt``; ``Trainer.run`` also writes
    its log, ``config.json`` and ``best.pt`` there.
    """
    from rmo_agents import Trainer, preset

    config = preset("practical").with_overrides([
        f"env.city={point['city']}", f"env.num_tasks={point['tasks']}", f"env.num_workers={point['workers']}",
        f"env.dasc={json.dumps(point.get('dasc', {}))}", f"meta.variant={variant}", f"run.seed={seed}",
        f"run.episodes={episodes}", f"run.eval_seeds={eval_seeds}", f"run.eval_every={eval_every if evaluate else 0}",
        "run.threads=1", "run.progress=false", f"run.out={out}", *overrides])
    with Trainer(config) as trainer:
        trainer.save(Path(out) / "first.pt")
        alpha, beta = trainer.learner.eta.pair()
        rows = [dict(variant=label or variant, seed=seed, update=0, episodes=0, env_steps=0, transitions=0,
                     alpha=alpha, beta=beta, train_revenue=math.nan,
                     eval_revenue=trainer.evaluate() if evaluate else math.nan)]

        def record(stats: dict[str, float]) -> None:
            last = rows[-1]
            eval_revenue = stats.get("eval_revenue", math.nan)
            if evaluate and trainer.episodes_done >= episodes and "eval_revenue" not in stats:
                eval_revenue = trainer.evaluate()  # the end of the run between two evaluation updates
            rows.append(dict(variant=label or variant, seed=seed, update=trainer.learner.updates,
                             episodes=trainer.episodes_done, env_steps=last["env_steps"] + int(stats["env_steps"]),
                             transitions=last["transitions"] + int(stats["transitions"]), alpha=stats["alpha"],
                             beta=stats["beta"], train_revenue=stats["revenue"], eval_revenue=eval_revenue))

        trainer.run(callback=record)  # writes last.pt after every update
    return rows


def run_jobs(function, jobs: list[tuple], processes: int) -> list:
    """``function(*job)`` for every job, in ``processes`` worker processes (1: in this one), in order."""
    if processes <= 1:
        return [function(*job) for job in jobs]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        return list(pool.map(function, *zip(*jobs)))


def confidence_band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over axis 0 and its 95 % confidence interval (Student t; zero width for a single run)."""
    from scipy import stats

    n = values.shape[0]
    mean = values.mean(axis=0)
    if n < 2:
        return mean, mean, mean
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def pyplot():
    """matplotlib's pyplot on the Agg backend (files only)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def curves(rows: list[dict], group: str, value: str, x: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per ``group`` value: the x positions (mean over runs) and a (runs, points) array of ``value``, over
    the rows where ``value`` is not NaN; runs are the seeds, aligned by update."""
    out = {}
    for name in dict.fromkeys(r[group] for r in rows):
        mine = [r for r in rows if r[group] == name and not math.isnan(r[value])]
        seeds = sorted({r["seed"] for r in mine})
        updates = sorted(set.intersection(*({r["update"] for r in mine if r["seed"] == s} for s in seeds)))
        table = {(r["seed"], r["update"]): r for r in mine}
        ys = np.array([[table[s, u][value] for u in updates] for s in seeds], dtype=float)
        xs = np.array([[table[s, u][x] for u in updates] for s in seeds], dtype=float).mean(axis=0)
        out[name] = (xs, ys)
    return out
