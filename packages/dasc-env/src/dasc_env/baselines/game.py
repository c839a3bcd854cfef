"""GAME: dependency-aware assignment as a game among workers (after Ni, Cheng, Chen, Lin, ICDE 2020).

Players are the idle workers; a worker's strategy is one dependency-feasible
subtask it can do, or nothing. A subtask chosen by several workers goes to
the one that adds most, and the assignment's welfare is

    Phi = sum over subtasks of the best chooser's value,
    value(w, tau) = (1 - zeta * Delta t_tau) * rho / |T| - kappa * d(w, tau),

the pair's share of the task's revenue (Eq. 1) with Delta t_tau how far the
pair would finish past t^e_tau. A worker's payoff is its *marginal contribution* to Phi (what Phi
loses without it), which makes this an exact potential game with potential
Phi: every strict best response raises Phi, so best-response rounds stop at
a pure Nash equilibrium.

Readings chosen where the paper leaves a detail open, each to keep the
method strong: the players' candidate subtasks are those whose predecessors
are all assigned (workers may travel ahead and wait), the game is played
every epoch on the idle workers, and workers move in index order, each to
its best response, until a round changes nothing.
"""

from __future__ import annotations

import numpy as np

from ..env import DASCParallelEnv
from ..matching import MatchingProblem
from ..simulator import payment_after_delay
from .heuristics import RulePolicy

_EPS = 1e-9


def pair_values(env: DASCParallelEnv, problem: MatchingProblem) -> np.ndarray:
    """(n, m) each feasible pair's share of its task's revenue (Eq. 1); -inf where infeasible."""
    sc, cfg = env.scenario, env.config
    subs = problem.subtasks
    task = sc.subtask_task[subs]
    delay = np.where(problem.feasible, problem.finish, 0.0) - sc.latest_expected[subs][:, None]
    share = payment_after_delay(sc.task_payment[task][:, None], delay, cfg.zeta) / sc.task_sizes()[task][:, None]
    value = share - cfg.kappa * np.where(problem.feasible, problem.distance, 0.0)
    return np.where(problem.feasible, value, -np.inf)


def best_response_equilibrium(value: np.ndarray, max_rounds: int = 1000) -> tuple[np.ndarray, int]:
    """Best-response dynamics of the marginal-contribution game; returns each worker's choice (-1: none).

    ``value`` is (n subtasks, m workers), -inf where infeasible.
    """
    n, m = value.shape
    choice = np.full(m, -1, dtype=np.int64)
    active = np.flatnonzero((value > _EPS).any(axis=0)) if n else np.empty(0, np.int64)
    for rounds in range(1, max_rounds + 1):
        changed = False
        for w in active:
            gain = marginal_gains(value, choice, w)
            current = gain[choice[w]] if choice[w] >= 0 else 0.0
            best = int(np.argmax(gain))
            if gain[best] > current + _EPS:
                choice[w] = best
                changed = True
        if not changed:
            return choice, rounds
    raise RuntimeError(f"best-response dynamics did not settle in {max_rounds} rounds")


def marginal_gains(value: np.ndarray, choice: np.ndarray, w: int) -> np.ndarray:
    """(n,) what worker ``w`` would add to Phi by choosing each subtask, given the others' choices."""
    others = choice.copy()
    others[w] = -1
    chosen = others >= 0
    best_other = np.zeros(value.shape[0])
    if chosen.any():
        np.maximum.at(best_other, others[chosen], np.maximum(value[others[chosen], np.flatnonzero(chosen)], 0.0))
    return np.where(np.isfinite(value[:, w]), np.maximum(value[:, w] - best_other, 0.0), -np.inf)


def settle(value: np.ndarray, choice: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give each chosen subtask to its most valuable chooser: the (rows, cols) assignment."""
    rows, cols = [], []
    for r in np.unique(choice[choice >= 0]):
        choosers = np.flatnonzero(choice == r)
        best = choosers[np.argmax(value[r, choosers])]
        if value[r, best] > 0:
            rows.append(r)
            cols.append(best)
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


class GamePolicy(RulePolicy):
    """Recommend subtasks whose predecessors are assigned; match by the workers' game."""

    def __init__(self):
        super().__init__("game", "assigned")

    def reset(self, env: DASCParallelEnv, seed: int | None = None) -> None:
        super().reset(env, seed)

        def game_matcher(problem: MatchingProblem):
            value = pair_values(env, problem)
            choice, _ = best_response_equilibrium(value)
            return settle(value, choice)

        self.matcher = game_matcher
