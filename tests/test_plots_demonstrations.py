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


@pytest.mark.parametrize("env_id", ["CartPole-v1", "Acrobot-v1", il.LANE_KEEPING])
def test_plot_demonstrations_fits_jupyterlab_and_labels_every_axis(env_id):
    """At most 9.5 inches wide (more panels, more rows), both axes of every panel labelled."""
    demos = load_expert_demos(env_id, 2)
    axes = plot_demonstrations(demos)
    assert axes[0].figure.get_size_inches()[0] <= 9.5
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel(), ax
