"""Drawing one epoch with matplotlib (``pip install dasc-env[render]``).

The road network is drawn once; every frame adds idle workers (green),
busy workers at the subtask they are bound for (grey), live subtasks by state
-- ready to recommend (blue), waiting on a predecessor (orange), assigned and
not finished yet (purple) -- and this epoch's matches as straight lines from each
worker's starting point to its subtask (the legend says so; the road route is not drawn).
Workers are drawn above subtasks, so a worker waiting at an assigned subtask stays
visible; the legend sits to the right of the map.
"""

from __future__ import annotations

import numpy as np

from ..simulator import Simulator
from ..simulator.states import ASSIGNED, OPEN

FRAME_SIZE = (640, 640)
"""(height, width) in pixels of an ``rgb_array`` frame."""
_DPI = 100
MAP_WIDTH = 0.76
"""Share of the frame's width for the map; the legend takes the rest."""


class Renderer:
    def __init__(self, sim: Simulator, render_mode: str):
        try:
            import matplotlib
            from matplotlib.collections import LineCollection
        except ImportError as err:
            raise ImportError("rendering needs matplotlib: pip install 'dasc-env[render]'") from err
        self.render_mode = render_mode
        if render_mode == "human":
            import matplotlib.pyplot as plt

            self._plt = plt
            self.fig = plt.figure(figsize=(FRAME_SIZE[1] / _DPI, FRAME_SIZE[0] / _DPI), dpi=_DPI)
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            self.fig = Figure(figsize=(FRAME_SIZE[1] / _DPI, FRAME_SIZE[0] / _DPI), dpi=_DPI)
            FigureCanvasAgg(self.fig)
        del matplotlib
        graph = sim.graph
        ax = self.fig.add_axes((0.0, 0.0, MAP_WIDTH, 0.95))
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.add_collection(LineCollection(np.stack([graph.xy[graph.tails], graph.xy[graph.heads]], axis=1),
                                         colors="#d0d0d0", linewidths=0.4, zorder=0))
        x0, y0, x1, y1 = graph.extent
        pad = 0.02 * max(x1 - x0, y1 - y0, 1.0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        self.ax = ax
        self.title = self.fig.text(0.01, 0.97, "", fontsize=9, va="center")
        style = dict(s=14, zorder=3, linewidths=0)
        self.ready = ax.scatter([], [], c="#1f77b4", marker="s", label="ready subtask", **style)
        self.waiting = ax.scatter([], [], c="#ff7f0e", marker="s", label="waiting subtask", **style)
        self.running = ax.scatter([], [], c="#9467bd", marker="s", label="assigned subtask", **style)
        self.idle = ax.scatter([], [], c="#2ca02c", marker="o", label="idle worker", s=14, zorder=5, linewidths=0)
        self.busy = ax.scatter([], [], c="#4d4d4d", marker="o", label="busy worker", s=8, zorder=6, linewidths=0)
        self.matches = LineCollection([], colors="#d62728", linewidths=1.2, zorder=2,
                                      label="match this epoch\n(straight line,\nnot the route)")
        ax.add_collection(self.matches)
        self.legend = ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)

    def draw(self, sim: Simulator) -> np.ndarray | None:
        xy, sc = sim.graph.xy, sim.scenario
        idle = sim.worker_free_at <= sim.now
        self.idle.set_offsets(xy[sim.worker_node[idle]].reshape(-1, 2))
        self.busy.set_offsets(xy[sim.worker_node[~idle]].reshape(-1, 2))
        open_ = sim.sub_state == OPEN
        blocked = sim.blocked()
        running = (sim.sub_state == ASSIGNED) & (sim.sub_finish > sim.now)
        for artist, mask in ((self.ready, open_ & ~blocked), (self.waiting, open_ & blocked),
                             (self.running, running)):
            artist.set_offsets(xy[sc.subtask_nodes[mask]].reshape(-1, 2))
        out = sim.last_outcome
        segments = (np.stack([xy[out.origins], xy[sc.subtask_nodes[out.matched]]], axis=1)
                    if out is not None and out.matched.size else np.empty((0, 2, 2)))
        self.matches.set_segments(segments)
        self.title.set_text(f"t = {sim.now:.0f} s   revenue {sim.total_revenue:.1f}   "
                            f"live subtasks {int(open_.sum())}   matches this epoch {len(segments)}")
        if self.render_mode == "human":
            self.fig.canvas.draw_idle()
            self._plt.pause(0.001)
            return None
        self.fig.canvas.draw()
        return np.asarray(self.fig.canvas.buffer_rgba())[..., :3].copy()

    def close(self) -> None:
        if self.render_mode == "human":
            self._plt.close(self.fig)
