"""The predict-then-run widget, driven without a browser."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from il_helpers.widgets.predict import (  # noqa: E402
    MORE_DEMOS_CHOICES,
    OTHER_BODY_CHOICES,
    RANKING_NOISE_CHOICES,
    more_demos_answer,
    more_demos_prediction,
    other_body_answer,
    other_body_prediction,
    predict_then_run,
    ranking_noise_answer,
    ranking_noise_prediction,
)


def test_reveal_waits_for_a_prediction_then_locks_it():
    calls = []

    def run():
        calls.append(1)
        return 1, "measured B"

    box = predict_then_run("Which?", ["A", "B", "C"], run)
    assert box.choice.value is None and box.reveal.disabled and box.result is None and not calls
    assert box.run() is None and "Choose a prediction first" in box.summary.value and not calls
    box.choice.value = "A"
    assert not box.reveal.disabled
    box.reveal.click()
    assert calls == [1] and box.result == {"predicted": 0, "measured": 1, "right": False, "text": "measured B"}
    assert box.choice.disabled and box.reveal.disabled
    assert "measured B" in box.summary.value and "<i>B</i>" in box.summary.value
    box2 = predict_then_run("Which?", ["A", "B"], lambda: (1, "B it is"))
    box2.choice.value = "B"
    box2.reveal.click()
    assert box2.result["right"] and "Your prediction was right." in box2.summary.value


def test_an_experiment_that_fails_is_shown_and_the_choice_stays_open():
    box = predict_then_run("Which?", ["A", "B"], lambda: (5, "?"))
    box.choice.value = "A"
    with pytest.raises(ValueError, match="not one of 0..1"):
        box.run()
    assert "Cannot run" in box.summary.value and not box.choice.disabled and box.result is None


@pytest.mark.parametrize("bad", [dict(question=""), dict(choices=["only"]), dict(run=3)])
def test_bad_arguments_are_refused(bad):
    args = {"question": "Q?", "choices": ["A", "B"], "run": lambda: (0, ""), **bad}
    with pytest.raises((ValueError, TypeError)):
        predict_then_run(args["question"], args["choices"], args["run"])


def test_more_demos_answer_reads_the_ratio():
    assert [more_demos_answer(a, b) for a, b in ((0.05, 0.04), (0.05, 0.02), (0.05, 0.005), (0.0, 0.0))] == [0, 1, 2, 0]


def test_more_demos_prediction_measures_before_it_judges():
    box = more_demos_prediction(n_episodes=5)
    assert box.result is None and len(box.choice.options) == len(MORE_DEMOS_CHOICES)
    box.choice.value = MORE_DEMOS_CHOICES[0]
    box.reveal.click()
    text = box.result["text"]
    assert "with 10 demonstrations" in text and "with 50" in text
    few, many = box.shares
    assert f"{100 * few:.2f}%" in text and f"{100 * many:.2f}%" in text
    assert box.result["measured"] == more_demos_answer(few, many)
    with pytest.raises(ValueError):
        more_demos_prediction(many=51)


def test_other_body_prediction_measures_bc_on_the_reversed_car():
    assert [other_body_answer(x) for x in (0.95, 0.5, 0.1, -0.05)] == [0, 1, 2, 2]
    box = other_body_prediction(n_demos=3, n_episodes=5)
    assert box.score is None and len(box.choice.options) == len(OTHER_BODY_CHOICES)
    box.choice.value = OTHER_BODY_CHOICES[0]
    box.reveal.click()
    assert f"{box.score:.2f}" in box.result["text"] and "3 of the expert's episodes" in box.result["text"]
    assert box.result["measured"] == other_body_answer(box.score) == 2  # the actions steer the wrong way
    with pytest.raises(ValueError):
        other_body_prediction(n_demos=0)


def test_ranking_noise_prediction_fits_and_judges_the_correlation():
    assert [ranking_noise_answer(x) for x in (0.93, 0.7, 0.2)] == [0, 1, 2]
    box = ranking_noise_prediction(rank_noise=0.3, pairs=300)
    assert box.correlation is None and len(box.choice.options) == len(RANKING_NOISE_CHOICES)
    box.choice.value = RANKING_NOISE_CHOICES[2]
    box.reveal.click()
    assert f"{box.correlation:.3f}" in box.result["text"] and "of 300 pairs ranked the wrong way" in box.result["text"]
    assert box.result["measured"] == ranking_noise_answer(box.correlation)
    for bad in (0.5, -0.1, "x"):
        with pytest.raises(ValueError, match="rank_noise"):
            ranking_noise_prediction(rank_noise=bad)


def test_the_saved_output_carries_a_still_picture():
    box = predict_then_run("Which?", ["A", "B"], lambda: (0, "A"))
    bundle = box._repr_mimebundle_()
    assert bundle["image/png"] and "Predict, then run" in bundle["text/plain"]


def test_indicator_prediction_trains_both_schedules():
    from il_helpers.widgets.predict import INDICATOR_CHOICES, indicator_answer, indicator_prediction

    assert [indicator_answer(a, b) for a, b in ((0.01, 0.012), (0.01, 0.03), (0.03, 0.01), (0.0, 0.0))] == [0, 1, 2, 0]
    box = indicator_prediction(n_episodes=3)
    box.choice.value = INDICATOR_CHOICES[0]
    box.reveal.click()
    a, b = box.shares
    assert f"{100 * a:.2f}%" in box.result["text"] and f"{100 * b:.2f}%" in box.result["text"]
    assert box.result["measured"] == indicator_answer(a, b)


def test_fork_demos_prediction_reads_success_and_side():
    from il_helpers.widgets.predict import FORK_CHOICES, fork_answer, fork_demos_prediction

    assert [fork_answer(s, left) for s, left in ((0.95, 0.5), (0.9, 1.0), (0.3, 0.5))] == [0, 1, 2]
    box = fork_demos_prediction(n_demos=20, n_episodes=5)
    box.choice.value = FORK_CHOICES[2]
    box.reveal.click()
    row = box.row
    assert f"{100 * row['success_rate']:.0f}%" in box.result["text"]
    assert box.result["measured"] in (0, 1, 2)
    with pytest.raises(ValueError):
        fork_demos_prediction(n_demos=5)


def test_few_demos_prediction_reports_the_evd():
    from il_helpers.widgets.predict import FEW_DEMOS_CHOICES, few_demos_answer, few_demos_prediction

    assert [few_demos_answer(x) for x in (0.01, 0.2, 0.9)] == [0, 1, 2]
    box = few_demos_prediction(n_demos=4)
    box.choice.value = FEW_DEMOS_CHOICES[1]
    box.reveal.click()
    res = box.result_irl
    assert res["demos"] == 4 and f"{100 * res['evd_relative']:.2f} %" in box.result["text"]
    assert box.result["measured"] == few_demos_answer(res["evd_relative"])


def test_one_demo_prediction_trains_bc_on_fewer_demonstrations():
    from il_helpers.widgets.predict import ONE_DEMO_CHOICES, one_demo_answer, one_demo_prediction

    assert [one_demo_answer(x) for x in (500, 475, 474.9, 200, 120)] == [0, 0, 1, 1, 2]
    box = one_demo_prediction(n_episodes=3)
    box.choice.value = ONE_DEMO_CHOICES[0]
    box.reveal.click()
    assert "(500 pairs" in box.result["text"] and f"{box.return_mean:.1f}" in box.result["text"]
    assert box.result["measured"] == one_demo_answer(box.return_mean)
    with pytest.raises(ValueError, match="n_demos"):
        one_demo_prediction(n_demos=0)
    with pytest.raises(ValueError, match="n_episodes"):
        one_demo_prediction(n_episodes=0)


def test_horizon_prediction_compares_the_cost_at_two_horizons():
    from il_helpers.widgets.predict import horizon_answer, horizon_choices, horizon_prediction

    # 5x the horizon: 5x the cost is linear, 19x superlinear, 25x quadratic; a first exit after the short
    # horizon is growth without bound, and a learner that never leaves has nothing that compounds
    cases = ((2, 10), (2, 14.9), (2, 38), (2, 50), (0, 3), (0, 0))
    assert [horizon_answer(a, b) for a, b in cases] == [0, 0, 1, 2, 2, 0]
    assert horizon_answer(1, 50, factor=10) == 1 and horizon_answer(1, 100, factor=10) == 2
    box = horizon_prediction(short=50, long=200, n_episodes=20)
    assert list(box.choice.options) == horizon_choices(4.0) and "16x or more" in box.choice.options[2]
    box.choice.value = box.choice.options[2]
    box.reveal.click()
    a, b = box.costs
    assert 0 <= a <= b and f"J(50) = {a:.2f}" in box.result["text"] and f"J(200) = {b:.2f}" in box.result["text"]
    assert box.result["measured"] == horizon_answer(a, b, 4.0)
    with pytest.raises(ValueError, match="long"):
        horizon_prediction(short=200, long=300)
    with pytest.raises(ValueError, match="n_episodes"):
        horizon_prediction(n_episodes=0)


def test_survival_prediction_trains_gail_without_demonstrations():
    from il_helpers.widgets.predict import SURVIVAL_CHOICES, survival_answer, survival_prediction

    assert [survival_answer(a, b) for a, b in ((20, 21), (20, 61), (20, 13), (20, 14))] == [0, 1, 2, 0]
    box = survival_prediction(iterations=2)
    box.choice.value = SURVIVAL_CHOICES[1]
    box.reveal.click()
    first, last = box.lengths
    text = box.result["text"]
    assert f"{first:.0f} steps at the first" in text and f"{last:.0f} at the last of 2" in text
    assert box.result["measured"] == survival_answer(first, last)
    with pytest.raises(ValueError, match="iterations"):
        survival_prediction(iterations=1)


def test_gusts_prediction_scores_bc_and_dagger_in_the_gusts():
    from il_helpers.widgets.predict import GUSTS_CHOICES, gusts_answer, gusts_prediction

    cases = ((0.95, 0.92), (0.5, 0.7), (0.5, 0.95), (0.6, 0.6), (0.7, 0.4))
    assert [gusts_answer(b, d) for b, d in cases] == [0, 1, 1, 2, 2]
    box = gusts_prediction(n_episodes=3)
    box.choice.value = GUSTS_CHOICES[0]
    box.reveal.click()
    bc, dagger = box.scores
    assert f"BC scores {bc:.2f}" in box.result["text"] and f"DAgger {dagger:.2f}" in box.result["text"]
    assert box.result["measured"] == gusts_answer(bc, dagger)
    with pytest.raises(ValueError, match="seed"):
        gusts_prediction(seed=-1)
    with pytest.raises(ValueError, match="n_episodes"):
        gusts_prediction(n_episodes=0)
    with pytest.raises(TypeError, match="fast"):
        gusts_prediction(fast="yes")
