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


def plot_pendulum_top(row: dict, expert, axes=None):
    """Notebook 02's Pendulum picture for one run of ``lessons.behavioral_cloning.pendulum_top_runs``.
    Left: the demonstrated states near the top (tilt and angular speed), clean and with noise
    injected. Right: the torque each clone applies at rest against the tilt, with the expert's."""
    from ..lessons.pendulum_top import resting_states, top_pairs

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.5, 3.4))
    colors = {"clean": "#d62728", "noisy": "#1f77b4"}
    ax = axes[0]
    for name in ("noisy", "clean"):
        theta, speed = top_pairs(row[name]["demos"])
        ax.plot(theta, speed, "o", ms=3 if name == "clean" else 2, alpha=0.5, color=colors[name],
                label=f"{name} ({100 * row[name]['still']:.0f}% of them still at (0, 0))")
    ax.set_xlim(-0.03, 0.03)
    ax.set_ylim(-0.2, 0.2)
    ax.set_xlabel("tilt θ [rad] (the pairs with |θ| < 0.03)")
    ax.set_ylabel("θ dot [rad/s]")
    ax.set_title("the demonstrated states near the top", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax = axes[1]
    theta = np.linspace(-0.3, 0.3, 121)
    obs = resting_states(theta)
    ax.plot(theta, np.asarray(expert(obs)).reshape(-1), color="k", lw=2.5, label="expert")
    for name in ("clean", "noisy"):
        r = row[name]
        ax.plot(theta, np.asarray(r["policy"](obs), dtype=float).reshape(-1), color=colors[name], lw=1.8,
                label=f"BC on {name} (score {r['score']:.2f}, slope {r['slope']:.0f})")
    ax.axhline(0, color="#7f7f7f", lw=0.6)
    ax.axvline(0, color="#7f7f7f", lw=0.6)
    ax.set_xlabel("tilt θ [rad], at rest (θ dot = 0)")
    ax.set_ylabel("torque [N m]")
    ax.set_ylim(-2.3, 3.3)
    ax.set_title(f"what the clones apply (seed {row['seed']}, set {row['demo_set']})", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    axes[0].figure.tight_layout()
    return axes
