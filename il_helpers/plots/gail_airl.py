"""Notebook 05's figures: the adversarial training curves and AIRL's recovered reward on LaneKeeping."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from ..algorithms.adversarial import AdversarialHistory
from ..algorithms.airl import AIRLDiscriminator
from ..envs.lane_keeping import HALF_WIDTH
from .style import color


def plot_adversarial(history: AdversarialHistory, axes=None, label: str | None = None,
                     expert_return: float | None = None):
    """Training curves against environment steps: the true return of the sampled episodes (never
    seen by the learner), the discriminator's mean D on expert and on policy pairs, and the
    policy's entropy; a ``label`` picks the method's colour (:func:`~il_helpers.plots.style.color`).
    Returns the three axes."""
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(11, 3.0), constrained_layout=True)
    steps = np.asarray(history.env_steps) / 1000
    line, = axes[0].plot(steps, history.episode_return, label=label, **({"color": color(label)} if label else {}))
    if expert_return is not None:
        axes[0].axhline(expert_return, color="0.4", ls="--", lw=1, label="expert")
    axes[0].set(xlabel="environment steps (thousands)", ylabel="true return (sampled episodes)", title="return")
    prefix = label + ": " if label else ""
    axes[1].plot(steps, history.d_expert, color=line.get_color(), label=prefix + "expert pairs")
    axes[1].plot(steps, history.d_policy, color=line.get_color(), ls=":", label=prefix + "policy pairs")
    axes[1].axhline(0.5, color="0.6", lw=0.8)
    axes[1].set(xlabel="environment steps (thousands)", ylabel="mean D(s, a)", ylim=(0, 1),
                title="discriminator: P(expert)")
    axes[2].plot(steps, history.entropy, color=line.get_color(), label=label)
    axes[2].set(xlabel="environment steps (thousands)", ylabel="entropy (nats)", title="policy entropy")
    for ax in axes:
        ax.grid(alpha=0.3)
    if label or expert_return is not None:
        axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=8)
    return axes


def plot_lane_reward(discriminator, ax=None, curvature: float = 0.0, e_max: float = 4.0, psi_max: float = 0.4,
                     n: int = 81):
    """AIRL's recovered reward ``g(s)`` on LaneKeeping as a heatmap over the lateral offset ``e``
    and the heading error ``psi`` (road curvature fixed, straight road by default), with the road's
    edges (``|e| = 2 m``, where the true reward drops from 1 to 0) drawn as dashed lines.
    ``discriminator``: the state-only AIRL discriminator, or the history of ``train_airl``."""
    if isinstance(discriminator, AdversarialHistory):
        discriminator = discriminator.discriminator
    if not isinstance(discriminator, AIRLDiscriminator) or not discriminator.state_only:
        raise TypeError("plot_lane_reward needs the state-only AIRL discriminator (train_airl's "
                        "history.discriminator, or the history itself)")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2), constrained_layout=True)
    e, psi = np.meshgrid(np.linspace(-e_max, e_max, n), np.linspace(-psi_max, psi_max, n))
    obs = np.stack([e.ravel(), psi.ravel()] + [np.full(e.size, curvature)] * 3, axis=1)
    with torch.no_grad():
        g = discriminator.reward(torch.as_tensor(obs, dtype=torch.float32)).numpy().reshape(e.shape)
    im = ax.pcolormesh(e, psi, g, shading="auto", cmap="viridis")
    plt.colorbar(im, ax=ax, label="recovered reward g(s)")
    for edge in (-HALF_WIDTH, HALF_WIDTH):   # the road in (e, psi) coordinates: two lines, not a band in the world
        ax.axvline(edge, color="w", ls="--", lw=1.2)
    ax.set(xlabel="lateral offset e [m]", ylabel="heading error psi [rad]",
           title=f"AIRL's g(s) on LaneKeeping (curvature {curvature:g} 1/m)")
    return ax


__all__ = ["plot_adversarial", "plot_lane_reward"]
