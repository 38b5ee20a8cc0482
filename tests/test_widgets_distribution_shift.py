"""Notebook 01's widget, driven without a browser: build it, move its controls, press Train, and
check that the summary changes and reports the numbers of the run it shows."""

import matplotlib

matplotlib.use("Agg")

import html  # noqa: E402

import ipywidgets as widgets  # noqa: E402
import pytest  # noqa: E402

from il_helpers.lessons.distribution_shift import LEARNER  # noqa: E402
from il_helpers.widgets import distribution_shift_widget  # noqa: E402
from il_helpers.widgets.distribution_shift import CAPACITIES, HORIZONS, describe  # noqa: E402


@pytest.fixture(scope="module")
def box():
    return distribution_shift_widget(n_episodes=60)  # fewer episodes than the default 300, for speed


def test_renders_with_defaults_without_training(box):
    assert isinstance(box, widgets.VBox)
    assert box.demos.value == LEARNER["n_demos"] and CAPACITIES[box.capacity.value] == LEARNER["hidden"]
    assert box.epochs.value == LEARNER["epochs"] and box.horizon.value == 1000 and box.noise.value == 0.0
    assert box.result is None and box.history == [] and "Train" in box.summary.value
    for slider in (box.demos, box.epochs, box.horizon, box.noise):
        assert slider.continuous_update is False
    assert list(box.horizon.options) == list(HORIZONS)


def test_train_click_updates_summary_and_result(box):
    before = box.summary.value
    box.train.click()
    res = box.result
    assert res is not None and box.history == [res] and not box.train.disabled
    assert box.summary.value != before
    assert box.summary.value == html.escape(describe(res))
    assert f"h = {res.eps:.2e}" in box.summary.value
    assert f"J(1000) = {res.curve.cost_at(1000):.3g}" in box.summary.value
    assert res.settings["n_demos"] == LEARNER["n_demos"] and res.settings["noise"] == 0.0
    assert res.curve.n_episodes == 60 and res.curve.max_horizon == 1000


def test_controls_change_the_run(box):
    first = box.summary.value
    box.demos.value, box.capacity.value, box.epochs.value = 4, "8×8", 10
    box.horizon.value, box.noise.value, box.seed.value = 200, 0.3, 3
    box.train.click()
    res = box.result
    assert len(box.history) >= 2 and box.summary.value != first
    chosen = {k: res.settings[k] for k in ("n_demos", "hidden", "epochs", "noise", "seed")}
    assert chosen == {"n_demos": 4, "hidden": (8, 8), "epochs": 10, "noise": 0.3, "seed": 3}
    assert res.curve.max_horizon == 200 and res.curve.horizons[-1] == 200
    assert res.demos.num_episodes == 4 and res.demos.meta["noise"] == 0.3
    text = box.summary.value
    assert text.startswith("BC + noise injection (4 demos, 8×8 MLP, 10 epochs, injected noise 0.30, seed 3)")
    assert f"J(200) = {res.curve.cost_at(200):.3g}" in text and f"{100 * res.curve.off_road_rate(200):.2f}%" in text


def test_bad_arguments():
    with pytest.raises(ValueError, match="capacity"):
        distribution_shift_widget(capacity="huge")
    with pytest.raises(ValueError, match="horizon"):
        distribution_shift_widget(horizon=333)
