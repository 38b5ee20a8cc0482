"""Notebook 08's widgets: fit T-REX's reward from a chosen number of ranked pairs, with a chosen share
of wrong rankings, and see how well it ranks fresh episodes (and, ticked, how far PPO drives on it);
and preference comparisons on CartPole with a chosen number of questions and a chosen share of the
oracle's answers wrong (:func:`preferences_widget`)."""

from __future__ import annotations

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..algorithms.preferences import PreferencesConfig
from ..algorithms.trex import TREXConfig, TREXHistory, fit_reward, ppo_on_reward, return_correlation
from ..core.checks import check_int
from ..core.evaluation import evaluate
from ..envs.registry import LANE_KEEPING
from ..lessons.imperfect_demonstrations import EVAL_SEED, held_out_demos, preferences_runs, suboptimal_demos
from ..plots.imperfect_demonstrations import plot_preference_curve, plot_reward_profile, plot_reward_scatter
from .common import CourseBox, in_range, pressed, remember, seed_box, show_figure, train_button
from .progress import StagedProgress

#: the reward fit of one press (fewer steps than the notebook's full budget: a press takes seconds)
WIDGET_STEPS, WIDGET_PPO_ITERATIONS, WIDGET_EPISODES = 600, 30, 20


def trex_run(pairs: int = 2000, rank_noise: float = 0.0, seed: int = 0, ppo: bool = False,
             steps: int = WIDGET_STEPS, iterations: int = WIDGET_PPO_ITERATIONS, n_episodes: int = WIDGET_EPISODES,
             progress=None) -> dict:
    """Fit T-REX's reward to ``pairs`` ranked snippet pairs of seed ``seed``'s suboptimal
    demonstrations, a ``rank_noise`` share of them ranked the wrong way; its correlation with the true
    return on held-out episodes; with ``ppo``, PPO on it for ``iterations`` and the policy's score."""
    say = progress or (lambda message: None)
    say("collecting demonstrations")
    mq, held = suboptimal_demos(seed), held_out_demos(seed)
    say("fitting the reward")
    cfg = TREXConfig(pairs=pairs, steps=steps, rank_noise=rank_noise, iterations=iterations)
    hist = TREXHistory(config=cfg)
    t0 = time.perf_counter()
    net = fit_reward(mq.demos, None, cfg, seed, hist)
    res = {"pairs": int(pairs), "rank_noise": float(rank_noise), "seed": int(seed), "reward": net,
           "correlation": return_correlation(net, held.demos), "held_true": held.returns,
           "held_learned": net.episode_returns(held.demos), "flipped": hist.labels_flipped, "ppo": bool(ppo),
           "score": None}
    if ppo:
        say("training PPO on the reward")
        policy = ppo_on_reward(mq.demos, net, cfg, seed, hist, None, None)
        res["score"] = evaluate(policy, LANE_KEEPING, n_episodes, seed=EVAL_SEED + seed).normalized
    res["train_s"] = time.perf_counter() - t0
    return res


def describe(res: dict) -> str:
    """The one-line summary of a :func:`trex_run` result."""
    text = (f"T-REX reward from {res['pairs']} ranked pairs ({res['flipped']} ranked the wrong way, noise "
            f"{res['rank_noise']:.2f}, seed {res['seed']}): correlation with the true return over "
            f"{len(res['held_true'])} held-out episodes {res['correlation']:.3f}")
    if res["score"] is not None:
        text += f"; PPO on it: normalized score {res['score']:.3f}"
    return text + f"; {res['train_s']:.1f} s."


