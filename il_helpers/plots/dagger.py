"""Notebook 03's figures: beta schedules, DAgger histories (score and off-road rate per
iteration, score against expert labels) and where the aggregated data lies."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from ..algorithms.dagger import DAggerHistory
from ..algorithms.schedules import make_schedule
from ..core.demonstrations import Demonstrations
from ..envs.lane_keeping import HALF_WIDTH
from ..envs.registry import LANE_KEEPING, LANE_KEEPING_DISCRETE
from .style import COLORS


def method_color(name: str, default: str) -> str:
    """The palette's colour of a method's name (``"DAgger"``, ``"SafeDAgger"``, ``"HG-DAgger"``,
    ``"selective DAgger"``, ``"BC"``), else ``default``."""
    return COLORS.get(name.lower(), default)


def _histories(runs) -> dict[str, DAggerHistory]:
    """``runs`` (one history, a list of them, or a dict label -> history) as a dict label -> history."""
    if isinstance(runs, DAggerHistory):
        runs = [runs]
    if not isinstance(runs, dict):
        runs = list(runs)
        if not all(isinstance(h, DAggerHistory) for h in runs):
            raise TypeError("expected DAggerHistory objects (one, a list or a dict label -> history)")
        runs = {h.method: h for h in runs}
    if not runs or not all(isinstance(h, DAggerHistory) for h in runs.values()):
        raise TypeError("expected DAggerHistory objects (one, a list or a dict label -> history)")
    return dict(runs)


def plot_schedules(schedules, iterations: int = 8, ax=None):
    """``beta_i`` against the iteration ``i`` for each schedule (kinds, tuples or BetaSchedules)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    i = np.arange(iterations + 1)
    for k, sched in enumerate(schedules):
        sched = make_schedule(sched)
        ax.plot(i, sched.values(iterations), "o-", ms=4, lw=1.5, color=f"C{k}", label=str(sched))
    ax.set_xlabel("iteration i")
    ax.set_ylabel(r"$\beta_i$ = P(expert acts at a step)")
    ax.set_ylim(-0.05, 1.05)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_history(runs, axes=None, reference: dict | None = None):
    """Per iteration: the normalized score (left) and the off-road rate, % of steps (right,
    LaneKeeping), of one or several runs (``runs``: a history, a list, or a dict label -> history).
    ``reference`` (label -> (score, off-road rate)) draws horizontal lines, e.g. BC."""
    hs = _histories(runs)
    has_off = any(not np.all(np.isnan(h["off_road_rate"])) for h in hs.values())
    if axes is None:
        _, axes = plt.subplots(1, 2 if has_off else 1, figsize=(9 if has_off else 4.8, 3.2))
    axes = np.atleast_1d(axes)
    for k, (label, h) in enumerate(hs.items()):
        color = method_color(label, f"C{k}")
        it = h["iteration"]
        axes[0].plot(it, h["normalized"], "o-", color=color, lw=1.8, ms=4, label=label)
        if has_off and len(axes) > 1:
            axes[1].plot(it, 100 * h["off_road_rate"], "o-", color=color, lw=1.8, ms=4, label=label)
    for k, (label, (score, off)) in enumerate((reference or {}).items()):
        color = method_color(label.split()[0].rstrip(",:;"), "0.4")
        axes[0].axhline(score, color=color, ls="--", lw=1.2, label=label)
        if has_off and len(axes) > 1 and off is not None:
            axes[1].axhline(100 * off, color=color, ls="--", lw=1.2, label=label)
    axes[0].set_xlabel("iteration i")
    axes[0].set_ylabel("normalized score (expert = 1)")
    axes[0].grid(True, alpha=0.3)
    axes[0].legend(fontsize=8, loc="lower right")
    if has_off and len(axes) > 1:
        axes[1].set_xlabel("iteration i")
        axes[1].set_ylabel("off-road rate [% of steps]")
        axes[1].set_yscale("symlog", linthresh=0.1)
        axes[1].set_ylim(bottom=0)
        axes[1].grid(True, alpha=0.3)
        axes[1].legend(fontsize=8, loc="upper right")
    return axes


