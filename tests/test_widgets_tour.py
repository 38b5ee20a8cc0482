"""The tour widget, driven without a browser: it renders with defaults and reacts to its controls."""

import il_helpers as il
from il_helpers.widgets import tour_widget


def test_renders_with_defaults():
    box = tour_widget()
    assert box.env.value == "CartPole-v1" and box.demos.value == 10
    assert box.summary.value.startswith("Showing 10 episodes of CartPole-v1: 5000 steps")
    assert "mean return 500.0" in box.summary.value
    assert set(box.env.options) == set(il.ENV_IDS)


def test_changing_the_environment_and_the_demo_count_updates_the_summary():
    box = tour_widget()
    box.env.value = "Pendulum-v1"
    assert box.summary.value.startswith("Showing 10 episodes of Pendulum-v1: 2000 steps")
    assert "continuous actions" in box.summary.value
    box.demos.value = 3
    assert box.summary.value.startswith("Showing 3 episodes of Pendulum-v1: 600 steps")


def test_summary_is_escaped_html():
    box = tour_widget(il.LANE_KEEPING, 2)
    assert "il_helpers/LaneKeeping-v0" in box.summary.value and "<" not in box.summary.value


def test_slider_stays_within_the_shipped_data():
    box = tour_widget()
    assert box.demos.min == 1 and box.demos.max == 50
    assert box.demos.continuous_update is False