def trex_widget(pairs: int = 2000, rank_noise: float = 0.0, seed: int = 0, ppo: bool = False) -> widgets.VBox:
    """Ranked pairs (100 to 10,000), ranking noise (0 to 0.5), a Seed, an optional PPO run, Train.

    The box has ``pairs`` (IntSlider), ``noise`` (FloatSlider), ``seed`` (BoundedIntText), ``ppo``
    (Checkbox), ``train`` (Button), ``summary`` (HTML), ``plot`` and ``progress`` (Output), ``result``
    (the latest :func:`trex_run` dict), ``history``, ``figure`` and ``run()``. Nothing is trained until
    Train is pressed."""
    in_range("trex_widget", "pairs", pairs, 100, 10_000, integer=True)
    in_range("trex_widget", "rank_noise", rank_noise, 0.0, 0.5)
    check_int("seed", seed, 0, None, where="trex_widget")
    style = {"description_width": "initial"}
    n_pairs = widgets.IntSlider(value=pairs, min=100, max=10_000, step=100, description="Ranked pairs",
                                continuous_update=False, style=style)
    noise = widgets.FloatSlider(value=rank_noise, min=0.0, max=0.5, step=0.05, description="Ranking noise",
                                readout_format=".2f", continuous_update=False, style=style)
    seed_w = seed_box(seed, style, "trex_widget")
    ppo_w = widgets.Checkbox(value=ppo, indent=False, style=style,
                             description=f"then PPO on the reward ({WIDGET_PPO_ITERATIONS} iterations: about 15 s)")
    train = train_button()
    summary = widgets.HTML("Choose the settings and press <b>Train</b>: fit the reward to ranked snippet pairs of "
                           "the suboptimal demonstrators (a few seconds), then see how it ranks fresh episodes.")
    plot, progress = widgets.Output(), widgets.Output()
    box = CourseBox([widgets.HBox([n_pairs, noise, seed_w]), widgets.HBox([ppo_w, train]), progress, summary, plot],
                    "trex_widget")
    box.result, box.history, box.figure = None, [], None

    def run(*_):
        with pressed(train, summary):
            with progress:
                progress.clear_output(wait=True)
                stages = ["collecting demonstrations", "fitting the reward"]
                stages += ["training PPO on the reward"] if ppo_w.value else []
                step = StagedProgress(stages + ["drawing"])
                res = trex_run(int(n_pairs.value), float(noise.value), int(seed_w.value), bool(ppo_w.value),
                               progress=step)
                step("drawing")
                fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.3), constrained_layout=True)
                plot_reward_scatter(res["held_true"], res["held_learned"], ax=axes[0])
                plot_reward_profile(res["reward"], ax=axes[1])
                show_figure(plot, fig)
                box.figure = fig
                step.close()
            remember(box, res, summary, describe(res))

    train.on_click(run)
    box.pairs, box.noise, box.seed, box.ppo, box.train = n_pairs, noise, seed_w, ppo_w, train
    box.summary, box.plot, box.progress, box.run = summary, plot, progress, run
    return box


def preferences_widget(comparisons: int = 500, label_noise: float = 0.0, seed: int = 0,
                       iterations: int = PreferencesConfig.iterations) -> CourseBox:
    """Comparisons asked (50 to 1,000), the oracle's noise (the share of its answers flipped, 0 to 0.5),
    a Seed, Train: preference comparisons + PPO on CartPole (``iterations`` PPO iterations, 1 to 200;
    the default 40 takes about 20 s), the learning curve against the comparisons asked, and the final
    score on 30 test episodes.

    The box has ``comparisons`` (IntSlider), ``noise`` (FloatSlider), ``seed``, ``train``, ``summary``,
    ``plot``, ``result`` (the :func:`~il_helpers.lessons.imperfect_demonstrations.preferences_runs`
    row), ``history``, ``figure`` and ``run()``. Nothing is trained until Train is pressed."""
    in_range("preferences_widget", "comparisons", comparisons, 50, 1000, integer=True)
    in_range("preferences_widget", "label_noise", label_noise, 0.0, 0.5)
    check_int("seed", seed, 0, None, where="preferences_widget")
    in_range("preferences_widget", "iterations", iterations, 1, 200, integer=True)
    style = {"description_width": "initial"}
    n_cmp = widgets.IntSlider(value=comparisons, min=50, max=1000, step=50, description="Comparisons asked",
                              continuous_update=False, style=style)
    noise = widgets.FloatSlider(value=label_noise, min=0.0, max=0.5, step=0.05, description="Oracle noise",
                                readout_format=".2f", continuous_update=False, style=style)
    seed_w, train = seed_box(seed, style, "preferences_widget"), train_button()
    summary = widgets.HTML("Choose the settings and press <b>Train</b>: PPO on CartPole learns from the oracle's "
                           f"answers about its own clips ({iterations} PPO iterations: "
                           f"about {max(1, round(iterations / 2))} s).")
    plot = widgets.Output()
    box = CourseBox([widgets.HBox([n_cmp, noise, seed_w, train]), summary, plot], "preferences_widget")
    box.result, box.history, box.figure = None, [], None

    def run(*_):
        with pressed(train, summary):
            (res,) = preferences_runs([int(seed_w.value)], n_eval=30,
                                      settings={"comparisons": int(n_cmp.value), "label_noise": float(noise.value),
                                                "iterations": iterations})
            fig, ax = plt.subplots(figsize=(6.5, 3.3), constrained_layout=True)
            plot_preference_curve([res], ax=ax)
            show_figure(plot, fig)
            box.figure = fig
            remember(box, res, summary, f"{res['labels']} comparisons asked ({res['ties']} ties, "
                                        f"{res['history'].labels_flipped} answers flipped by the oracle's noise "
                                        f"{float(noise.value):.2f}, seed {res['seed']}): normalized score "
                                        f"{res['score']:.3f}; {res['seconds']:.1f} s.")

    train.on_click(run)
    box.comparisons, box.noise, box.seed, box.train = n_cmp, noise, seed_w, train
    box.summary, box.plot, box.run = summary, plot, run
    return box


__all__ = ["trex_run", "describe", "trex_widget", "preferences_widget", "WIDGET_STEPS", "WIDGET_PPO_ITERATIONS"]
