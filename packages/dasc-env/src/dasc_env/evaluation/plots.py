"""Fig. 7-shaped plots: revenue against the number of tasks or workers, one line per method, mean +- std, and
the mean upper bound (black, dashed) when the summary has one (``dasc-eval --bound``)."""

from __future__ import annotations

from pathlib import Path


def plot_revenue(summary: list[dict], out_dir: Path) -> list[Path]:
    """One PNG per city and swept axis (tasks and/or workers); returns the files written."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError("plots need matplotlib: pip install 'dasc-env[render]'") from err
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for city in sorted({s["city"] for s in summary}):
        rows = [s for s in summary if s["city"] == city]
        for axis, other in (("num_tasks", "num_workers"), ("num_workers", "num_tasks")):
            # One panel per value of the other axis along which this axis was actually swept.
            fixed_values = [f for f in sorted({r[other] for r in rows})
                            if len({r[axis] for r in rows if r[other] == f}) >= 2]
            if not fixed_values:
                continue
            fig, axes = plt.subplots(1, len(fixed_values), figsize=(5 * len(fixed_values), 4), squeeze=False)
            for ax, fixed in zip(axes[0], fixed_values):
                for method in dict.fromkeys(r["method"] for r in rows):
                    line = sorted((r for r in rows if r["method"] == method and r[other] == fixed),
                                  key=lambda r: r[axis])
                    if not line:
                        continue
                    x = [r[axis] for r in line]
                    mean = [r["revenue_mean"] for r in line]
                    std = [r["revenue_std"] for r in line]
                    ax.plot(x, mean, marker="o", label=method)
                    ax.fill_between(x, [m - s for m, s in zip(mean, std)], [m + s for m, s in zip(mean, std)],
                                    alpha=0.2)
                if "bound_mean" in rows[0]:
                    _plot_bound(ax, [r for r in rows if r[other] == fixed], axis)
                ax.set_xlabel("# of tasks" if axis == "num_tasks" else "# of workers")
                ax.set_ylabel("total revenue E(M)")
                ax.set_title(f"{city}, {other.split('_')[1]} = {fixed}")
                ax.grid(alpha=0.3)
                ax.legend(fontsize=8)
            fig.tight_layout()
            path = out_dir / f"revenue_vs_{axis.split('_')[1]}_{city}.png"
            fig.savefig(path, dpi=120)
            plt.close(fig)
            written.append(path)
    return written


def _plot_bound(ax, rows: list[dict], axis: str) -> None:
    """The mean bound at each x (the same for every method: it is the episodes' bound)."""
    bound = {r[axis]: (r["bound_mean"], r["bound_kind"]) for r in rows}
    x = sorted(bound)
    kinds = "/".join(sorted({kind for _, kind in bound.values()}))
    ax.plot(x, [bound[v][0] for v in x], color="black", linestyle="--", marker="_", markersize=14,
            label=f"upper bound ({kinds})")
