"""ObstacleFork's pictures (notebook 06): the arena (drawn here once, for every figure and the env's
renderer), the paths of a rollout or of demonstrations over it, the mixture at the fork, the
frames of ``render()``, and a diffusion policy's denoising on Bishop's toy problem."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from ..envs.base import register_renderer
from ..envs.obstacle_fork import FINISH_X, FORK_STATE, OBSTACLE, OBSTACLE_R, START_Y, WALL_Y, X_RANGE
from ..envs.registry import OBSTACLE_FORK
from .style import label

AGENT = "#1f77b4"  # the agent, its path and the start segment
CRASH = "#d62728"  # a collision


def draw_arena(ax, legend: bool = False):
    """Draw the arena in world coordinates (metres): walls, obstacle, finish line, start segment."""
    ax.add_patch(Rectangle((X_RANGE[0], -WALL_Y), X_RANGE[1] - X_RANGE[0], 2 * WALL_Y, color="#f4f4ef", zorder=0))
    for y in (-WALL_Y, WALL_Y):
        ax.plot(X_RANGE, [y, y], color="#444444", lw=2, zorder=1)
    ax.add_patch(Circle(OBSTACLE, OBSTACLE_R, color="#7f7f7f", zorder=2, label="obstacle"))
    ax.plot([FINISH_X, FINISH_X], [-WALL_Y, WALL_Y], color="#2ca02c", lw=3, zorder=2, label="finish line")
    ax.plot([0, 0], [-START_Y, START_Y], color=AGENT, lw=4, solid_capstyle="butt", zorder=2, label="start")
    ax.set_xlim(X_RANGE[0], X_RANGE[1])
    ax.set_ylim(-WALL_Y - 0.1, WALL_Y + 0.1)
    ax.set_aspect("equal")
    ax.set_xlabel("x [m]")
    ax.set_ylabel("y [m] (left +)")
    if legend:
        ax.legend(loc="lower left", fontsize=8)
    return ax


def plot_paths(r, ax=None, max_episodes: int = 40, color=None, title: str | None = None):
    """Draw the paths of up to ``max_episodes`` episodes of an ObstacleFork rollout over the arena;
    collisions are marked with a red cross. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 2.6))
    draw_arena(ax)
    n = min(max_episodes, len(r.obs))
    for i in range(n):
        xs = np.r_[r.obs[i, 0, 0], r.next_obs[i, :, 0]]
        ys = np.r_[r.obs[i, 0, 1], r.next_obs[i, :, 1]]
        ax.plot(xs, ys, color=color or f"C{i % 10}", lw=0.8, alpha=0.8, zorder=3)
        if r.infos["collision"][i, -1]:
            ax.plot(xs[-1], ys[-1], "x", color=CRASH, ms=6, mew=2, zorder=4)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_demo_paths(demos, ax=None, max_episodes: int = 40, title: str | None = None):
    """Draw the paths of up to ``max_episodes`` ObstacleFork demonstrations over the arena. Returns
    the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 2.8))
    draw_arena(ax)
    for s, n in zip(demos.episode_starts[:max_episodes], demos.episode_lengths[:max_episodes]):
        xs = np.r_[demos.obs[s: s + n, 0], demos.next_obs[s + n - 1, 0]]
        ys = np.r_[demos.obs[s: s + n, 1], demos.next_obs[s + n - 1, 1]]
        ax.plot(xs, ys, color="C0", lw=0.8, alpha=0.6, zorder=3)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_fork_mixture(policy, ax=None):
    """An MDN's mixture weights at the fork state as bars (green: a component whose mean steers
    left, red: right), each labelled with its mean sideways action. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 2.8))
    w, mu, _ = policy.mixture(FORK_STATE[None])
    ax.bar(np.arange(len(w[0])), w[0], color=["C2" if m > 0 else "C3" for m in mu[0, :, 1]])
    for i, (wi, m) in enumerate(zip(w[0], mu[0, :, 1])):
        ax.text(i, wi + 0.02, f"{m:+.2f}", ha="center", fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_xlabel("component k (label: its mean lateral action)")
    ax.set_ylabel("weight $w_k$ at the fork")
    ax.set_title("the mixture at the fork state", fontsize=10)
    return ax


def plot_denoising(policy, inputs: np.ndarray, targets: np.ndarray, n_inputs: int = 300, seed: int = 0,
                   snapshots: int = 4):
    """A diffusion policy's DDIM sampling on a 1-d problem (Bishop's toy): at ``n_inputs`` inputs
    spread over the data's range, one sample each, drawn at ``snapshots`` points of the denoising
    path, from the starting noise to the final actions, over the data (grey). Returns the figure
    (two panels per row, so it fits the notebook's width)."""
    x = np.linspace(inputs.min(), inputs.max(), n_inputs, dtype=np.float32)[:, None]
    _, path = policy.sample(x, 1, rng=np.random.default_rng(seed), path=True)   # (steps + 1, N, 1, 1)
    steps = len(path) - 1
    picks = sorted({int(round(v)) for v in np.linspace(0, steps, snapshots)})
    rows = (len(picks) + 1) // 2
    fig, axes = plt.subplots(rows, 2, figsize=(9.0, 2.6 * rows), sharex=True, squeeze=False)
    for ax, i in zip(axes.flat, picks):
        ax.plot(inputs[:, 0], targets[:, 0], ".", color="#bbbbbb", ms=2, zorder=1, label="data")
        ax.plot(x[:, 0], path[i, :, 0, 0], ".", color=AGENT, ms=3, zorder=2, label="samples")
        what = "the starting noise" if i == 0 else ("the actions" if i == steps else "")
        ax.set_title(f"after {i} of {steps} DDIM steps" + (f": {what}" if what else ""), fontsize=10)
        ax.set_ylabel("target t (sample)")
    for ax in axes[-1]:
        ax.set_xlabel("input x")
    for ax in axes.flat[len(picks):]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="lower right", fontsize=8, markerscale=3)
    fig.tight_layout()
    return fig


