"""Decision-step and episode wall time of dasc-env over the paper's Table 2 grid.

For each (tasks, workers) point: one seeded episode with a uniform random
policy (p = 0.5 per live agent). Reports the median and 95th percentile of
one ``env.step`` (observations of every agent included), the whole episode,
and the live agents per step. Writes ``results/env_step.csv``.

``--slots`` also times the ``FixedSlots`` wrapper (the fixed agent set for SB3, TorchRL and
RLlib) at one point against the raw step of the same episode: the default pool (tasks x
max_subtasks slots) and compact pools, with a random action for every slot, and writes
``results/env_step_slots.csv``.

    python benchmarks/env_step.py                 # both paper-sized cities, full grid
    python benchmarks/env_step.py --city haikou --quick
    python benchmarks/env_step.py --reference     # also time the slow alternatives
    python benchmarks/env_step.py --city chengdu --point 100x300 --p 0.05 --arrival-window 1800   # many live agents
    python benchmarks/env_step.py --city chengdu --slots default,128,64   # FixedSlots vs raw at 60x300
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from report import write_csv

import dasc_env
from dasc_env.wrappers import FixedSlots

TASKS = (20, 40, 60, 80, 100)
WORKERS = (100, 200, 300, 400, 500)


def run_episode(city: str, tasks: int, workers: int, seed: int, p: float = 0.5,
                arrival_window: float = 3600.0) -> dict:
    env = dasc_env.parallel_env(num_tasks=tasks, num_workers=workers, city=city, arrival_window=arrival_window)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    env.reset(seed=seed)
    steps, agents = [], []
    while env.agents:
        actions = {a: int(rng.random() < p) for a in env.agents}
        agents.append(len(actions))
        t0 = time.perf_counter()
        env.step(actions)
        steps.append(time.perf_counter() - t0)
    episode = time.perf_counter() - start
    return {
        "city": city, "tasks": tasks, "workers": workers, "steps": len(steps),
        "step_median_ms": 1e3 * float(np.median(steps)), "step_p95_ms": 1e3 * float(np.percentile(steps, 95)),
        "episode_s": episode, "mean_live_agents": float(np.mean(agents)),
        "revenue": env.unwrapped.total_revenue,
    }


def run_slots_episode(city: str, tasks: int, workers: int, seed: int, num_slots: int | None,
                      p: float = 0.5) -> dict:
    """One random episode through ``FixedSlots`` (an action for every slot; inactive ones are ignored)."""
    env = FixedSlots(dasc_env.parallel_env(num_tasks=tasks, num_workers=workers, city=city), num_slots=num_slots)
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    steps, overflow, live = [], [], []
    while env.agents:
        actions = dict(zip(env.possible_agents, (rng.random(env.num_slots) < p).astype(int).tolist()))
        live.append(len(env.unwrapped.agents))
        t0 = time.perf_counter()
        env.step(actions)
        steps.append(time.perf_counter() - t0)
        overflow.append(env.overflow)
    return {"city": city, "tasks": tasks, "workers": workers, "slots": env.num_slots, "steps": len(steps),
            "step_median_ms": 1e3 * float(np.median(steps)), "step_p95_ms": 1e3 * float(np.percentile(steps, 95)),
            "max_live_agents": int(max(live)), "mean_overflow": float(np.mean(overflow)),
            "revenue": env.unwrapped.total_revenue}


def slots_table(city: str, tasks: int, workers: int, seed: int, pools: list[int | None], out: Path) -> None:
    raw = run_episode(city, tasks, workers, seed)
    rows = [run_slots_episode(city, tasks, workers, seed, k) for k in pools]
    print(f"\nFixedSlots at {city} {tasks}x{workers}: raw step median {raw['step_median_ms']:.2f} ms")
    print(f"{'slots':>6} {'step med ms':>11} {'step p95 ms':>11} {'x raw':>6} {'max live':>8} {'mean overflow':>13}")
    for r in rows:
        r["ratio_to_raw"] = r["step_median_ms"] / raw["step_median_ms"]
        print(f"{r['slots']:>6} {r['step_median_ms']:>11.2f} {r['step_p95_ms']:>11.2f} {r['ratio_to_raw']:>6.2f} "
              f"{r['max_live_agents']:>8} {r['mean_overflow']:>13.2f}")
    write_csv(out, rows)
    print(f"wrote {out}")


def reference_points(city: str) -> None:
    """The costs the design avoids: per-pair networkx Dijkstra and networkx matching vs scipy."""
    import networkx as nx
    from scipy.optimize import linear_sum_assignment

    graph = dasc_env.synthetic_city(city)
    g = graph.to_networkx()
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, graph.num_nodes, size=(5, 2))
    t0 = time.perf_counter()
    for a, b in pairs:
        try:
            nx.dijkstra_path_length(g, int(a), int(b), weight="length")
        except nx.NetworkXNoPath:
            pass
    print(f"networkx dijkstra per pair: {1e3 * (time.perf_counter() - t0) / len(pairs):.1f} ms")
    u = rng.random((100, 500))
    t0 = time.perf_counter()
    for _ in range(20):
        linear_sum_assignment(u, maximize=True)
    print(f"scipy linear_sum_assignment 100x500: {1e3 * (time.perf_counter() - t0) / 20:.2f} ms")
    b = nx.Graph()
    b.add_weighted_edges_from((i, 100 + j, u[i, j]) for i in range(100) for j in range(500))
    t0 = time.perf_counter()
    nx.max_weight_matching(b)
    print(f"networkx max_weight_matching 100x500: {time.perf_counter() - t0:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--city", default="chengdu,haikou", help="comma-separated presets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="only the 60 tasks x 300 workers point")
    parser.add_argument("--point", help="only this TASKSxWORKERS point, e.g. 100x300")
    parser.add_argument("--p", type=float, default=0.5, help="recommendation probability of the random policy")
    parser.add_argument("--arrival-window", type=float, default=3600.0, help="seconds over which tasks arrive")
    parser.add_argument("--reference", action="store_true", help="also time networkx alternatives")
    parser.add_argument("--slots", help="comma-separated FixedSlots pool sizes ('default' = tasks x max_subtasks): "
                        "time the wrapper against the raw step at --point (default 60x300) instead of the grid")
    parser.add_argument("--out", type=Path, default=Path("results/env_step.csv"))
    args = parser.parse_args()

    grid = [(60, 300)] if args.quick else sorted({(t, 300) for t in TASKS} | {(60, w) for w in WORKERS})
    if args.point:
        tasks, workers = (int(v) for v in args.point.lower().split("x"))
        grid = [(tasks, workers)]
    cities = args.city.split(",")
    if args.slots:
        tasks, workers = grid[0] if args.point else (60, 300)
        pools = [None if k == "default" else int(k) for k in args.slots.split(",")]
        slots_table(cities[0], tasks, workers, args.seed, pools, args.out.with_name("env_step_slots.csv"))
        return
    rows = [run_episode(city, t, w, args.seed, args.p, args.arrival_window) for city in cities for t, w in grid]
    print(f"{'city':>8} {'tasks':>5} {'workers':>7} {'steps':>6} {'agents':>7} {'step med ms':>11} "
          f"{'step p95 ms':>11} {'episode s':>9}")
    for r in rows:
        print(f"{r['city']:>8} {r['tasks']:>5} {r['workers']:>7} {r['steps']:>6} {r['mean_live_agents']:>7.1f} "
              f"{r['step_median_ms']:>11.2f} {r['step_p95_ms']:>11.2f} {r['episode_s']:>9.2f}")
    write_csv(args.out, rows)
    print(f"wrote {args.out}")
    if args.reference:
        reference_points(cities[0])


if __name__ == "__main__":
    main()
