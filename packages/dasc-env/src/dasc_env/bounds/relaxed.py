"""An upper bound on the hindsight optimum of Eq. 2, at any scale: per-task optimism plus a capacity LP.

The clairvoyant problem knows every task in advance. A plan matches subtask tau of task q to a worker w at
a match time m >= e_q (the first decision epoch at or after t_c, and no later than the horizon H) when
K^tau is a subset of K^w, w is idle, and w stands within L^w of tau by road; w travels D <= L^w at v_w,
starts at s >= m + D / v_w once every predecessor has finished, ends at f = s + t_tau, and then stands at
tau's node. Every matched subtask ends by its critical-path latest finish LF_tau (the simulator enforces
it; a task that ends by t_d meets it). A completed task earns Eq. 1, rho * max(0, 1 - zeta * Delta t)
- kappa * sum D (``simulator.revenue``); a started task that does not complete earns -kappa * sum D <= 0;
an unstarted one 0. Every run of the env is such a plan, so the bound below also bounds every method.

The argument, one relaxation at a time (each step keeps every feasible plan and never lowers its value):

1. Standing points. When w is matched to tau it stands at its start node l_w (first match; m >= e_q since
   all workers are idle from 0) or at the node of the subtask sigma != tau it did last; then w took sigma,
   holds K^tau, and m >= max(e_q, f_sigma) >= max(e_q, EF_sigma) for any lower bound EF_sigma of sigma's
   finish (and m <= H). With D the road distance from that point, D <= L^w and
   m + D / v_w <= s <= LF_tau - t_tau. These necessary tests define "w may take tau first" (from l_w) and
   "w may take tau after sigma"; the pairs (tau, w) a plan uses lie in the least set closed under both
   (``_reach``: a worker's chain of matches is a path of such steps; after 64 hops the closure goes on
   without the skill test at intermediate subtasks, a larger set). A candidate point for tau is l_w of a
   skilled w passing the first test, or a sigma passing the second for some w that may take sigma and
   holds K^tau; the point a plan uses is a candidate. Hence D >= d_tau := min over candidates of the
   distance and s >= r_tau := min over candidates of (earliest match + distance / v_w); no candidate
   means tau is never matched. (Distances are shrunk by 1e-6 relative and times loosened by 1e-6 s, so
   the float32 distance rows and tolerances of the simulator cannot slip below them.)
2. Earliest finish. s_tau >= r_tau and s_tau >= f_pred for every predecessor, so by induction along the
   topological order f_tau >= EF_tau := max(r_tau, max_pred EF_pred) + t_tau. A subtask with
   EF_tau > LF_tau is never matched. Step 1 used EF_sigma; any valid EF (first the duration-only critical
   path from e_q) gives valid candidates, so steps 1-2 are repeated with the new EF, each round valid.
3. Optimistic revenue. Task q can complete only if every subtask is matchable, EF_q := max_tau EF_tau
   <= t_d and t_c <= H. Its finish is >= EF_q and Eq. 1's payment does not grow with the finish, its
   travel is >= sum d_tau, so varrho_q <= U_q := max(0, rho * max(0, 1 - zeta * (EF_q - t_e)^+ / 60)
   - kappa * sum d_tau), and U_q := 0 when it cannot complete. With x_q = 1 for completed tasks, any
   plan earns E(M) <= sum_q U_q x_q.
4. Capacity (energetic reasoning). A worker holds tau from m to f: these busy intervals of one worker are
   disjoint, last f - m >= b_tau := t_tau + d_tau / v_w, and lie in [e_q, LF_tau], with
   f in [EF_tau, LF_tau]. The busy interval contains [f - b_tau, f], whose overlap with a window [a, b]
   is a concave function of f clipped at 0, so it is at least its value at f = EF_tau or at f = LF_tau,
   whichever is smaller: o_tau(a, b). Subtasks needing a skill set S (a superset of it) are done only by
   the c_S workers that may take one of them (step 1's closure). So for every window and every S,
   sum_q x_q sum_{tau in q, K^tau >= S} o_tau(a, b) <= c_S * (b - a) holds for the completed tasks
   of any plan (a task that does not complete only adds busy time, so leaving it out keeps the
   inequality). Windows: a in {e_q}, b in {t_d}; S: the empty set and every subtask skill set. Rows that
   all-ones x already satisfies are redundant (x <= 1, coefficients >= 0) and dropped; keeping only the
   ``max_rows`` most violated of the rest drops more constraints, which only relaxes.
5. Linear relaxation. max sum U_q x_q over these rows with 0 <= x_q <= 1 (x_q = 0 where U_q is 0 for sure)
   is >= the integer optimum. By weak duality any y >= 0 gives the bound
   y . c + sum_q max(0, U_q - (A^T y)_q), whatever the solver's accuracy; y is HiGHS's dual (clipped at 0)
   and y = 0 gives sum_q U_q. ``bound`` is that value: >= the hindsight optimum >= every method's Eq. 2.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csgraph

from ..city import RoadGraph
from ..config import DASCConfig
from ..epochs import first_epoch, horizon
from ..scenario import Scenario
from ..simulator.revenue import payment_after_delay

TIME_SLACK = 1e-6
"""Seconds given away on every time test and window (the simulator's tolerance is 1e-9 s)."""
DIST_SHRINK = 1e-6
"""Relative amount road distances are lowered by (the simulator reads float32 rows: 6e-8 relative)."""
_ROUNDS = 4
"""Rounds of steps 1-2; each round is valid on its own, more only tighten."""
_MAX_HOPS = 64
"""Rounds of the exact reach closure before the cheaper, looser one takes over (both valid)."""
_DIJKSTRA_CELLS = 2**23
"""Cells of one batch of Dijkstra rows (64 MB)."""


@dataclass(frozen=True)
class RelaxedBound:
    """The relaxation's result; every array has one entry per task of the scenario."""

    bound: float
    """Upper bound on Eq. 2 of any plan (the hindsight optimum, every method)."""
    sum_bound: float
    """sum_q U_q, the bound without the capacity rows."""
    task_values: np.ndarray
    """U_q: optimistic revenue of each task (0 where it cannot complete)."""
    task_feasible: np.ndarray
    """False where the task can complete in no plan (skills, range, deadline or horizon)."""
    earliest_finish: np.ndarray
    """EF_q, a lower bound on the task's finish (inf where a subtask is never matchable)."""
    travel_lower: np.ndarray
    """sum d_tau, a lower bound on the task's travel in metres."""
    subtask_finish: np.ndarray
    """(S,) EF_tau, a lower bound on each subtask's finish (inf where it is never matched, step 2)."""
    subtask_travel: np.ndarray
    """(S,) d_tau, a lower bound on the metres travelled to each subtask (inf where it is never matched)."""
    holders: np.ndarray
    """(S, W) the pairs (tau, w) closed under step 1's tests: w may be matched to tau in some plan."""
    binding: str
    """"capacity" when the capacity rows cut the bound below ``sum_bound``, else "sum"."""
    capacity_rows: int
    """Rows of the capacity LP that was solved (0: no row was violated by completing every task)."""
    wall_s: float


@dataclass(frozen=True)
class _Instance:
    """Per-subtask arrays shared by the steps (rows tau; columns the standing point or the worker)."""

    sc: Scenario
    epoch: np.ndarray         # (S,) e_q of tau's task
    latest_start: np.ndarray  # (S,) LF_tau - t_tau + slack
    to_workers: np.ndarray    # (S, W) distance l_w -> tau, inf beyond L^w
    to_subtasks: np.ndarray   # (S, S) distance sigma -> tau, inf beyond L^w
    skilled: np.ndarray       # (S, W) K^tau in K^w
    speed: float
    horizon: float


def relaxed_bound(scenario: Scenario, graph: RoadGraph, config: DASCConfig, *,
                  max_rows: int = 2000) -> RelaxedBound:
    """Upper bound on the hindsight optimum of Eq. 2 (and on every method's revenue) for ``scenario``.

    ``config`` gives v_w, L^w, zeta, kappa, the decision interval and the horizon; ``max_rows`` caps the
    capacity rows of the LP (fewer rows: a weaker but still valid bound). See the module docstring.
    """
    start = time.perf_counter()
    _check_inputs(scenario, graph, config, max_rows)
    inst = _instance(scenario, graph, config)
    ef, d, matchable, reach = _earliest_finish(inst)
    sc = scenario
    heads = sc.task_ptr[:-1]
    ef_task = np.maximum.reduceat(ef, heads)
    travel = np.add.reduceat(np.where(matchable, d, 0.0), heads)
    horizon_ok = sc.task_created <= inst.horizon + TIME_SLACK
    feasible = np.minimum.reduceat(matchable.astype(np.int8), heads).astype(bool) & horizon_ok \
        & (ef_task <= sc.task_deadline + TIME_SLACK)
    pay = payment_after_delay(sc.task_payment, np.where(feasible, ef_task, 0.0) - sc.task_expected, config.zeta)
    values = np.where(feasible, np.maximum(0.0, pay - config.kappa * travel), 0.0)
    rows, caps = _capacity_rows(inst, feasible, ef, d, reach, max_rows)
    bound = _solve(values, feasible, rows, caps)
    sum_bound = float(values.sum())
    return RelaxedBound(bound=bound, sum_bound=sum_bound, task_values=values, task_feasible=feasible,
                        earliest_finish=ef_task, travel_lower=travel, subtask_finish=ef,
                        subtask_travel=np.where(matchable, d, np.inf), holders=reach,
                        binding="capacity" if bound < sum_bound * (1 - 1e-9) - 1e-9 else "sum",
                        capacity_rows=int(caps.size), wall_s=time.perf_counter() - start)


def _check_inputs(scenario, graph, config, max_rows) -> None:
    for name, value, kind in (("scenario", scenario, Scenario), ("graph", graph, RoadGraph),
                              ("config", config, DASCConfig)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} must be a {kind.__name__}, got {type(value).__name__}")
    if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)):
        raise TypeError(f"max_rows must be an int, got {max_rows!r}")
    if max_rows < 0:
        raise ValueError(f"max_rows={max_rows} must be >= 0")
    if scenario.num_skills == 0:
        raise ValueError("the scenario has no skill column (K = 0)")
    scenario.check_fits(graph.num_nodes, int(scenario.task_sizes().max()), scenario.num_skills)


