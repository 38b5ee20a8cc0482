"""Notebook 05's figures: the adversarial training curves and AIRL's recovered reward."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.algorithms.adversarial import AdversarialHistory  # noqa: E402
from il_helpers.algorithms.airl import train_airl  # noqa: E402
from il_helpers.algorithms.ppo import PPOConfig  # noqa: E402
from il_helpers.plots.gail_airl import plot_adversarial, plot_lane_reward  # noqa: E402


def test_plot_adversarial_draws_the_three_curves():
    h = AdversarialHistory(env_steps=[100, 300], episode_return=[20.0, 40.0], d_expert=[0.6, 0.7],
                           d_policy=[0.4, 0.3], entropy=[0.69, 0.6])
    axes = plot_adversarial(h, label="GAIL", expert_return=500)
    assert len(axes) == 3
    np.testing.assert_allclose(axes[0].lines[0].get_xdata(), [0.1, 0.3])
    np.testing.assert_allclose(axes[1].lines[1].get_ydata(), [0.4, 0.3])
    assert axes[0].get_legend() is not None and axes[1].get_ylim() == (0, 1)
    assert axes[0].lines[0].get_color() == il.plots.color("GAIL") == axes[2].lines[0].get_color()
    plot_adversarial(AdversarialHistory(), axes=axes)          # an empty history draws empty curves
    plt.close("all")


def test_plot_lane_reward_takes_the_history_or_its_discriminator():
    demos = il.collect_demonstrations(il.LANE_KEEPING, 1, seed=10_000)
    _, hist = train_airl(demos, iterations=1, ppo=PPOConfig(n_envs=2, epochs=1), d_steps=1)
    ax = plot_lane_reward(hist, n=11)
    assert ax.collections and [line.get_xdata()[0] for line in ax.lines] == [-2.0, 2.0]   # the road's edges
    plot_lane_reward(hist.discriminator, n=5)
    _, state_action = train_airl(demos, iterations=1, ppo=PPOConfig(n_envs=2, epochs=1), d_steps=1, state_only=False)
    with pytest.raises(TypeError, match="state-only"):
        plot_lane_reward(state_action)
    plt.close("all")
