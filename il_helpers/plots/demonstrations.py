"""A first look at demonstrations: each observation dimension over time, and the expert's actions."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from ..core.demonstrations import Demonstrations

MAX_COLUMNS = 3      # more panels means more rows: the figure stays within JupyterLab's ~9.5 inches


def plot_demonstrations(demos: Demonstrations, max_episodes: int = 10, axes=None, names=None):
    """Each observation dimension over time (one line per episode), and the expert's actions.

    One panel per observation dimension plus one for the actions, at most three per row (the
    figure is at most 9.3 inches wide); every panel has both axes labelled, the observation's
    name (``names``, default ``obs[j]``) on the y axis. Returns the used axes, in that order."""
    d = demos.first(min(max_episodes, demos.num_episodes))
    obs_dim = d.obs.shape[1]
    n_panels = obs_dim + 1
    if axes is None:
        ncols = min(MAX_COLUMNS, n_panels)
        nrows = math.ceil(n_panels / ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 2.3 * nrows), squeeze=False)
        grid = grid.ravel()
        for ax in grid[n_panels:]:
            ax.set_visible(False)
        axes = grid[:n_panels]
    names = names or [f"obs[{j}]" for j in range(obs_dim)]
    starts, lengths = d.episode_starts, d.episode_lengths
    for j in range(obs_dim):
        for s, n in zip(starts, lengths):
            axes[j].plot(d.obs[s: s + n, j], lw=0.8, alpha=0.7)
        axes[j].set_ylabel(names[j], fontsize=9)
        axes[j].set_xlabel("time step t", fontsize=9)
    ax = axes[obs_dim]
    if d.discrete:
        counts = np.bincount(d.actions, minlength=int(d.actions.max()) + 1)
        ax.bar(np.arange(len(counts)), counts / counts.sum(), color="C0")
        ax.set_xticks(np.arange(len(counts)))
        ax.set_xlabel("expert action", fontsize=9)
        ax.set_ylabel("share of steps", fontsize=9)
    else:
        ax.hist(d.actions[:, 0], bins=30, color="C0", density=True)
        ax.set_xlabel("expert action", fontsize=9)
        ax.set_ylabel("density", fontsize=9)
    ax.set_title("expert actions", fontsize=9)
    for a in axes:
        a.tick_params(labelsize=8)
    axes[0].figure.suptitle(f"{d.num_episodes} demonstrations of {d.env_id}, one line per episode", fontsize=10)
    axes[0].figure.tight_layout()
    return axes
