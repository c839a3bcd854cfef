"""How the timing benchmarks report: rows to a CSV file, and the metric table of ``train_step.py``.

Scripts in ``benchmarks/`` import it as a sibling (``from report import write_csv``); the experiment scripts, run
from the repository root, as ``from benchmarks.report import write_csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path


def write_csv(path: Path, rows: list[dict]) -> None:
    """``rows`` (dicts with the first one's keys) as a CSV file with a header, its folder created if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def fmt(value: float | str) -> str:
    """A table cell: strings as they are, thousands separated from 100 up, three significant digits below 10."""
    if isinstance(value, str):
        return value
    if value != value:  # NaN
        return "nan"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def row(metric: str, value: float | str, unit: str, target: str = "-", ok: bool | None = None) -> dict:
    """One metric of the table; ``met`` is yes/NO against ``target`` where ``ok`` is given, else "-"."""
    met = "-" if ok is None else ("yes" if ok else "NO")
    return {"metric": metric, "value": value, "unit": unit, "target": target, "met": met}


def print_rows(rows: list[dict]) -> None:
    """The rows of ``row`` as an aligned table: metric | value | unit | target | met."""
    width = max(len(r["metric"]) for r in rows)
    print(f"{'metric':<{width}} | {'value':>15} | {'unit':>7} | {'target':>8} | {'met':>3}")
    print("-" * (width + 46))
    for r in rows:
        print(f"{r['metric']:<{width}} | {fmt(r['value']):>15} | {r['unit']:>7} | {r['target']:>8} | {r['met']:>3}")