def _first_epochs(task_created: np.ndarray, interval: float) -> np.ndarray:
    """Lower bound on each task's first decision epoch: epochs are multiples of ``interval`` from 0 and a
    task is published at the first one at or after t_c (a microsecond is given away for float drift)."""
    created = np.asarray(task_created, dtype=np.float64)
    return np.maximum(created, interval * first_epoch(created, interval, TIME_SLACK)) - TIME_SLACK


def _instance(sc: Scenario, graph: RoadGraph, config: DASCConfig) -> _Instance:
    to_workers, to_subtasks = _road_rows(sc, graph, config.worker_range * (1 + DIST_SHRINK))
    return _Instance(
        sc=sc, epoch=_first_epochs(sc.task_created, config.decision_interval)[sc.subtask_task],
        latest_start=sc.latest_deadline - sc.subtask_durations + TIME_SLACK,
        to_workers=to_workers * (1 - DIST_SHRINK), to_subtasks=to_subtasks * (1 - DIST_SHRINK),
        skilled=_subset(np.packbits(sc.subtask_skills, axis=1), np.packbits(sc.worker_skills, axis=1)),
        speed=config.worker_speed, horizon=horizon(config, sc))


def _subset(sets: np.ndarray, of: np.ndarray) -> np.ndarray:
    """(len(sets), len(of)) bool: packed skill set ``sets[i]`` lies in ``of[j]``."""
    return ((sets[:, None, :] & ~of[None, :, :]) == 0).all(axis=2)


