"""A first look at demonstrations: each observation dimension over time, and the expert's actions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..core.demonstrations import Demonstrations


def plot_demonstrations(demos: Demonstrations, max_episodes: int = 10, axes=None, names=None):
    """Each observation dimension over time (one line per episode), and the expert's actions."""
    d = demos.first(min(max_episodes, demos.num_episodes))
    obs_dim = d.obs.shape[1]
    if axes is None:
        fig, axes = plt.subplots(1, obs_dim + 1, figsize=(2.1 * (obs_dim + 1), 2.2))
    names = names or [f"obs[{j}]" for j in range(obs_dim)]
    starts, lengths = d.episode_starts, d.episode_lengths
    for j in range(obs_dim):
        for s, n in zip(starts, lengths):
            axes[j].plot(d.obs[s: s + n, j], lw=0.8, alpha=0.7)
        axes[j].set_title(names[j], fontsize=9)
        axes[j].set_xlabel("t")
    ax = axes[obs_dim]
    if d.discrete:
        counts = np.bincount(d.actions, minlength=int(d.actions.max()) + 1)
        ax.bar(np.arange(len(counts)), counts / counts.sum(), color="C0")
        ax.set_xticks(np.arange(len(counts)))
        ax.set_title("expert actions (share)", fontsize=9)
    else:
        ax.hist(d.actions[:, 0], bins=30, color="C0", density=True)
        ax.set_title("expert actions (density)", fontsize=9)
    plt.tight_layout()
    return axes
