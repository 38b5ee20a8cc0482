"""Notebook 03's widget: choose DAgger's beta schedule, its parameter, the iterations and the
episodes per iteration, press Train, and see each iteration's score and off-road rate and where
the aggregated data lies compared with the expert's."""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
from tqdm.auto import tqdm

from ..algorithms.dagger import train_dagger
from ..algorithms.schedules import SCHEDULES, make_schedule
from ..lessons.dagger import COURSE, COURSE_DEMOS, course_config, course_demos
from ..plots.dagger import plot_coverage, plot_history, plot_schedules
from .common import CourseBox, in_range, pressed, remember, seed_and_train, show_figure

#: the parameter slider's range and step for each schedule kind
PARAM_SLIDER = {
    "constant": {"min": 0.0, "max": 1.0, "step": 0.05, "description": "β (i ≥ 1)"},
    "linear": {"min": 1.0, "max": 10.0, "step": 1.0, "description": "β = 0 at i ="},
    "exponential": {"min": 0.0, "max": 0.95, "step": 0.05, "description": "p (β = pⁱ)"},
    "indicator": {"min": 0.0, "max": 1.0, "step": 0.05, "description": "(no parameter)"},
}


def describe(h) -> str:
    """The one-line text summary of a DAgger run (its :class:`~il_helpers.algorithms.dagger.DAggerHistory`)."""
    s = h.settings
    final = h.final
    collect_off = int(sum(r.collect_off_road_steps or 0 for r in h.records[1:]))
    expert_steps = sum(r.expert_steps for r in h.records[1:])
    collected = sum(r.new_labels for r in h.records[1:])
    return (f"DAgger, {s['schedule']}, {s['iterations']} iterations × {s['iteration_episodes']} episodes, "
            f"seed {s['seed']}: final normalized score {final.normalized:.3f}, "
            f"off-road {100 * final.off_road_rate:.2f}% of steps (iteration 0, BC on the expert data: "
            f"{h.records[0].normalized:.3f}, {100 * h.records[0].off_road_rate:.2f}%); {final.labels_used} expert "
            f"labels; while collecting, the expert drove {expert_steps} of {collected} steps "
            f"and the car was off the road for {collect_off} steps.")


def dagger_widget(schedule: str = "exponential", param: float | None = 0.5, iterations: int = COURSE.iterations,
                  iteration_episodes: int = COURSE.iteration_episodes, seed: int = 0,
                  eval_episodes: int = 100) -> widgets.VBox:
    """DAgger on LaneKeeping with the course's learner (:data:`il_helpers.lessons.dagger.COURSE`).

    The box has attributes ``schedule`` (Dropdown), ``param`` (FloatSlider, reconfigured for
    each schedule; disabled for the indicator), ``iterations``, ``episodes`` (IntSliders),
    ``seed`` (BoundedIntText), ``train`` (Button), ``summary`` (HTML), ``plot`` (Output),
    ``progress`` (Output), ``result`` (the latest run's DAggerHistory, None before the first
    Train), ``history`` (all of them) and ``run()`` (what the button does). On creation it draws the
    chosen schedule (cheap); training happens only when Train is pressed.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {list(SCHEDULES)}, got {schedule!r}")
    make_schedule(schedule, None if schedule == "indicator" else param)  # validates the parameter
    if schedule != "indicator" and param is not None:  # the slider's range, narrower than the schedule's
        spec = PARAM_SLIDER[schedule]
        in_range("dagger_widget", "param", param, spec["min"], spec["max"])
    in_range("dagger_widget", "iterations", iterations, 1, 10, integer=True)
    in_range("dagger_widget", "iteration_episodes", iteration_episodes, 1, 10, integer=True)
    if isinstance(eval_episodes, bool) or not isinstance(eval_episodes, int) or eval_episodes < 1:
        raise ValueError(f"eval_episodes must be an integer >= 1 (the widget reports scores), got {eval_episodes!r}")
    style = {"description_width": "initial"}
    kind = widgets.Dropdown(options=list(SCHEDULES), value=schedule, description="β schedule", style=style,
                            layout=widgets.Layout(width="220px"))
    par = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="p", continuous_update=False,
                              readout_format=".2f", style=style)
    its = widgets.IntSlider(value=iterations, min=1, max=10, description="Iterations", continuous_update=False,
                            style=style)
    eps = widgets.IntSlider(value=iteration_episodes, min=1, max=10, description="Episodes / iteration",
                            continuous_update=False, style=style)
    sd, train = seed_and_train(seed, style, "dagger_widget")
    summary = widgets.HTML()
    plot = widgets.Output()
    progress = widgets.Output()
    box = CourseBox([widgets.HBox([kind, par]), widgets.HBox([its, eps, sd, train]), progress, summary, plot],
                    "dagger_widget")
    box.result, box.history = None, []

    def current_schedule():
        return make_schedule(kind.value, None if kind.value == "indicator" else float(par.value))

    def configure(*_):
        spec = PARAM_SLIDER[kind.value]
        par.min, par.max = min(par.min, spec["min"]), max(par.max, spec["max"])  # widen first, then narrow
        par.step, par.description = spec["step"], spec["description"]
        default = SCHEDULES[kind.value][1]
        par.value = min(max(default if default is not None else par.value, spec["min"]), spec["max"])
        par.min, par.max = spec["min"], spec["max"]
        par.disabled = kind.value == "indicator"
        preview()

    def preview(*_):
        if box.result is None:
            summary.value = html.escape(f"{current_schedule()}: press Train to run DAgger ({its.value} iterations × "
                                        f"{eps.value} episodes after {COURSE_DEMOS} expert episodes) on LaneKeeping.")
            fig, ax = plt.subplots(figsize=(4.8, 2.6))
            plot_schedules([current_schedule()], iterations=int(its.value), ax=ax)
            fig.tight_layout()
            show_figure(plot, fig)

    def run(*_):
        with pressed(train, summary):
            n = int(its.value)
            with progress:
                progress.clear_output(wait=True)
                bar = tqdm(total=n + 1, desc="DAgger iterations", leave=False)

                def step(done, total, record):
                    bar.set_postfix_str(f"iteration {record['iteration']}: score {record['normalized']:.3f}")
                    bar.update(1)

                config = course_config(iterations=n, iteration_episodes=int(eps.value), schedule=current_schedule(),
                                       eval_episodes=eval_episodes)
                _, result = train_dagger(course_demos(int(sd.value)), seed=int(sd.value), config=config,
                                         progress=step)
                bar.close()
            # constrained layout places the coverage maps' colorbar beside them, clear of titles and ticks
            fig, axes = plt.subplots(2, 2, figsize=(9.5, 6.4), layout="constrained")
            plot_history({"DAgger": result}, axes=axes[0])
            plot_coverage(result.initial, result.data, axes=axes[1])
            axes[0, 0].set_title(str(current_schedule()), fontsize=9)
            show_figure(plot, fig)
            remember(box, result, summary, describe(result))

    kind.observe(configure, names="value")
    for w in (par, its, eps):
        w.observe(preview, names="value")
    train.on_click(run)
    box.schedule, box.param, box.iterations, box.episodes, box.seed = kind, par, its, eps, sd
    box.train, box.summary, box.plot, box.progress, box.run = train, summary, plot, progress, run
    configure()
    if kind.value != "indicator" and param is not None:
        par.value = float(param)
    return box
