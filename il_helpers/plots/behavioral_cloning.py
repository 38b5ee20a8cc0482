"""Notebook 02's figures: a BC learner's test episodes over time and its cost J(T) (the widget's picture)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..envs.lane_keeping import HALF_WIDTH


def plot_drift(res: dict, previous: dict | None = None, axes=None):
    """Left: the lateral offset of every test episode over time (the road is |e| <= 2 m).
    Right: J(T), the mean number of steps off the road in the first T steps (and the previous
    run's, in grey)."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.5, 3.3))
    r = res["rollout"]
    T = r.obs.shape[1]
    t = np.arange(1, T + 1)
    ax = axes[0]
    ax.axhspan(-HALF_WIDTH, HALF_WIDTH, color="#d9d9d9", label="road")
    e = r.next_obs[:, :, 0]
    for i in range(len(e)):
        ax.plot(t, e[i], lw=0.8, color="#d62728" if r.infos["off_road"][i].any() else "#1f77b4", alpha=0.7)
    ax.set_ylim(-3 * HALF_WIDTH, 3 * HALF_WIDTH)
    ax.set_xlabel("time step t")
    ax.set_ylabel("lateral offset e [m]")
    ax.set_title("test episodes (red: left the road)", fontsize=10)
    ax = axes[1]
    if previous is not None and previous["horizon"] == res["horizon"]:
        ax.plot(t, np.cumsum(previous["rollout"].infos["off_road"].mean(axis=0)), color="#7f7f7f", lw=1.5,
                label="previous run")
    ax.plot(t, np.cumsum(r.infos["off_road"].mean(axis=0)), color="#d62728", lw=2, label="this run")
    ax.set_xlabel("horizon T")
    ax.set_ylabel("J(T): steps off the road")
    ax.set_title("cost J(T), mean over the episodes", fontsize=10)
    ax.legend(fontsize=9, loc="upper left")
    axes[0].figure.tight_layout()
    return axes
