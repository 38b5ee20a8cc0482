"""Predict, then run: the student commits to a prediction before the notebook shows what happens.

A question, its answers as radio buttons, and a Reveal button that stays disabled until an answer
is chosen. Reveal locks the choice, runs the experiment (a function of the builder's caller: the
measurement decides which answer is right, nothing is written in advance) and shows what was
measured next to the prediction. Nothing runs until Reveal is pressed, so the box renders with its
defaults when a notebook runs unattended (nbval); tests drive it with ``box.choice.value = ...`` and
``box.reveal.click()``.

The questions: :func:`more_demos_prediction` (notebook 02: BC's off-road share with 5x more demonstrations),
:func:`indicator_prediction` (notebook 03: the learner drives from the first iteration), :func:`few_demos_prediction`
(notebook 04: MaxEnt IRL from 8 demonstrations),
:func:`fork_demos_prediction` (notebook 06: MSE-BC with 4x more demonstrations on the fork),
:func:`ranking_noise_prediction` (notebook 08: T-REX with rankings flipped at random), :func:`other_body_prediction`
(notebook 09: BC with 10x more demonstrations on a body whose steering is reversed).
"""

from __future__ import annotations

import html
from typing import Callable

import ipywidgets as widgets

from ..core.checks import TRAIN_SEED_MAX, check_int, check_seed
from .behavioral_cloning import DEMO_SEED, WIDGET_EPISODES, bc_drift_run
from .common import CourseBox, pressed

ASK = "<i>Choose your prediction, then press <b>Reveal</b> (it runs the experiment: a few seconds).</i>"


def predict_then_run(question: str, choices: list[str], run: Callable[[], tuple[int, str]], *,
                     name: str = "Predict, then run") -> CourseBox:
    """A prediction box. ``run()`` returns ``(index, text)``: the answer the measurement supports and
    what was measured (a sentence). The box has attributes ``choice`` (RadioButtons, no value until the
    student picks one), ``reveal`` (Button), ``summary`` (HTML), ``result`` (None until Reveal, then a
    dict: ``predicted``, ``measured`` (indices), ``right`` and ``text``) and ``run()`` (what Reveal does).
    """
    if not isinstance(question, str) or not question.strip():
        raise ValueError("predict_then_run: question must be a non-empty string")
    if not isinstance(choices, (list, tuple)) or len(choices) < 2 or not all(isinstance(c, str) and c for c in choices):
        raise ValueError(f"predict_then_run: choices must be two or more non-empty strings, got {choices!r}")
    if not callable(run):
        raise TypeError(f"predict_then_run: run must be a function returning (index, text), got {type(run).__name__}")
    prompt = widgets.HTML(f"<b>Predict.</b> {html.escape(question)}")
    choice = widgets.RadioButtons(options=list(choices), value=None, layout=widgets.Layout(width="auto"))
    reveal = widgets.Button(description="Reveal", button_style="primary", icon="eye", disabled=True)
    summary = widgets.HTML(ASK)
    box = CourseBox([prompt, choice, reveal, summary], name)
    box.choice, box.reveal, box.summary, box.result = choice, reveal, summary, None

    def on_choice(change):
        reveal.disabled = change["new"] is None or box.result is not None

    def do_run(_=None):
        if choice.value is None:
            summary.value = "<b>Choose a prediction first</b>: Reveal shows the answer only to a committed guess."
            return None
        choice.disabled = True                      # the prediction is committed
        try:
            with pressed(reveal, summary):
                measured, text = run()
                measured = int(measured)
                if not 0 <= measured < len(choices):
                    raise ValueError(f"the experiment returned answer {measured}, not one of 0..{len(choices) - 1}")
        except BaseException:
            choice.disabled = False
            raise
        predicted = list(choices).index(choice.value)
        box.result = {"predicted": predicted, "measured": measured, "right": predicted == measured, "text": text}
        verdict = ("Your prediction was right." if predicted == measured else
                   f"You predicted <i>{html.escape(choice.value)}</i>; the measurement says "
                   f"<i>{html.escape(choices[measured])}</i>.")
        summary.value = f"<b>Measured:</b> {html.escape(text)} {verdict}"
        reveal.disabled = True                      # one reveal per prediction: re-run the cell to ask again
        return box.result

    choice.observe(on_choice, names="value")
    reveal.on_click(do_run)
    box.run = do_run
    return box


