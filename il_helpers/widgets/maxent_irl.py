"""Notebook 04's widget: MaxEnt IRL on a gridworld, with the reward made visible.

Pick a world (FeatureGrid with a linear reward, ObjectWorld with a deep one), its size and wind,
the number of demonstrations and the learning rate; press Train; see the true and the recovered
reward, where the expert and the learned policy go, and the numbers (EVD, reward correlation).
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..core.checks import TRAIN_SEED_MAX, check, check_int, check_seed
from ..core.config import budget
from .common import CourseBox, in_range, pressed, show_figure, train_button

WORLDS = {"FeatureGrid (linear reward)": ("FeatureGrid", "linear"),
          "ObjectWorld (deep reward)": ("ObjectWorld", "deep")}
DEFAULT_LR = {"linear": 0.1, "deep": 0.003}


def maxent_irl_widget(world: str = "FeatureGrid", size: int = 16, n_demos: int = 64, wind: float | None = None,
                      lr: float | None = None, steps: int | None = None, seed: int = 0) -> widgets.VBox:
    """Build the widget. The box has attributes ``world`` (Dropdown), ``size``, ``demos`` (IntSliders),
    ``wind``, ``lr`` (sliders), ``train`` (Button), ``progress`` (Output holding a tqdm bar while
    training), ``summary`` (HTML: a line starting with "Trained on ..." after training) and
    ``plot`` (Output); ``result`` holds the last training's numbers (a dict), None before, and
    ``figure`` the last matplotlib figure drawn.

    It renders the chosen world's true reward on creation (cheap); training happens only when
    Train is clicked (``steps`` gradient steps, 200 by default, 60 in fast mode).
    """
    from .. import tabular as tab
    from ..algorithms import maxent_irl as mi
    from ..core.demonstrations import collect_demonstrations
    from ..core.seeding import DEMO_SEED_OFFSET
    from ..envs import gridworlds as gw
    from ..plots.gridworlds import heatmap

    where = "maxent_irl_widget"
    families = [fam for fam, _ in WORLDS.values()]
    check(isinstance(world, str) and gw.family_name(world) in families, "world",
          f"one of {families} (or its env id)", world, where)
    label = next(k for k, (fam, _) in WORLDS.items() if fam == gw.family_name(world))
    family, kind = WORLDS[label]
    in_range(where, "size", size, 8, 32, integer=True)
    in_range(where, "n_demos", n_demos, 1, 256, integer=True)
    if wind is not None:
        in_range(where, "wind", wind, 0.0, 0.6)
    if lr is not None:
        in_range(where, "lr", lr, 1e-4, 1.0)
    check_seed("seed", seed, where, TRAIN_SEED_MAX)
    steps = budget(200, 60) if steps is None else check_int("steps", steps, 1, where=where)
    style = {"description_width": "initial"}
    world_dd = widgets.Dropdown(options=list(WORLDS), value=label, description="World", style=style,
                                layout=widgets.Layout(width="300px"))
    size_sl = widgets.IntSlider(value=size, min=8, max=32, step=4, description="Grid size", continuous_update=False,
                                style=style)
    demos_sl = widgets.IntSlider(value=n_demos, min=1, max=256, description="Demonstrations",
                                 continuous_update=False, style=style)
    wind_sl = widgets.FloatSlider(value=gw.DEFAULTS[family]["wind"] if wind is None else wind, min=0.0, max=0.6,
                                  step=0.05, description="Wind", continuous_update=False, style=style)
    lr_sl = widgets.FloatLogSlider(value=DEFAULT_LR[kind] if lr is None else lr, base=10, min=-4, max=0, step=0.1,
                                   description="Learning rate", continuous_update=False, style=style,
                                   readout_format=".4f")
    train = train_button()
    progress = widgets.Output()
    summary = widgets.HTML()
    plot = widgets.Output()
    box = CourseBox([widgets.HBox([world_dd, size_sl, wind_sl]), widgets.HBox([demos_sl, lr_sl, train]),
                        progress, summary, plot], "maxent_irl_widget")
    box.world, box.size, box.demos, box.wind, box.lr = world_dd, size_sl, demos_sl, wind_sl, lr_sl
    box.train, box.progress, box.summary, box.plot = train, progress, summary, plot
    box.result = None

    def current_world():
        fam, _ = WORLDS[world_dd.value]
        return gw.make_world(fam, size=size_sl.value, world_seed=seed, wind=round(wind_sl.value, 4))

    def show(fig):
        box.figure = fig
        show_figure(plot, fig)

    def preview(*_):
        w = current_world()
        fig, ax = plt.subplots(figsize=(3.4, 3.0))
        heatmap(ax, w, w.reward, title=f"true reward, {w.family} {w.size}x{w.size}", label="reward")
        show(fig)
        summary.value = html.escape(f"{w.family} {w.size}x{w.size}, wind {w.wind:g}, horizon {w.horizon}, "
                                    f"{w.n_features} features. Press Train to recover the reward from "
                                    f"{demos_sl.value} demonstrations.")

    def on_world_change(change):
        _, k = WORLDS[change["new"]]
        fam = WORLDS[change["new"]][0]
        lr_sl.value = DEFAULT_LR[k]
        wind_sl.value = gw.DEFAULTS[fam]["wind"]
        preview()

    def on_train(_=None):
        with pressed(train, summary):
            train_once()

    def train_once():
        from tqdm.auto import tqdm

        w = current_world()
        _, k = WORLDS[world_dd.value]
        t0 = time.perf_counter()
        demos = collect_demonstrations(w.env_id, demos_sl.value, seed=seed + DEMO_SEED_OFFSET)
        with progress:
            progress.clear_output()
            bar = tqdm(total=steps, desc="MaxEnt IRL", leave=False)
            _, hist = mi.train_maxent_irl(demos, reward=k, steps=steps, lr=lr_sl.value, seed=seed,
                                          eval_every=max(1, steps // 20),
                                          progress=lambda done, total, info: bar.update(1))
            bar.close()
        progress.clear_output()
        r = hist.reward
        ev = tab.expected_value_difference(r, w.P, w.d0, w.horizon, w.r)
        corr = tab.reward_correlation(r, w.r)
        states, _ = mi.demo_arrays(demos, w)
        expert_visits = tab.empirical_visitation(states, w.n_states).sum(0)
        learner_visits = tab.state_visitation(tab.soft_value_iteration(r, w.P, w.horizon), w.P, w.d0).sum(0)
        box.result = {"demos": demos_sl.value, "evd": ev.evd, "evd_relative": ev.relative, "reward_corr": corr,
                      "log_likelihood": hist.log_likelihood[-1], "wall_s": time.perf_counter() - t0}
        # two rows of maps and the EVD curve beside them: 9.5 inches wide, readable in JupyterLab's output
        fig = plt.figure(figsize=(9.5, 5.6))
        grid = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.1])
        axes = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 0]),
                fig.add_subplot(grid[1, 1]), fig.add_subplot(grid[:, 2])]
        heatmap(axes[0], w, w.reward, "true reward", label="reward")
        heatmap(axes[1], w, r, f"learned reward ({k})", label="reward")
        vmax = float(max(expert_visits.max(), learner_visits.max()))
        heatmap(axes[2], w, expert_visits, "expert visits (demos)", cmap="viridis", symmetric=False,
                   vmin=0, vmax=vmax, label="steps per episode")
        heatmap(axes[3], w, learner_visits, "learned policy's visits", cmap="viridis", symmetric=False,
                   vmin=0, vmax=vmax, label="steps per episode")
        axes[4].plot(hist.eval_steps, 100 * np.asarray(hist.evd_relative), marker=".")
        axes[4].set_xlabel("gradient step")
        axes[4].set_ylabel("EVD (% of optimal value)")
        axes[4].grid(alpha=0.3)
        fig.tight_layout()
        show(fig)
        summary.value = html.escape(
            f"Trained on {demos_sl.value} demonstrations of {w.family} {w.size}x{w.size} (wind {w.wind:g}), "
            f"{k} reward, {steps} steps at learning rate {lr_sl.value:.4g}: EVD {ev.evd:.2f} "
            f"({100 * ev.relative:.1f}% of the optimal value {ev.v_optimal:.1f}), reward correlation {corr:.3f}, "
            f"log-likelihood {hist.log_likelihood[-1]:.1f} nats per demo, {box.result['wall_s']:.1f} s.")

    world_dd.observe(on_world_change, names="value")
    size_sl.observe(preview, names="value")
    wind_sl.observe(preview, names="value")
    demos_sl.observe(preview, names="value")
    train.on_click(on_train)
    box.refresh = preview
    preview()
    return box
