"""The gridworlds' pictures (notebooks 04 and 05): per-state heatmaps, the frames of ``render()``,
MaxEnt IRL's training curves and transfer scores, tabular AIRL's recovered rewards and its transfer
experiment.

Importing this module registers the frame renderer of every gridworld id, the ones made later
by :func:`~il_helpers.envs.gridworlds.gridworld_id` included (through
:func:`~il_helpers.envs.gridworlds.on_register`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import colormaps, colors
from matplotlib.patches import Rectangle

from ..envs.base import register_renderer
from ..envs.gridworlds import CHANGE_NAMES, Gridworld, on_register
from ..tabular.mdp import as_tensor
from ..tabular.metrics import reward_correlation
from .style import OBJECT_COLORS


def heatmap(ax, world: Gridworld, values, title: str | None = None, cmap: str = "RdYlGn", symmetric: bool = True,
            label: str | None = None, objects: bool = True, colorbar: bool = True, vmin=None, vmax=None,
            fontsize: float = 9):
    """Draw per-state ``values`` (S,) as a (size, size) image on ``ax``; return the image.

    ``symmetric`` centres the colour scale on 0 (rewards: red bad, green good); ``objects``
    overlays ObjectWorld's objects (outer colour as the square, inner colour as its centre);
    ``label`` names the colour bar (units). ``fontsize``: the title's size in points (the colour
    bar's label is one point smaller, its ticks two).
    """
    img = world.grid(np.asarray(values.detach().numpy() if isinstance(values, torch.Tensor) else values, np.float64))
    if symmetric and vmin is None and vmax is None:
        lim = max(float(np.abs(img).max()), 1e-9)
        vmin, vmax = -lim, lim
    im = ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    if objects and world.objects is not None:
        for r, c, inner, outer in world.objects:
            ax.add_patch(Rectangle((c - 0.42, r - 0.42), 0.84, 0.84, facecolor=OBJECT_COLORS[outer % 6],
                                   edgecolor="black", lw=0.6))
            ax.add_patch(Rectangle((c - 0.18, r - 0.18), 0.36, 0.36, facecolor=OBJECT_COLORS[inner % 6],
                                   edgecolor="none"))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=fontsize)
    if colorbar:
        cb = ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
        cb.ax.tick_params(labelsize=fontsize - 2)
        if label:
            cb.set_label(label, fontsize=fontsize - 1)
    return im


MAX_FIGURE_WIDTH = 9.5  # inches: JupyterLab's default output width at 100 dpi


def heatmap_grid(world: Gridworld, panels, ncols: int = 3, panel_size: tuple = (3.15, 2.75),
                 fontsize: float = 10):
    """Several :func:`heatmap` panels of one world, ``ncols`` to a row (more panels: more rows).

    ``panels``: a list of ``(values, title)`` or ``(values, title, options)`` with ``options`` a
    dict of :func:`heatmap`'s keywords (``cmap``, ``symmetric``, ``label``, ``vmin``, ...).
    The figure is ``ncols * panel_size[0]`` inches wide, at most :data:`MAX_FIGURE_WIDTH`; titles are
    ``fontsize`` points. Unused cells of the last row are left blank. Returns ``(fig, axes)``, the
    axes of the panels in order.
    """
    panels = list(panels)
    if not panels:
        raise ValueError("heatmap_grid: give at least one panel (values, title[, options])")
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"heatmap_grid: ncols must be a whole number >= 1, got {ncols!r}")
    ncols = min(int(ncols), len(panels))
    nrows = -(-len(panels) // ncols)
    width = ncols * panel_size[0]
    if width > MAX_FIGURE_WIDTH + 1e-9:
        raise ValueError(f"heatmap_grid: {ncols} panels of {panel_size[0]} in make a figure {width:.1f} in wide, "
                         f"over {MAX_FIGURE_WIDTH} in; use fewer columns (more rows) or narrower panels")
    fig, grid = plt.subplots(nrows, ncols, figsize=(width, nrows * panel_size[1]), squeeze=False)
    axes = list(grid.ravel())
    for ax, panel in zip(axes, panels):
        if len(panel) not in (2, 3):
            raise ValueError(f"heatmap_grid: a panel is (values, title) or (values, title, options), got "
                             f"{len(panel)} items")
        values, title, options = (*panel, {}) if len(panel) == 2 else panel
        heatmap(ax, world, values, title, **{"fontsize": fontsize, **options})
    for ax in axes[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    return fig, axes[:len(panels)]


def render_world(world: Gridworld, agent: int | None = None, cell: int | None = None) -> np.ndarray:
    """An RGB image (H, W, 3) uint8 of the true reward (green good, red bad), objects and the agent."""
    cell = cell or max(4, 256 // world.size)
    lim = max(1e-9, np.abs(world.reward).max())
    rgb = colormaps["RdYlGn"]((world.grid(world.reward) / lim + 1) / 2)[..., :3]
    img = np.kron(rgb, np.ones((cell, cell, 1)))
    if world.objects is not None:
        for r, c, inner, outer in world.objects:
            y, x = r * cell, c * cell
            img[y + 1: y + cell - 1, x + 1: x + cell - 1] = colors.to_rgb(OBJECT_COLORS[outer % len(OBJECT_COLORS)])
            q = max(1, cell // 3)
            img[y + q: y + cell - q, x + q: x + cell - q] = colors.to_rgb(OBJECT_COLORS[inner % len(OBJECT_COLORS)])
    if agent is not None:
        r, c = divmod(int(agent), world.size)
        yy, xx = np.mgrid[:cell, :cell]
        disc = (yy - (cell - 1) / 2) ** 2 + (xx - (cell - 1) / 2) ** 2 <= (0.38 * cell) ** 2
        img[r * cell: (r + 1) * cell, c * cell: (c + 1) * cell][disc] = 0.0
    return (img * 255).round().astype(np.uint8)


class GridworldRenderer:
    """The frames of a :class:`~il_helpers.envs.gridworlds.GridworldEnv`: :func:`render_world` of its
    world with the agent's cell."""

    def draw(self, view) -> np.ndarray:
        return render_world(view.world, int(view.core.state[0]))

    def close(self) -> None:
        pass