def fork_samples(policy, n: int = 400, seed: int = 0) -> np.ndarray:
    """``n`` lateral actions a multimodal policy (a ModeHoldingPolicy: diffusion, CVAE, chunks,
    ...) proposes at the fork state, one per draw of its random numbers (for chunks: the chunk's
    first action). Shape (n,)."""
    x = torch.as_tensor(np.repeat(FORK_STATE[None], n, axis=0))
    noise = policy.draw_noise(np.random.default_rng(seed), n)
    with torch.no_grad():
        a = policy.chunks(x, noise)[:, 0] if hasattr(policy, "chunks") else policy.act_with_noise(x, noise)
    return a[:, 1].numpy()


def plot_fork_samples(policy, ax=None, n: int = 400, seed: int = 0):
    """A histogram of :func:`fork_samples` (green: left, red: right): where the policy's draws
    send the agent at the fork. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 2.8))
    lateral = np.clip(fork_samples(policy, n, seed), -1.0, 1.0)
    bins = np.linspace(-1.0, 1.0, 21)
    counts, _ = np.histogram(lateral, bins)
    centres = (bins[1:] + bins[:-1]) / 2
    ax.bar(centres, counts / n, width=0.09, color=["C2" if c > 0 else "C3" for c in centres])
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("lateral action at the fork (left +)")
    ax.set_ylabel(f"share of {n} draws")
    ax.set_title("the policy's draws at the fork state", fontsize=10)
    return ax


def plot_noise_outcomes(out: dict, ax=None, dim: int = -1, bins: int = 30):
    """Stacked histograms of the held starting noise along ``dim`` (the sideways one for a
    diffusion policy) of :func:`~il_helpers.lessons.multimodal.outcomes_by_noise`' episodes, by
    outcome: passed left (green), passed right (red), crashed (black). Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 2.8))
    v, side, crashed = out["noise"][:, dim], out["side"], out["collision"]
    edges = np.linspace(v.min(), v.max(), bins + 1)
    groups = [(v[(side == 1) & ~crashed], "C2", "passed left"), (v[(side == -1) & ~crashed], "C3", "passed right"),
              (v[crashed], "k", f"crashed ({crashed.sum()})")]
    ax.hist([g[0] for g in groups], edges, stacked=True, color=[g[1] for g in groups],
            label=[g[2] for g in groups], alpha=0.8)
    ax.set_xlabel("sideways starting noise $x_T$ held for the episode")
    ax.set_ylabel("episodes")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"where {len(v)} episodes' starting noise led", fontsize=10)
    return ax


class ObstacleForkRenderer:
    """Top-down view of the whole arena: obstacle (grey), finish line (green), the agent and its path."""

    def __init__(self, width_px: int = 420):
        w = X_RANGE[1] - X_RANGE[0]
        h = 2 * WALL_Y + 0.2
        self.fig = Figure(figsize=(4.2, 4.2 * h / w), dpi=width_px / 4.2)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes([0, 0, 1, 1])

    def draw(self, view) -> np.ndarray:
        """The picture of an :class:`~il_helpers.envs.obstacle_fork.ObstacleForkEnv`: its path so far."""
        return self.draw_path(np.array(view.path), bool(view.core.crashed[0]))

    def draw_path(self, path: np.ndarray, crashed: bool) -> np.ndarray:
        ax = self.ax
        ax.clear()
        draw_arena(ax)
        ax.plot(path[:, 0], path[:, 1], color=AGENT, lw=1.5, zorder=3)
        ax.plot(*path[-1], "o", color=CRASH if crashed else AGENT, ms=8, zorder=4)
        ax.axis("off")
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()

    def close(self):
        self.fig.clear()


register_renderer(OBSTACLE_FORK, ObstacleForkRenderer)


def method_label(method: str) -> str:
    """A comparison row's name: the method's label, ``"<method>_chunk"`` as "<label> +chunks"."""
    if method.endswith("_chunk"):
        return f"{label(method[: -len('_chunk')])} +chunks"
    return label(method)


def fork_comparison_table(rows: list[dict]) -> str:
    """A plain-text table of :func:`~il_helpers.lessons.multimodal.fork_comparison`'s rows: per
    method, the mean and the range over seeds of the success, collision, left-share and zig-zag
    rates, and the training time."""
    methods = list(dict.fromkeys(r["method"] for r in rows))
    cols = [("success", "success_rate"), ("collision", "collision_rate"), ("left share", "left_share"),
            ("zig-zag", "zigzag_rate")]
    head = f"{'method':18s}" + "".join(f"{name:>22s}" for name, _ in cols) + f"{'train s':>9s}"
    lines = [head, "-" * len(head)]
    for m in methods:
        rs = [r for r in rows if r["method"] == m]
        cells = []
        for _, key in cols:
            v = np.array([r[key] for r in rs], float)
            if np.all(np.isnan(v)):
                cells.append(f"{'(none passed)':>22s}")
            else:
                cells.append(f"{100 * np.nanmean(v):6.1f}% [{100 * np.nanmin(v):5.1f}, {100 * np.nanmax(v):5.1f}]")
        lines.append(f"{method_label(m):18s}" + "".join(f"{c:>22s}" for c in cells)
                     + f"{np.mean([r['train_s'] for r in rs]):9.1f}")
    seeds = sorted({r["seed"] for r in rows})
    lines.append(f"mean [min, max] over {len(seeds)} seed(s), {rows[0]['episodes']} episodes each; "
                 "left share among the episodes that passed the obstacle")
    return "\n".join(lines)
