"""Notebook 07's figures: every method's score against what it cost, and imitation then improvement."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from ..lessons.choosing_a_method import FineTuneResult, check_rows, summarize
from .style import MARKERS, label


def table_cells(s: dict) -> list[str]:
    n = len(s["seeds"])
    score_cell = f"{s['normalized']:.2f}"
    if n > 1:
        score_cell += f" [{s['normalized_min']:.2f}, {s['normalized_max']:.2f}]"
    if "success_rate" in s:
        score_cell += f", success {100 * s['success_rate']:.0f}%"
    transfer = ", ".join(f"{k}: {v:.2f}" for k, v in s["transfer"].items()) or "—"
    return [s["task"], label(s["method"]), str(n), score_cell, f"{s['expert_labels']:,.0f}",
            f"{s['env_steps']:,.0f}", f"{s['wall_s']:.1f}", transfer, s["needs"]]


TABLE_HEAD = ["task", "method", "seeds", "normalized score [min, max]", "expert labels", "env steps", "wall s",
              "score under changed conditions", "needs"]


def comparison_table(rows, fmt: str = "text") -> str:
    """The comparison as a text table (``fmt="text"``) or an HTML table (``"html"``): one line
    per (task, method), means over seeds, generated from the rows."""
    if fmt not in ("text", "html"):
        raise ValueError(f"fmt must be 'text' or 'html', got {fmt!r}")
    lines = [table_cells(s) for s in summarize(rows).values()]
    if fmt == "html":
        head = "".join(f"<th>{html.escape(h)}</th>" for h in TABLE_HEAD)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>" for cells in lines)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    widths = [max(len(h), *(len(c[i]) for c in lines)) for i, h in enumerate(TABLE_HEAD)]
    fmt_line = "  ".join(f"{{:{'<' if i in (0, 1, 7, 8) else '>'}{w}}}" for i, w in enumerate(widths))
    out = [fmt_line.format(*TABLE_HEAD), "  ".join("-" * w for w in widths)]
    out += [fmt_line.format(*cells) for cells in lines]
    return "\n".join(out)


def plot_comparison(rows, axes=None):
    """Two panels, one marker per method (one colour per task), every seed drawn: normalized
    score against the environment steps the learner took (symlog axis, so BC's 0 shows), and
    against the training wall time. Returns the axes."""
    rows = check_rows(rows)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), constrained_layout=True)  # fits the notebook width
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    for r in rows:
        color = f"C{tasks.index(r['task'])}"
        for ax, x in zip(axes, (r["env_steps"], r["wall_s"])):
            ax.scatter(x, r["normalized"], marker=MARKERS.get(r["method"], "o"), color=color, s=40, alpha=0.8,
                       edgecolor="k", linewidth=0.5)
    axes[0].set_xscale("symlog", linthresh=1000)
    axes[0].set_xticks([0, 1e3, 1e4, 1e5, 1e6])
    axes[0].set_xlim(-300, 1.5 * max(1e5, max(r["env_steps"] for r in rows)))
    axes[0].set(xlabel="environment steps taken while training (symlog)", ylabel="normalized score (expert = 1)",
                title="score vs interaction")
    axes[1].set_xscale("log")
    axes[1].set(xlabel="training wall time [s] (log)", title="score vs compute")
    for ax in axes:
        ax.axhline(1.0, color="0.5", ls="--", lw=0.8)
        ax.grid(alpha=0.3)
    methods = list(dict.fromkeys(r["method"] for r in rows))
    handles = [Line2D([], [], marker=MARKERS.get(m, "o"), ls="", color="0.6", markeredgecolor="k",
                      label=label(m)) for m in methods]
    handles += [Line2D([], [], marker="s", ls="", color=f"C{i}", label=t) for i, t in enumerate(tasks)]
    axes[1].legend(handles=handles, fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return axes


def plot_finetune(results, ax=None):
    """Normalized score of the deterministic policy against PPO's environment steps, for
    ``"BC + PPO"`` and ``"PPO from scratch"`` (one line per seed), with the demonstrator's,
    BC's and the expert's scores as horizontal lines (means over seeds). Returns the axes."""
    results = [results] if isinstance(results, FineTuneResult) else list(results)
    if not results:
        raise ValueError("no results to plot")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6), constrained_layout=True)
    for name, color in (("BC + PPO", "C2"), ("PPO from scratch", "C1")):
        for i, res in enumerate(results):
            x, y = res.curves[name]
            ax.plot(x / 1000, y, color=color, marker=".", alpha=0.9, label=name if i == 0 else None)
    for name, color, ls in (("expert", "0.3", "--"), ("demonstrator", "C3", ":"), ("BC", "C0", "-.")):
        ax.axhline(np.mean([r.final[name] for r in results]), color=color, ls=ls, lw=1.2, label=name)
    ax.set(xlabel="PPO environment steps (thousands)", ylabel="normalized score (expert = 1)",
           title=f"imitation, then improvement ({results[0].env_id.split('/')[-1]})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return ax
