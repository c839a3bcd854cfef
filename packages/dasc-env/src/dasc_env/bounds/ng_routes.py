"""The pricing of ``time_indexed_bound``: each worker's best route at given prices, on the network of bins that
module's docstring describes, as a dynamic programme over (subtask, ng-memory, free bin), backwards in the bins."""

from __future__ import annotations

import math

import numpy as np

from .instance import ClairvoyantInstance
from .relaxed import DIST_SHRINK, TIME_SLACK, RelaxedBound


class RoutePricing:
    """Each worker's best ng-route at given prices: a DP over (node, memory, free bin), backwards in the bins.

    ng-routes (Baldacci, Mingozzi and Roberti 2011): each subtask b has a neighbourhood N(b), itself and its
    ``ng - 1`` nearest subtasks; a route remembers the subtasks it did that lie in the neighbourhood of every
    subtask it did since, and may not start a remembered one again. Every real route starts each subtask once,
    so it is an ng-route: the set of routes only shrinks from "any path" and still holds every real one.
    """

    def __init__(self, relaxed: RelaxedBound, inst: ClairvoyantInstance, delta: float, ng: int):
        sc, cfg = inst.scenario, inst.config
        self.kappa = cfg.kappa
        scale = (1 - DIST_SHRINK) / (cfg.worker_speed * delta)
        self.between = inst.between * (1 - DIST_SHRINK)
        self.from_worker = inst.from_worker * (1 - DIST_SHRINK)
        self.hop, self.hop0 = (np.where(np.isfinite(d), np.floor(d * scale + TIME_SLACK), -1).astype(np.int64)
                               for d in (inst.between, inst.from_worker))  # bins a move takes at least
        self.busy = np.floor(sc.subtask_durations / delta + TIME_SLACK).astype(np.int64)  # >= 1 bin
        self.may = relaxed.holders.T  # (W, S)
        self.last_free = math.floor((inst.last_epoch * cfg.decision_interval + TIME_SLACK) / delta)
        self.next_memory, self.forbidden = ng_tables(inst.between, min(ng, sc.num_subtasks))

    def travel_cost(self, w: int, route: list[tuple[int, int]]) -> float:
        stops = [b for b, _ in route]
        metres = sum(self.from_worker[w, stops[0]] if i == 0 else self.between[stops[i - 1], stops[i]]
                     for i in range(len(stops))) if stops else 0.0
        return float(self.kappa * metres)

    def best_routes(self, prices: np.ndarray) -> list[tuple[float, list[tuple[int, int]]]]:
        """Per worker (value, route) of its best route at ``prices`` (value 0: the empty route)."""
        out, cache = [], {}
        for w in range(self.may.shape[0]):
            key = self.may[w].tobytes()
            if key not in cache:
                cache[key] = self._tables(np.where(self.may[w][:, None], prices, -np.inf))
            out.append(self._route(w, *cache[key]))
        return out

    def _tables(self, prices: np.ndarray):
        ns, width = prices.shape
        masks = self.next_memory.shape[1]
        bins = width + int(self.busy.max()) + 2
        value = np.zeros((ns, masks, bins + 1))        # V[a, M, k]: idle at a remembering M, from free bin k
        move = np.full((ns, masks, bins + 1), -1)      # the next subtask from there, -1: wait or stop
        gain = np.full((ns, masks, bins + 1), -np.inf)  # G[b, M, j]: best start of b in a bin >= j, and on
        start_here = np.zeros((ns, masks, bins + 1), dtype=bool)
        allowed = (self.hop >= 0)[:, None, :] & ~self.forbidden    # (a, M, b)
        cost = (self.kappa * np.where(self.hop >= 0, self.between, 0.0))[:, None, :]
        nodes = np.arange(ns)
        head = np.broadcast_to(nodes[None, None, :], allowed.shape)
        for k in range(bins - 1, -1, -1):
            if k < width:
                here = prices[:, k, None] + value[nodes, :, np.minimum(k + self.busy, bins)]
                start_here[:, :, k] = here > gain[:, :, k + 1]
                gain[:, :, k] = np.maximum(gain[:, :, k + 1], here)
            else:
                gain[:, :, k] = gain[:, :, k + 1]
            if k > self.last_free:
                continue  # idle past the horizon: no match any more (V = 0)
            at = np.minimum(k + self.hop, bins)[:, None, :]
            reach = np.where(allowed, gain[head, self.next_memory, at] - cost, -np.inf)
            best = reach.argmax(axis=2)
            take = np.take_along_axis(reach, best[..., None], axis=2)[..., 0]
            go = take > np.maximum(value[:, :, k + 1], 0.0)
            value[:, :, k] = np.where(go, take, value[:, :, k + 1])
            move[:, :, k] = np.where(go, best, -1)
        return value, move, gain, start_here

    def _route(self, w, value, move, gain, start_here):
        bins = value.shape[2] - 1
        ok = self.hop0[w] >= 0
        if not ok.any():
            return 0.0, []
        first = np.minimum(np.where(ok, self.hop0[w], 0), bins)
        travel = self.kappa * np.where(ok, self.from_worker[w], 0.0)
        reach = np.where(ok, gain[np.arange(gain.shape[0]), 0, first] - travel, -np.inf)
        b, memory = int(reach.argmax()), 0
        total = float(reach[b])
        if total <= 0:
            return 0.0, []
        route, j = [], int(first[b])
        while True:
            while not start_here[b, memory, j]:
                j += 1
            route.append((b, j))
            k = min(j + int(self.busy[b]), bins)
            while k <= bins - 1 and move[b, memory, k] < 0 and value[b, memory, k] > 0:
                k += 1
            if k > bins - 1 or move[b, memory, k] < 0:
                return total, route
            nxt = int(move[b, memory, k])
            b, memory, j = nxt, int(self.next_memory[b, memory, nxt]), min(k + int(self.hop[b, nxt]), bins)