def _road_rows(sc: Scenario, graph: RoadGraph, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """(S, W) and (S, S) road distances from the workers' start nodes and from the subtasks' nodes to each
    subtask's node (one limited Dijkstra per distinct subtask node on the reversed graph; inf beyond
    ``limit``)."""
    nodes, inverse = np.unique(sc.subtask_nodes, return_inverse=True)
    to_workers = np.empty((nodes.size, sc.num_workers))
    to_subtasks = np.empty((nodes.size, sc.num_subtasks))
    batch = max(1, _DIJKSTRA_CELLS // graph.num_nodes)
    for i in range(0, nodes.size, batch):
        rows = csgraph.dijkstra(graph.csr_reverse, directed=True, indices=nodes[i:i + batch], limit=limit)
        to_workers[i:i + batch] = rows[:, sc.worker_nodes]
        to_subtasks[i:i + batch] = rows[:, sc.subtask_nodes]
    inverse = inverse.ravel()
    return to_workers[inverse], to_subtasks[inverse]


def _moves(inst: _Instance, finish_lb: np.ndarray, matchable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(S, S) [tau, sigma]: a worker done with sigma could be matched to tau next (step 1's tests), and the
    earliest it could start tau then."""
    ready = np.maximum(inst.epoch[:, None], finish_lb[None, :] - TIME_SLACK)
    arrive = ready + inst.to_subtasks / inst.speed
    ok = matchable[None, :] & (arrive <= inst.latest_start[:, None]) & (ready <= inst.horizon + TIME_SLACK)
    np.fill_diagonal(ok, False)
    return ok, arrive


def _reach(inst: _Instance, start_ok: np.ndarray, move_ok: np.ndarray) -> np.ndarray:
    """(S, W) [tau, w]: the least set closed under "w may take tau first" (``start_ok``) and "w may take tau
    after a sigma it may take" (``move_ok`` and K^tau in K^w); every plan's matches lie in it (step 1)."""
    reach, frontier = start_ok.copy(), start_ok.copy()
    step = move_ok.astype(np.float32)
    for _ in range(_MAX_HOPS):
        active = np.flatnonzero(frontier.any(axis=0))
        if active.size == 0:
            return reach
        grown = inst.skilled[:, active] & (step @ frontier[:, active].astype(np.float32) > 0) & ~reach[:, active]
        frontier[:] = False
        frontier[:, active] = grown
        reach |= frontier
    # Long chains: finish with hops along move_ok that skip the skill test of the subtasks passed on the way.
    hops = np.isfinite(csgraph.shortest_path(move_ok.T.astype(np.float64), unweighted=True))
    return reach | (inst.skilled & (hops.T.astype(np.float32) @ reach.astype(np.float32) > 0))


def _candidates(inst: _Instance, finish_lb: np.ndarray, matchable: np.ndarray):
    """Step 1: (d_tau, r_tau, reach) over the standing points that pass the necessary tests (inf: none)."""
    arrive_w = inst.epoch[:, None] + inst.to_workers / inst.speed
    ok_w = inst.skilled & (arrive_w <= inst.latest_start[:, None])
    move_ok, arrive_s = _moves(inst, finish_lb, matchable)
    reach = _reach(inst, ok_w, move_ok)
    # sigma is a standing point for tau only for a worker who may take sigma and holds K^tau.
    ok_s = move_ok & (inst.skilled.astype(np.float32) @ reach.T.astype(np.float32) > 0)
    dist = np.minimum(np.where(ok_w, inst.to_workers, np.inf).min(axis=1, initial=np.inf),
                      np.where(ok_s, inst.to_subtasks, np.inf).min(axis=1, initial=np.inf))
    release = np.minimum(np.where(ok_w, arrive_w, np.inf).min(axis=1, initial=np.inf),
                         np.where(ok_s, arrive_s, np.inf).min(axis=1, initial=np.inf))
    return dist, release, reach


def _earliest_finish(inst: _Instance):
    """Steps 1-2 repeated: (EF_tau, d_tau, matchable_tau, reach); EF is inf where tau is never matched."""
    sc = inst.sc
    finish_lb = sc.forward_pass(inst.epoch + sc.subtask_durations)
    matchable = np.ones(sc.num_subtasks, dtype=bool)
    for _ in range(_ROUNDS):
        dist, release, reach = _candidates(inst, finish_lb, matchable)
        ef = sc.forward_pass(release + sc.subtask_durations)
        now_matchable = np.isfinite(ef) & (ef <= sc.latest_deadline + TIME_SLACK)
        settled = np.array_equal(now_matchable, matchable) and np.allclose(
            np.where(now_matchable, ef, 0.0), np.where(now_matchable, finish_lb, 0.0), rtol=0.0, atol=1e-9)
        matchable = now_matchable
        finish_lb = np.where(matchable, np.maximum(finish_lb, ef), finish_lb)
        if settled:
            break
    return np.where(matchable, finish_lb, np.inf), dist, matchable, reach


def _capacity_rows(inst: _Instance, feasible: np.ndarray, ef: np.ndarray, dist: np.ndarray, reach: np.ndarray,
                   max_rows: int):
    """Step 4: the most violated rows ``A x <= caps`` (A: (rows, Q)) over windows x skill sets."""
    sc = inst.sc
    empty = np.zeros((0, sc.num_tasks)), np.zeros(0)
    epochs = inst.epoch[sc.task_ptr[:-1]]
    a, b = np.meshgrid(np.unique(epochs[feasible]), np.unique(sc.task_deadline[feasible]), indexing="ij")
    keep = b > a
    if max_rows == 0 or not keep.any():
        return empty
    a, b = a[keep][:, None], b[keep][:, None]
    live = feasible[sc.subtask_task]
    busy = np.where(live, sc.subtask_durations + np.where(live, dist, 0.0) / inst.speed, 0.0)
    late = sc.latest_deadline
    early = np.minimum(np.where(live, ef, late), late)
    overlap = np.minimum(_overlap(early, busy, a, b), _overlap(late, busy, a, b))  # (windows, S)
    bits = np.packbits(sc.subtask_skills, axis=1)
    kinds = np.unique(np.vstack([np.zeros_like(bits[:1]), bits]), axis=0)
    member = _subset(kinds, bits).T & live[:, None]                    # (S, kinds): tau needs every skill
    holders = (member.T.astype(np.float32) @ reach.astype(np.float32) > 0).sum(axis=1)  # who may take one
    caps = holders * (b - a + TIME_SLACK)                             # (windows, kinds)
    load = overlap @ member
    violated = np.argwhere(load > caps * (1 + 1e-9) + 1e-9)
    if violated.size == 0:
        return empty
    ratio = load[violated[:, 0], violated[:, 1]] / np.maximum(caps[violated[:, 0], violated[:, 1]], 1e-300)
    win, kind = violated[np.argsort(-ratio, kind="stable")[:max_rows]].T
    rows = np.add.reduceat(overlap[win] * member[:, kind].T, sc.task_ptr[:-1], axis=1)
    return rows, caps[win, kind]


def _overlap(finish: np.ndarray, busy: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Length of [finish - busy, finish] inside [a, b] (broadcast: windows x subtasks)."""
    return np.maximum(0.0, np.minimum(finish, b) - np.maximum(finish - busy, a))


def _solve(values: np.ndarray, feasible: np.ndarray, rows: np.ndarray, caps: np.ndarray) -> float:
    """Step 5: the weak-duality bound y . caps + sum max(0, U - A^T y), y from HiGHS's dual of the LP."""
    upper = feasible.astype(np.float64)
    if caps.size == 0:
        return float(values @ upper)
    res = linprog(-values, A_ub=rows, b_ub=caps, bounds=np.column_stack([np.zeros_like(upper), upper]),
                  method="highs")
    y = np.zeros(caps.size) if res.status != 0 else np.maximum(0.0, -res.ineqlin.marginals)
    return float(min(y @ caps + upper @ np.maximum(0.0, values - rows.T @ y), values @ upper))