on_register(lambda env_id: register_renderer(env_id, GridworldRenderer))


def plot_maxent_history(history, axes=None, label: str | None = None):
    """MaxEnt IRL's training curves (a :class:`~il_helpers.algorithms.maxent_irl.MaxEntHistory`):
    log-likelihood, feature-count gap (log scale) and EVD (% of the optimal value) against the
    gradient step. Returns the three axes."""
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(9.5, 2.6))
    steps = np.arange(len(history.log_likelihood))
    axes[0].plot(steps, history.log_likelihood, label=label)
    axes[0].set_ylabel("log-likelihood\n(nats per demo)")
    axes[1].semilogy(steps, np.maximum(history.feature_gap, 1e-12), label=label)
    axes[1].set_ylabel(r"$\|\mu_E - \mu_\theta\|_2$")
    axes[2].plot(history.eval_steps, 100 * np.asarray(history.evd_relative), marker=".", label=label)
    axes[2].set_ylabel("EVD (% of optimal value)")
    for ax in axes:
        ax.set_xlabel("gradient step")
        ax.grid(alpha=0.3)
    if label:
        axes[2].legend(fontsize=8)
    plt.tight_layout()
    return axes


# (d_col, d_row) of each action's arrow: stay, up, down, left, right
_ARROWS = np.array([[0, 0], [0, -1], [0, 1], [-1, 0], [1, 0]], np.float64)


