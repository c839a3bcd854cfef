"""The "recommend" action mask against the matcher: an independent brute force of the rule on random small
episodes, and what the simulator then does with the recommendations (``dasc_env.simulator.feasibility``)."""

import functools
import math

import numpy as np
import pytest

import dasc_env
from dasc_env.simulator.states import ASSIGNED, OPEN
from tests.builders import line_env

# Tight deadlines and a short range, so the deadline test (travel included) and L^w both bite.
CONFIG = dict(num_tasks=6, num_workers=6, city="small", arrival_window=300.0, decision_interval=15.0,
              min_subtasks=2, max_subtasks=5, dag_edge_prob=0.5, expected_factor=1.2, deadline_factor=2.0,
              worker_range=1500.0)
RULES = ("paper", "skills", "travel")


@functools.lru_cache(maxsize=1)
def road() -> np.ndarray:
    """All-pairs road distances of the small city (Dijkstra, independent of the env's distance cache)."""
    graph = dasc_env.synthetic_city("small")
    return graph.shortest_distances(np.arange(graph.num_nodes))


def brute_earliest_finish(sim, j: int, memo: dict) -> float:
    """The earliest finish of subtask j if matched this epoch, loop by loop: an idle worker with its skills,
    within L^w, finishing by t^d_tau, starting after its predecessors (unassigned ones at their own earliest)."""
    if j in memo:
        return memo[j]
    sc, cfg = sim.scenario, sim.config
    preds = sc.edges[sc.edges[:, 1] == j, 0]
    ready = max((brute_earliest_finish(sim, int(p), memo) for p in preds), default=-math.inf)
    best = sim.sub_finish[j] if sim.sub_state[j] == ASSIGNED else math.inf
    for w in range(sc.num_workers):
        skilled = all(sc.worker_skills[w, k] for k in np.flatnonzero(sc.subtask_skills[j]))
        d = road()[sim.worker_node[w], sc.subtask_nodes[j]]
        if sim.sub_state[j] == OPEN and sim.worker_free_at[w] <= sim.now + 1e-9 and skilled \
                and d <= cfg.worker_range:
            finish = max(sim.now + d / cfg.worker_speed, ready) + sc.subtask_durations[j]
            if finish <= sc.latest_deadline[j] + 1e-9:
                best = min(best, finish)
    memo[j] = best
    return best


def brute_feasible_workers(sim, j: int, ready: float) -> set[int]:
    sc, cfg = sim.scenario, sim.config
    return {w for w in range(sc.num_workers)
            if sim.worker_free_at[w] <= sim.now + 1e-9
            and not (sc.subtask_skills[j] & ~sc.worker_skills[w]).any()
            and road()[sim.worker_node[w], sc.subtask_nodes[j]] <= cfg.worker_range
            and max(sim.now + road()[sim.worker_node[w], sc.subtask_nodes[j]] / cfg.worker_speed, ready)
            + sc.subtask_durations[j] <= sc.latest_deadline[j] + 1e-9}


def explained_by_contention(before, after, out, j: int, earliest: dict) -> bool:
    """Why an allowed recommendation of j failed, when not for a reason the mask checks: a predecessor stayed
    unassigned, or finished later than its earliest, or every worker that could take j went to another subtask."""
    sc = before.scenario
    preds = sc.edges[sc.edges[:, 1] == j, 0]
    if (after.sub_state[preds] != ASSIGNED).any():
        return True
    if any(after.sub_finish[p] > earliest[int(p)] + 1e-9 for p in preds):
        return True
    ready = max((after.sub_finish[p] for p in preds), default=-math.inf)
    taken = set(out.workers.tolist())
    return brute_feasible_workers(before, j, ready) <= taken


@pytest.mark.parametrize("seed", range(6))
def test_the_mask_is_the_rule_and_allowed_recommendations_fail_only_through_contention(seed):
    env = dasc_env.parallel_env(**CONFIG, task_failure=RULES[seed % 3])
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    allowed_seen = matched_seen = 0
    while env.agents:
        live, batch = env.observation_batch
        allowed = batch["action_mask"][:, 1].astype(bool)
        earliest = {}
        brute = np.array([brute_earliest_finish(env.sim, int(j), earliest) for j in live])
        np.testing.assert_array_equal(allowed, np.isfinite(brute))
        # every allowed subtask, and each masked one with probability 1/2
        chosen = live[allowed | (rng.random(live.size) < 0.5)]
        snapshot = env.copy().sim
        out = env.step_subtasks(chosen)
        after = env.sim
        assert set(out.matched.tolist()) <= set(live[allowed].tolist())  # never stricter than the matcher
        for j in np.setdiff1d(out.failed, live[~allowed]):
            assert explained_by_contention(snapshot, after, out, int(j), earliest)
        allowed_seen += allowed.sum()
        matched_seen += out.matched.size
    assert allowed_seen > 0 and matched_seen > 0
    assert dasc_env.verify_ledger(env.scenario, env.ledger, env.config, env.graph) == []


def test_random_episodes_exercise_the_mask_and_contention():
    """The property above is not vacuous on these episodes: masks on and off, and contended failures."""
    masked = allowed_failed = 0
    for seed in range(6):
        env = dasc_env.parallel_env(**CONFIG, task_failure=RULES[seed % 3])
        env.reset(seed=seed)
        while env.agents:
            live, batch = env.observation_batch
            allowed = batch["action_mask"][:, 1].astype(bool)
            masked += (~allowed).sum()
            allowed_failed += env.step_subtasks(live[allowed]).failed.size
    assert masked > 0 and allowed_failed > 0


def test_a_subtask_whose_old_mask_held_but_whose_predecessor_cannot_be_matched_is_masked():
    env = line_env([(12, [0])], [dict(created=0.0, expected=1000.0, deadline=2000.0, payment=50.0,
                                      subtasks=[(10, [2], 60.0), (12, [0], 60.0)], edges=[(0, 1)])])
    obs, _ = env.reset(seed=0)
    assert obs["subtask_0_1"]["workers"][0, 3] == 1.0  # an idle worker in range with its skills...
    assert obs["subtask_0_1"]["action_mask"].tolist() == [1, 0]  # ...but its predecessor cannot be matched
