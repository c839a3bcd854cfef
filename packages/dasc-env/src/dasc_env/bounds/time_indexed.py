"""A tighter upper bound on the hindsight optimum of Eq. 2: the LP of a time-indexed route model, by column
generation, certified at every round by a Lagrangian bound.

The clairvoyant problem (``exact``'s module docstring; every run of the env is one of its plans): worker w is
matched to subtask b (K^b in K^w) at an epoch m <= K Delta (the last epoch before the horizon) once it is idle,
standing within L^w of b; it travels D at v_w, starts at s_b >= m + D / v_w and s_b >= s_p + t_p for every
predecessor p, and finishes at s_b + t_b <= LF_b (the critical-path latest finish); it is idle from then on,
standing at b. A task whose subtasks all finish earns pay_q(f_q) = rho * max(0, 1 - zeta (f_q - t_e)^+ / 60) at
its finish f_q; every match costs kappa * D (Eq. 1, 2). ``relaxed_bound`` gives, per subtask, a lower bound EF_b
on its finish, the workers that may ever take it and the tasks that can complete at all.

**Routes in bins.** Time is cut into bins of delta seconds (delta <= every t_b), bin j = [j delta, (j + 1) delta).
A worker's route is a sequence of (b, j_b): b started in bin j_b. It is a path of this network: idle at a in
"free bin" k (idle from a time >= k delta; k = 0 at its start node), w may start b in any bin j with
j >= k + floor(D_ab / (v delta)), floor((EF_b - t_b) / delta) <= j <= floor((LF_b - t_b) / delta), provided
k delta <= K Delta (a match is still possible), and is then idle at b in free bin j + floor(t_b / delta). Every
real route is such a path: its match m >= its idle time >= k delta, so s_b >= k delta + D / v and the bin of s_b
is >= k + floor(D / (v delta)); its next idle time s_b + t_b >= j delta + t_b. (Paths may start a subtask
again where their ng-memory allows it, ``ng_routes``: a larger set.)

**The LP.** Route columns lambda_r of each worker (sum_r lambda_r <= 1 per worker); Z_b(j) in [0, 1] ("b starts
in a bin <= j") with Z_b(j) <= the routes' starts of b in bins <= j; each subtask started at most once; Z_s(j) <=
Z_p(j') for each edge p -> s, j' the last bin with j' delta + t_p < (j + 1) delta; C_q(i) <= Z_b(last bin with
j delta + t_b <= i delta) for every b of q ("q completes by i delta"). Objective: sum_q sum_i C_q(i)
(pay_q((i - 1) delta) - pay_q(i delta)) (the last grid point, at or past t_d, weighted pay_q of the one before)
minus kappa * D over the routes' moves. A plan's routes with lambda = 1, Z its cumulative starts and C its
completions satisfy every row, and its objective is >= its Eq. 2 (a task finishing in ((i - 1) delta, i delta]
is credited pay_q((i - 1) delta) >= pay_q(f_q); distances are lowered by 1e-6 relative, times loosened 1e-6 s).

**The bound.** For duals y >= 0 of every row but the workers' (from HiGHS on the columns found so far),
L(y) = y . b + sum_x max(0, c_x - y . A_x) over Z and C + sum_w max(0, best route value of w at y) is >= the
LP's optimum (Lagrangian relaxation of the rows that link routes, each worker keeping its "at most one
route"), whatever the solver's accuracy; the best route of each worker is a dynamic programme over (node,
free bin) (``ng_routes.RoutePricing``), exact on the network above. The best route joins the columns (column
generation); ``bound`` is the least L(y) seen, and never more than ``relaxed_bound``'s. It stops when no route has a
positive reduced cost (then L(y) is the LP optimum) or at ``time_limit``.

Left out (each only removes plans): the drop rule, the matcher, the layered matching order, the epochs'
grid beyond the horizon, and elementarity of routes.
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from ..city import RoadGraph
from ..config import DASCConfig
from ..scenario import Scenario
from ..simulator.revenue import payment_after_delay
from .instance import build_instance, check_inputs
from .ng_routes import RoutePricing
from .relaxed import TIME_SLACK, RelaxedBound, relaxed_bound

DEFAULT_BIN = 15.0
"""delta's default, seconds (capped at the shortest subtask duration)."""


