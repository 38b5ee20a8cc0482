"""Notebook 06's widget: an MDN policy on ObstacleFork. Choose the number of components K, press
Train, then switch between sampling a mode and taking the most likely one, with or without
holding it for the episode, and see the paths, the success and collision rates and the left /
right split."""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from tqdm.auto import tqdm

from ..algorithms.mdn import train_mdn
from ..core.checks import TRAIN_SEED_MAX, check_int, check_seed
from ..core.config import FAST
from ..core.demonstrations import collect_demonstrations
from ..core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from ..envs.registry import OBSTACLE_FORK
from ..lessons.multimodal import TRAIN, TRAIN_FAST, evaluate_fork
from ..plots.multimodal import plot_demo_paths, plot_fork_mixture, plot_paths
from .common import CourseBox, in_range, pressed, train_button


def describe(policy, stats: dict) -> str:
    """The widget's one-line result, e.g. "MDN (K=5), mode sampled once per episode: success 99%, ..."."""
    left = "no passes" if np.isnan(stats["left_share"]) else f"{100 * stats['left_share']:.0f}% of passes on the left"
    return (f"{policy.describe()}: success {100 * stats['success_rate']:.0f}%, collisions "
            f"{100 * stats['collision_rate']:.0f}%, {left}, zig-zag in {100 * stats['zigzag_rate']:.0f}% "
            f"of {stats['episodes']} episodes")


def multimodal_widget(n_components: int = 5, n_demos: int = 100, seed: int = 0, episodes: int = 100,
                      fast: bool | None = None) -> widgets.VBox:
    """An MDN on ObstacleFork, trained on ``n_demos`` expert episodes (collected with
    ``seed + 10_000``) and evaluated on ``episodes`` episodes (seed ``seed + 20_000``).

    The box has attributes ``k`` (IntSlider), ``select`` (ToggleButtons: "sample" /
    "most_likely"), ``hold`` (Checkbox), ``train`` (Button), ``progress`` (Output, a tqdm bar),
    ``summary`` (HTML), ``plot`` (Output), ``figure`` (the figure last drawn into it), ``policy``
    and ``stats`` (None before the first Train) and ``run()`` (what the button does). On creation it
    draws the expert's demonstrations (cheap); training happens only when Train is pressed. Changing
    the mode choice after training re-evaluates the same network; changing K asks for a new Train.
    """
    fast = FAST if fast is None else fast
    in_range("multimodal_widget", "n_components", n_components, 1, 6, integer=True)
    check_int("n_demos", n_demos, 1, where="multimodal_widget")
    check_int("episodes", episodes, 1, where="multimodal_widget")
    check_seed("seed", seed, "multimodal_widget", TRAIN_SEED_MAX - EVAL_SEED_OFFSET)
    style = {"description_width": "initial"}
    k = widgets.IntSlider(value=n_components, min=1, max=6, description="Components K", continuous_update=False,
                          style=style)
    select = widgets.ToggleButtons(options=[("sample a mode", "sample"), ("most likely mode", "most_likely")],
                                   value="sample", description="Mode", style=style)
    hold = widgets.Checkbox(value=True, description="hold the sampled mode for the whole episode", style=style,
                            layout=widgets.Layout(width="360px"))
    train = train_button()
    progress = widgets.Output()
    summary = widgets.HTML()
    plot = widgets.Output()
    box = CourseBox([widgets.HBox([k, train]), widgets.HBox([select, hold]), progress, summary, plot],
                    "multimodal_widget")
    box.policy, box.stats, box.trained_k, box.figure = None, None, None, None
    cache = {}

    def demos():
        if "demos" not in cache:
            cache["demos"] = collect_demonstrations(OBSTACLE_FORK, n_demos, seed=seed + DEMO_SEED_OFFSET)
        return cache["demos"]

    def preview(*_):
        if box.policy is None:
            summary.value = html.escape(f"Press Train to fit an MDN with K={k.value} components to {n_demos} expert "
                                        f"episodes (left: the expert's own paths).")
            d = demos()
            with plot:
                plot.clear_output(wait=True)
                fig, ax = plt.subplots(figsize=(5.2, 2.8))
                plot_demo_paths(d, ax, title="expert demonstrations")
                fig.tight_layout()
                box.figure = fig
                display(fig)
                plt.close(fig)
        elif k.value != box.trained_k:
            summary.value = html.escape(f"K is now {k.value}; the network shown was trained with K={box.trained_k}. "
                                        f"Press Train to train with K={k.value}.")

    def evaluate(*_):
        if box.policy is None:
            preview()
            return
        box.policy.select, box.policy.hold = select.value, bool(hold.value)
        r, stats = evaluate_fork(box.policy, episodes, seed=seed + EVAL_SEED_OFFSET)
        box.stats = stats
        summary.value = html.escape(describe(box.policy, stats))
        with plot:
            plot.clear_output(wait=True)
            fig, axes = plt.subplots(1, 2, figsize=(9.6, 2.8), gridspec_kw={"width_ratios": [1.7, 1]})
            plot_paths(r, ax=axes[0], max_episodes=40, title=box.policy.describe())
            plot_fork_mixture(box.policy, ax=axes[1])
            fig.tight_layout()
            box.figure = fig
            display(fig)
            plt.close(fig)

    def run(*_):
        with pressed(train, summary):
            with progress:
                progress.clear_output(wait=True)
                bar = tqdm(total=3, desc="MDN", leave=False)
                bar.set_postfix_str("collecting demonstrations")
                d = demos()
                bar.update(1)
                bar.set_postfix_str(f"training K={k.value} ({(TRAIN_FAST if fast else TRAIN)['epochs']} epochs max)")
                policy, _ = train_mdn(d, seed=seed, n_components=int(k.value), **(TRAIN_FAST if fast else TRAIN))
                bar.update(1)
                bar.set_postfix_str("evaluating")
                box.policy, box.trained_k = policy, int(k.value)
                evaluate()
                bar.update(1)
                bar.close()

    k.observe(preview, names="value")
    select.observe(evaluate, names="value")
    hold.observe(evaluate, names="value")
    train.on_click(run)
    box.k, box.select, box.hold, box.train = k, select, hold, train
    box.progress, box.summary, box.plot, box.run = progress, summary, plot, run
    preview()
    return box

