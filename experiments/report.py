"""How the experiments report: rows to a CSV file, and a table cell (``fmt``).

The experiment scripts import it as ``from experiments.report import write_csv``; ``paper/common.py`` passes
``write_csv`` on to the figure scripts. (The timing benchmarks have their own ``benchmarks/report.py``.)
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

