"""The CP-SAT model of the clairvoyant problem (``exact``'s module docstring says what it models), whole or with
some workers held to given routes (the sub-model of a large-neighbourhood step)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

from .abandon import add_drop_rule, hint_drop_rule
from .construct import TickPlan
from .instance import DEPOT, ClairvoyantInstance

REVENUE_STEP = 1e-5
"""Currency per unit of the integer objective."""


def load_cp_model():
    """OR-Tools' ``cp_model`` module; ImportError naming the extra without it."""
    try:
        from ortools.sat.python import cp_model
    except ImportError as err:
        raise ImportError("dasc_env.bounds needs OR-Tools' CP-SAT solver: pip install 'dasc-env[bounds]' "
                          f"(or pip install 'ortools>=9.10'); importing it failed: {err}") from err
    return cp_model


def check_solver_args(time_limit, workers, seed) -> None:
    """TypeError / ValueError for a time limit, thread count or seed CP-SAT cannot use."""
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


class HindsightModel:
    """The CP-SAT model of ``inst`` (variables named as in ``exact``'s module docstring).

    ``lits[w]`` maps each arc ``(tail, head)`` of worker w's circuit to its literal: the moves of
    ``inst.arcs[w]``, ``(s, s)`` when w skips s, ``(s, DEPOT)`` when its route ends at s and
    ``(DEPOT, DEPOT)`` when it stays idle. ``pairs[a, b]`` is 1 when some worker does a then b.

    ``fixed`` (worker -> ``[(subtask, epoch), ...]``, a tick-feasible route: ``incumbent.tick_plan``) holds those
    workers to their routes: their moves are constants (no circuit, no literals), their subtasks are done, and
    only the matching epochs and start times stay free. The other workers may take every other subtask. This
    is the sub-model of a large-neighbourhood step (``lns``); without ``fixed`` it is the whole problem.
    """

    def __init__(self, cp_model, inst: ClairvoyantInstance, abandon: bool = True,
                 fixed: Mapping[int, list[tuple[int, int]]] | None = None):
        self.fixed = dict(fixed or {})
        self.taken = {s for route in self.fixed.values() for s, _ in route}
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
        costs = [self._held(w, visits) if w in self.fixed else self._worker(w, visits) for w in range(sc.num_workers)]
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
        arcs = [(a, b) for a, b in inst.arcs[w] if b not in self.taken and a not in self.taken]
        nodes = sorted({b for _, b in arcs} | {a for a, _ in arcs if a != DEPOT})  # tails: when others are held
        keys = [*arcs, (DEPOT, DEPOT), *((s, s) for s in nodes), *((s, DEPOT) for s in nodes)]
        lits = {key: self.cp.new_bool_var(f"x{w}_{key[0]}_{key[1]}") for key in keys}
        self.lits.append(lits)
        if nodes:
            local = {s: i + 1 for i, s in enumerate(nodes)} | {DEPOT: 0}
            self.cp.add_circuit([(local[a], local[b], x) for (a, b), x in lits.items()])
        cost, travel = [], inst.travel_from_worker[w]
        for a, b in arcs:
            x = lits[a, b]
            visits[b].append(x)
            cost.append(self._cost(inst.distance(w, a, b), b) * x)
            if a == DEPOT:
                self.cp.add(self.start[b] >= tpe * self.epoch[b] + int(travel[b])).only_enforce_if(x)
            else:
                self.pairs.setdefault((a, b), []).append(x)
        return sum(cost)

    def _held(self, w: int, visits: dict) -> int:
        """Worker ``w`` held to its ``fixed`` route: the same timing as ``_worker``'s, unconditional; its cost."""
        inst, tpe = self.inst, self.inst.clock.ticks_per_epoch
        self.lits.append({})
        stops = [DEPOT, *(s for s, _ in self.fixed[w])]
        cost = 0
        for a, b in zip(stops[:-1], stops[1:]):
            visits[b].append(1)
            cost += self._cost(inst.distance(w, a, b), b)
            if a == DEPOT:
                self.cp.add(self.start[b] >= tpe * self.epoch[b] + int(inst.travel_from_worker[w, b]))
            else:
                self.cp.add(tpe * self.epoch[b] >= self.start[a] + int(inst.duration[a]))
                self.cp.add(self.start[b] >= tpe * self.epoch[b] + int(inst.travel_between[a, b]))
        return cost

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
        for w, lits in enumerate(self.lits):
            if w in self.fixed:
                out.append([(s, solver.value(self.epoch[s])) for s, _ in self.fixed[w]])
                continue
            nxt = {a: b for (a, b), x in lits.items() if a != b and b != DEPOT and solver.boolean_value(x)}
            route, here = [], nxt.get(DEPOT)
            while here is not None:
                route.append((here, solver.value(self.epoch[here])))
                here = nxt.get(here)
            out.append(route)
        return out
