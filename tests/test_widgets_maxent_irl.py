"""Notebook 04's widget, driven without a browser: it renders cheaply, reacts to its controls, and
Train recovers a reward whose numbers the summary shows."""

import re

import pytest

from il_helpers.envs import gridworlds as gw
from il_helpers.widgets import maxent_irl_widget


def test_renders_with_defaults_without_training():
    box = maxent_irl_widget()
    assert (box.size.value, box.demos.value, box.wind.value) == (16, 64, 0.1)
    assert box.lr.value == pytest.approx(0.1) and box.world.value.startswith("FeatureGrid")
    assert box.summary.value.startswith("FeatureGrid 16x16, wind 0.1, horizon 50")
    assert "Press Train" in box.summary.value and box.result is None
    for slider in (box.size, box.demos, box.wind, box.lr):
        assert slider.continuous_update is False
    assert [ax.get_title() for ax in box.figure.axes[:1]] == ["true reward, FeatureGrid 16x16"]


def test_controls_update_the_preview():
    box = maxent_irl_widget()
    box.size.value = 8
    assert box.summary.value.startswith("FeatureGrid 8x8")
    box.wind.value = 0.3
    assert "wind 0.3" in box.summary.value
    box.world.value = "ObjectWorld (deep reward)"
    # switching worlds restores that world's defaults (its wind and the deep reward's learning rate)
    assert box.summary.value.startswith("ObjectWorld 8x8, wind 0.3")
    assert box.lr.value == pytest.approx(0.003, rel=0.05)


def test_train_button_recovers_a_reward_and_reports_it():
    box = maxent_irl_widget(size=8, n_demos=8, steps=40)
    box.train.click()
    s = box.summary.value
    assert s.startswith("Trained on 8 demonstrations of FeatureGrid 8x8 (wind 0.1), linear reward, 40 steps")
    res = box.result
    assert res["demos"] == 8 and 0 <= res["evd_relative"] < 0.2 and res["reward_corr"] > 0.5
    evd = float(re.search(r"EVD (-?[\d.]+)", s).group(1))
    corr = float(re.search(r"reward correlation (-?[\d.]+)", s).group(1))
    assert evd == pytest.approx(res["evd"], abs=0.006) and corr == pytest.approx(res["reward_corr"], abs=6e-4)
    titles = [ax.get_title() for ax in box.figure.axes]
    assert titles[:4] == ["true reward", "learned reward (linear)", "expert visits (demos)", "learned policy's visits"]
    # more demonstrations, another world: new numbers
    box.world.value = "ObjectWorld (deep reward)"
    box.demos.value = 32
    box.train.click()
    assert box.summary.value.startswith("Trained on 32 demonstrations of ObjectWorld 8x8 (wind 0.3), deep reward")
    assert box.result["demos"] == 32 and box.summary.value != s


def test_widget_arguments():
    box = maxent_irl_widget(world=gw.OBJECT_WORLD, size=12, n_demos=5, wind=0.0, lr=0.01)
    assert box.world.value.startswith("ObjectWorld") and box.size.value == 12 and box.wind.value == 0.0
    assert box.lr.value == pytest.approx(0.01) and box.demos.value == 5
    with pytest.raises(ValueError, match="unknown gridworld family"):
        maxent_irl_widget(world="LavaWorld")
