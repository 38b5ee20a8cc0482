"""il_helpers.plots.lane: the road drawn once, trajectories over it."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.plots import draw_road, plot_lane_trajectories, road_edges  # noqa: E402


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


def test_draw_road_label_and_outline():
    _, ax = plt.subplots()
    draw_road(ax, np.zeros(30), label=None, fill_lw=0)
    (band,) = ax.patches
    assert band.get_linewidth() == 0 and ax.get_legend_handles_labels()[1] == []  # no legend entry
    left, right, polygon = road_edges(draw_road(plt.subplots()[1], np.zeros(30)), np.arange(0.0, 10.0, 0.5))
    assert np.allclose(left[1], 2.0) and np.allclose(right[1], -2.0) and len(polygon[0]) == 2 * len(left[0])
