"""Notebook 02's widget: retrain BC on LaneKeeping with more or fewer demonstrations, injected
steering noise in the demonstrations (the data side of DART), or state-noise augmentation, and see how far it drives."""

from __future__ import annotations

import time

import ipywidgets as widgets

from ..algorithms.bc import train_bc
from ..core.checks import TRAIN_SEED_MAX, check_int, check_probability, check_seed
from ..core.demonstrations import collect_demonstrations
from ..core.evaluation import normalized_score
from ..core.rollout import rollout
from ..envs.registry import LANE_KEEPING
from ..lessons.distribution_shift import LEARNER
from ..plots.behavioral_cloning import plot_drift
from .common import CourseBox, in_range, pressed, remember, show_figure, train_button
from .progress import StagedProgress

#: state-noise augmentation (train_bc's ``state_noise``, in normalized units) when the box is ticked
AUGMENT_NOISE = 0.1
#: demonstrations of seed s are collected with DEMO_SEED + s, test episodes with EVAL_SEED
DEMO_SEED, EVAL_SEED = 100, 5000
WIDGET_EPISODES = 20  # test episodes per Train click: about a second of work at T = 1000


def bc_drift_run(n_demos: int = LEARNER["n_demos"], noise: float = 0.0, augmentation: bool = False, seed: int = 0,
                 horizon: int = 1000, n_episodes: int = WIDGET_EPISODES, progress=None) -> dict:
    """Collect ``n_demos`` expert demonstrations (driven with a fixed steering ``noise``: noise
    injection), train notebook 01's BC learner (``LEARNER``: a 16×16 MLP, 20 epochs; plus
    ``AUGMENT_NOISE`` state noise when ``augmentation``) and drive ``n_episodes`` test episodes of ``horizon`` steps.

    Returns a dict with the settings, the rollout, ``off_road_rate`` (share of steps off the
    road), ``cost`` (J(T) = mean steps off the road per episode), ``left`` (episodes that
    left the road at least once), ``normalized`` (score at this horizon) and ``train_s``.
    ``progress(message)`` is called before each stage.
    """
    say = progress or (lambda message: None)
    say("collecting demonstrations")
    n_demos = check_int("n_demos", n_demos, 1, where="bc_drift_run")
    seed = check_seed("seed", seed, "bc_drift_run", TRAIN_SEED_MAX - DEMO_SEED)
    noise = check_probability("noise", noise, where="bc_drift_run")
    demos = collect_demonstrations(LANE_KEEPING, int(n_demos), seed=DEMO_SEED + int(seed), noise=float(noise))
    say("training BC")
    policy, hist = train_bc(demos, hidden=LEARNER["hidden"], epochs=LEARNER["epochs"],
                            state_noise=AUGMENT_NOISE if augmentation else 0.0, seed=int(seed))
    say("driving the test episodes")
    r = rollout(policy, LANE_KEEPING, n_episodes=n_episodes, seed=EVAL_SEED, horizon=horizon)
    off = r.infos["off_road"]
    return {"n_demos": int(n_demos), "noise": float(noise), "augmentation": bool(augmentation), "seed": int(seed),
            "horizon": int(horizon), "rollout": r, "policy": policy, "off_road_rate": float(off.mean()),
            "cost": float(off.sum(axis=1).mean()), "left": int(off.any(axis=1).sum()),
            "normalized": normalized_score(r.returns.mean(), LANE_KEEPING, horizon), "train_s": hist.wall_s}


def describe(res: dict) -> str:
    """The one-line text summary of a :func:`bc_drift_run` result."""
    T, E = res["horizon"], res["rollout"].obs.shape[0]
    return (f"BC from {res['n_demos']} demos (injected noise {res['noise']:.2f}, augmentation "
            f"{'on' if res['augmentation'] else 'off'}, seed {res['seed']}): "
            f"off the road {100 * res['off_road_rate']:.1f}% of the steps (J({T}) = {res['cost']:.0f} steps per "
            f"episode), {res['left']}/{E} episodes left the road, "
            f"normalized score {res['normalized']:.3f}; trained in {res['train_s']:.2f} s.")


def behavioral_cloning_widget(n_demos: int = LEARNER["n_demos"], noise: float = 0.0, augmentation: bool = False,
                              seed: int = 0, horizon: int = 1000, n_episodes: int = WIDGET_EPISODES) -> widgets.VBox:
    """Set the number of demonstrations, the injected noise and augmentation, press Train: collect,
    train notebook 01's BC learner, drive ``n_episodes`` test episodes of ``horizon`` steps.

    The box has attributes ``demos`` (IntSlider), ``noise`` (FloatSlider), ``augment``
    (Checkbox), ``train`` (Button), ``summary`` (HTML), ``plot`` (Output), ``progress``
    (Output), ``result`` (the latest :func:`bc_drift_run` dict, None before the first Train),
    ``history`` (all results), ``figure`` (the last figure drawn) and ``run()`` (what the button
    does). Creating it is cheap: nothing is trained until Train is pressed.
    """
    in_range("behavioral_cloning_widget", "n_demos", n_demos, 1, 50, integer=True)
    in_range("behavioral_cloning_widget", "noise", noise, 0.0, 0.5)
    check_seed("seed", seed, "behavioral_cloning_widget", TRAIN_SEED_MAX - DEMO_SEED)
    check_int("horizon", horizon, 1, where="behavioral_cloning_widget")
    check_int("n_episodes", n_episodes, 1, where="behavioral_cloning_widget")
    style = {"description_width": "initial"}
    demos = widgets.IntSlider(value=n_demos, min=1, max=50, description="Demonstrations", continuous_update=False,
                              style=style)
    nz = widgets.FloatSlider(value=noise, min=0.0, max=0.5, step=0.05, description="Injected noise",
                             readout_format=".2f",
                             continuous_update=False, style=style)
    aug = widgets.Checkbox(value=augmentation, description=f"state-noise augmentation ({AUGMENT_NOISE} std)",
                           indent=False, style=style)
    train = train_button()
    summary = widgets.HTML(f"Choose the settings and press <b>Train</b>: collect demonstrations, train BC "
                           f"(a {'×'.join(map(str, LEARNER['hidden']))} MLP, {LEARNER['epochs']} epochs), "
                           f"drive {n_episodes} test episodes of {horizon} steps.")
    plot = widgets.Output()
    progress = widgets.Output()
    box = CourseBox([widgets.HBox([demos, nz]), widgets.HBox([aug, train]), progress, summary, plot],
                    "behavioral_cloning_widget")
    box.result, box.history, box.figure = None, [], None

    def run(*_):
        with pressed(train, summary):
            with progress:
                progress.clear_output(wait=True)
                step = StagedProgress(["collecting demonstrations", "training BC", "driving the test episodes",
                                       "drawing"])

                t0 = time.perf_counter()
                res = bc_drift_run(int(demos.value), float(nz.value), bool(aug.value), seed, horizon, n_episodes,
                                   progress=step)
                step("drawing")
                fig = plot_drift(res, box.result)[0].figure
                show_figure(plot, fig)
                box.figure = fig
                step.close()
            res["callback_s"] = time.perf_counter() - t0
            remember(box, res, summary, describe(res))

    train.on_click(run)
    box.demos, box.noise, box.augment, box.train = demos, nz, aug, train
    box.summary, box.plot, box.progress, box.run = summary, plot, progress, run
    return box
