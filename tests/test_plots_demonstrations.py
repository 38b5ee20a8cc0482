"""il_helpers.plots.demonstrations: one panel per observation plus the actions."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.core.data import load_expert_demos  # noqa: E402
from il_helpers.plots import plot_demonstrations  # noqa: E402


def teardown_function():
    plt.close("all")


@pytest.mark.parametrize("env_id", ["CartPole-v1", il.LANE_KEEPING])
def test_plot_demonstrations_one_panel_per_observation_plus_actions(env_id):
    demos = load_expert_demos(env_id, 4)
    axes = plot_demonstrations(demos, max_episodes=3)
    assert len(axes) == demos.obs.shape[1] + 1
    assert len(axes[0].get_lines()) == 3  # one line per episode
