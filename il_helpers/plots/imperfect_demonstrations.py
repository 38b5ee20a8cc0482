"""Notebook 08's figures: the learned reward against the true return, the learned reward over the
lane, the headline comparison (demonstrators, BC, weighted BC, T-REX + PPO), and the
self-improvement and robust-loss curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..envs.lane_keeping import HALF_WIDTH
from .style import color

METHOD_NAMES = {"bc": "BC", "weighted_bc": "weighted BC", "trex": "T-REX + PPO"}
METHOD_COLORS = {"bc": color("bc"), "weighted_bc": "#ff7f0e", "trex": "#2ca02c"}


def plot_reward_scatter(true_returns, learned_returns, ax=None, title: str | None = None):
    """Each held-out episode's learned return (standardized reward summed) against its true return,
    with the Pearson correlation in the title."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.4), constrained_layout=True)
    x, y = np.asarray(true_returns, float), np.asarray(learned_returns, float)
    r = float(np.corrcoef(x, y)[0, 1])
    ax.scatter(x, y, s=18, color="#2ca02c", alpha=0.8)
    slope, icept = np.polyfit(x, y, 1)
    xs = np.linspace(x.min(), x.max(), 2)
    ax.plot(xs, slope * xs + icept, color="0.4", lw=1, ls="--")
    ax.set(xlabel="true return (steps on the road)", ylabel="learned return", title=title or f"correlation {r:.3f}")
    ax.grid(alpha=0.3)
    return ax, r


def plot_reward_profile(reward, ax=None, e_max: float = 3.5, n: int = 141, label: str = "learned reward"):
    """The learned reward ``r(s)`` on a straight road, heading straight, against the lateral offset
    ``e``, beside the true reward (1 on the road, 0 off it) and the road's edges."""
    import torch

    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.2), constrained_layout=True)
    e = np.linspace(-e_max, e_max, n)
    obs = np.zeros((n, 5), np.float32)
    obs[:, 0] = e
    with torch.no_grad():
        r = reward.reward(torch.as_tensor(obs)).numpy()
    ax.plot(e, r, color="#2ca02c", label=label)
    ax2 = ax.twinx()
    ax2.plot(e, (np.abs(e) <= HALF_WIDTH).astype(float), color="0.4", ls=":", label="true reward")
    ax2.set(ylabel="true reward", ylim=(-0.1, 1.6))
    for edge in (-HALF_WIDTH, HALF_WIDTH):
        ax.axvline(edge, color="0.6", lw=0.8, ls="--")
    ax.set(xlabel="lateral offset e [m] (straight road, heading straight)", ylabel="learned reward (standardized)")
    ax.grid(alpha=0.3)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="lower center")
    return ax


def plot_headline(rows, levels: dict, ax=None, methods=("bc", "weighted_bc", "trex")):
    """Per seed, each method's normalized score (dots; bar: the mean), beside each demonstrator's
    level (grey bars), the best demonstrator marked by a dashed line."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 3.6), constrained_layout=True)
    names = list(levels)
    x = 0
    ticks, labels = [], []
    for name in names:
        ax.bar(x, levels[name], color="0.75", width=0.7)
        ticks.append(x)
        labels.append(name)
        x += 1
    best = max(levels.values())
    for m in methods:
        vals = [r[m] for r in rows if m in r]
        if not vals:
            continue
        ax.bar(x, np.mean(vals), color=METHOD_COLORS[m], alpha=0.35, width=0.7)
        jitter = np.linspace(-0.15, 0.15, len(vals)) if len(vals) > 1 else [0.0]
        ax.scatter(x + np.asarray(jitter), vals, color=METHOD_COLORS[m], s=22, zorder=3)
        ticks.append(x)
        labels.append(METHOD_NAMES[m])
        x += 1
    ax.axhline(best, color="0.3", ls="--", lw=1)
    ax.text(x - 0.5, best + 0.015, f"best demonstrator {best:.2f}", ha="right", va="bottom", fontsize=8)
    ax.axhline(1.0, color="#1f77b4", lw=0.8, ls=":")
    ax.set_xticks(ticks, labels, fontsize=8)
    ax.set(ylabel="normalized score", ylim=(0, 1.12),
           title=f"LaneKeeping from suboptimal demonstrators ({len(rows)} seed(s); dots: seeds)")
    ax.grid(alpha=0.3, axis="y")
    return ax


def plot_self_improvement(curves: dict, ax=None, threshold: float = 0.9):
    """Each loop's normalized score over rounds (one thin line per seed, a thick one for the mean):
    ``curves`` maps a label to a list of per-seed score lists (round 0 = BC on the demonstrations)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.4), constrained_layout=True)
    for i, (name, runs) in enumerate(curves.items()):
        runs = np.asarray(runs, float)
        c = f"C{i + 2}"
        for run in runs:
            ax.plot(np.arange(len(run)), run, color=c, lw=0.8, alpha=0.4)
        ax.plot(np.arange(runs.shape[1]), runs.mean(0), color=c, lw=2.2, label=name)
    ax.axhline(threshold, color="0.4", ls="--", lw=1)
    ax.set(xlabel="round (0: BC on the demonstrations)", ylabel="normalized score", ylim=(0, 1.05),
           title="self-improvement on the edge hugger's demonstrations")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return ax


def plot_robust(rows, losses=("mse", "huber", "trimmed"), ax=None):
    """Per seed, the normalized score of BC with each loss on the corrupted labels (lines join a seed)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.2), constrained_layout=True)
    x = np.arange(len(losses))
    for r in rows:
        ax.plot(x, [r[k] for k in losses], color="0.6", lw=0.8, marker="o", ms=4)
    ax.plot(x, [np.mean([r[k] for r in rows]) for k in losses], color="#d62728", lw=2, marker="s", label="mean")
    ax.set_xticks(x, [{"mse": "MSE", "huber": "Huber", "trimmed": "trimmed"}.get(k, k) for k in losses])
    ax.set(ylabel="normalized score (T = 1000)", ylim=(0, 1.05), title="BC on 20 % wrong labels")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


__all__ = ["plot_reward_scatter", "plot_reward_profile", "plot_headline", "plot_self_improvement", "plot_robust"]


def plot_preference_curve(rows, ax=None, threshold: float = 0.9):
    """Preference comparisons: the policy's normalized score against the comparisons asked so far,
    one line per seed (``rows`` from :func:`~il_helpers.lessons.imperfect_demonstrations.preferences_runs`)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.4), constrained_layout=True)
    for i, r in enumerate(rows):
        labels, score = zip(*r["curve"]) if r["curve"] else ((), ())
        ax.plot(labels, score, color=f"C{i}", marker="o", ms=3, lw=1.2, label=f"seed {r['seed']}")
    ax.axhline(threshold, color="0.4", ls="--", lw=1)
    ax.set(xlabel="comparisons asked so far", ylabel="normalized score", ylim=(-0.05, 1.05),
           title="CartPole from a synthetic oracle's preferences")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return ax
