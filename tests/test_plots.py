"""Plot helpers draw what they are given and refuse what they cannot draw."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.core.data import load_expert_demos  # noqa: E402
from il_helpers.plots import animate_policy, animation_html, draw_road, plot_demonstrations, plot_lane_trajectories  # noqa: E402


def teardown_function():
    plt.close("all")


def test_lane_trajectories_draw_each_policy_on_the_road():
    expert = il.rollout(il.get_expert(il.LANE_KEEPING), il.LANE_KEEPING, 3, seed=0)
    wobbly = il.rollout(lambda o: np.full((len(o), 1), 0.3, np.float32), il.LANE_KEEPING, 3, seed=0)
    ax = plot_lane_trajectories({"expert": expert, "learner": wobbly}, episode=1)
    labels = [line.get_label() for line in ax.get_lines()]
    assert "expert" in labels and "learner" in labels
    # the constant-steering learner leaves the road: its off-road steps are marked
    assert wobbly.infos["off_road"][1].any()
    assert sum(1 for line in ax.get_lines() if line.get_marker() == "x") >= 1


def test_lane_trajectories_refuse_mismatched_roads_and_other_envs():
    a = il.rollout(il.get_expert(il.LANE_KEEPING), il.LANE_KEEPING, 2, seed=0)
    b = il.rollout(il.get_expert(il.LANE_KEEPING), il.LANE_KEEPING, 2, seed=1)
    with pytest.raises(ValueError, match="same env and seed"):
        plot_lane_trajectories({"a": a, "b": b})
    cart = il.rollout(il.get_expert("CartPole-v1"), "CartPole-v1", 2, seed=0)
    with pytest.raises(ValueError, match="LaneKeeping"):
        plot_lane_trajectories({"cart": cart})


def test_draw_road_is_a_band_around_the_centre_line():
    _, ax = plt.subplots()
    geo = draw_road(ax, np.zeros(30))
    assert np.allclose(geo["y"], 0) and geo["x"][-1] == pytest.approx(29.0)
    ys = np.concatenate([line.get_ydata() for line in ax.get_lines()])
    assert ys.max() == pytest.approx(2.0) and ys.min() == pytest.approx(-2.0)


@pytest.mark.parametrize("env_id", ["CartPole-v1", il.LANE_KEEPING])
def test_plot_demonstrations_one_panel_per_observation_plus_actions(env_id):
    demos = load_expert_demos(env_id, 4)
    axes = plot_demonstrations(demos, max_episodes=3)
    assert len(axes) == demos.obs.shape[1] + 1
    assert len(axes[0].get_lines()) == 3  # one line per episode


def test_animation_has_one_frame_every_k_steps():
    anim = animate_policy(il.LANE_KEEPING, il.get_expert(il.LANE_KEEPING), seed=0, steps=12, every=4)
    assert len(list(anim.new_frame_seq())) == 4  # the reset frame + one every 4 of 12 steps
    assert anim.total_reward == 12.0
    html = animation_html(anim)
    assert html.count("data:image/png;base64") == 4
    assert "http" not in html and "font-awesome" not in html  # works offline: no stylesheet from a CDN
    assert html.count("<button") == 9 and "▶" in html