# -- notebook 02: more demonstrations ---------------------------------------------------------------

MORE_DEMOS_CHOICES = ["stays about the same (within a factor of 1.5)", "falls, but by less than 5x",
                      "falls by 5x or more"]


def more_demos_answer(off_few: float, off_many: float) -> int:
    """Which of :data:`MORE_DEMOS_CHOICES` the two measured off-road shares support."""
    if off_few == 0 or off_many >= off_few / 1.5:
        return 0
    return 1 if off_many > off_few / 5 else 2


def more_demos_prediction(few: int = 10, many: int = 50, seed: int = 0, n_episodes: int = WIDGET_EPISODES):
    """Predict, then run: how BC's off-road share at T = 1000 changes with ``many`` instead of ``few``
    demonstrations (notebook 01's learner, :func:`~il_helpers.widgets.behavioral_cloning.bc_drift_run`
    for each, ``n_episodes`` test episodes). Reveal takes about 2 s."""
    few, many = (check_int(n, v, 1, 50, where="more_demos_prediction") for n, v in (("few", few), ("many", many)))
    seed = check_seed("seed", seed, "more_demos_prediction", TRAIN_SEED_MAX - DEMO_SEED)

    def run():
        a = bc_drift_run(few, seed=seed, n_episodes=n_episodes)["off_road_rate"]
        b = bc_drift_run(many, seed=seed, n_episodes=n_episodes)["off_road_rate"]
        box.shares = (a, b)
        ratio = f"{a / b:.1f}x less" if b > 0 else "never off the road"
        return more_demos_answer(a, b), (f"seed {seed}, {n_episodes} test episodes of 1000 steps: off the road "
                                         f"{100 * a:.2f}% of the steps with {few} demonstrations, {100 * b:.2f}% "
                                         f"with {many} ({ratio}).")

    box = predict_then_run(f"Notebook 01's BC learner drives test episodes of T = 1000 steps. Trained on {many} "
                           f"demonstrations instead of {few}, its share of steps off the road ...",
                           MORE_DEMOS_CHOICES, run, name="Predict, then run: more demonstrations")
    box.shares = None   # (off-road share with few, with many) once revealed
    return box


# -- notebook 09: another body ------------------------------------------------------------------------

OTHER_BODY_CHOICES = ["0.9 or more: more data fixes it", "between 0.3 and 0.9",
                      "below 0.3: more data does not help"]


def other_body_answer(score: float) -> int:
    """Which of :data:`OTHER_BODY_CHOICES` a normalized score supports."""
    return 0 if score >= 0.9 else 1 if score >= 0.3 else 2


def other_body_prediction(n_demos: int = 100, seed: int = 0, n_episodes: int = WIDGET_EPISODES):
    """Predict, then run: BC on ``n_demos`` of the expert's LaneKeeping episodes, driving the car whose
    steering is reversed (notebook 09's :func:`~il_helpers.lessons.beyond_gail.bc_on_another_body`).
    Reveal takes a few seconds."""
    from ..lessons.beyond_gail import bc_on_another_body

    n_demos = check_int("n_demos", n_demos, 1, 200, where="other_body_prediction")
    seed = check_seed("seed", seed, "other_body_prediction", TRAIN_SEED_MAX - DEMO_SEED)

    def run():
        box.score = bc_on_another_body(n_demos, seed=seed, episodes=n_episodes)
        return other_body_answer(box.score), (f"BC on {n_demos} of the expert's episodes scores {box.score:.2f} "
                                              f"(normalized) on the reversed car, seed {seed}, {n_episodes} "
                                              f"test episodes.")

    box = predict_then_run(f"The learner's steering is reversed. Trained on {n_demos} of the expert's "
                           f"demonstrations instead of 10, BC on the expert's actions scores ...",
                           OTHER_BODY_CHOICES, run, name="Predict, then run: more demonstrations, another body")
    box.score = None   # the measured normalized score once revealed
    return box


# -- notebook 08: a careless ranker ---------------------------------------------------------------------

RANKING_NOISE_CHOICES = ["stays at 0.9 or more", "falls to between 0.5 and 0.9", "falls below 0.5"]


