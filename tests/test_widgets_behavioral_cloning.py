"""Notebook 02's widget, driven like a student would: set the controls, press Train, read the summary."""

import re

import ipywidgets as widgets
import pytest

from il_helpers.widgets import behavioral_cloning_widget
from il_helpers.widgets.behavioral_cloning import AUGMENT_NOISE, bc_drift_run, describe


def numbers(summary: str) -> dict:
    m = re.search(r"BC from (\d+) demos \(injected noise ([\d.]+), augmentation (on|off), seed (\d+)\): off the road "
                  r"([\d.]+)% .* (\d+)/(\d+) episodes left the road, normalized score (-?[\d.]+)", summary)
    assert m, summary
    return {"demos": int(m[1]), "noise": float(m[2]), "augmentation": m[3] == "on", "off": float(m[5]),
            "left": int(m[6]), "episodes": int(m[7]), "score": float(m[8])}


@pytest.fixture(scope="module")
def box():
    return behavioral_cloning_widget(n_episodes=10)


def test_controls_and_nothing_trained_on_creation(box):
    assert isinstance(box, widgets.VBox)
    assert isinstance(box.demos, widgets.IntSlider) and box.demos.value == 10
    assert isinstance(box.noise, widgets.FloatSlider) and box.noise.value == 0.0
    assert isinstance(box.augment, widgets.Checkbox) and box.augment.value is False
    assert isinstance(box.train, widgets.Button) and isinstance(box.summary, widgets.HTML)
    assert isinstance(box.plot, widgets.Output)
    assert not box.demos.continuous_update and not box.noise.continuous_update
    assert box.result is None and box.history == [] and "Train" in box.summary.value


def test_train_retrains_and_redraws(box):
    box.train.click()
    first = numbers(box.summary.value)
    assert first == {**first, "demos": 10, "noise": 0.0, "augmentation": False, "episodes": 10}
    res = box.result
    assert abs(first["off"] - 100 * res["off_road_rate"]) < 0.06 and first["left"] == res["left"]
    assert res["left"] > 0  # the default learner drifts off the road at T = 1000
    assert not box.train.disabled
    fig = box.figure  # what was drawn into box.plot: e(t) of every episode, and J(T)
    assert fig is not None and len(fig.axes) == 2 and len(fig.axes[0].lines) == 10
    assert fig.axes[1].lines[-1].get_ydata()[-1] == pytest.approx(res["cost"])

    box.demos.value = 50
    box.train.click()
    more = numbers(box.summary.value)
    assert more["demos"] == 50 and more["off"] < first["off"]  # more demonstrations: less drift
    assert box.figure is not fig and len(box.figure.axes[1].lines) == 2  # redrawn, with the previous run

    box.demos.value, box.noise.value = 10, 0.3
    box.train.click()
    dart = numbers(box.summary.value)
    assert dart["noise"] == 0.3 and dart["off"] < first["off"]  # noise injection: less drift from the same 10 demos

    box.noise.value, box.augment.value = 0.0, True
    box.train.click()
    aug = numbers(box.summary.value)
    assert aug["augmentation"] and aug["noise"] == 0.0
    assert len(box.history) == 4 and box.history[-1] is box.result


def test_run_function_and_description():
    res = bc_drift_run(n_demos=3, noise=0.1, augmentation=True, seed=1, horizon=100, n_episodes=4)
    assert {"rollout", "policy", "off_road_rate", "cost", "left", "normalized", "train_s"} <= set(res)
    assert res["rollout"].obs.shape == (4, 100, 5)
    assert res["cost"] == pytest.approx(100 * res["off_road_rate"])
    text = describe(res)
    assert numbers(text)["demos"] == 3 and "J(100)" in text
    again = bc_drift_run(n_demos=3, noise=0.1, augmentation=True, seed=1, horizon=100, n_episodes=4)
    assert again["off_road_rate"] == res["off_road_rate"]  # seeded
    assert AUGMENT_NOISE > 0
