"""The generic gymnasium view over a batched twin (envs.base.GymView) and the renderer registry."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import il_helpers as il  # noqa: F401  (registers every env and, through plots, the renderers)
from il_helpers.envs.base import RENDERERS, GymView, register_renderer
from il_helpers.envs.lane_keeping import LaneKeepingBatched


def test_view_steps_one_copy_truncates_at_the_horizon_and_reports_info_as_scalars():
    env = GymView(LaneKeepingBatched(1, horizon=5))
    obs, info = env.reset(seed=3)
    assert obs.shape == env.observation_space.shape and info == {}
    for t in range(5):
        obs, r, term, trunc, info = env.step(np.zeros(1, np.float32))
        assert isinstance(r, float) and isinstance(term, bool) and trunc == (t == 4)
        assert isinstance(info["off_road"], bool) and isinstance(info["s"], float)


def test_same_seed_same_episode_and_matches_the_batched_twin():
    view = GymView(LaneKeepingBatched(1, horizon=20))
    a, _ = view.reset(seed=7)
    b, _ = view.reset(seed=7)
    np.testing.assert_array_equal(a, b)


def test_render_needs_a_registered_renderer_and_refuses_bad_modes():
    with pytest.raises(ValueError, match="render_mode must be None or 'rgb_array'"):
        GymView(LaneKeepingBatched(1), render_mode="human")
    env = gym.make("il_helpers/LaneKeeping-v0", render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    env.close()
    assert GymView(LaneKeepingBatched(1)).render() is None  # no render mode: nothing drawn
    with pytest.raises(TypeError, match="factory must be callable"):
        register_renderer("x", None)
    assert "il_helpers/LaneKeeping-v0" in RENDERERS


def test_every_course_env_with_a_gym_id_passes_check_env():
    for env_id in ("il_helpers/LaneKeeping-v0", "il_helpers/LaneKeepingDiscrete-v0", "il_helpers/ObstacleFork-v0"):
        check_env(gym.make(env_id).unwrapped, skip_render_check=True)
