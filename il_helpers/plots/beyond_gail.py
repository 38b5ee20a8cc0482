"""Notebook 09's figures: GAIL's stabilizers across seeds (the learning curves of
``benchmarks/gail_stability.py``), and the per-seed scores of methods side by side (learning from
observation, the cross-body table)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import color

VARIANT_COLORS = {"gail": color("gail"), "gail+gp": "#2ca02c", "gail+sn": "#ff7f0e", "vail": "#9467bd"}


def plot_stability(study: dict, expert_return: float | None = None):
    """One panel per GAIL variant of ``study`` (:func:`~il_helpers.lessons.beyond_gail.stability_study`):
    each seed's learning curve (the training episodes' mean return per PPO iteration), the median over
    seeds in bold, and in the title how many seeds reached the expert on the test episodes."""
    variants = list(study["variants"])
    rows_of = {v: [r for r in study["rows"] if r["variant"] == v] for v in variants}
    n_rows = int(np.ceil(len(variants) / 2))
    fig, axes = plt.subplots(n_rows, 2, figsize=(9.5, 3.0 * n_rows), sharex=True, sharey=True,
                             constrained_layout=True, squeeze=False)
    for ax, v in zip(axes.flat, variants):
        curves = np.array([r["curve"] for r in rows_of[v]], dtype=float)
        it = np.arange(1, curves.shape[1] + 1)
        for c in curves:
            ax.plot(it, c, color=VARIANT_COLORS.get(v, "C0"), lw=0.7, alpha=0.45)
        ax.plot(it, np.median(curves, axis=0), color=VARIANT_COLORS.get(v, "C0"), lw=2.2, label="median")
        if expert_return is not None:
            ax.axhline(expert_return, color=color("expert"), lw=1, ls="--", label="expert")
        s = study["summary"][v]
        ax.set_title(f"{v}: {s['reached']} of {s['seeds']} seeds reach the expert (worst {s['worst']:.2f})",
                     fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(variants):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("PPO iteration")
    for ax in axes[:, 0]:
        ax.set_ylabel("training return")
    axes.flat[0].legend(loc="lower right", fontsize=8)
    return fig


def plot_seed_scores(rows: list[dict], methods: dict[str, str], threshold: float | None = None, ax=None,
                     title: str = ""):
    """Each seed's normalized score (a dot) per method, side by side: ``rows`` one dict per seed,
    ``methods`` {key in the rows: label}; a dashed line at ``threshold``."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 3.4), constrained_layout=True)
    for i, (key, label) in enumerate(methods.items()):
        vals = np.array([r[key] for r in rows], dtype=float)
        jitter = np.linspace(-0.12, 0.12, len(vals)) if len(vals) > 1 else np.zeros(1)
        ax.scatter(i + jitter, vals, color=color(label, i), s=28, zorder=3)
        ax.hlines(vals.mean(), i - 0.25, i + 0.25, color=color(label, i), lw=2)
    if threshold is not None:
        ax.axhline(threshold, color="0.4", lw=1, ls="--")
    ax.set_xticks(range(len(methods)), list(methods.values()))
    ax.set(ylabel="normalized score (expert 1, random 0)", title=title)
    ax.grid(alpha=0.3, axis="y")
    return ax
