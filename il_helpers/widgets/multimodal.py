"""Notebook 06's widget: an MDN or a diffusion policy on ObstacleFork, per step or over chunks of
actions. Choose the policy, the number of components K (MDN) and the chunk length, press Train,
then switch between sampling a mode and taking the most likely one, with or without holding it
for the episode, and see the paths, the success and collision rates and the left / right split."""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from ..algorithms.chunking import ChunkConfig, train_chunked
from ..algorithms.diffusion import train_diffusion
from ..algorithms.mdn import MDNConfig, train_mdn
from ..core.checks import TRAIN_SEED_MAX, check_int, check_seed
from ..core.config import FAST
from ..core.demonstrations import collect_demonstrations
from ..core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from ..envs.registry import OBSTACLE_FORK
from ..lessons.multimodal import MODEL_CONFIGS, TRAIN, TRAIN_FAST, evaluate_fork
from ..plots.multimodal import plot_demo_paths, plot_fork_mixture, plot_fork_samples, plot_paths
from .common import CourseBox, in_range, pressed, show_figure, train_button


def describe(policy, stats: dict) -> str:
    """The widget's one-line result, e.g. "MDN (K=5), mode sampled once per episode: success 99%, ..."."""
    left = "no passes" if np.isnan(stats["left_share"]) else f"{100 * stats['left_share']:.0f}% of passes on the left"
    return (f"{policy.describe()}: success {100 * stats['success_rate']:.0f}%, collisions "
            f"{100 * stats['collision_rate']:.0f}%, {left}, zig-zag in {100 * stats['zigzag_rate']:.0f}% "
            f"of {stats['episodes']} episodes")


POLICIES = (("MDN", "mdn"), ("diffusion", "diffusion"))
MAX_CHUNK = 8
#: what a Train takes beyond the default's (the MDN per step), measured at the defaults (50
#: demonstrations, load average 1.3): MDN 2.0 s, diffusion 2.5 s, MDN over chunks of 4 2.4 s,
#: diffusion over chunks of 4 2.9 s (100 demonstrations: MDN 3.8 s)
SLOWER = {"diffusion": "about 1.3x the time of the MDN", "chunk": "about 1.2-1.5x the per-step time"}


def train_note(kind: str, chunk: int) -> str:
    """What the summary says before a Train that takes longer than the default (MDN, per step)."""
    notes = [SLOWER[kind]] if kind in SLOWER else []
    if chunk > 1:
        notes.append(f"chunks of {chunk}: {SLOWER['chunk']}")
    return f" (a longer Train: {'; '.join(notes)})" if notes else ""


