"""Notebook 09's widget, driven like a student would: choose the method and the body, press Train."""

import ipywidgets as widgets
import pytest

from il_helpers.widgets import body_widget
from il_helpers.widgets.beyond_gail import BODIES, METHODS, body_run


def test_controls_and_nothing_trained_on_creation():
    box = body_widget()
    assert isinstance(box.method, widgets.Dropdown) and box.method.value == "bco"
    assert isinstance(box.body, widgets.Dropdown) and box.body.value == "steering reversed"
    assert box.i_c.disabled and not box.i_c.continuous_update       # VAIL's knob: only for VAIL
    box.method.value = "vail"
    assert not box.i_c.disabled
    assert box.result is None and box.history == [] and "Train" in box.summary.value
    assert all("s)" in label for label in METHODS.values())          # each method says what a press costs


def test_train_on_the_reversed_car_bco_drives_and_bc_does_not():
    box = body_widget(method="bco", body="steering reversed")
    box.train.click()
    assert box.result["score"] >= 0.9 and f"{box.result['score']:.3f}" in box.summary.value
    assert box.figure is not None and not box.train.disabled
    box.method.value = "bc"
    box.train.click()
    assert box.result["score"] < 0.2 and len(box.history) == 2


def test_vail_on_another_body_is_refused_visibly():
    box = body_widget(method="vail", body="steering reversed")
    with pytest.raises(ValueError, match="VAIL learns from the expert's"):
        box.run()
    assert "Cannot run these settings" in box.summary.value and not box.train.disabled


@pytest.mark.parametrize("kwargs, message", [({"method": "dagger"}, "method"), ({"body": "truck"}, "body"),
                                             ({"i_c": 5.0}, "i_c")])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        body_widget(**kwargs)


def test_body_run_scores_on_the_learners_body():
    assert set(BODIES) == {"the expert's car", "steering reversed"}
    res = body_run("bc", "the expert's car", n_demos=5, n_episodes=5)
    assert res["score"] >= 0.9 and res["rollout"].roads is not None
