"""Large-neighbourhood search for the hindsight problem: improve a plan by re-solving a part of it exactly.

Each step holds most workers to the incumbent's routes (``model.HindsightModel`` with ``fixed``), frees a few,
chosen by one of ``NEIGHBOURHOODS``, and lets CP-SAT re-plan those exactly within ``step_limit`` seconds: which
subtasks they do (any subtask no held worker does is open to them), in which order and at which epochs. The
step starts from the incumbent (a complete hint), so CP-SAT returns it or better; an improvement of Eq. 2, priced
in real time (``plan.realise``), is accepted. Every incumbent is a plan the env can execute, so the result is
never below the start: the best of the given plans and ledgers (``best_plan``) and the clairvoyant greedy plan
(``construct.greedy_plan``), which beats every method on some episodes.

Neighbourhoods (each frees ``free_workers`` workers, or all when there are fewer). One at a time is the default:
on small-quick's first two test seeds CP-SAT improved on a 1-worker sub-model in about a second, while with 3 of
6 workers free it found nothing better than the hint in 5 s, and the whole model not even the hint
(docs/BOUNDS.md).

* ``"workers"``: drawn at random;
* ``"tasks"``: the workers of the incumbent serving a few randomly drawn tasks, topped up at random;
* ``"window"``: the workers with a match in a random window of epochs, topped up at random.

Steps cycle through ``neighbourhoods``; every draw comes from ``numpy.random.default_rng(seed)``, and CP-SAT
runs with one thread and a seed drawn from it, so a run is reproducible up to the wall-clock limits.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..city import RoadGraph
from ..config import DASCConfig
from ..scenario import Scenario
from ..simulator import Ledger
from .construct import greedy_plan
from .incumbent import best_plan, plan_of_routes, routes_of_plan, tick_plan
from .instance import RESOLUTION, ClairvoyantInstance, build_instance
from .model import HindsightModel, check_solver_args, load_cp_model
from .plan import HindsightPlan, realise

NEIGHBOURHOODS = ("workers", "tasks", "window")
"""The ways a step chooses the workers it frees (see the module docstring)."""
_GAIN = 1e-6
"""Least real-time gain of Eq. 2 a step must bring to be accepted (float noise is not an improvement)."""


@dataclass(frozen=True)
class LNSStep:
    """One step: the neighbourhood, the workers it freed and Eq. 2 of the incumbent before and after."""

    kind: str
    freed: tuple[int, ...]
    before: float
    after: float
    wall_s: float


def improve_plan(scenario: Scenario, graph: RoadGraph, config: DASCConfig, plans: Sequence[HindsightPlan | Ledger],
                 time_limit: float = 60.0, *, free_workers: int = 1, step_limit: float = 2.0,
                 neighbourhoods: Sequence[str] = NEIGHBOURHOODS, seed: int = 0, abandon: bool = True,
                 resolution: float = RESOLUTION) -> tuple[HindsightPlan, list[LNSStep]]:
    """The best of ``plans`` improved by large-neighbourhood search for ``time_limit`` seconds; and its steps."""
    cp_model = load_cp_model()
    check_solver_args(time_limit, 1, seed)
    _check_lns_args(free_workers, step_limit, neighbourhoods)
    begin = time.perf_counter()
    inst = build_instance(scenario, graph, config, resolution, abandon=bool(abandon))
    best = max(best_plan(inst, plans), plan_of_routes(inst, greedy_plan(inst).routes), key=lambda p: p.revenue)
    incumbent = tick_plan(inst, routes_of_plan(best), abandon)
    value = realise(inst, incumbent.routes)[3]
    rng = np.random.default_rng(seed)
    steps: list[LNSStep] = []
    while time.perf_counter() - begin < time_limit:
        kind = neighbourhoods[len(steps) % len(neighbourhoods)]
        freed = _neighbourhood(kind, incumbent.routes, inst, free_workers, rng)
        tick = time.perf_counter()
        held = {w: r for w, r in enumerate(incumbent.routes) if w not in freed}
        model = HindsightModel(cp_model, inst, bool(abandon), held)
        model.hint(incumbent)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, min(step_limit, time_limit - (tick - begin)))
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = int(rng.integers(2**31))
        status = solver.status_name(solver.solve(model.cp))
        before = value
        if status in ("OPTIMAL", "FEASIBLE"):
            candidate = model.routes(solver)
            gained = realise(inst, candidate)[3]
            if gained > before + _GAIN:
                incumbent, value = tick_plan(inst, candidate, abandon), gained
        steps.append(LNSStep(kind, tuple(sorted(freed)), before, value, time.perf_counter() - tick))
    found = plan_of_routes(inst, incumbent.routes, time.perf_counter() - begin)
    return (found if found.revenue > best.revenue else best), steps


def _neighbourhood(kind: str, routes, inst: ClairvoyantInstance, k: int, rng: np.random.Generator) -> set[int]:
    """The workers a step of ``kind`` frees (see the module docstring)."""
    n = len(routes)
    if k >= n:
        return set(range(n))
    sc = inst.scenario
    if kind == "tasks":
        tasks = set(rng.choice(sc.num_tasks, size=min(sc.num_tasks, 2), replace=False).tolist())
        pool = [w for w, r in enumerate(routes) if any(sc.subtask_task[s] in tasks for s, _ in r)]
    elif kind == "window":
        epochs = [e for r in routes for _, e in r]
        lo = int(rng.choice(epochs)) if epochs else 0
        width = max(1, (inst.last_epoch + 1) // 10)
        pool = [w for w, r in enumerate(routes) if any(lo <= e < lo + width for _, e in r)]
    else:
        pool = []
    chosen = set(rng.permutation(pool)[:k].tolist()) if pool else set()
    rest = [w for w in range(n) if w not in chosen]
    chosen |= set(rng.permutation(rest)[:k - len(chosen)].tolist())
    return chosen


def _check_lns_args(free_workers, step_limit, neighbourhoods) -> None:
    if isinstance(free_workers, bool) or not isinstance(free_workers, int) or free_workers < 1:
        raise ValueError(f"free_workers must be an int >= 1, got {free_workers!r}")
    if isinstance(step_limit, bool) or not isinstance(step_limit, (int, float)) or not step_limit > 0:
        raise ValueError(f"step_limit must be a positive number of seconds, got {step_limit!r}")
    if isinstance(neighbourhoods, str) or not neighbourhoods or any(k not in NEIGHBOURHOODS for k in neighbourhoods):
        raise ValueError(f"neighbourhoods must be a non-empty sequence of {NEIGHBOURHOODS}, got {neighbourhoods!r}")
