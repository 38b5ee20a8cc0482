"""Predict, then run: the student commits to a prediction before the notebook shows what happens.

A question, its answers as radio buttons, and a Reveal button that stays disabled until an answer
is chosen. Reveal locks the choice, runs the experiment (a function of the builder's caller: the
measurement decides which answer is right, nothing is written in advance) and shows what was
measured next to the prediction. Nothing runs until Reveal is pressed, so the box renders with its
defaults when a notebook runs unattended (nbval); tests drive it with ``box.choice.value = ...`` and
``box.reveal.click()``.

The questions, one per notebook: :func:`one_demo_prediction` (00: BC from 1 CartPole demonstration instead
of 10), :func:`horizon_prediction` (01: J(T) at a 5x longer horizon), :func:`more_demos_prediction` (02: BC's
off-road share with 5x more demonstrations), :func:`indicator_prediction` (03: the learner drives from the first
iteration), :func:`few_demos_prediction` (04: MaxEnt IRL from 8 demonstrations), :func:`survival_prediction`
(05: GAIL's survival reward with no demonstrations), :func:`fork_demos_prediction` (06: MSE-BC with 4x more
demonstrations on the fork), :func:`gusts_prediction` (07: BC and DAgger in stronger gusts),
:func:`ranking_noise_prediction` (08: T-REX with rankings flipped at random), :func:`other_body_prediction` (09: BC
with 10x more demonstrations on a body whose steering is reversed).
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


# -- notebook 00: one demonstration -------------------------------------------------------------------------

ONE_DEMO_CHOICES = ["still the expert's 500 (a mean of at least 475)", "most of it (200 to 475)", "below 200"]


def one_demo_answer(return_mean: float) -> int:
    """Which of :data:`ONE_DEMO_CHOICES` a mean CartPole return supports."""
    return 0 if return_mean >= 475 else 1 if return_mean >= 200 else 2


def one_demo_prediction(n_demos: int = 1, seed: int = 0, n_episodes: int = 30):
    """Predict, then run: BC (notebook 00's call, ``il.train_bc`` at its defaults) on ``n_demos`` shipped
    CartPole demonstrations instead of 10, its mean return on ``n_episodes`` test episodes. Reveal takes
    about a second."""
    from ..algorithms.bc import train_bc
    from ..core.data import load_expert_demos
    from ..core.evaluation import evaluate

    n_demos = check_int("n_demos", n_demos, 1, 50, where="one_demo_prediction")
    seed = check_seed("seed", seed, "one_demo_prediction", TRAIN_SEED_MAX - DEMO_SEED)
    n_episodes = check_int("n_episodes", n_episodes, 1, 1000, where="one_demo_prediction")
    demos = load_expert_demos("CartPole-v1", n_demos)   # the shipped file: read at once, its size in the question

    def run():
        policy, _ = train_bc(demos, seed=seed)
        box.return_mean = float(evaluate(policy, "CartPole-v1", n_episodes, seed=seed + 1).return_mean)
        return one_demo_answer(box.return_mean), (f"BC on {n_demos} demonstration(s) ({len(demos)} pairs, seed "
                                                  f"{seed}): mean return {box.return_mean:.1f} on {n_episodes} test "
                                                  f"episodes.")

    box = predict_then_run(f"BC reached the expert's 500 from 10 CartPole demonstrations. From {n_demos} "
                           f"demonstration(s) ({len(demos)} state-action pairs), its mean test return is ...",
                           ONE_DEMO_CHOICES, run, name="Predict, then run: fewer demonstrations")
    box.return_mean = None   # the measured mean return once revealed
    return box


# -- notebook 01: a longer drive ------------------------------------------------------------------------------

def horizon_choices(factor: float = 5.0) -> list[str]:
    """The answers to the longer-drive question when the horizon grows ``factor`` times: about like the
    horizon (under 1.5 ``factor``), between that and ``factor`` squared, or like ``T`` squared or faster."""
    f, lo, sq = (f"{x:g}x" for x in (factor, 1.5 * factor, factor ** 2))
    return [f"about {f}, like the horizon (under {lo}: errors do not compound)",
            f"between {lo} and {sq} (faster than T, slower than T squared)",
            f"{sq} or more (like T squared, or faster)"]


HORIZON_CHOICES = horizon_choices(5.0)   # the notebook's question: T = 200 -> 1000


def horizon_answer(cost_short: float, cost_long: float, factor: float = 5.0) -> int:
    """Which of :func:`horizon_choices` (``factor``) the costs at two horizons ``factor`` apart support (a learner that
    never leaves the road within the short horizon but does within the long one grows without bound)."""
    if cost_short <= 0:
        return 2 if cost_long > 0 else 0
    ratio = cost_long / cost_short
    return 0 if ratio < 1.5 * factor else 1 if ratio < factor ** 2 else 2


def horizon_prediction(short: int = 200, long: int = 1000, seed: int = 0, n_episodes: int = 300):
    """Predict, then run: notebook 01's BC learner (:data:`~il_helpers.lessons.distribution_shift.LEARNER`,
    trained on seed ``seed``'s demonstrations) drives ``n_episodes`` episodes of ``long`` steps on new roads;
    how its expected off-road cost grows from ``J(short)`` to ``J(long)``. Reveal takes about a second."""
    from ..algorithms.bc import train_bc
    from ..core.demonstrations import collect_demonstrations
    from ..envs.registry import LANE_KEEPING
    from ..lessons.distribution_shift import CURVE_SEED_OFFSET, LEARNER, measure_cost_curve

    short = check_int("short", short, 10, 1000, where="horizon_prediction")
    long = check_int("long", long, 2 * short, 5000, where="horizon_prediction")
    seed = check_seed("seed", seed, "horizon_prediction", TRAIN_SEED_MAX - CURVE_SEED_OFFSET)
    n_episodes = check_int("n_episodes", n_episodes, 1, 10_000, where="horizon_prediction")

    def run():
        demos = collect_demonstrations(LANE_KEEPING, LEARNER["n_demos"], seed=seed)
        policy, _ = train_bc(demos, hidden=LEARNER["hidden"], epochs=LEARNER["epochs"], seed=seed)
        curve = measure_cost_curve(policy, n_episodes=n_episodes, max_horizon=long, seed=seed + CURVE_SEED_OFFSET)
        box.costs = (curve.cost_at(short), curve.cost_at(long))
        a, b = box.costs
        grew = f"{b / a:.1f}x" if a > 0 else "from zero"
        return horizon_answer(a, b, long / short), (
            f"seed {seed}, {n_episodes} episodes: J({short}) = {a:.2f} off-road steps, J({long}) = {b:.2f} "
            f"(grew {grew} while the horizon grew {long / short:.0f}x).")

    box = predict_then_run(f"J(T) counts the steps a cloned driver spends off the road in T steps. Driving "
                           f"{long} steps instead of {short} ({long / short:.0f}x longer), its J grows ...",
                           horizon_choices(long / short), run, name="Predict, then run: a longer drive")
    box.costs = None   # (J(short), J(long)) once revealed
    return box


# -- notebook 05: a reward with no data ------------------------------------------------------------------------

SURVIVAL_CHOICES = ["stay about as short as a random policy's (about 20 steps)",
                    "grow: the policy learns to balance the pole (3x longer or more)",
                    "shrink: the policy learns to drop the pole sooner"]


def survival_answer(first: float, last: float) -> int:
    """Which of :data:`SURVIVAL_CHOICES` the first and last episode lengths support."""
    return 1 if last > 3 * first else 2 if last < 0.7 * first else 0


def survival_prediction(iterations: int = 8, seed: int = 0):
    """Predict, then run: GAIL's generator trained on the reward ``-log(1-D)`` with **no** demonstrations
    (``il.train_gail(None, ...)``: D = 1/2 everywhere) on variable-horizon CartPole (no absorbing state), for
    ``iterations`` iterations; the sampled episodes' lengths, first and last. Reveal takes about 2 s."""
    from ..algorithms.gail import train_gail

    iterations = check_int("iterations", iterations, 2, 100, where="survival_prediction")
    seed = check_seed("seed", seed, "survival_prediction", TRAIN_SEED_MAX)

    def run():
        _, h = train_gail(None, env_id="CartPole-v1", reward="-log(1-D)", absorbing=False, iterations=iterations,
                          seed=seed)
        box.lengths = (float(h.episode_length[0]), float(h.episode_length[-1]))
        a, b = box.lengths
        return survival_answer(a, b), (f"seed {seed}: the sampled episodes last {a:.0f} steps at the first "
                                       f"iteration and {b:.0f} at the last of {iterations}, with no "
                                       f"demonstrations at all.")

    box = predict_then_run("No demonstrations at all: the discriminator knows nothing and says D = 1/2 everywhere, "
                           "so the reward -log(1-D) = log 2 at every step. Trained on it, the policy's CartPole "
                           "episodes ...", SURVIVAL_CHOICES, run, name="Predict, then run: a reward with no data")
    box.lengths = None   # (first, last) episode length once revealed
    return box


# -- notebook 07: stronger gusts --------------------------------------------------------------------------------

GUSTS_CHOICES = ["both keep the expert's level (0.9 or more)", "DAgger keeps more of it than BC",
                 "BC keeps as much as DAgger, or more"]


def gusts_answer(bc: float, dagger: float) -> int:
    """Which of :data:`GUSTS_CHOICES` two normalized scores under the stronger gusts support."""
    return 0 if min(bc, dagger) >= 0.9 else 1 if dagger > bc else 2


def gusts_prediction(seed: int = 0, n_episodes: int = 30, fast: bool = True):
    """Predict, then run: notebook 07's BC and DAgger on its LaneKeeping task
    (:func:`~il_helpers.lessons.choosing_a_method.run_method`, the fast budgets unless ``fast=False``),
    scored in heading gusts three times the demonstrations' (the expert in the same gusts is 1). Reveal
    takes about 4 s."""
    from ..lessons.choosing_a_method import run_method

    seed = check_seed("seed", seed, "gusts_prediction", TRAIN_SEED_MAX - DEMO_SEED)
    n_episodes = check_int("n_episodes", n_episodes, 1, 1000, where="gusts_prediction")
    if not isinstance(fast, bool):
        raise TypeError(f"gusts_prediction: fast must be True or False, got {fast!r}")

    def run():
        box.scores = tuple(run_method(m, "LaneKeeping", seed, fast=fast, eval_episodes=n_episodes)["transfer"]
                           ["gusts x3"] for m in ("bc", "dagger"))
        bc, dagger = box.scores
        return gusts_answer(bc, dagger), (f"seed {seed}, {n_episodes} test episodes in gusts x3: BC scores {bc:.2f}, "
                                          f"DAgger {dagger:.2f} (normalized: the expert in the same gusts is 1).")

    box = predict_then_run("BC and DAgger learn to drive in the demonstrations' weather. Now the heading gusts are "
                           "three times stronger. Scored against the expert in the same gusts ...", GUSTS_CHOICES,
                           run, name="Predict, then run: stronger gusts")
    box.scores = None   # (BC, DAgger) normalized scores in the gusts once revealed
    return box
