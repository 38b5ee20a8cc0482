"""The gridworlds' pictures: frames and heatmaps (one panel, or a grid of them within the output
width), the renderer of every gridworld id, MaxEnt IRL's curves, tabular AIRL's rewards and the
transfer bars."""

import gymnasium as gym
import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import colors  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.algorithms import maxent_irl as mi  # noqa: E402
from il_helpers.envs import gridworlds as gw  # noqa: E402
from il_helpers.envs.base import RENDERERS  # noqa: E402
from il_helpers.lessons import gail_airl as ga  # noqa: E402
from il_helpers.plots import gridworlds as gp  # noqa: E402
from il_helpers.plots.style import OBJECT_COLORS  # noqa: E402


def test_render_and_heatmap():
    w = gw.make_world("ObjectWorld", size=16)
    img = gp.render_world(w, agent=0)                      # 16 px per cell
    assert img.shape == (256, 256, 3) and img.dtype == np.uint8
    assert img[8, 8].tolist() == [0, 0, 0]                 # the agent: a black disc in cell (0, 0)
    assert img[8 + 16, 8 + 16].tolist() != [0, 0, 0]       # ... and nowhere else
    r, c, inner, outer = w.objects[0]
    outer_rgb = [round(255 * x) for x in colors.to_rgb(OBJECT_COLORS[outer])]
    assert img[16 * r + 2, 16 * c + 2].tolist() == outer_rgb  # an object's rim shows its outer colour
    fig, ax = plt.subplots()
    im = gp.heatmap(ax, w, w.reward, "true reward", label="reward")
    assert im.get_array().shape == (16, 16) and im.get_clim() == (-1.0, 1.0)
    assert len(ax.patches) == 2 * len(w.objects)
    plt.close(fig)


def test_heatmap_grid_of_five_panels_fits_the_output_width():
    w = gw.make_world("ObjectWorld", size=16)
    panels = [(w.reward, "true reward", {"label": "reward per step"})]
    panels += [(w.features[:, j], w.feature_names[j], {"cmap": "magma", "symmetric": False}) for j in range(4)]
    fig, axes = gp.heatmap_grid(w, panels)
    width, height = fig.get_size_inches()
    assert width <= gp.MAX_FIGURE_WIDTH and height > width / 2          # 5 panels: 2 rows of 3, not one row
    assert len(axes) == 5 and all(ax.get_title() for ax in axes)
    assert min(ax.title.get_fontsize() for ax in axes) >= 10            # readable at 100 dpi
    assert len(fig.axes) == 6 + 5 and not fig.axes[5].axison             # 6 cells (one blank) + 5 colour bars
    assert axes[1].images[0].get_cmap().name == "magma"
    fig, axes = gp.heatmap_grid(w, [(w.reward, "one")])                 # one panel: one column
    assert len(axes) == 1 and fig.get_size_inches()[0] < 4
    with pytest.raises(ValueError, match="over 9.5 in"):
        gp.heatmap_grid(w, panels, ncols=5)
    with pytest.raises(ValueError, match="at least one panel"):
        gp.heatmap_grid(w, [])
    with pytest.raises(ValueError, match="ncols"):
        gp.heatmap_grid(w, panels, ncols=0)
    with pytest.raises(ValueError, match="values, title"):
        gp.heatmap_grid(w, [(w.reward,)])
    plt.close("all")


def test_every_gridworld_id_renders_even_one_made_after_import():
    assert gw.FEATURE_GRID in RENDERERS and gw.OBJECT_WORLD in RENDERERS
    env_id = gw.gridworld_id("ObjectWorld", size=5, world_seed=11, wind=0.0, horizon=4)   # a brand-new id
    assert env_id in RENDERERS
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    agent = int(env.unwrapped.core.state[0])
    np.testing.assert_array_equal(frame, gp.render_world(env.unwrapped.world, agent))
    env.close()
    seen = []
    gw.on_register(seen.append)                            # a hook sees the ids so far, then every new one
    assert env_id in seen and gw.FEATURE_GRID in seen
    new_id = gw.gridworld_id("FeatureGrid", size=5, world_seed=12)
    assert seen[-1] == new_id
    with pytest.raises(TypeError, match="callable"):
        gw.on_register(None)


def test_maxent_history_plot():
    env_id = gw.gridworld_id("FeatureGrid", size=4, world_seed=3, horizon=6)
    demos = il.collect_demonstrations(env_id, 4, seed=0)
    _, hist = mi.train_maxent_irl(demos, steps=5, eval_every=2)
    axes = gp.plot_maxent_history(hist, label="linear")
    assert len(axes) == 3 and len(axes[0].lines[0].get_xdata()) == 5 and len(axes[2].lines[0].get_xdata()) == 3
    assert axes[0].figure.get_size_inches()[0] <= gp.MAX_FIGURE_WIDTH
    plt.close("all")


@pytest.fixture(scope="module")
def experiment():
    return ga.transfer_experiment((0, 1), size=8, change="reverse", steps=30, disc_steps=2)


def test_airl_rewards_and_transfer_bars(experiment):
    w = experiment.worlds[0]
    so, sa = experiment.results["state-only"][0].reward, experiment.results["state-action"][0].reward
    axes = gp.plot_airl_rewards(w, w.r, so, sa)
    assert len(axes) == 3 and "max" in axes[2].get_title() and "state-only" in axes[1].get_title()
    assert axes[0].figure.get_size_inches()[0] <= gp.MAX_FIGURE_WIDTH
    axes = gp.plot_airl_rewards(w, w.r, so, sa, reduce="mean", arrows=False)
    assert "mean" in axes[2].get_title()
    with pytest.raises(ValueError, match="reduce must be 'max' or 'mean'"):
        gp.plot_airl_rewards(w, w.r, w.r, torch.zeros(w.n_states, w.n_actions), reduce="median")
    ax = gp.plot_transfer(experiment)
    assert "controls reversed" in " ".join(t.get_text() for t in ax.get_xticklabels())
    assert len(ax.patches) == 4                                 # 2 rewards x 2 dynamics
    plt.close("all")


def test_transfer_scores_bars():
    from il_helpers.lessons import maxent_irl as L
    res = L.transfer_experiment(seeds=(0,), world_seed=1, n_demos=2, steps=2, size=6)
    ax = gp.plot_transfer_scores(res)
    assert len(ax.patches) == len(L.LEARNERS) * 3                 # a bar per learner and target
    assert [t.get_text() for t in ax.get_xticklabels()] == list(res.targets)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(L.LEARNERS)
    assert ax.figure.get_size_inches()[0] <= gp.MAX_FIGURE_WIDTH
    plt.close("all")