def plot_airl_rewards(world, true, g_state_only, g_state_action, axes=None, reduce: str = "max", arrows: bool = True):
    """Three heatmaps: the true reward, the state-only ``g(s)`` and the state-action ``g(s, a)``
    reduced over actions (``reduce``: ``"max"`` or ``"mean"``; the title says which).

    AIRL recovers a reward up to a constant, so both ``g`` are shifted to the true reward's mean
    (as Fu et al. do for their figure; a constant changes no policy in a discounted,
    never-ending problem). With ``arrows``, the state-action panel shows each state's best
    action ``argmax_a g(s, a)`` (a dot for *stay*): that reward says which button to press.
    Returns the three axes.
    """
    if reduce not in ("max", "mean"):
        raise ValueError(f"reduce must be 'max' or 'mean', got {reduce!r}")
    S, A = world.n_states, world.n_actions
    r = as_tensor(true, dtype=torch.float64).detach()
    g_so = as_tensor(g_state_only, dtype=torch.float64).detach()
    g_sa = as_tensor(g_state_action, dtype=torch.float64).detach()
    if tuple(r.shape) != (S,) or tuple(g_so.shape) != (S,) or tuple(g_sa.shape) != (S, A):
        raise ValueError(f"expected true (S,), g_state_only (S,) and g_state_action (S, A) with S={S}, A={A}; got "
                         f"{tuple(r.shape)}, {tuple(g_so.shape)}, {tuple(g_sa.shape)}")
    reduced = g_sa.amax(1) if reduce == "max" else g_sa.mean(1)
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(9.5, 3.0))
    heatmap(axes[0], world, r, r"true reward $r(s)$", label="reward per step")
    heatmap(axes[1], world, g_so - g_so.mean() + r.mean(),
            rf"state-only $g(s)$ (corr. {reward_correlation(g_so, r):.2f})", label="reward (shifted)")
    heatmap(axes[2], world, reduced - reduced.mean() + r.mean(),
            rf"state-action: $\mathrm{{{reduce}}}_a\, g(s,a)$ (corr. {reward_correlation(reduced, r):.2f})"
            + ("\narrows: best action, " + r"$\arg\max_a g(s,a)$" if arrows else ""),
            label="reward (shifted)")
    if arrows:
        rows, cols = np.divmod(np.arange(S), world.size)
        best = g_sa.argmax(1).numpy()
        move = world.next_state[np.arange(S), best] != np.arange(S)   # a move into the border stays put: a dot
        d = _ARROWS[best]
        axes[2].quiver(cols[move], rows[move], d[move, 0], d[move, 1], angles="xy", scale_units="xy", scale=2.2,
                       width=0.006, color="black", alpha=0.7)
        axes[2].plot(cols[~move], rows[~move], "k.", ms=3)
    plt.tight_layout()
    return axes


def plot_transfer(experiment, ax=None):
    """Bars: the mean transfer score of each reward (state-only, state-action) on the training
    dynamics and on the changed ones, one dot per world; 0 = uniform random, 1 = the expert
    re-optimized on the true reward. ``experiment``: a
    :class:`~il_helpers.lessons.gail_airl.TransferExperiment`. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.0))
    dyn = ("training", experiment.change)
    x = np.arange(len(dyn))
    width = 0.38
    for j, (kind, color) in enumerate(zip(experiment.KINDS, ("C0", "C3"))):
        xs = x + (j - 0.5) * width
        means = [experiment.scores[kind][d].mean() for d in dyn]
        ax.bar(xs, means, width, color=color, alpha=0.8, label=f"{kind} reward")
        for xi, d in zip(xs, dyn):
            vals = experiment.scores[kind][d]
            ax.plot(np.full(len(vals), xi), vals, "o", ms=3.5, color="black", alpha=0.6)
    ax.axhline(1.0, color="k", ls="--", lw=0.8)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_xticks(x, ["training dynamics", f"new dynamics:\n{CHANGE_NAMES[experiment.change]}"], fontsize=8)
    ax.set_ylabel("normalized return\n(random 0, expert 1)")
    ax.set_title(f"AIRL reward re-optimized, {len(experiment.world_seeds)} worlds (dots)", fontsize=9)
    lo = min(-0.1, min(float(experiment.scores[k][d].min()) for k in experiment.KINDS for d in dyn) - 0.1)
    ax.set_ylim(lo, 1.4)
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    ax.grid(alpha=0.3, axis="y")
    return ax


def plot_transfer_scores(result, ax=None):
    """Bars: each learner's mean normalized return on each target world of notebook 04's transfer
    experiment, one dot per seed (0 = uniformly random, 1 = optimal, the dashed line). ``result``: a
    :class:`~il_helpers.lessons.maxent_irl.TransferResult`. Returns the axes."""
    learners = result.learners
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 3.4))
    targets = list(result.targets)
    x = np.arange(len(targets))
    width = 0.8 / len(learners)
    lo = 0.0
    for j, learner in enumerate(learners):
        xs = x + (j - (len(learners) - 1) / 2) * width
        vals = [np.asarray(result.scores[learner][t]) for t in targets]
        ax.bar(xs, [v.mean() for v in vals], width, color=f"C{j}", alpha=0.8, label=learner)
        for xi, v in zip(xs, vals):
            ax.plot(np.full(len(v), xi), v, "o", ms=3, color="black", alpha=0.6)
        lo = min(lo, min(float(v.min()) for v in vals))
    ax.axhline(1.0, color="k", ls="--", lw=0.8)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_xticks(x, targets, fontsize=10)
    ax.set_ylabel("normalized return\n(random 0, optimal 1)")
    ax.set_ylim(lo - 0.1, 1.1)
    ax.set_title(f"mean over {len(result.seeds)} seeds (dots: one per seed)", fontsize=10)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.grid(alpha=0.3, axis="y")
    ax.figure.tight_layout()
    return ax
