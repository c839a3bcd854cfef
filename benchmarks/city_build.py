"""Road-graph build time per synthetic preset: cold (generate), first cached call (generate + write)
and warm (read the cache file), plus the demand model. Writes ``results/city_build.csv``.

    python benchmarks/city_build.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from report import write_csv

import dasc_env
from dasc_env.city import PRESETS, load_city, synthetic_city
from dasc_env.scenario import CityDemand


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        os.environ["DASC_ENV_CACHE"] = cache
        for name in PRESETS:
            graph = synthetic_city(name)
            cold = timed(lambda name=name: synthetic_city(name).csr)
            first = timed(lambda name=name: load_city(name).csr, repeat=1)  # the cache is empty: build + write
            warm = timed(lambda name=name: load_city(name).csr)
            demand = timed(lambda graph=graph: CityDemand(graph, dasc_env.DASCConfig()), repeat=1)
            rows.append(dict(city=name, nodes=graph.num_nodes, edges=graph.num_edges, arcs=graph.num_arcs,
                             cold_s=cold, first_cached_s=first, warm_s=warm, demand_s=demand))
    print(f"{'city':>8} {'nodes':>7} {'edges':>7} {'arcs':>7} {'cold s':>7} {'1st cached s':>12} "
          f"{'warm s':>7} {'demand s':>8}")
    for r in rows:
        print(f"{r['city']:>8} {r['nodes']:>7} {r['edges']:>7} {r['arcs']:>7} {r['cold_s']:>7.3f} "
              f"{r['first_cached_s']:>12.3f} {r['warm_s']:>7.3f} {r['demand_s']:>8.3f}")
    out = Path("results/city_build.csv")
    write_csv(out, rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