def ranking_noise_answer(correlation: float) -> int:
    """Which of :data:`RANKING_NOISE_CHOICES` a measured correlation supports."""
    return 0 if correlation >= 0.9 else 1 if correlation >= 0.5 else 2


def ranking_noise_prediction(rank_noise: float = 0.3, pairs: int = 2000, seed: int = 0):
    """Predict, then run: T-REX's reward fitted with a ``rank_noise`` share of its ranked pairs flipped
    (notebook 08's :func:`~il_helpers.widgets.imperfect_demonstrations.trex_run`, no PPO), and its
    correlation with the true return on held-out episodes. Reveal takes a few seconds."""
    from .imperfect_demonstrations import trex_run

    if not (isinstance(rank_noise, (int, float)) and 0.0 <= rank_noise < 0.5):
        raise ValueError(f"ranking_noise_prediction: rank_noise must be a share in [0, 0.5), got {rank_noise!r}")
    pairs = check_int("pairs", pairs, 100, 10_000, where="ranking_noise_prediction")
    seed = check_seed("seed", seed, "ranking_noise_prediction", TRAIN_SEED_MAX - DEMO_SEED)

    def run():
        res = trex_run(pairs=pairs, rank_noise=rank_noise, seed=seed)
        box.correlation = res["correlation"]
        return ranking_noise_answer(res["correlation"]), (
            f"with {res['flipped']} of {pairs} pairs ranked the wrong way (seed {seed}), the learned return "
            f"correlates {res['correlation']:.3f} with the true return on {len(res['held_true'])} held-out episodes.")

    box = predict_then_run(f"A careless ranker: {100 * rank_noise:.0f} % of T-REX's {pairs} ranked pairs are ranked "
                           f"the wrong way, at random. The learned reward's correlation with the true return on "
                           f"held-out episodes (0.90 to 0.95 with no noise) ...",
                           RANKING_NOISE_CHOICES, run, name="Predict, then run: a careless ranker")
    box.correlation = None   # the measured correlation once revealed
    return box


# -- notebook 03: the learner drives from the first iteration ---------------------------------------------

INDICATOR_CHOICES = ["about as low as with the schedule (within 2x)", "clearly higher (2x or more)",
                     "lower than with the schedule (by 2x or more)"]


def indicator_answer(off_schedule: float, off_indicator: float) -> int:
    """Which of :data:`INDICATOR_CHOICES` the two measured off-road shares support."""
    if off_indicator >= 2 * max(off_schedule, 1e-4):
        return 1
    if off_schedule >= 2 * max(off_indicator, 1e-4):
        return 2
    return 0


def indicator_prediction(seed: int = 0, n_episodes: int = WIDGET_EPISODES):
    """Predict, then run: notebook 03's DAgger with its exponential beta schedule against the indicator
    schedule (beta = 1 at iteration 0, then 0: the learner drives from the first iteration, the expert
    only labels), the same demonstrations and iterations; off-road share on ``n_episodes`` test episodes."""
    from ..algorithms.dagger import train_dagger
    from ..core.evaluation import evaluate
    from ..envs.registry import LANE_KEEPING
    from ..lessons.dagger import course_config, course_demos

    seed = check_seed("seed", seed, "indicator_prediction", TRAIN_SEED_MAX - DEMO_SEED)

    def run():
        shares = []
        for schedule in (("exponential", 0.5), ("indicator", None)):
            policy, _ = train_dagger(course_demos(seed), seed=seed, config=course_config(schedule=schedule))
            shares.append(float(evaluate(policy, LANE_KEEPING, n_episodes, seed=10_000 + seed).off_road_rate))
        box.shares = tuple(shares)
        a, b = shares
        return indicator_answer(a, b), (f"seed {seed}, {n_episodes} test episodes: off the road {100 * a:.2f}% of the "
                                        f"steps with beta_i = 0.5^i, {100 * b:.2f}% with the learner driving from "
                                        f"iteration 1.")

    box = predict_then_run("DAgger with the learner at the wheel from the first iteration on (beta = 0 after the "
                           "demonstrations: the expert only labels, it never drives). Against the exponential "
                           "schedule, its final off-road share is ...",
                           INDICATOR_CHOICES, run, name="Predict, then run: who drives")
    box.shares = None   # (off-road share with the schedule, with the indicator) once revealed
    return box


