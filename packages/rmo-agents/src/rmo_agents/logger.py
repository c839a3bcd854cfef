"""Training curves: TensorBoard scalars, the same rows in ``metrics.csv``, and a tqdm progress bar.

Per update (TensorBoard step = episodes done): both PPO losses, value losses,
explained variances, |meta| and cos(grad L, meta), xi, alpha, beta, g_eta,
clip fractions, approximate KL, entropies; per update's episodes: revenue,
completed and failed tasks, failed recommendations, rollout and learner throughput.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from torch.utils.tensorboard import SummaryWriter
from tqdm.auto import tqdm

GROUPS = {
    "episode": ("revenue", "completed", "failed", "failed_recommendations", "eval_revenue"),
    "speed": ("rollout_steps_per_s", "rollout_transitions_per_s", "learner_transitions_per_s", "rollout_s",
              "replay_s", "learner_s", "revenue_steps_s", "env_steps", "transitions"),
    "eta": ("alpha", "beta", "g_alpha", "g_beta", "revenue_grad_alpha", "revenue_grad_beta"),
}


class RunLogger:
    """Writes one row per update; resumes append to the same CSV and event folder."""

    def __init__(self, out: Path, total: int, start: int = 0, progress: bool = True):
        self.out = Path(out)
        self.writer = SummaryWriter(log_dir=str(self.out / "tb"), purge_step=start if start else None)
        self.csv_path = self.out / "metrics.csv"
        self.bar = tqdm(total=total, initial=start, unit="episode", desc="rmo-train", disable=not progress)
        self._fields: list[str] | None = None
        if start and self.csv_path.exists():
            with self.csv_path.open() as f:
                self._fields = next(csv.reader(f), None)

    def log(self, episodes: int, updates: int, stats: dict[str, float]) -> None:
        for key, value in stats.items():
            if value is not None and math.isfinite(value):
                self.writer.add_scalar(f"{_group(key)}/{key}", value, episodes)
        row = {"episodes": episodes, "updates": updates, **stats}
        new = [k for k in row if k not in (self._fields or [])]
        if new:  # a column appears (e.g. the first evaluation): rewrite the file with the wider header
            rows = []
            if self._fields:
                with self.csv_path.open() as f:
                    rows = list(csv.DictReader(f))
            self._fields = (self._fields or []) + new
            with self.csv_path.open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=self._fields)
                writer.writeheader()
                writer.writerows(rows)
        with self.csv_path.open("a", newline="") as f:
            csv.DictWriter(f, fieldnames=self._fields).writerow(row)
        self.bar.update(episodes - self.bar.n)
        self.bar.set_postfix(revenue=f"{stats.get('revenue', float('nan')):.0f}",
                             trans_s=f"{stats.get('rollout_transitions_per_s', 0):.0f}")

    def close(self) -> None:
        self.writer.close()
        self.bar.close()


def _group(key: str) -> str:
    for group, keys in GROUPS.items():
        if key in keys:
            return group
    return "update"
