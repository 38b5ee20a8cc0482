"""il_helpers.plots.behavioral_cloning: the BC widget's picture (test episodes over time, J(T))."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.lessons.pendulum_top import pendulum_demos  # noqa: E402
from il_helpers.plots.behavioral_cloning import plot_drift, plot_pendulum_top  # noqa: E402
from il_helpers.widgets.behavioral_cloning import bc_drift_run  # noqa: E402


def test_plot_drift_draws_every_episode_and_the_previous_run():
    a = bc_drift_run(n_demos=3, horizon=60, n_episodes=4, seed=0)
    b = bc_drift_run(n_demos=3, horizon=60, n_episodes=4, seed=1)
    axes = plot_drift(b, previous=a)
    assert len(axes[0].get_lines()) == 4  # one line per test episode
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["previous run", "this run"]
    plt.close("all")


def test_plot_pendulum_top_draws_both_data_sets_and_three_torque_curves():
    expert = il.get_expert("Pendulum-v1")
    row = {"seed": 0, "demo_set": 0, **{name: dict(demos=pendulum_demos(0, 0, 2, noise), policy=expert, score=1.0,
                                                  slope=19.7, still=0.5) for name, noise in (("clean", 0.0),
                                                                                             ("noisy", 0.05))}}
    axes = plot_pendulum_top(row, expert)
    assert len(axes[0].get_lines()) == 2 and len(axes[1].get_lines()) == 3 + 2  # expert, two clones, two axes lines
    assert "clean" in axes[0].get_legend().get_texts()[1].get_text()
    plt.close("all")