def plot_label_efficiency(runs, ax=None, target: float | None = None, budget: int | None = None):
    """Normalized score against the expert labels used so far, one line per run (a point per
    iteration). ``target`` draws a score level, ``budget`` a label count (e.g. 95 % of full
    DAgger's score and half of its labels)."""
    hs = _histories(runs)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    for k, (label, h) in enumerate(hs.items()):
        color = method_color(label.split(" (")[0], f"C{k}")
        ax.plot(h["labels_used"], h["normalized"], "o-", color=color, lw=1.8, ms=4, label=label)
    if target is not None:
        ax.axhline(target, color="0.3", ls=":", lw=1.2, label=f"score {target:.3f}")
    if budget is not None:
        ax.axvline(budget, color="0.3", ls="--", lw=1.2, label=f"{budget} labels")
    ax.set_xlabel("expert labels used")
    ax.set_ylabel("normalized score (expert = 1)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_coverage(initial: Demonstrations, aggregated: Demonstrations, dims=(0, 1), names=None, axes=None,
                  bins: int = 40, ranges=None):
    """Where the data is: 2-D histograms (log colour scale, shared bins and scale) of two
    observation dimensions, for the expert-only data and for the aggregated data.

    ``ranges``: ``((lo, hi), (lo, hi))`` (default: LaneKeeping's e in +-4 m and psi in +-0.3
    rad, else the aggregated data's 1st-99th percentiles, widened by 10 %). States outside
    are piled into the edge bins; each title gives the count and the share outside.
    """
    if initial.env_id != aggregated.env_id:
        raise ValueError(f"the two datasets are from different envs: {initial.env_id!r} and {aggregated.env_id!r}")
    a, b = (int(d) for d in dims)
    lane = initial.env_id in (LANE_KEEPING, LANE_KEEPING_DISCRETE)
    if names is None:
        names = (("lateral offset e [m]", "heading error ψ [rad]") if lane and (a, b) == (0, 1)
                 else (f"obs[{a}]", f"obs[{b}]"))
    if ranges is None:
        if lane and (a, b) == (0, 1):
            ranges = ((-4.0, 4.0), (-0.3, 0.3))
        else:
            ranges = []
            for d in (a, b):
                lo, hi = np.percentile(aggregated.obs[:, d], [1, 99])
                pad = 0.1 * max(hi - lo, 1e-6)
                ranges.append((lo - pad, hi + pad))
    edges = [np.linspace(lo, hi, bins + 1) for lo, hi in ranges]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    hists = []
    for data in (initial, aggregated):
        x = np.clip(data.obs[:, a], ranges[0][0], ranges[0][1] - 1e-9)
        y = np.clip(data.obs[:, b], ranges[1][0], ranges[1][1] - 1e-9)
        outside = np.mean((data.obs[:, a] < ranges[0][0]) | (data.obs[:, a] > ranges[0][1])
                          | (data.obs[:, b] < ranges[1][0]) | (data.obs[:, b] > ranges[1][1]))
        h, _, _ = np.histogram2d(x, y, bins=edges)
        hists.append((h, outside, len(data)))
    vmax = max(h.max() for h, _, _ in hists)
    image = None
    for ax, (h, outside, n), title in zip(axes, hists, ("expert data only", "aggregated data")):
        image = ax.pcolormesh(edges[0], edges[1], np.where(h > 0, h, np.nan).T, norm=LogNorm(1, max(vmax, 2)),
                              cmap="viridis")
        if lane and a == 0:
            for x in (-HALF_WIDTH, HALF_WIDTH):
                ax.axvline(x, color="k", ls="--", lw=1)
        ax.set_title(f"{title}: {n} states" + (f" ({100 * outside:.1f}% beyond the axes)" if outside > 0 else ""),
                     fontsize=9)
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    cbar = plt.colorbar(image, ax=list(axes), fraction=0.04)
    cbar.set_label("states per bin", fontsize=8)
    return axes


