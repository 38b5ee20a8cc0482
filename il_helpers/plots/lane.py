"""LaneKeeping's pictures: the road (drawn here once, for every figure and the env's renderer),
trajectories over it, and the frames of ``render()``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..core.rollout import Rollout
from ..envs.base import register_renderer
from ..envs.lane_keeping import (
    DS,
    HALF_WIDTH,
    LANE_KEEPING_DISCRETE_REVERSED,
    LANE_KEEPING_REVERSED,
    frenet_to_world,
    road_geometry,
)
from ..envs.registry import LANE_KEEPING, LANE_KEEPING_DISCRETE
from .style import color


def road_edges(geometry: dict, s: np.ndarray):
    """The road's left and right edges ``(x, y)`` in world coordinates at arc lengths ``s``, and the
    closed polygon between them: the one way every picture of the course draws a road."""
    left = frenet_to_world(geometry, s, np.full_like(s, HALF_WIDTH))
    right = frenet_to_world(geometry, s, np.full_like(s, -HALF_WIDTH))
    polygon = (np.concatenate([left[0], right[0][::-1]]), np.concatenate([left[1], right[1][::-1]]))
    return left, right, polygon


def draw_road(ax, curvature: np.ndarray, length: float | None = None, start: float = 0.0, geometry=None,
              road_color: str = "#8c8c8c", edge_lw: float = 1.5, background: str | None = "#dfeccf",
              label: str | None = "road", fill_lw: float | None = None):
    """Draw one LaneKeeping road (grey band with white edges) in world coordinates, from arc length
    ``start`` to ``length``; returns its geometry (:func:`~il_helpers.envs.lane_keeping.road_geometry`).
    ``label``: the band's legend entry (None: none); ``fill_lw``: the band's outline width
    (None: matplotlib's default)."""
    geo = geometry if geometry is not None else road_geometry(curvature)
    s = np.arange(start, length if length is not None else len(curvature) - 1, 0.5)
    left, right, polygon = road_edges(geo, s)
    if background is not None:
        ax.set_facecolor(background)
    extra = ({} if label is None else {"label": label}) | ({} if fill_lw is None else {"lw": fill_lw})
    ax.fill(*polygon, color=road_color, zorder=1, **extra)
    ax.plot(*left, color="white", lw=edge_lw, zorder=2)
    ax.plot(*right, color="white", lw=edge_lw, zorder=2)
    ax.set_aspect("equal")
    return geo


def plot_lane_trajectories(rollouts: dict[str, Rollout], episode: int = 0, ax=None, steps: int | None = None):
    """Trajectories of several policies on the same LaneKeeping road, drawn over the road.

    ``rollouts`` maps a label to a rollout; all must come from the same seed so that episode
    ``episode`` is the same road for each. Off-road stretches are marked with crosses.
    """
    first = next(iter(rollouts.values()))
    if first.roads is None:
        raise ValueError("plot_lane_trajectories needs LaneKeeping rollouts (they carry the road)")
    for label, r in rollouts.items():
        if r.roads is None or not np.array_equal(r.roads[episode], first.roads[episode]):
            raise ValueError(f"rollout {label!r} drove on another road: use the same env and seed for every rollout")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    T = steps or first.horizon
    s_max = max(float(r.infos["s"][episode, :T].max()) for r in rollouts.values())
    geo = draw_road(ax, first.roads[episode], length=s_max + 5)
    for i, (label, r) in enumerate(rollouts.items()):
        s, e = r.infos["s"][episode, :T], r.next_obs[episode, :T, 0]
        x, y = frenet_to_world(geo, s, e)
        c = color(label, i)
        ax.plot(x, y, color=c, lw=2, label=label, zorder=3)
        off = r.infos["off_road"][episode, :T]
        if off.any():
            ax.plot(x[off], y[off], "x", color=c, ms=4, zorder=4)
    ax.legend(loc="best", fontsize=9)
    ax.set_xlabel("x [m]")
    ax.set_ylabel("y [m]")
    return ax


class LaneKeepingRenderer:
    """Top-down view that follows the car: the road (grey), its edges, the centre line and the car."""

    def __init__(self, size_px: int = 400, view_m: float = 15.0):
        self.fig = Figure(figsize=(4, 4), dpi=size_px / 4, facecolor="#7fb069")  # grass
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes([0, 0, 1, 1])
        self.view = view_m
        self._road = None

    def draw(self, view) -> np.ndarray:
        """The picture of a :class:`~il_helpers.envs.lane_keeping.LaneKeepingEnv`'s car on its road."""
        return self.draw_state(view.core.roads[0], view.core.state[0])

    def draw_state(self, curvature: np.ndarray, state: np.ndarray) -> np.ndarray:
        s, e, psi = state
        if self._road is None or self._road[0] is not curvature:
            self._road = (curvature, road_geometry(curvature))
        geo = self._road[1]
        ax = self.ax
        ax.clear()
        lo, hi = max(0.0, s - self.view), s + self.view
        draw_road(ax, curvature, length=hi, start=lo, geometry=geo, road_color="#5a5a5a", edge_lw=2, background=None)
        ss = np.arange(lo, hi, 0.5)
        ax.plot(*frenet_to_world(geo, ss, np.zeros_like(ss)), color="#f2d21b", lw=1, ls=(0, (4, 4)))
        cx, cy = frenet_to_world(geo, np.array([s]), np.array([e]))
        th = np.interp(s, np.arange(len(geo["theta"])) * DS, geo["theta"]) + psi
        body = np.array([[1.8, 0.0], [-1.2, 0.9], [-1.2, -0.9]])
        rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        pts = body @ rot.T + np.array([cx[0], cy[0]])
        ax.fill(pts[:, 0], pts[:, 1], color="#d62728" if abs(e) > HALF_WIDTH else "#1f77b4")
        ax.set_xlim(cx[0] - self.view, cx[0] + self.view)
        ax.set_ylim(cy[0] - self.view, cy[0] + self.view)
        ax.set_aspect("equal")
        ax.axis("off")
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()

    def close(self):
        self.fig.clear()


for _env_id in (LANE_KEEPING, LANE_KEEPING_DISCRETE, LANE_KEEPING_REVERSED, LANE_KEEPING_DISCRETE_REVERSED):
    register_renderer(_env_id, LaneKeepingRenderer)
