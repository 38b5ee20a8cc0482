"""Notebook 08's widget, driven like a student would: set the controls, press Train, read the summary."""

import re

import ipywidgets as widgets
import pytest

from il_helpers.widgets import trex_widget
from il_helpers.widgets.imperfect_demonstrations import trex_run


def numbers(summary: str) -> dict:
    m = re.search(r"from (\d+) ranked pairs \((\d+) ranked the wrong way, noise ([\d.]+), seed (\d+)\): correlation "
                  r"with the true return over (\d+) held-out episodes (-?[\d.]+)", summary)
    assert m, summary
    return {"pairs": int(m[1]), "flipped": int(m[2]), "noise": float(m[3]), "seed": int(m[4]), "corr": float(m[6])}


@pytest.fixture(scope="module")
def box():
    return trex_widget(pairs=500)


def test_controls_and_nothing_trained_on_creation(box):
    assert isinstance(box.pairs, widgets.IntSlider) and box.pairs.value == 500
    assert isinstance(box.noise, widgets.FloatSlider) and box.noise.value == 0.0
    assert isinstance(box.ppo, widgets.Checkbox) and box.ppo.value is False and "15 s" in box.ppo.description
    assert not box.pairs.continuous_update and not box.noise.continuous_update
    assert box.result is None and box.history == [] and "Train" in box.summary.value


def test_train_fits_and_redraws_and_noise_counts(box):
    box.train.click()
    first = numbers(box.summary.value)
    assert first["pairs"] == 500 and first["flipped"] == 0 and first["corr"] > 0.5
    assert box.plot.course_png and not box.train.disabled
    box.noise.value = 0.5
    box.train.click()
    second = numbers(box.summary.value)
    assert 180 < second["flipped"] < 320 and len(box.history) == 2
    assert second["corr"] < first["corr"]           # coin-flip rankings teach nothing


@pytest.mark.parametrize("kwargs", [{"pairs": 50}, {"rank_noise": 0.9}, {"seed": -1}])
def test_out_of_range_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        trex_widget(**kwargs)


def test_run_with_ppo_reports_a_score():
    res = trex_run(pairs=300, steps=50, iterations=1, n_episodes=2)
    assert res["score"] is None
    res = trex_run(pairs=300, steps=50, iterations=1, n_episodes=2, ppo=True)
    assert res["score"] is not None


def test_preferences_widget_asks_and_reports_the_oracles_noise():
    from il_helpers.widgets import preferences_widget

    assert "40 PPO iterations: about 20 s" in preferences_widget().summary.value  # the default's
    box = preferences_widget(comparisons=100, label_noise=0.2, iterations=4)  # a short run: the widget's path
    assert box.comparisons.value == 100 and box.noise.value == 0.2 and "4 PPO iterations" in box.summary.value
    assert not box.comparisons.continuous_update and not box.noise.continuous_update and box.result is None
    box.train.click()
    res = box.result
    assert res["labels"] == 100 and res["history"].config.label_noise == 0.2 and res["history"].config.iterations == 4
    assert res["history"].labels_flipped > 0 and f"{res['score']:.3f}" in box.summary.value
    assert box.figure is not None and not box.train.disabled
    for bad in ({"comparisons": 10}, {"label_noise": 0.7}, {"iterations": 0}, {"iterations": 2.5}):
        with pytest.raises(ValueError):
            preferences_widget(**bad)
