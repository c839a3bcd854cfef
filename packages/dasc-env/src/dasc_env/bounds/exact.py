"""The hindsight optimum of an episode: Eq. 2 maximised with every task known in advance (OR-Tools CP-SAT).

The clairvoyant problem (``instance.build_instance``): each subtask s is done (``p_s = 1``) by exactly one
worker with its skills (K^tau subset of K^w), or not at all, and only if its predecessors are done. A task
whose subtasks are all done is completed (``y_q = 1``) and earns Eq. 1, ``(1 - zeta * Delta t) * rho -
kappa * sum d`` with Delta t the minutes its last subtask finishes after t_e; a task started and not completed
is abandoned (the env fails it: ``-kappa * sum d``, see ``abandon`` for why a plan may want that and for the
env's drop rule it must respect). Each worker follows a route from its start node (one ``AddCircuit`` per
worker, skipping the subtasks it does not do). A subtask s is matched at an epoch ``m_s >= k_q`` (never before
its task is published, nor before its predecessors are matched: the env's layered matching), within L^w of
where its worker then stands, and only once its worker has finished the previous subtask
(``m_s * Delta >= finish``). It starts at ``max(m_s * Delta + d / v_w, predecessors' finish)`` and finishes
``t`` later, by its critical-path latest finish t^d_tau (so a completed task ends by t_d).

**Time.** Matching times are epochs, exactly on the env's grid. Start and finish times are integer ticks
of ``Delta / round(Delta / resolution)`` seconds (1 ms by default): travel times and durations are rounded up,
deadlines down, so the plan's real times never exceed its tick times and the env can execute it;
``HindsightPlan.revenue`` is then recomputed in real time with the package's Eq. 1 (``plan.realise``) and
equals the replayed episode's revenue up to float rounding (1e-6 relative). Delta t enters the objective in
whole units of about one second, rounded up.

**Search.** CP-SAT starts from a complete hint: the clairvoyant greedy plan (``construct.greedy_plan``) or, if
better, the best of ``incumbents`` (any method's ledger is a plan: ``incumbent``). ``lns.improve_plan`` improves
a plan further by re-solving a few workers at a time; it scales where the whole model does not.

**Bound.** ``bound`` is the solver's proven bound on the integer objective plus ``margin``: the rounding of
the objective's coefficients to ``REVENUE_STEP`` and, per task, the lateness a tick schedule can overstate
(one lateness unit plus a tick per rounded travel time, duration and t_e). It bounds the revenue of every
schedule the env can run, except ones that need less than a few ticks of slack against a deadline or an epoch
boundary; and since the plan itself is such a schedule, ``revenue <= bound``. A task completed after its Eq. 1
payment has fallen to 0 (``Delta t >= 1 / zeta`` minutes) is valued as abandoned (``-kappa * sum d``, the
same as the env's ``0 * rho - kappa * sum d``). A solve stopped before CP-SAT had a plan proved nothing:
``bound`` is inf.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from ..city import RoadGraph
from ..config import DASCConfig
from ..scenario import Scenario
from ..simulator import Ledger
from .construct import greedy_plan
from .incumbent import best_plan, routes_of_plan, tick_plan
from .instance import RESOLUTION, build_instance
from .model import REVENUE_STEP, HindsightModel, check_solver_args, load_cp_model
from .plan import HindsightPlan, realise

_STATUS = {"OPTIMAL": "optimal", "FEASIBLE": "feasible", "INFEASIBLE": "infeasible", "UNKNOWN": "time_limit"}


def solve_exact(scenario: Scenario, graph: RoadGraph, config: DASCConfig, time_limit: float = 60.0,
                workers: int = 2, *, abandon: bool = True, seed: int = 0, resolution: float = RESOLUTION,
                log: bool = False, incumbents: Sequence[HindsightPlan | Ledger] = ()) -> HindsightPlan:
    """Maximise Eq. 2 over every plan the env could execute had it known all tasks in advance.

    Args:
        scenario, graph, config: the episode (``config`` gives Delta, L^w, v_w, zeta, kappa, the horizon).
        time_limit: wall-clock limit of the whole solve, seconds.
        workers: CP-SAT search threads.
        abandon: allow plans that start a task and abandon it (the env allows them, and they can pay: see
            ``abandon``). False solves the smaller problem where every started task completes: faster, but its
            ``bound`` then only covers such plans, and env methods that abandon tasks can exceed it.
        seed: CP-SAT's random seed.
        resolution: the tick, seconds (rounded so an epoch is a whole number of ticks).
        log: print CP-SAT's search log.
        incumbents: plans or ledgers of the same episode (any method's, see ``incumbent``): the search starts
            from the best of them and the greedy plan, and the plan returned is never below any of them.

    Returns a ``HindsightPlan``; ``status`` is "optimal" (proven), "feasible" (stopped at the time limit with
    a plan, at least as good as the first), "time_limit" (stopped before CP-SAT had a plan: the plan is the hint,
    the greedy plan of ``construct.greedy_plan`` or the best incumbent, and ``bound`` is inf: CP-SAT proved none)
    or "infeasible" (never expected: leaving every task unstarted is always feasible). ImportError names
    ``pip install 'dasc-env[bounds]'`` without OR-Tools.
    """
    cp_model = load_cp_model()
    check_solver_args(time_limit, workers, seed)
    begin = time.perf_counter()
    inst = build_instance(scenario, graph, config, resolution, abandon=bool(abandon))
    given = best_plan(inst, incumbents) if len(incumbents) else None
    model = HindsightModel(cp_model, inst, bool(abandon))
    start = greedy_plan(inst)
    if given is not None:
        start = max(start, tick_plan(inst, routes_of_plan(given), bool(abandon)), key=lambda p: p.value)
    model.hint(start)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, float(time_limit) - (time.perf_counter() - begin))
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = bool(log)
    code = solver.solve(model.cp)
    status = _STATUS.get(solver.status_name(code))
    if status is None:
        raise RuntimeError(f"CP-SAT rejected the hindsight model: {solver.status_name(code)}")
    routes = model.routes(solver) if status in ("optimal", "feasible") else start.routes
    planned, completed, abandoned, revenue = realise(inst, routes)
    if given is not None and given.revenue > revenue:
        planned, completed, abandoned, revenue = given.routes, given.completed, given.abandoned, given.revenue
    # Stopped before it had a plan, CP-SAT reports no valid bound (measured: 0, below the greedy plan's revenue).
    proven = solver.best_objective_bound * REVENUE_STEP + model.margin
    bound = {"infeasible": math.nan, "time_limit": math.inf}.get(status, proven)
    return HindsightPlan(planned, completed, abandoned, revenue, float(bound), status,
                         time.perf_counter() - begin, float(model.margin), config.decision_interval)