@dataclass(frozen=True)
class TimeIndexedBound:
    """The column generation's result."""

    bound: float
    """Upper bound on Eq. 2 of any plan (the hindsight optimum, every method): the least L(y), <= relaxed."""
    lp_value: float
    """The LP on the last round's columns (a lower bound on the full LP; equal to it when ``converged``)."""
    converged: bool
    """No route had a positive reduced cost: ``bound`` is the LP optimum (up to the solver's accuracy)."""
    rounds: int
    columns: int
    relaxed: RelaxedBound
    bin_seconds: float
    wall_s: float


def time_indexed_bound(scenario: Scenario, graph: RoadGraph, config: DASCConfig, *,
                       bin_seconds: float | None = None, time_limit: float = 60.0,
                       max_rounds: int = 500, ng: int = 4) -> TimeIndexedBound:
    """Upper bound on the hindsight optimum of Eq. 2 (and on every method's revenue) for ``scenario``: the time-
    indexed route LP of the module docstring, solved by column generation for up to ``time_limit`` seconds or
    ``max_rounds`` rounds. ``bin_seconds`` is delta (default ``DEFAULT_BIN``, at most the shortest duration);
    ``ng`` the size of the ng-route neighbourhoods of the pricing (``ng_routes``; 1: routes may repeat subtasks;
    larger: a tighter bound at 2^(ng - 1) times the pricing's cost)."""
    begin = time.perf_counter()
    check_inputs(scenario, graph, config)
    shortest = float(scenario.subtask_durations.min()) if scenario.num_subtasks else DEFAULT_BIN
    delta = min(DEFAULT_BIN, shortest) if bin_seconds is None else bin_seconds
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not (math.isfinite(delta) and delta > 0):
        raise ValueError(f"bin_seconds must be a positive number of seconds, got {bin_seconds!r}")
    if delta > shortest:
        raise ValueError(f"bin_seconds={bin_seconds!r} must be at most the shortest subtask duration ({shortest:g} s)")
    for name, value in (("time_limit", time_limit), ("max_rounds", max_rounds), ("ng", ng)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not isinstance(ng, numbers.Integral) or ng > 10:
        raise ValueError(f"ng must be an int from 1 to 10 (the ng-route neighbourhood), got {ng!r}")
    relaxed = relaxed_bound(scenario, graph, config)
    master = _Master(relaxed, scenario, config, float(delta))
    pricing = RoutePricing(relaxed, build_instance(scenario, graph, config), float(delta), ng)
    best, value, converged, rounds = relaxed.bound, 0.0, False, 0
    while rounds < max_rounds:
        rounds += 1
        value, duals = master.solve()
        if duals is None:
            break
        routes = pricing.best_routes(master.prices(duals))
        best = min(best, master.lagrangian(duals, [v for v, _ in routes]))
        fresh = [(w, route) for w, (v, route) in enumerate(routes) if v - duals.workers[w] > 1e-7]
        if not fresh:
            converged = True
            break
        for w, route in fresh:
            master.add_column(w, route, pricing.travel_cost(w, route))
        if time.perf_counter() - begin > time_limit:
            break
    return TimeIndexedBound(bound=best, lp_value=value, converged=converged, rounds=rounds,
                            columns=len(master.columns), relaxed=relaxed, bin_seconds=float(delta),
                            wall_s=time.perf_counter() - begin)


class _Rows:
    """``A x <= b`` from blocks of COO triplets (a column id of -1 is a term that is 0)."""

    def __init__(self):
        self.count, self.rhs, self.r, self.c, self.v = 0, [], [], [], []

    def new(self, count: int, rhs=0.0) -> np.ndarray:
        ids = np.arange(self.count, self.count + count)
        self.count += count
        self.rhs.append(np.broadcast_to(np.asarray(rhs, dtype=np.float64), (count,)))
        return ids

    def add(self, rows, cols, vals) -> None:
        rows, cols = np.broadcast_arrays(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))
        keep = cols >= 0
        self.r.append(rows[keep])
        self.c.append(cols[keep])
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape)[keep])

    def triplets(self):
        r, c, v, rhs = (np.concatenate(xs) if xs else np.zeros(0) for xs in (self.r, self.c, self.v, self.rhs))
        return r.astype(np.int64), c.astype(np.int64), v, rhs


