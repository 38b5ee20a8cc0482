"""LaneKeeping: the gymnasium API, determinism, the physics, rendering and the expert."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import il_helpers as il
from il_helpers.envs import lane_keeping as lk

CONT, DISC = il.LANE_KEEPING, il.LANE_KEEPING_DISCRETE


@pytest.mark.parametrize("env_id", [CONT, DISC])
def test_passes_gymnasium_check_env(env_id):
    env = gym.make(env_id)
    check_env(env.unwrapped, skip_render_check=True)


@pytest.mark.parametrize("env_id", [CONT, DISC])
def test_fixed_horizon_no_early_termination(env_id):
    env = gym.make(env_id, horizon=37)
    env.reset(seed=0)
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        steps += 1
    assert steps == 37 and truncated and not terminated


def test_reset_is_seeded():
    a, b, c = (lk.LaneKeepingBatched(8).reset(seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    env = gym.make(CONT)
    o1, _ = env.reset(seed=5)
    o2, _ = env.reset(seed=5)
    np.testing.assert_array_equal(o1, o2)


def test_observation_layout_and_reward():
    env = lk.LaneKeepingBatched(3, horizon=10, heading_noise=0.0)
    env.reset(seed=0)
    env.roads[:] = 0.02
    env.set_state(np.array([[5.0, 0.0, 0.0], [5.0, 2.5, 0.0], [5.0, -1.0, 0.3]]))
    obs = env.observe()
    assert obs.dtype == np.float32 and obs.shape == (3, 5)
    np.testing.assert_allclose(obs[:, 0], [0.0, 2.5, -1.0])
    np.testing.assert_allclose(obs[:, 2:], 0.02)
    _, reward, terminated, info = env.step(np.zeros((3, 1)))
    np.testing.assert_array_equal(reward, [1.0, 0.0, 1.0])  # 2.5 m is off a road of half width 2 m
    np.testing.assert_array_equal(info["off_road"], [False, True, False])
    assert not terminated.any()


def test_kinematics_match_the_documented_equations():
    env = lk.LaneKeepingBatched(1, heading_noise=0.0)
    env.reset(seed=0)
    env.roads[:] = 0.01
    env.set_state(np.array([[10.0, 0.3, 0.1]]))
    env.step(np.array([[0.5]]))
    s, e, psi = env.get_state()[0]
    assert psi == pytest.approx(0.1 + lk.DT * (lk.OMEGA_MAX * 0.5 - lk.SPEED * 0.01))
    assert e == pytest.approx(0.3 + lk.DT * lk.SPEED * np.sin(0.1))
    assert s == pytest.approx(10.0 + lk.DT * lk.SPEED * np.cos(0.1))


def test_discrete_actions_steer_right_straight_left():
    env = lk.LaneKeepingBatched(3, discrete=True, heading_noise=0.0)
    env.reset(seed=0)
    env.roads[:] = 0.0
    env.set_state(np.zeros((3, 3)))
    env.step(np.array([0, 1, 2]))
    psi = env.get_state()[:, 2]
    assert psi[0] < 0 == psi[1] < psi[2]


def test_roads_are_smooth_and_bounded():
    roads = lk.make_roads(np.random.default_rng(0), 200, 1000)
    assert roads.shape == (200, 1000)
    assert np.abs(roads).max() <= lk.MAX_CURVATURE + 1e-12
    assert np.all(roads[:, :16] == 0.0)  # every road starts straight
    assert np.abs(np.diff(roads, axis=1)).max() <= 2 * lk.MAX_CURVATURE / 9 + 1e-12
    assert (roads > 0.005).mean() > 0.15 and (roads < -0.005).mean() > 0.15  # curves both ways


@pytest.mark.parametrize("env_id", [CONT, DISC])
def test_expert_never_leaves_the_road(env_id):
    r = il.rollout(il.get_expert(env_id), env_id, n_episodes=200, seed=0, horizon=1000)
    assert r.infos["off_road"].sum() == 0
    assert r.returns.min() == 1000


def test_expert_recovers_from_far_off_the_road():
    env = lk.LaneKeepingBatched(50, horizon=150)
    env.reset(seed=1)
    state = env.get_state()
    state[:, 1] = np.linspace(-8, 8, 50)
    state[:, 2] = np.linspace(0.5, -0.5, 50)
    env.set_state(state)
    obs, expert = env.observe(), il.get_expert(CONT)
    for _ in range(150):
        obs, *_ = env.step(expert(obs))
    assert np.abs(obs[:, 0]).max() < lk.HALF_WIDTH


def test_render_rgb_array():
    env = gym.make(CONT, render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    assert frame.std() > 10  # not a blank image: road, grass and car are drawn
    env.step(np.array([1.0], dtype=np.float32))
    assert not np.array_equal(frame, env.render())
    env.close()


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="horizon"):
        lk.LaneKeepingBatched(2, horizon=0)
    with pytest.raises(ValueError, match="num_envs"):
        lk.LaneKeepingBatched(0)
    with pytest.raises(ValueError, match="heading_noise"):
        lk.LaneKeepingBatched(2, heading_noise=-1.0)
    with pytest.raises(ValueError, match="render_mode"):
        lk.LaneKeepingEnv(render_mode="human")
    env = lk.LaneKeepingBatched(2)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="NaN"):
        env.step(np.full((2, 1), np.nan))
    with pytest.raises(ValueError, match="state"):
        env.set_state(np.zeros((2, 2)))


def test_frenet_to_world_on_a_straight_road():
    geo = lk.road_geometry(np.zeros(50))
    x, y = lk.frenet_to_world(geo, np.array([10.0, 20.0]), np.array([1.0, -2.0]))
    np.testing.assert_allclose(x, [10.0, 20.0])
    np.testing.assert_allclose(y, [1.0, -2.0])


REVERSED = (lk.LANE_KEEPING_REVERSED, lk.LANE_KEEPING_DISCRETE_REVERSED)


@pytest.mark.parametrize("env_id", REVERSED)
def test_reversed_steering_is_another_body_with_its_own_expert(env_id):
    """Same roads and observations; the command turns the other way; its expert stays on the road, the
    course's expert (built for the other body) does not; the reversed ids are not bench rows."""
    check_env(gym.make(env_id).unwrapped)
    normal = env_id.replace("Reversed", "")
    assert env_id not in il.ENV_IDS and normal in il.ENV_IDS
    assert il.env_spaces(env_id) == il.env_spaces(normal)
    own = il.evaluate(il.get_expert(env_id), env_id, n_episodes=10, seed=0)
    other = il.evaluate(il.get_expert(normal), env_id, n_episodes=10, seed=0)
    assert own.return_mean == 200.0 and other.return_mean < 60
    a, b = il.make_batched(env_id, 1), il.make_batched(normal, 1)
    a.reset(seed=3), b.reset(seed=3)
    for env in (a, b):
        env.heading_noise = 0.0
    left = np.array([2]) if "Discrete" in env_id else np.array([[1.0]], dtype=np.float32)
    a.step(left), b.step(left)
    psi_a, psi_b = a.get_state()[0, 2], b.get_state()[0, 2]
    # from the same state on the same road, "left" turns the reversed car right: the yaw rates differ by 2 omega_max
    assert psi_b - psi_a == pytest.approx(2 * lk.DT * lk.OMEGA_MAX)


def test_steering_gain_is_checked():
    for bad in (0, float("nan"), "1"):
        with pytest.raises(ValueError, match="steering_gain must be a finite, non-zero number"):
            lk.LaneKeepingBatched(1, steering_gain=bad)
