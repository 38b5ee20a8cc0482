"""il_helpers.plots.behavioral_cloning: the BC widget's picture (test episodes over time, J(T))."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from il_helpers.plots.behavioral_cloning import plot_drift  # noqa: E402
from il_helpers.widgets.behavioral_cloning import bc_drift_run  # noqa: E402


def test_plot_drift_draws_every_episode_and_the_previous_run():
    a = bc_drift_run(n_demos=3, horizon=60, n_episodes=4, seed=0)
    b = bc_drift_run(n_demos=3, horizon=60, n_episodes=4, seed=1)
    axes = plot_drift(b, previous=a)
    assert len(axes[0].get_lines()) == 4  # one line per test episode
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["previous run", "this run"]
    plt.close("all")