@dataclass(frozen=True)
class _Duals:
    rows: np.ndarray     # y of every row, >= 0
    workers: np.ndarray  # (W,) y of the workers' rows


class _Master:
    """The restricted LP: Z, C and the route columns found so far (rows of the module docstring)."""

    def __init__(self, relaxed: RelaxedBound, sc: Scenario, config: DASCConfig, delta: float):
        self.sc, self.delta, self.rows = sc, delta, _Rows()
        live = np.isfinite(relaxed.subtask_finish)  # every matchable subtask: abandoned ones move workers too
        self.subs = np.flatnonzero(live)
        dur = sc.subtask_durations
        self.lo = np.zeros(sc.num_subtasks, dtype=np.int64)
        self.hi = np.full(sc.num_subtasks, -1, dtype=np.int64)
        self.lo[live] = np.maximum(0, np.floor((relaxed.subtask_finish[live] - dur[live] - TIME_SLACK) / delta))
        self.hi[live] = np.floor((sc.latest_deadline[live] - dur[live] + TIME_SLACK) / delta)
        self.hi[live] = np.maximum(self.hi[live], self.lo[live] - 1)
        size = self.hi - self.lo + 1
        self.offset = np.concatenate([[0], np.cumsum(size)])[:-1]
        self.num_static = int(size.sum())
        self.cost = [np.zeros(self.num_static)]
        self.link = self.rows.new(self.num_static)  # Z_b(j) - Z_b(j - 1) <= the routes' starts of b in bin j
        self.rows.add(self.link, np.arange(self.num_static), 1.0)
        sub, j = self._bins(self.subs)
        self.rows.add(self.link[self.z(sub, j)], self.z(sub, j - 1), -1.0)
        self.cover = self.rows.new(sc.num_subtasks, 1.0)
        self._monotone()
        self._order()
        self._payment(relaxed, config.zeta)
        self.columns: list[tuple[int, list[tuple[int, int]], float]] = []
        r, c, v, b = self.rows.triplets()
        self.static = sparse.csr_array((v, (r, c)), shape=(self.rows.count, self.num_static)), b
        self.col_rows, self.col_vals = [], []

    def z(self, sub, j) -> np.ndarray:
        """Ids of Z_sub(j), -1 where it is 0 (before its first bin or for a subtask without one); clipped past
        its last bin."""
        sub, j = np.broadcast_arrays(np.asarray(sub), np.asarray(j, dtype=np.int64))
        ids = self.offset[sub] + np.minimum(j, self.hi[sub]) - self.lo[sub]
        return np.where((j < self.lo[sub]) | (self.hi[sub] < self.lo[sub]), -1, ids)

    def _bins(self, subs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts = np.maximum(self.hi[subs] - self.lo[subs] + 1, 0)
        sub = np.repeat(subs, counts)
        return sub, self.lo[sub] + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)

    def _monotone(self) -> None:
        sub, j = self._bins(self.subs)
        later = j > self.lo[sub]
        rows = self.rows.new(int(later.sum()))
        self.rows.add(rows, self.z(sub[later], j[later] - 1), 1.0)
        self.rows.add(rows, self.z(sub[later], j[later]), -1.0)

    def _order(self) -> None:
        edges = self.sc.edges
        edges = edges[np.isin(edges[:, 1], self.subs)] if edges.size else edges
        s, j = self._bins(edges[:, 1]) if edges.size else (np.zeros(0, np.int64),) * 2
        if s.size == 0:
            return
        counts = np.maximum(self.hi[edges[:, 1]] - self.lo[edges[:, 1]] + 1, 0)
        p = np.repeat(edges[:, 0], counts)
        before = np.ceil(j + 1 - (self.sc.subtask_durations[p] - TIME_SLACK) / self.delta).astype(np.int64) - 1
        rows = self.rows.new(j.size)
        self.rows.add(rows, self.z(s, j), 1.0)
        self.rows.add(rows, self.z(p, before), -1.0)

    def _payment(self, relaxed: RelaxedBound, zeta: float) -> None:
        sc, delta = self.sc, self.delta
        dur = sc.subtask_durations
        for q in np.flatnonzero(relaxed.task_feasible):
            subs = np.arange(sc.task_ptr[q], sc.task_ptr[q + 1])
            i = np.arange(np.floor(relaxed.earliest_finish[q] / delta) - 1,
                          np.ceil((sc.task_deadline[q] + TIME_SLACK) / delta) + 1).astype(np.int64)
            pay = payment_after_delay(sc.task_payment[q], (i - 1) * delta - sc.task_expected[q], zeta)
            weight = np.append(pay[:-1] - pay[1:], pay[-1])[1:]  # C(i) for i = i[1:]; C(i[0]) is 0
            keep = weight > 0
            i, weight = i[1:][keep], weight[keep]
            if i.size == 0:
                continue
            c = np.arange(self.num_static, self.num_static + i.size)
            self.num_static += i.size
            self.cost.append(weight)
            last = np.floor((i[None, :] * delta - dur[subs, None] + TIME_SLACK) / delta).astype(np.int64)
            rows = self.rows.new(c.size * subs.size).reshape(subs.size, c.size)
            self.rows.add(rows, c[None, :], 1.0)
            self.rows.add(rows, self.z(subs[:, None], last), -1.0)

    def add_column(self, worker: int, route: list[tuple[int, int]], travel_cost: float) -> None:
        """Route ``[(subtask, start bin), ...]`` of ``worker`` as a column: -1 in the link row of each start, +1 in
        each subtask's cover row and the worker's row."""
        self.columns.append((worker, route, travel_cost))
        subs = np.array([b for b, _ in route], dtype=np.int64)
        bins = np.array([j for _, j in route], dtype=np.int64)
        rows = np.concatenate([self.link[self.z(subs, bins)], self.cover[subs], [self.rows.count + worker]])
        vals = np.concatenate([np.full(subs.size, -1.0), np.ones(subs.size + 1)])
        rows, inverse = np.unique(rows, return_inverse=True)  # a route may start a subtask twice
        self.col_rows.append(rows)
        self.col_vals.append(np.bincount(inverse, weights=vals))

    def solve(self):
        """(LP value, duals) on the columns so far (HiGHS through scipy); (nan, None) when it fails."""
        static, rhs = self.static
        n_rows, n_cols = self.rows.count + self.sc.num_workers, len(self.columns)
        lengths = [r.size for r in self.col_rows]
        cols = sparse.csc_array((np.concatenate(self.col_vals) if n_cols else np.zeros(0),
                                 np.concatenate(self.col_rows) if n_cols else np.zeros(0, np.int64),
                                 np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)), shape=(n_rows, n_cols))
        a = sparse.hstack([sparse.vstack([static, sparse.csr_array((self.sc.num_workers, self.num_static))]), cols],
                          format="csr")
        cost = np.concatenate([*self.cost, -np.array([t for _, _, t in self.columns])])
        upper = np.concatenate([np.ones(self.num_static), np.full(n_cols, np.inf)])  # columns: the worker rows
        if cost.size == 0:  # nothing can be matched
            return 0.0, _Duals(np.zeros(self.rows.count), np.zeros(self.sc.num_workers))
        res = linprog(-cost, A_ub=a, b_ub=np.concatenate([rhs, np.ones(self.sc.num_workers)]),
                      bounds=np.column_stack([np.zeros_like(upper), upper]), method="highs")
        if res.status != 0:
            return math.nan, None
        y = np.maximum(0.0, -res.ineqlin.marginals)
        return float(-res.fun), _Duals(y[:self.rows.count], y[self.rows.count:])

    def prices(self, duals: _Duals) -> np.ndarray:
        """(S, bins) what a route earns for starting b in bin j: the dual of its link row, less b's cover dual
        (-inf outside b's window)."""
        width = int(self.hi.max()) + 1 if self.subs.size else 1
        out = np.full((self.sc.num_subtasks, width), -np.inf)
        for b in self.subs:
            if self.hi[b] < self.lo[b]:
                continue
            mu = duals.rows[self.link[self.offset[b]:self.offset[b] + self.hi[b] - self.lo[b] + 1]]
            out[b, self.lo[b]:self.hi[b] + 1] = mu - duals.rows[self.cover[b]]
        return out

    def lagrangian(self, duals: _Duals, route_values: list[float]) -> float:
        """L(y): the bound of the module docstring."""
        a, b = self.static
        y = duals.rows
        reduced = np.concatenate(self.cost) - a.T @ y
        return float(y @ b + np.maximum(0.0, reduced).sum() + sum(max(0.0, v) for v in route_values))