def ng_tables(between: np.ndarray, ng: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, M, b) tables of ng-routes: the memory index at b after a -> b from memory M at a, and whether b is
    remembered (forbidden). N(b) = b and its ng - 1 nearest subtasks (by the shorter way, either direction); a
    memory is a bit set over the slots 1 .. ng - 1 of N(a) (slot 0, a itself, is always remembered)."""
    ns = between.shape[0]
    near = np.minimum(between, between.T)
    np.fill_diagonal(near, -1.0)                       # b first, in slot 0
    hood = np.argsort(near, axis=1, kind="stable")[:, :ng]  # (S, ng)
    masks = 1 << (ng - 1)
    bits = (np.arange(masks)[:, None] >> np.arange(ng - 1)[None, :]) & 1   # (masks, ng - 1)
    remembered = np.concatenate([np.ones((masks, 1), dtype=bool), bits.astype(bool)], axis=1)  # (masks, ng)
    slot_in = np.full((ns, ns), -1)                     # slot_in[b, x]: slot of x in N(b), -1 if absent
    slot_in[np.repeat(np.arange(ns), ng), hood.ravel()] = np.tile(np.arange(ng), ns)
    # member x of a's memory -> its slot in N(b): (a, slots of a, b)
    target = slot_in.T[hood]                            # (a, ng, b): slot of hood[a, s] in N(b)
    keep = remembered[None, :, :, None] & (target[:, None, :, :] >= 1)        # (a, M, ng, b)
    weights = np.where(keep, 1 << np.maximum(target[:, None, :, :] - 1, 0), 0)
    next_memory = weights.sum(axis=2)                   # (a, M, b)
    is_head = hood[:, None, :, None] == np.arange(ns)[None, None, None, :]           # (a, 1, ng, b)
    forbidden = (remembered[None, :, :, None] & is_head).any(axis=2)
    return next_memory.astype(np.int64), forbidden
