"""Notebook 03's widget, driven without a browser: build it, change the schedule and its parameter,
press Train, and check that the summary changes and reports the numbers of the run it shows."""

import matplotlib

matplotlib.use("Agg")

import html  # noqa: E402

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from il_helpers.algorithms.schedules import SCHEDULES  # noqa: E402
from il_helpers.lessons.dagger import COURSE  # noqa: E402
from il_helpers.widgets import dagger_widget  # noqa: E402
from il_helpers.widgets.dagger import PARAM_SLIDER, describe  # noqa: E402


@pytest.fixture(scope="module")
def box():
    return dagger_widget(eval_episodes=20)  # fewer evaluation episodes than the default 100, for speed


def test_renders_with_defaults_without_training(box):
    assert isinstance(box, widgets.VBox)
    assert box.schedule.value == "exponential" and box.param.value == 0.5
    assert box.iterations.value == COURSE.iterations and box.episodes.value == COURSE.iteration_episodes
    assert box.result is None and box.history == []
    assert "Train" in box.summary.value and "exponential beta = 0.5^i" in box.summary.value
    assert list(box.schedule.options) == list(SCHEDULES)
    for slider in (box.param, box.iterations, box.episodes):
        assert slider.continuous_update is False


def test_schedule_reconfigures_the_parameter(box):
    box.schedule.value = "linear"
    linear = PARAM_SLIDER["linear"]
    assert (box.param.min, box.param.max, box.param.value) == (linear["min"], linear["max"], 4.0)
    assert "linear decay to 0 at i = 4" in box.summary.value and not box.param.disabled
    box.schedule.value = "indicator"
    assert box.param.disabled and "indicator" in box.summary.value
    box.schedule.value = "constant"
    assert box.param.value == 0.5 and box.param.max == 1.0
    box.param.value = 0.25
    assert "constant beta = 0.25" in box.summary.value
    box.schedule.value = "exponential"
    box.param.value = 0.5


def test_train_click_updates_summary_and_result(box):
    before = box.summary.value
    box.train.click()
    h = box.result
    assert h is not None and box.history == [h] and not box.train.disabled
    assert box.summary.value != before and box.summary.value == html.escape(describe(h))
    assert len(h) == COURSE.iterations + 1 and h.final.labels_used == 2400
    assert f"final normalized score {h.final.normalized:.3f}" in box.summary.value
    assert f"{h.final.labels_used} expert labels" in box.summary.value
    assert h.settings["schedule"] == "exponential beta = 0.5^i"


def test_new_settings_are_used_and_reported(box):
    box.schedule.value = "indicator"
    box.iterations.value = 2
    box.episodes.value = 1
    box.seed.value = 3
    box.train.click()
    h = box.result
    assert len(box.history) == 2 and h is box.history[-1]
    assert len(h) == 3 and h["dataset_size"].tolist() == [400, 600, 800]
    assert np.array_equal(h["beta"], [1.0, 0.0, 0.0]) and np.all(h["expert_share"][1:] == 0)
    assert "indicator" in box.summary.value and "2 iterations × 1 episodes, seed 3" in box.summary.value
    assert f"final normalized score {h.final.normalized:.3f}" in box.summary.value


def test_bad_arguments():
    with pytest.raises(ValueError, match="schedule"):
        dagger_widget(schedule="cosine")
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        dagger_widget(schedule="exponential", param=2.0)
    with pytest.raises(ValueError, match="eval_episodes"):
        dagger_widget(eval_episodes=0)
