"""Score any registered method on the same scenarios: one episode, or a whole grid in parallel.

For a (method, city, tasks, workers, seed) point the env is built from
``DASCConfig`` with those values and reset with ``seed``, so every method
sees the same workers and tasks; the method's own randomness is seeded from
``seed`` too. Given fixed ``scenarios`` (and optionally a road graph), point
``seed`` replays ``scenarios[seed]`` instead. Every episode starts from the
config's matcher and eta = (alpha, beta); a policy sets its own in ``reset``.
Each row holds the metrics of ``baselines.run_episode`` and, with a bound
(``run_grid(bound=...)``, see ``regret``), ``bound``, ``bound_kind``, ``bound_wall_s`` and
``share`` = revenue / bound.

With ``jobs > 1`` each worker process runs single-threaded (OpenMP, MKL, OpenBLAS and, when a learned
method has imported it, torch), so N processes use N cores instead of fighting over them.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

from ..baselines import make_method, run_episode
from ..bounds import EpisodeBound, check_bound_option, episode_bound
from ..city import RoadGraph
from ..config import DASCConfig
from ..env import DASCParallelEnv
from ..scenario import Scenario
from .regret import episode_key, interval95, join_bounds

COLUMNS = ("method", "city", "num_tasks", "num_workers", "seed", "revenue", "completed", "failed",
           "on_time_share", "mean_delay_s", "travel_km", "wall_s")


@dataclass(frozen=True)
class EvalPoint:
    method: str
    city: str
    num_tasks: int
    num_workers: int
    seed: int


def episode_env(point: EvalPoint, config: DASCConfig | None = None, scenario: Scenario | None = None,
                graph: RoadGraph | None = None) -> DASCParallelEnv:
    """The env of ``point``'s episode (not yet reset): ``config`` with the point's city and sizes, or replaying
    ``scenario`` (its sizes from it, ``Scenario.fit_config``); ``graph`` replaces the preset city."""
    base = config if config is not None else DASCConfig()
    city = {"city": point.city} if graph is None else {}
    if scenario is None:
        return DASCParallelEnv(base.replace(num_tasks=point.num_tasks, num_workers=point.num_workers, **city),
                               city=graph)
    return DASCParallelEnv(scenario.fit_config(base, **city), city=graph, scenario=scenario)


def evaluate_point(point: EvalPoint, config: DASCConfig | None = None,
                   method_options: dict[str, dict] | None = None, scenario: Scenario | None = None,
                   graph: RoadGraph | None = None) -> dict:
    """One row of the results table; ``method_options[method]`` are keyword options of its factory.

    With ``graph`` the env runs on that road graph instead of the preset ``point.city`` (the row keeps
    ``point.city`` as the graph's label); with ``scenario`` it replays that scenario (see ``episode_env``).
    """
    env = episode_env(point, config, scenario, graph)
    policy = make_method(point.method, **(method_options or {}).get(point.method, {}))
    return {**asdict(point), **run_episode(env, policy, point.seed)}


def bound_point(point: EvalPoint, how: str, time_limit: float, config: DASCConfig | None = None,
                scenario: Scenario | None = None, graph: RoadGraph | None = None) -> EpisodeBound:
    """The upper bound (``bounds.episode_bound``) of ``point``'s episode."""
    env = episode_env(point, config, scenario, graph)
    env.reset(seed=point.seed)
    return episode_bound(env, how, time_limit)


def run_grid(points: list[EvalPoint], config: DASCConfig | None = None, jobs: int = 1,
             progress: bool = True, method_options: dict[str, dict] | None = None,
             scenarios: list[Scenario] | None = None, graph: RoadGraph | None = None,
             bound: str | None = None, bound_time_limit: float = 60.0) -> list[dict]:
    """Evaluate every point (in ``jobs`` processes), in the order given. With ``scenarios``, point ``seed``
    replays ``scenarios[seed]``; ``graph`` replaces the preset city (see ``evaluate_point``). With ``bound``
    (``bounds.BOUNDS``) each episode's bound is computed once and every row gets ``regret.BOUND_COLUMNS``;
    a revenue above its bound raises ``regret.BoundViolation``."""
    from tqdm.auto import tqdm

    check_bound_option(bound)
    calls = [(evaluate_point, (p, config, method_options, _scenario(scenarios, p), graph)) for p in points]
    episodes: dict[tuple, EvalPoint] = {}
    if bound is not None:
        for p in points:
            episodes.setdefault(episode_key(asdict(p)), p)
        calls += [(bound_point, (p, bound, bound_time_limit, config, _scenario(scenarios, p), graph))
                  for p in episodes.values()]
    bar = tqdm(total=len(calls), desc="dasc-eval", unit="job", disable=not progress)
    results: list = []
    if jobs <= 1:
        for function, args in calls:
            results.append(function(*args))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=single_threaded) as pool:
            for future in [pool.submit(function, *args) for function, args in calls]:
                results.append(future.result())
                bar.update()
    bar.close()
    rows = results[:len(points)]
    return join_bounds(rows, dict(zip(episodes, results[len(points):]))) if bound is not None else rows


def _scenario(scenarios: list[Scenario] | None, point: EvalPoint) -> Scenario | None:
    return None if scenarios is None else scenarios[point.seed]


def single_threaded() -> None:
    """Make this process use one thread in the numeric libraries (a process-pool initializer): environment
    variables for those it imports from now on, and ``torch.set_num_threads(1)`` if torch is loaded already
    (a forked worker inherits its parent's torch)."""
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = "1"
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def summarize(rows: list[dict]) -> list[dict]:
    """Mean and standard deviation of each metric per (method, city, tasks, workers), over seeds; per suite
    ``task`` too when the rows have one. Rows with a bound (``run_grid(bound=...)``) add the mean bound and the
    mean and 95 % interval (``regret.interval95``) of the revenue and of the share of the bound (over the
    episodes whose bound is positive: elsewhere the share is NaN). Suite rows with a published best-known plan
    (``run_suite``) add its mean and the mean and 95 % interval of the share of it, over the seeds that have one
    (NaN where none has)."""
    group_by = ("task",) * ("task" in rows[0]) + ("method", "city", "num_tasks", "num_workers")
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in group_by), []).append(r)
    out = []
    for key, members in groups.items():
        entry = {**dict(zip(group_by, key)), "seeds": len(members)}
        for metric in COLUMNS[5:]:
            values = np.array([m[metric] for m in members], dtype=np.float64)
            entry[f"{metric}_mean"] = float(values.mean())
            entry[f"{metric}_std"] = float(values.std(ddof=1)) if values.size > 1 else 0.0
        if "bound" in members[0]:
            entry["bound_mean"] = float(np.mean([m["bound"] for m in members]))
            entry["bound_kind"] = "/".join(sorted({m["bound_kind"] for m in members}))
            _, entry["revenue_lo"], entry["revenue_hi"] = interval95([m["revenue"] for m in members])
            entry["share_mean"], entry["share_lo"], entry["share_hi"] = interval95([m["share"] for m in members])
        if "best_known" in members[0]:
            entry["best_known_mean"] = interval95([m["best_known"] for m in members])[0]
            entry["of_best_known_mean"], entry["of_best_known_lo"], entry["of_best_known_hi"] = interval95(
                [m["of_best_known"] for m in members])
        out.append(entry)
    return out
