"""Notebook 01's figures: the compounding-error curve J(T), survival and per-step off-road
probability, where each policy drives (state distributions), and a drift animated on its road."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.colors import LogNorm

from ..core.checks import check_int
from ..envs.lane_keeping import DS, HALF_WIDTH, frenet_to_world, road_geometry
from ..lessons.distribution_shift import (
    CostCurve,
    SlopeFit,
    expected_cost_bound,
    reference_curves,
    still_on_distribution,
)
from .lane import draw_road
from .style import color


def _color(label: str, i: int) -> str:
    """The palette's colour of a curve's label; unknown labels take matplotlib's colours from C3 on."""
    return color(label, i + 3)


def _as_curves(curves) -> list[CostCurve]:
    if isinstance(curves, CostCurve):
        return [curves]
    if isinstance(curves, dict):
        curves = list(curves.values())
    curves = list(curves)
    if not curves or not all(isinstance(c, CostCurve) for c in curves):
        raise TypeError("expected a CostCurve, or a non-empty list or dict of them")
    return curves


def plot_compounding(curves, eps: float | None = None, fit: SlopeFit | None = None, ax=None, bound: bool = False):
    """The compounding-error plot: J(T) against T on log-log axes.

    ``curves``: one :class:`CostCurve` or a list / dict of them (e.g. expert, BC, BC + noise injection, DART).
    The theory's references ``eps T`` and ``eps T^2`` are drawn for ``eps`` (default: the
    ``eps`` of the first curve that has one); ``fit`` adds the fitted line over its range;
    ``bound=True`` adds the error-accumulation sum :func:`expected_cost_bound`. A curve is
    drawn where J(T) > 0 (with a band of +- 1 standard error); one that is zero at every T
    (the expert) cannot be drawn on a log axis, so it is drawn as downward triangles at the
    resolution of the measurement, 1 / n_episodes, and labelled as zero.
    """
    curves = _as_curves(curves)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.4))
    if eps is None:
        eps = next((c.eps for c in curves if c.eps > 0), None)
    T_all = np.unique(np.concatenate([c.horizons for c in curves]))
    floor = min(1.0 / c.n_episodes for c in curves)
    for i, c in enumerate(curves):
        color = _color(c.label, i)
        pos = c.cost > 0
        if pos.any():
            lo = np.clip(c.cost - c.cost_se, c.cost / 3, None)  # +- 1 standard error, clipped for the log axis
            ax.fill_between(c.horizons[pos], lo[pos], (c.cost + c.cost_se)[pos], color=color, alpha=0.15, lw=0)
            ax.plot(c.horizons[pos], c.cost[pos], "o-", color=color, ms=3.5, lw=1.8,
                    label=f"{c.label} (h = {c.eps:.1e})" if c.eps > 0 else c.label)
        else:  # zero at every T: nothing to draw on a log axis, so mark the resolution 1/N
            ax.plot(c.horizons, np.full(len(c.horizons), 1.0 / c.n_episodes), "v", color=color, ms=5, alpha=0.8,
                    label=f"{c.label}: J = 0 at every T ({c.n_episodes} × {c.max_horizon} steps), drawn at 1/N")
    if eps is not None and eps > 0:
        ref = reference_curves(eps, T_all)
        ax.plot(T_all, ref["eps_T"], "--", color="0.45", lw=1.3,
                label=r"$h T$ (mistakes that do not compound)")
        ax.plot(T_all, ref["eps_T2"], ":", color="k", lw=1.6, label=r"$h T^2$ (the compounding bound)")
        if bound:
            ax.plot(T_all, expected_cost_bound(eps, T_all), "-", color="0.6", lw=1,
                    label=r"$\Sigma_{t \leq T}\,[1-(1-h)^t]$ (the argument's sum)")
        if 1.0 / eps < T_all.max():
            ax.axvspan(1.0 / eps, T_all.max() * 1.05, color="0.85", alpha=0.5, lw=0)
            ax.text(1.0 / eps, floor * 2.5, r"$h T > 1$ $\rightarrow$ ", fontsize=8, color="0.3",
                    va="bottom", ha="right")
    if fit is not None:
        Tf = np.geomspace(fit.t_min, fit.t_max, 50)
        ax.plot(Tf, fit.predict(Tf), "-", color="k", lw=1.2,
                label=f"log-log fit: slope {fit.slope:.2f} on T = {fit.t_min}..{fit.t_max}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(T_all.min() * 0.9, T_all.max() * 1.05)
    ax.set_ylim(floor * 0.5, T_all.max() * 1.5)
    ax.set_xlabel("horizon T [steps]")
    ax.set_ylabel("J(T): expected steps off the road")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left")
    return ax


def plot_survival(curves, axes=None, max_steps: int | None = None):
    """Left: P(never left the road in t steps) with the theory's ``(1 - eps)^t`` for each curve's
    measured eps. Right: the per-step off-road probability ``P(off road at step t)``, which
    grows with t when errors compound (it would be flat if they did not)."""
    curves = _as_curves(curves)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for i, c in enumerate(curves):
        color = _color(c.label, i)
        n = c.max_horizon if max_steps is None else min(max_steps, c.max_horizon)
        t = np.arange(1, n + 1)
        axes[0].plot(t, c.survival[:n], color=color, lw=2, label=f"{c.label} (measured)")
        if c.eps > 0:
            axes[0].plot(t, still_on_distribution(c.eps, t), "--", color=color, lw=1,
                         label=rf"$(1-h)^t$, $h$ = {c.eps:.1e}")
        axes[1].plot(t, c.p_off[:n], color=color, lw=1.5, label=c.label)
    axes[0].set_xlabel("step t")
    axes[0].set_ylabel("P(still on the road at every step ≤ t)")
    axes[0].set_ylim(-0.02, 1.02)
    axes[0].legend(fontsize=7.5)
    axes[1].set_xlabel("step t")
    axes[1].set_ylabel("P(off the road at step t)")
    axes[1].legend(fontsize=7.5)
    for ax in axes:
        ax.grid(True, alpha=0.3)
    return axes


def plot_state_distributions(rollouts: dict, steps: int | None = None, axes=None, e_max: float = 4.0,
                             psi_max: float = 0.6, bins: int = 60):
    """Where each policy drives: a 2-D histogram of lateral offset e and heading error psi
    (log colour scale, same bins for all), one panel per rollout, plus the e marginals.

    ``rollouts`` maps a label to a LaneKeeping :class:`Rollout`; the first ``steps`` steps of
    every episode are used. States beyond the plotted range are piled into the edge bins
    and counted in the panel's title.
    """
    if not rollouts:
        raise ValueError("plot_state_distributions needs at least one rollout")
    n = len(rollouts)
    if axes is None:
        _, axes = plt.subplots(1, n + 1, figsize=(min(9.5, 3.15 * (n + 1)), 3.0))
    e_edges, psi_edges = np.linspace(-e_max, e_max, bins + 1), np.linspace(-psi_max, psi_max, bins + 1)
    width = e_edges[1] - e_edges[0]
    hists, image = [], None
    for label, r in rollouts.items():
        obs = r.obs[:, :steps] if steps else r.obs
        e, psi = obs[..., 0].ravel(), obs[..., 1].ravel()
        outside = np.mean((np.abs(e) > e_max) | (np.abs(psi) > psi_max))
        h, _, _ = np.histogram2d(np.clip(e, -e_max, e_max - 1e-9), np.clip(psi, -psi_max, psi_max - 1e-9),
                                 bins=[e_edges, psi_edges])
        hists.append((label, h / h.sum(), outside, np.mean(np.abs(e) > HALF_WIDTH)))
    vmax = max(h.max() for _, h, _, _ in hists)
    vmin = min(h[h > 0].min() for _, h, _, _ in hists)
    for i, (label, h, outside, off) in enumerate(hists):
        ax = axes[i]
        image = ax.pcolormesh(e_edges, psi_edges, np.where(h > 0, h, np.nan).T, norm=LogNorm(vmin, vmax),
                              cmap="viridis")
        for x in (-HALF_WIDTH, HALF_WIDTH):
            ax.axvline(x, color="k", ls="--", lw=1)
        beyond = f"\n({100 * outside:.1f}% beyond the axes)" if outside > 0 else ""
        ax.set_title(f"{label}: {100 * off:.1f}% of states off road{beyond}", fontsize=8.5)
        ax.set_xlabel("lateral offset e [m]")
        ax.set_ylabel("heading error ψ [rad]")
    cbar = plt.colorbar(image, ax=axes[n - 1], fraction=0.05)
    cbar.set_label("share of states", fontsize=8)
    ax = axes[n]
    for i, (label, r) in enumerate(rollouts.items()):
        obs = r.obs[:, :steps] if steps else r.obs
        e = np.clip(obs[..., 0].ravel(), -e_max, e_max - 1e-9)
        counts, _ = np.histogram(e, bins=e_edges)
        ax.stairs(counts / counts.sum() / width, e_edges, color=_color(label, i), lw=1.8, label=label)
    for x in (-HALF_WIDTH, HALF_WIDTH):
        ax.axvline(x, color="k", ls="--", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("lateral offset e [m] (road edges dashed)")
    ax.set_ylabel("density [1/m]")
    ax.legend(fontsize=8)
    plt.tight_layout()
    return axes



def animate_drift(rollouts: dict, episode: int = 0, steps: int | None = None, every: int = 5,
                  start: int = 0, view: float = 18.0, width: float = 3.6):
    """Animate LaneKeeping episodes of several policies on the same road (a bird's-eye camera
    that follows the first policy, e.g. the expert): each car with its trail.

    ``rollouts`` maps a label to a :class:`Rollout`; all must come from the same seed, so that
    episode ``episode`` is the same road (and the same gusts) for every policy. Shows every
    ``every``-th step from ``start`` to ``steps``; the caption gives each car's offset from the
    centre line (a car that has left the view is still reported there). Returns a
    ``FuncAnimation``: ``HTML(il_helpers.plots.animation_html(anim))`` shows it in a notebook.
    """
    if not rollouts:
        raise ValueError("animate_drift needs at least one rollout")
    labels = list(rollouts)
    first = rollouts[labels[0]]
    if first.roads is None:
        raise ValueError("animate_drift needs LaneKeeping rollouts (they carry the road)")
    for label, r in rollouts.items():
        if r.roads is None or not np.array_equal(r.roads[episode], first.roads[episode]):
            raise ValueError(f"rollout {label!r} drove on another road: use the same env and seed for every rollout")
    T = min(r.horizon for r in rollouts.values()) if steps is None else int(steps)
    every, start = check_int("every", every), int(start)
    if not 0 <= start < T:
        raise ValueError(f"start must be in 0..{T - 1}, got {start}")
    geo = road_geometry(first.roads[episode])
    grid = np.arange(len(geo["x"])) * DS
    tracks = {}
    for label, r in rollouts.items():
        s, e, psi = r.infos["s"][episode, :T], r.next_obs[episode, :T, 0], r.next_obs[episode, :T, 1]
        x, y = frenet_to_world(geo, s, e)
        tracks[label] = (x, y, np.interp(s, grid, geo["theta"]) + psi, e)
    s_max = max(float(r.infos["s"][episode, :T].max()) for r in rollouts.values()) + view * 1.5
    ss = np.arange(0.0, min(s_max, grid[-1]), 0.5)
    fig, ax = plt.subplots(figsize=(width, width), dpi=72)
    draw_road(ax, first.roads[episode], length=min(s_max, grid[-1]), geometry=geo, background="#b5d99c",
              label=None, fill_lw=0)
    ax.plot(*frenet_to_world(geo, ss, np.zeros_like(ss)), color="#f2d21b", lw=0.8, ls=(0, (4, 4)))
    body = np.array([[1.8, 0.0], [-1.2, 0.9], [-1.2, -0.9]])
    cars, trails = {}, {}
    for i, label in enumerate(labels):
        color = _color(label, i)
        trails[label], = ax.plot([], [], color=color, lw=1.5, alpha=0.8)
        cars[label] = plt.Polygon(body, closed=True, color=color, label=label, zorder=5)
        ax.add_patch(cars[label])
    ax.legend(loc="upper left", fontsize=8)
    caption = ax.text(0.02, 0.02, "", transform=ax.transAxes, fontsize=8, va="bottom",
                      bbox=dict(facecolor="white", alpha=0.8, lw=0))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.subplots_adjust(0, 0, 1, 1)
    frames = list(range(start, T, every))

    def show(k):
        t = frames[k]
        cx, cy = tracks[labels[0]][0][t], tracks[labels[0]][1][t]
        parts = [f"t = {t + 1}"]
        for label in labels:
            x, y, th, e = tracks[label]
            rot = np.array([[np.cos(th[t]), -np.sin(th[t])], [np.sin(th[t]), np.cos(th[t])]])
            cars[label].set_xy(body @ rot.T + np.array([x[t], y[t]]))
            trails[label].set_data(x[max(0, t - 80): t + 1], y[max(0, t - 80): t + 1])
            parts.append(f"{label}: e = {e[t]:+.1f} m" + (" OFF ROAD" if abs(e[t]) > HALF_WIDTH else ""))
        caption.set_text("\n".join(parts))
        ax.set_xlim(cx - view, cx + view)
        ax.set_ylim(cy - view, cy + view)
        return list(cars.values()) + list(trails.values()) + [caption]

    anim = animation.FuncAnimation(fig, show, frames=len(frames), interval=every * 60, blit=False)
    plt.close(fig)
    return anim
