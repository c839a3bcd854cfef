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

**Search.** CP-SAT starts from a clairvoyant greedy plan (``construct.greedy_plan``), a complete hint.

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
import numbers
import time

import numpy as np

from ..city import RoadGraph
from ..config import DASCConfig
from ..scenario import Scenario
from .abandon import add_drop_rule, hint_drop_rule
from .construct import TickPlan, greedy_plan
from .instance import DEPOT, RESOLUTION, ClairvoyantInstance, build_instance
from .plan import HindsightPlan, realise

REVENUE_STEP = 1e-5
"""Currency per unit of the integer objective."""
_STATUS = {"OPTIMAL": "optimal", "FEASIBLE": "feasible", "INFEASIBLE": "infeasible", "UNKNOWN": "time_limit"}


def solve_exact(scenario: Scenario, graph: RoadGraph, config: DASCConfig, time_limit: float = 60.0,
                workers: int = 2, *, abandon: bool = True, seed: int = 0, resolution: float = RESOLUTION,
                log: bool = False) -> HindsightPlan:
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

    Returns a ``HindsightPlan``; ``status`` is "optimal" (proven), "feasible" (stopped at the time limit with
    a plan, at least as good as the first), "time_limit" (stopped before CP-SAT had a plan: the plan is the greedy
    first incumbent of ``construct.greedy_plan``, and ``bound`` is inf: CP-SAT proved none) or "infeasible"
    (never expected: leaving every task unstarted is always feasible). ImportError names
    ``pip install 'dasc-env[bounds]'`` without OR-Tools.
    """
    cp_model = _cp_model()
    _check_solver_args(time_limit, workers, seed)
    begin = time.perf_counter()
    inst = build_instance(scenario, graph, config, resolution, abandon=bool(abandon))
    model = _Model(cp_model, inst, bool(abandon))
    greedy = greedy_plan(inst)
    model.hint(greedy)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, float(time_limit) - (time.perf_counter() - begin))
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = bool(log)
    code = solver.solve(model.cp)
    status = _STATUS.get(solver.status_name(code))
    if status is None:
        raise RuntimeError(f"CP-SAT rejected the hindsight model: {solver.status_name(code)}")
    routes = model.routes(solver) if status in ("optimal", "feasible") else greedy.routes
    planned, completed, abandoned, revenue = realise(inst, routes)
    # Stopped before it had a plan, CP-SAT reports no valid bound (measured: 0, below the greedy plan's revenue).
    proven = solver.best_objective_bound * REVENUE_STEP + model.margin
    bound = {"infeasible": math.nan, "time_limit": math.inf}.get(status, proven)
    return HindsightPlan(planned, completed, abandoned, revenue, float(bound), status,
                         time.perf_counter() - begin, float(model.margin), config.decision_interval)


def _cp_model():
    try:
        from ortools.sat.python import cp_model
    except ImportError as err:
        raise ImportError("dasc_env.bounds needs OR-Tools' CP-SAT solver: pip install 'dasc-env[bounds]' "
                          f"(or pip install 'ortools>=9.10'); importing it failed: {err}") from err
    return cp_model


def _check_solver_args(time_limit, workers, seed) -> None:
    for name, value, kind in (("time_limit", time_limit, numbers.Real), ("workers", workers, numbers.Integral),
                              ("seed", seed, numbers.Integral)):
        if isinstance(value, bool) or not isinstance(value, kind):
            raise TypeError(f"{name} must be a{'n int' if kind is numbers.Integral else ' number'}, got {value!r}")
    if not (math.isfinite(time_limit) and time_limit > 0):
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1 (CP-SAT threads), got {workers!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed!r}")


class _Model:
    """The CP-SAT model of ``inst`` (variables named as in the module docstring).

    ``lits[w]`` maps each arc ``(tail, head)`` of worker w's circuit to its literal: the moves of
    ``inst.arcs[w]``, ``(s, s)`` when w skips s, ``(s, DEPOT)`` when its route ends at s and
    ``(DEPOT, DEPOT)`` when it stays idle. ``pairs[a, b]`` is 1 when some worker does a then b.
    """

    def __init__(self, cp_model, inst: ClairvoyantInstance, abandon: bool = True):
        self.inst, self.cp = inst, cp_model.CpModel()
        self.done, self.assigned, self.epoch, self.start, self.late = {}, {}, {}, {}, {}
        self.pairs, self.cost_error, self.lits, self.margin = {}, {}, [], 0.0
        sc = inst.scenario
        for s in np.flatnonzero(inst.matchable):
            self._subtask(int(s))
        for q in np.flatnonzero(inst.completable):
            self.done[q] = self.cp.new_bool_var(f"y{q}")
            for s in range(sc.task_ptr[q], sc.task_ptr[q + 1]):  # without abandon, started means completed
                self.cp.add(self.done[q] <= self.assigned[s] if abandon else self.done[q] == self.assigned[s])
        for p, s in sc.edges:
            if s in self.start:  # the env matches s only once p is assigned, in this epoch or before
                x = self.assigned[s]
                self.cp.add_implication(x, self.assigned[p])
                when = [x] if abandon else []  # without abandon, p and s are both done or both free
                self.cp.add(self.start[s] >= self.start[p] + int(inst.duration[p])).only_enforce_if(when)
                self.cp.add(self.epoch[s] >= self.epoch[p]).only_enforce_if(when)
        visits = {s: [] for s in self.start}
        costs = [self._worker(w, visits) for w in range(sc.num_workers)]
        self._moves_between()
        for s, lits in visits.items():
            self.cp.add(sum(lits) == self.assigned[s])
        self.drop_rule = add_drop_rule(self.cp, inst, self.assigned, self.epoch, self.start) if abandon else {}
        gains = [self._task_gain(q) for q in self.done]
        self.margin += sum(self.cost_error.values()) * REVENUE_STEP
        self.cp.maximize(sum(gains) - sum(costs))

    def _subtask(self, s: int) -> None:
        inst, tpe = self.inst, self.inst.clock.ticks_per_epoch
        q = inst.scenario.subtask_task[s]
        self.assigned[s] = self.cp.new_bool_var(f"p{s}")
        self.epoch[s] = self.cp.new_int_var(int(inst.first_epoch[q]), int(inst.last_match_epoch[s]), f"m{s}")
        latest = int(inst.latest_finish[s] - inst.duration[s])
        self.start[s] = self.cp.new_int_var(int(inst.earliest_start[s]), latest, f"S{s}")
        self.cp.add(self.start[s] >= tpe * self.epoch[s])

    def _worker(self, w: int, visits: dict):
        """Worker ``w``'s route as a circuit through its depot (node 0); the travel cost of its moves."""
        inst, tpe = self.inst, self.inst.clock.ticks_per_epoch
        nodes = sorted({b for _, b in inst.arcs[w]})
        keys = [*inst.arcs[w], (DEPOT, DEPOT), *((s, s) for s in nodes), *((s, DEPOT) for s in nodes)]
        lits = {key: self.cp.new_bool_var(f"x{w}_{key[0]}_{key[1]}") for key in keys}
        self.lits.append(lits)
        if nodes:
            local = {s: i + 1 for i, s in enumerate(nodes)} | {DEPOT: 0}
            self.cp.add_circuit([(local[a], local[b], x) for (a, b), x in lits.items()])
        cost, travel = [], inst.travel_from_worker[w]
        for a, b in inst.arcs[w]:
            x = lits[a, b]
            visits[b].append(x)
            cost.append(self._cost(inst.distance(w, a, b), b) * x)
            if a == DEPOT:
                self.cp.add(self.start[b] >= tpe * self.epoch[b] + int(travel[b])).only_enforce_if(x)
            else:
                self.pairs.setdefault((a, b), []).append(x)
        return sum(cost)

    def _moves_between(self) -> None:
        """Subtask a then b by one worker: b is matched once a has finished, and starts after the trip."""
        inst, tpe = self.inst, self.inst.clock.ticks_per_epoch
        travel = inst.travel_between
        for (a, b), lits in self.pairs.items():
            move = lits[0] if len(lits) == 1 else self.cp.new_bool_var(f"u{a}_{b}")
            if len(lits) > 1:
                self.cp.add(move == sum(lits))
            self.pairs[a, b] = move
            self.cp.add(tpe * self.epoch[b] >= self.start[a] + int(inst.duration[a])).only_enforce_if(move)
            self.cp.add(self.start[b] >= tpe * self.epoch[b] + int(travel[a, b])).only_enforce_if(move)

    def _cost(self, metres: float, head: int) -> int:
        """kappa * d in objective units; the worst rounding among the moves into ``head`` is kept."""
        real = self.inst.config.kappa * metres / REVENUE_STEP
        self.cost_error[head] = max(self.cost_error.get(head, 0.0), abs(real - round(real)))
        return round(real)

    def _lateness_unit(self) -> int:
        """Ticks per lateness unit, about a second."""
        return max(1, round(1.0 / self.inst.clock.tick))

    def _task_gain(self, q: int):
        """rho * y_q - (rho * zeta / 60) * Delta t, Delta t in whole lateness units past t_e (Eq. 1)."""
        inst, sc, cfg = self.inst, self.inst.scenario, self.inst.config
        unit = self._lateness_unit()
        unit_s = unit * inst.clock.tick
        subs = range(sc.task_ptr[q], sc.task_ptr[q + 1])
        expected = int(inst.clock.down(sc.task_expected[q]))
        most = max(0, -(-(inst.payment_end(q) - expected) // unit))
        self.late[q] = late = self.cp.new_int_var(0, most, f"L{q}")
        for s in subs:
            self.cp.add(unit * late >= self.start[s] + int(inst.duration[s]) - expected).only_enforce_if(self.done[q])
        pay = sc.task_payment[q] / REVENUE_STEP
        per_unit = sc.task_payment[q] * cfg.zeta / 60.0 * unit_s / REVENUE_STEP
        rounded = (abs(pay - round(pay)) + abs(per_unit - round(per_unit)) * most) * REVENUE_STEP
        overstated = unit_s + (2 * len(subs) + 1) * inst.clock.tick
        self.margin += rounded + sc.task_payment[q] * cfg.zeta / 60.0 * overstated
        return round(pay) * self.done[q] - round(per_unit) * late

    def hint(self, plan: TickPlan) -> None:
        """Start the search from ``plan`` (a feasible solution of this model)."""
        inst, sc = self.inst, self.inst.scenario
        epoch = {sub: k for route in plan.routes for sub, k in route}
        for q, y in self.done.items():
            self.cp.add_hint(y, q in plan.tasks)
        for s in self.start:
            self.cp.add_hint(self.assigned[s], s in epoch)
            self.cp.add_hint(self.epoch[s], epoch.get(s, int(inst.first_epoch[sc.subtask_task[s]])))
            self.cp.add_hint(self.start[s], plan.start.get(s, int(inst.earliest_start[s])))
        used_pairs = set()
        for lits, route in zip(self.lits, plan.routes):
            stops = [DEPOT, *(sub for sub, _ in route), DEPOT]
            used = set(zip(stops[:-1], stops[1:])) | {(s, s) for (_, s) in lits if s != DEPOT and s not in stops}
            used_pairs |= used
            for key, x in lits.items():
                self.cp.add_hint(x, key in used)
        for key, move in self.pairs.items():
            if not any(move is lits.get(key) for lits in self.lits):
                self.cp.add_hint(move, key in used_pairs)
        unit = self._lateness_unit()
        for q, late in self.late.items():
            finish = max((plan.start[s] + int(inst.duration[s]) for s in range(sc.task_ptr[q], sc.task_ptr[q + 1])
                          if s in plan.start), default=0)
            over = finish - int(inst.clock.down(sc.task_expected[q]))
            self.cp.add_hint(late, max(0, -(-over // unit)) if q in plan.tasks else 0)
        hint_drop_rule(self.cp, self.inst, self.drop_rule, epoch, plan.start)

    def routes(self, solver) -> list[list[tuple[int, int]]]:
        """Per worker, ``[(subtask, epoch), ...]`` in the order it does them."""
        out = []
        for lits in self.lits:
            nxt = {a: b for (a, b), x in lits.items() if a != b and b != DEPOT and solver.boolean_value(x)}
            route, here = [], nxt.get(DEPOT)
            while here is not None:
                route.append((here, solver.value(self.epoch[here])))
                here = nxt.get(here)
            out.append(route)
        return out
