"""Predict, then run: the student commits to a prediction before the notebook shows what happens.

A question, its answers as radio buttons, and a Reveal button that stays disabled until an answer
is chosen. Reveal locks the choice, runs the experiment (a function of the builder's caller: the
measurement decides which answer is right, nothing is written in advance) and shows what was
measured next to the prediction. Nothing runs until Reveal is pressed, so the box renders with its
defaults when a notebook runs unattended (nbval); tests drive it with ``box.choice.value = ...`` and
``box.reveal.click()``.

The questions: :func:`more_demos_prediction` (notebook 02: BC's off-road share with 5x more demonstrations),
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
