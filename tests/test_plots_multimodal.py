"""ObstacleFork's pictures: the arena, the paths of rollouts and demonstrations, the mixture at the
fork, and the frames of render() (registered for the env id)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.algorithms.mdn import MDNPolicy  # noqa: E402
from il_helpers.envs.base import RENDERERS  # noqa: E402
from il_helpers.envs.obstacle_fork import ObstacleForkEnv  # noqa: E402
from il_helpers.plots import multimodal as P  # noqa: E402

ENV = il.OBSTACLE_FORK


def test_plots_draw_the_arena_and_paths():
    r, _ = il.evaluate_fork(lambda o: np.tile([1.0, 0.0], (len(o), 1)), 3, seed=0)
    ax = P.plot_paths(r, title="straight on")
    assert len(ax.lines) >= 3 + 3 and ax.get_xlabel() == "x [m]" and ax.get_title() == "straight on"
    assert any(line.get_marker() == "x" for line in ax.lines)  # the collisions are marked
    ax = P.draw_arena(plt.subplots()[1], legend=True)
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"obstacle", "finish line", "start"}
    plt.close("all")


def test_demo_paths_and_the_mixture_at_the_fork():
    demos = il.collect_demonstrations(ENV, 5, seed=0)
    ax = P.plot_demo_paths(demos, title="expert demonstrations", max_episodes=3)
    assert ax.get_title() == "expert demonstrations" and len(ax.lines) == 4 + 3  # 2 walls, finish, start + 3 paths
    ax = P.plot_fork_mixture(MDNPolicy.for_env(ENV, n_components=4))
    assert len(ax.patches) == 4 and ax.get_title() == "the mixture at the fork state"
    plt.close("all")


def test_the_renderer_is_registered_and_draws_the_path():
    assert RENDERERS[ENV] is P.ObstacleForkRenderer
    env = ObstacleForkEnv(render_mode="rgb_array")
    env.reset(seed=0)
    first = env.render()
    env.step(np.array([1.0, 1.0], np.float32))
    second = env.render()
    assert first.shape == second.shape and first.dtype == np.uint8 and not np.array_equal(first, second)
    env.close()


def test_denoising_is_drawn_from_noise_to_actions():
    from il_helpers.algorithms.diffusion import DiffusionPolicy
    from il_helpers.lessons.multimodal import bishop_data

    x, t = bishop_data(200, seed=0)
    policy = DiffusionPolicy(1, 1, hidden=(8,), sample_steps=5, seed=0)
    fig = P.plot_denoising(policy, x, t, n_inputs=50, snapshots=4)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 4 and fig.get_size_inches()[0] <= 9.5
    assert shown[0].get_title() == "after 0 of 5 DDIM steps: the starting noise"
    assert shown[-1].get_title() == "after 5 of 5 DDIM steps: the actions"
    final = shown[-1].lines[1].get_ydata()
    assert len(final) == 50 and np.all(np.abs(final) <= 1.0)  # the sampler clips the actions
    assert all(ax.get_ylabel() and ax.get_xlabel() for ax in shown[-2:])
    plt.close("all")


def test_noise_outcomes_stack_left_right_and_crashes():
    rng = np.random.default_rng(0)
    out = {"noise": rng.standard_normal((50, 2)), "side": rng.choice([-1, 0, 1], 50)}
    out["collision"] = out["side"] == 0
    ax = P.plot_noise_outcomes(out)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["passed left", "passed right", f"crashed ({out['collision'].sum()})"]
    assert sum(p.get_height() for p in ax.patches) == 50            # every episode counted once
    assert ax.get_ylabel() == "episodes" and "x_T" in ax.get_xlabel()
    plt.close("all")
