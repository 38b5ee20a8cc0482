"""Notebook 09's widget: choose a method and the learner's body, train on the expert's LaneKeeping
episodes, and watch the learner drive its own car (its score and one road drawn)."""

from __future__ import annotations

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..core.checks import check_int
from ..core.demonstrations import collect_demonstrations
from ..core.evaluation import evaluate
from ..core.rollout import rollout
from ..core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from ..envs.lane_keeping import LANE_KEEPING_DISCRETE_REVERSED
from ..envs.registry import LANE_KEEPING_DISCRETE
from ..lessons.beyond_gail import train_learner
from ..plots.lane import plot_lane_trajectories
from .common import CourseBox, in_range, pressed, remember, seed_box, show_figure, train_button
from .progress import StagedProgress

#: method key -> its label in the dropdown (with what a press costs)
METHODS = {"bc": "BC on the expert's actions (1 s)", "bco": "BCO on its states (6 s)",
           "gaifo": "GAIfO on its states (15 s)", "vail": "VAIL, with the expert's actions (20 s)"}
#: body label -> the learner's environment
BODIES = {"the expert's car": LANE_KEEPING_DISCRETE, "steering reversed": LANE_KEEPING_DISCRETE_REVERSED}
WIDGET_DEMOS, WIDGET_EPISODES = 10, 20


def body_run(method: str = "bco", body: str = "steering reversed", seed: int = 0, i_c: float = 0.5,
             n_demos: int = WIDGET_DEMOS, n_episodes: int = WIDGET_EPISODES, progress=None) -> dict:
    """Train ``method`` on ``n_demos`` of the expert's discrete-LaneKeeping episodes for a learner with
    ``body`` (a key of :data:`BODIES`); VAIL's information constraint is ``i_c``. The learner's score
    (normalized, on its own body) and a rollout for the drawing. VAIL learns from state-action pairs,
    so it refuses a body whose actions differ from the expert's."""
    if method not in METHODS:
        raise ValueError(f"body_run: method must be one of {list(METHODS)}, got {method!r}")
    if body not in BODIES:
        raise ValueError(f"body_run: body must be one of {list(BODIES)}, got {body!r}")
    say = progress or (lambda message: None)
    learner = BODIES[body]
    say("collecting demonstrations")
    demos = collect_demonstrations(LANE_KEEPING_DISCRETE, n_demos, seed=seed + DEMO_SEED_OFFSET)
    say("training")
    t0 = time.perf_counter()
    policy, _ = train_learner(method, demos, learner, seed, {"i_c": i_c} if method == "vail" else None)
    train_s = time.perf_counter() - t0
    say("driving")
    res = evaluate(policy, learner, n_episodes, seed=seed + EVAL_SEED_OFFSET)
    return {"method": method, "body": body, "seed": int(seed), "i_c": float(i_c), "score": float(res.normalized),
            "train_s": train_s, "rollout": rollout(policy, learner, 1, seed=seed + EVAL_SEED_OFFSET)}


def describe(res: dict) -> str:
    """The one-line summary of a :func:`body_run` result."""
    vail = f" (I_c {res['i_c']:.2f})" if res["method"] == "vail" else ""
    return (f"{METHODS[res['method']].split(' (')[0]}{vail}, learner's body: {res['body']}, seed {res['seed']}: "
            f"normalized score {res['score']:.3f} on the learner's car; trained in {res['train_s']:.1f} s.")


def body_widget(method: str = "bco", body: str = "steering reversed", seed: int = 0, i_c: float = 0.5) -> CourseBox:
    """Method (BC, BCO, GAIfO, VAIL), the learner's body, VAIL's bottleneck ``I_c`` (0.05 to 2 nats), a
    Seed, Train.

    The box has ``method`` and ``body`` (Dropdowns), ``i_c`` (FloatSlider, enabled for VAIL only),
    ``seed`` (BoundedIntText), ``train`` (Button), ``summary`` (HTML), ``plot`` and ``progress`` (Output),
    ``result`` (the latest :func:`body_run` dict), ``history``, ``figure`` and ``run()``. Nothing is
    trained until Train is pressed."""
    if method not in METHODS or body not in BODIES:
        raise ValueError(f"body_widget: method must be one of {list(METHODS)} and body one of {list(BODIES)}, "
                         f"got {method!r}, {body!r}")
    in_range("body_widget", "i_c", i_c, 0.05, 2.0)
    check_int("seed", seed, 0, None, where="body_widget")
    style = {"description_width": "initial"}
    method_w = widgets.Dropdown(options=[(v, k) for k, v in METHODS.items()], value=method, description="Method",
                                style=style)
    body_w = widgets.Dropdown(options=list(BODIES), value=body, description="Learner's body", style=style)
    ic_w = widgets.FloatSlider(value=i_c, min=0.05, max=2.0, step=0.05, description="VAIL's I_c (nats)",
                               readout_format=".2f", continuous_update=False, style=style,
                               disabled=method != "vail")
    seed_w = seed_box(seed, style, "body_widget")
    train = train_button()
    summary = widgets.HTML("Choose a method and the learner's body, then press <b>Train</b>: it learns from 10 of "
                           "the expert's episodes and drives its own car.")
    plot, progress = widgets.Output(), widgets.Output()
    box = CourseBox([widgets.HBox([method_w, body_w]), widgets.HBox([ic_w, seed_w, train]), progress, summary, plot],
                    "body_widget")
    box.result, box.history, box.figure = None, [], None

    def on_method(change):
        ic_w.disabled = change["new"] != "vail"

    def run(*_):
        with pressed(train, summary):
            with progress:
                progress.clear_output(wait=True)
                step = StagedProgress(["collecting demonstrations", "training", "driving", "drawing"])
                res = body_run(method_w.value, body_w.value, int(seed_w.value), float(ic_w.value), progress=step)
                step("drawing")
                fig, ax = plt.subplots(figsize=(9.0, 3.2), constrained_layout=True)
                plot_lane_trajectories({METHODS[res["method"]].split(" (")[0]: res["rollout"]}, ax=ax)
                ax.set_title(f"the learner on its own car ({res['body']}): one test road")
                show_figure(plot, fig)
                box.figure = fig
                step.close()
            remember(box, res, summary, describe(res))

    method_w.observe(on_method, names="value")
    train.on_click(run)
    box.method, box.body, box.i_c, box.seed, box.train = method_w, body_w, ic_w, seed_w, train
    box.summary, box.plot, box.progress, box.run = summary, plot, progress, run
    return box


__all__ = ["BODIES", "METHODS", "body_run", "body_widget", "describe"]
