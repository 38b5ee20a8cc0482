"""Notebook 01's widget: retrain BC with other data, capacity, training budget or injected noise
(a fixed steering noise while the expert drives; DART fits it to the learner's error instead),
and redraw the compounding-error curve J(T)."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..envs.registry import LANE_KEEPING, get_expert
from ..lessons.distribution_shift import (
    CURVE_SEED_OFFSET,
    EXPERT_SAMPLE_SEED,
    LEARNER,
    compounding_experiment,
    expert_states,
    log_horizons,
    measure_cost_curve,
)
from ..plots.distribution_shift import plot_compounding
from .common import CourseBox, in_range, pressed, remember, seed_and_train, show_figure
from .progress import StagedProgress

#: network sizes offered by the capacity control
CAPACITIES = {"4×4": (4, 4), "8×8": (8, 8), "16×16": (16, 16), "32×32": (32, 32), "64×64": (64, 64)}
HORIZONS = (100, 200, 500, 1000, 2000)
WIDGET_EPISODES = 300  # evaluation episodes per Train click: enough for a smooth curve in about a second


@lru_cache(maxsize=8)
def _expert_curve(n_episodes: int, max_horizon: int, seed: int):
    return measure_cost_curve(get_expert(LANE_KEEPING), n_episodes=n_episodes, max_horizon=max_horizon,
                              seed=seed, label="expert")


@lru_cache(maxsize=1)
def _expert_sample():
    return expert_states(LANE_KEEPING, 50, seed=EXPERT_SAMPLE_SEED)


def describe(result) -> str:
    """The one-line text summary of a :class:`~il_helpers.lessons.distribution_shift.CompoundingResult`."""
    s, curve = result.settings, result.curve
    T = curve.max_horizon
    h = "×".join(str(x) for x in s["hidden"])
    slope = (f"fitted log-log slope {result.fit.slope:.2f} on T = {result.fit.t_min}..{result.fit.t_max}"
             if result.fit is not None
             else "no slope: fewer than 3 horizons with J(T) > 0, h T < 1 and 1% of episodes off the road")
    return (f"{'BC + noise injection' if s['noise'] > 0 else 'BC'} ({s['n_demos']} demos, {h} MLP, "
            f"{s['epochs']} epochs, injected noise {s['noise']:.2f}, seed {s['seed']}): exit hazard "
            f"h = {result.eps:.2e} per step, "
            f"supervised error {100 * result.action_error:.1f}% of expert states; "
            f"J({T}) = {curve.cost_at(T):.3g} steps off the road, off-road rate {100 * curve.off_road_rate(T):.2f}%; "
            f"{slope}.")


def distribution_shift_widget(n_demos: int = LEARNER["n_demos"], capacity: str = "16×16",
                              epochs: int = LEARNER["epochs"], horizon: int = 1000, noise: float = 0.0, seed: int = 0,
                              n_episodes: int = WIDGET_EPISODES) -> widgets.VBox:
    """Set the data, the learner and the injected noise, press Train, see J(T) (expert, this run and
    the previous run, with the theory's h T and h T^2).

    The box has attributes ``demos``, ``capacity`` (Dropdown), ``epochs``, ``horizon``, ``noise``
    (sliders), ``seed`` (BoundedIntText), ``train`` (Button), ``summary`` (HTML), ``plot``
    (Output), ``result`` (the latest CompoundingResult, None before the first Train),
    ``history`` (all results) and ``run()`` (what the button does).
    """
    if capacity not in CAPACITIES:
        raise ValueError(f"capacity must be one of {list(CAPACITIES)}, got {capacity!r}")
    if horizon not in HORIZONS:
        raise ValueError(f"horizon must be one of {HORIZONS}, got {horizon!r}")
    in_range("distribution_shift_widget", "n_demos", n_demos, 1, 50, integer=True)
    in_range("distribution_shift_widget", "epochs", epochs, 5, 100, integer=True)
    in_range("distribution_shift_widget", "noise", noise, 0.0, 0.5)
    style = {"description_width": "initial"}
    demos = widgets.IntSlider(value=n_demos, min=1, max=50, description="Demonstrations", continuous_update=False,
                              style=style)
    cap = widgets.Dropdown(options=list(CAPACITIES), value=capacity, description="MLP", style=style,
                           layout=widgets.Layout(width="150px"))
    ep = widgets.IntSlider(value=epochs, min=5, max=100, step=5, description="Epochs", continuous_update=False,
                           style=style)
    hor = widgets.SelectionSlider(options=list(HORIZONS), value=horizon, description="Horizon T",
                                  continuous_update=False, style=style)
    nz = widgets.FloatSlider(value=noise, min=0.0, max=0.5, step=0.05, description="Injected noise",
                             continuous_update=False, readout_format=".2f", style=style)
    sd, train = seed_and_train(seed, style, "distribution_shift_widget")
    summary = widgets.HTML("Choose the settings and press <b>Train</b>: collect demonstrations, train BC, "
                           f"drive {n_episodes} episodes and draw J(T).")
    plot = widgets.Output()
    progress = widgets.Output()
    box = CourseBox([widgets.HBox([demos, cap, ep]), widgets.HBox([hor, nz, sd, train]), progress, summary, plot],
                    "distribution_shift_widget")
    box.result, box.history = None, []

    def run(*_):
        with pressed(train, summary):
            with progress:
                progress.clear_output(wait=True)
                step = StagedProgress(["collecting demonstrations", "training BC", "rolling out", "drawing"])

                T = int(hor.value)
                result = compounding_experiment(
                    n_demos=int(demos.value), hidden=CAPACITIES[cap.value], epochs=int(ep.value), noise=float(nz.value),
                    seed=int(sd.value), n_episodes=n_episodes, max_horizon=T, horizons=log_horizons(T),
                    expert_sample=_expert_sample(), progress=step)
                step("drawing")
                expert = _expert_curve(n_episodes, T, int(sd.value) + CURVE_SEED_OFFSET)
                curves = [expert]
                previous = box.result
                if previous is not None and previous.curve.max_horizon == T:
                    curves.append(dataclasses.replace(previous.curve, label="previous run"))
                curves.append(result.curve)
                fig, ax = plt.subplots(figsize=(7, 4.4))
                plot_compounding(curves, eps=result.eps if result.eps > 0 else None, fit=result.fit, ax=ax)
                ax.set_title(f"{result.curve.label}: J(T) over {n_episodes} episodes", fontsize=10)
                show_figure(plot, fig)
                step.close()
            remember(box, result, summary, describe(result))

    train.on_click(run)
    box.demos, box.capacity, box.epochs, box.horizon, box.noise, box.seed = demos, cap, ep, hor, nz, sd
    box.train, box.summary, box.plot, box.progress, box.run = train, summary, plot, progress, run
    return box