def multimodal_widget(n_components: int = 5, n_demos: int = 50, seed: int = 0, episodes: int = 100,
                      fast: bool | None = None, policy: str = "mdn", chunk: int = 1) -> widgets.VBox:
    """An MDN (or a diffusion policy, ``policy="diffusion"``) on ObstacleFork, per step or over
    chunks of ``chunk`` actions executed open loop, trained on ``n_demos`` expert episodes
    (collected with ``seed + 10_000``; 50 by default, half of the comparison's 100, so that every
    Train at the defaults takes under 3 s, see :data:`SLOWER`) and evaluated on ``episodes``
    episodes (seed ``seed + 20_000``).

    The box has attributes ``kind`` (ToggleButtons: "mdn" / "diffusion"), ``k`` (IntSlider, the
    MDN's components), ``chunk`` (IntSlider, 1: per step), ``select`` (ToggleButtons: "sample" /
    "most_likely"), ``hold`` (Checkbox), ``train`` (Button), ``progress`` (Output, a tqdm bar),
    ``summary`` (HTML), ``plot`` (Output), ``figure`` (the figure last drawn into it), ``policy``,
    ``stats``, ``trained`` (what was trained: policy, K, chunk) and ``trained_k`` (None before the
    first Train) and ``run()`` (what the button does). On creation it
    draws the expert's demonstrations (cheap); training happens only when Train is pressed. Changing
    the mode choice after training re-evaluates the same network; changing the policy, K or the
    chunk length asks for a new Train (and says when it will take longer).
    """
    fast = FAST if fast is None else fast
    in_range("multimodal_widget", "n_components", n_components, 1, 6, integer=True)
    in_range("multimodal_widget", "chunk", chunk, 1, MAX_CHUNK, integer=True)
    if policy not in dict(POLICIES).values():
        raise ValueError(f"multimodal_widget: policy must be one of {[v for _, v in POLICIES]}, got {policy!r}")
    check_int("n_demos", n_demos, 1, where="multimodal_widget")
    check_int("episodes", episodes, 1, where="multimodal_widget")
    check_seed("seed", seed, "multimodal_widget", TRAIN_SEED_MAX - EVAL_SEED_OFFSET)
    style = {"description_width": "initial"}
    kind = widgets.ToggleButtons(options=POLICIES, value=policy, description="Policy", style=style)
    k = widgets.IntSlider(value=n_components, min=1, max=6, description="Components K", continuous_update=False,
                          style=style, disabled=policy != "mdn")
    chunk_len = widgets.IntSlider(value=chunk, min=1, max=MAX_CHUNK, description="Chunk length",
                                  continuous_update=False, style=style)
    select = widgets.ToggleButtons(options=[("sample a mode", "sample"), ("most likely mode", "most_likely")],
                                   value="sample", description="Mode", style=style)
    hold = widgets.Checkbox(value=True, description="hold the sampled mode for the whole episode", style=style,
                            layout=widgets.Layout(width="360px"))
    train = train_button()
    progress = widgets.Output()
    summary = widgets.HTML()
    plot = widgets.Output()
    box = CourseBox([kind, widgets.HBox([k, chunk_len, train]), widgets.HBox([select, hold]), progress, summary,
                     plot], "multimodal_widget")
    box.policy, box.stats, box.trained_k, box.trained, box.figure = None, None, None, None, None

    def setting():
        """What a Train would train now: (policy kind, K or None, chunk length)."""
        return kind.value, int(k.value) if kind.value == "mdn" else None, int(chunk_len.value)

    def name(what) -> str:
        kind_, k_, c = what
        return (f"an MDN with K={k_} components" if kind_ == "mdn" else "a diffusion policy") + (
            f" over chunks of {c} actions" if c > 1 else "")
    cache = {}

    def demos():
        if "demos" not in cache:
            cache["demos"] = collect_demonstrations(OBSTACLE_FORK, n_demos, seed=seed + DEMO_SEED_OFFSET)
        return cache["demos"]

    def preview(*_):
        k.disabled = kind.value != "mdn"
        note = train_note(kind.value, int(chunk_len.value))
        if box.policy is None:
            summary.value = html.escape(f"Press Train to fit {name(setting())} to {n_demos} expert "
                                        f"episodes{note} (left: the expert's own paths).")
            d = demos()
            fig, ax = plt.subplots(figsize=(5.2, 2.8))
            plot_demo_paths(d, ax, title="expert demonstrations")
            fig.tight_layout()
            box.figure = fig
            show_figure(plot, fig)
        elif setting() != box.trained:
            summary.value = html.escape(f"The policy shown is {name(box.trained)}; press Train to train "
                                        f"{name(setting())}{note}.")

    def evaluate(*_):
        if box.policy is None:
            preview()
            return
        box.policy.select, box.policy.hold = select.value, bool(hold.value)
        r, stats = evaluate_fork(box.policy, episodes, seed=seed + EVAL_SEED_OFFSET)
        box.stats = stats
        summary.value = html.escape(describe(box.policy, stats))
        fig, axes = plt.subplots(1, 2, figsize=(9.5, 2.8), gridspec_kw={"width_ratios": [1.7, 1]})
        plot_paths(r, ax=axes[0], max_episodes=40, title=box.policy.describe())
        if hasattr(box.policy, "mixture"):
            plot_fork_mixture(box.policy, ax=axes[1])
        else:
            plot_fork_samples(box.policy, ax=axes[1])
        fig.tight_layout()
        box.figure = fig
        show_figure(plot, fig)

    def run(*_):
        with pressed(train, summary):
            with progress:
                progress.clear_output(wait=True)
                what = setting()
                kind_, k_, c = what
                bar = tqdm(total=3, desc="MDN" if kind_ == "mdn" else "diffusion", leave=False)
                bar.set_postfix_str("collecting demonstrations")
                d = demos()
                bar.update(1)
                budget = TRAIN_FAST if fast else TRAIN
                bar.set_postfix_str(f"training {name(what)} ({budget['epochs']} epochs max)")
                base = MDNConfig(n_components=k_) if kind_ == "mdn" else MODEL_CONFIGS.get("diffusion")
                if c > 1:
                    policy, _ = train_chunked(d, seed=seed, config=ChunkConfig(base=kind_, chunk=c, base_config=base),
                                              **budget)
                elif kind_ == "mdn":
                    policy, _ = train_mdn(d, seed=seed, config=base, **budget)
                else:
                    policy, _ = train_diffusion(d, seed=seed, config=base, **budget)
                bar.update(1)
                bar.set_postfix_str("evaluating")
                box.policy, box.trained_k, box.trained = policy, k_, what
                evaluate()
                bar.update(1)
                bar.close()

    k.observe(preview, names="value")
    kind.observe(preview, names="value")
    chunk_len.observe(preview, names="value")
    select.observe(evaluate, names="value")
    hold.observe(evaluate, names="value")
    train.on_click(run)
    box.kind, box.k, box.chunk, box.select, box.hold, box.train = kind, k, chunk_len, select, hold, train
    box.progress, box.summary, box.plot, box.run = progress, summary, plot, run
    preview()
    return box