# -- notebook 06: more demonstrations for the average ------------------------------------------------------

FORK_CHOICES = ["passes on both sides, as the expert does", "passes, but always on the same side",
                "still drives into the obstacle in most episodes"]


def fork_answer(success: float, left_share: float) -> int:
    """Which of :data:`FORK_CHOICES` a success rate and a left share (of the passing episodes) support."""
    if success < 0.5:
        return 2
    return 0 if min(left_share, 1 - left_share) >= 0.15 else 1


def fork_demos_prediction(n_demos: int = 400, seed: int = 0, n_episodes: int = WIDGET_EPISODES):
    """Predict, then run: MSE-BC on ObstacleFork trained on ``n_demos`` demonstrations (notebook 06's
    :func:`~il_helpers.lessons.multimodal.fork_comparison` at its fast budget), its success rate and the
    side it passes on."""
    from ..lessons.multimodal import fork_comparison

    n_demos = check_int("n_demos", n_demos, 10, 1000, where="fork_demos_prediction")
    seed = check_seed("seed", seed, "fork_demos_prediction", TRAIN_SEED_MAX - DEMO_SEED)

    def run():
        (row,) = fork_comparison([seed], methods=("mse",), n_demos=n_demos, episodes=n_episodes, fast=True)
        box.row = row
        left = row["left_share"] if row["left_share"] == row["left_share"] else 0.0   # NaN: none passed
        return fork_answer(row["success_rate"], left), (
            f"MSE-BC on {n_demos} demonstrations (seed {seed}, {n_episodes} test episodes): passes in "
            f"{100 * row['success_rate']:.0f}% of the episodes, {100 * row['collision_rate']:.0f}% hit the obstacle"
            + (f", {100 * left:.0f}% of the passes on the left." if row["success_rate"] > 0 else "."))

    box = predict_then_run(f"MSE-BC averages the two swerves into the obstacle. Trained on {n_demos} demonstrations "
                           f"instead of 100, it ...", FORK_CHOICES, run,
                           name="Predict, then run: more data for the average")
    box.row = None   # the fork_comparison row once revealed
    return box


# -- notebook 04: fewer demonstrations ------------------------------------------------------------------

FEW_DEMOS_CHOICES = ["still near-optimal (EVD under 5 % of the optimal return)", "clearly worse (5 % to 50 %)",
                     "useless (over 50 %)"]


def few_demos_answer(evd_relative: float) -> int:
    """Which of :data:`FEW_DEMOS_CHOICES` a relative expected value difference supports."""
    return 0 if evd_relative < 0.05 else 1 if evd_relative <= 0.5 else 2


def few_demos_prediction(n_demos: int = 8, seed: int = 0):
    """Predict, then run: MaxEnt IRL on notebook 04's 16x16 FeatureGrid from ``n_demos`` demonstrations
    instead of 64 (the notebook's widget's training, run unseen: :func:`~il_helpers.widgets.maxent_irl_widget`),
    and the expected value difference of the recovered reward's optimal policy. Reveal takes a few seconds."""
    from .maxent_irl import maxent_irl_widget

    n_demos = check_int("n_demos", n_demos, 1, 512, where="few_demos_prediction")
    seed = check_seed("seed", seed, "few_demos_prediction", TRAIN_SEED_MAX - DEMO_SEED)

    def run():
        trainer = maxent_irl_widget(n_demos=n_demos, seed=seed)
        trainer.train.click()
        box.result_irl = res = trainer.result
        return few_demos_answer(res["evd_relative"]), (
            f"from {n_demos} demonstrations (seed {seed}): EVD {100 * res['evd_relative']:.2f} % of the optimal "
            f"return; the recovered reward correlates {res['reward_corr']:.2f} with the true one.")

    box = predict_then_run(f"MaxEnt IRL learns FeatureGrid's reward from {n_demos} demonstrations instead of 64. "
                           f"The policy that is optimal for the recovered reward is ...", FEW_DEMOS_CHOICES, run,
                           name="Predict, then run: fewer demonstrations")
    box.result_irl = None   # the widget's result dict once revealed
    return box
