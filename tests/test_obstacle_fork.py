"""ObstacleFork: the registry, the gymnasium view (a GymView), the dynamics, and the multimodal expert
(scored with notebook 06's evaluate_fork)."""

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import il_helpers as il
from il_helpers.envs import obstacle_fork as of

ENV = il.OBSTACLE_FORK


def test_registered_everywhere():
    assert ENV == "il_helpers/ObstacleFork-v0" == of.ENV_ID
    assert ENV in il.ENV_IDS and ENV in gym.registry
    env = il.make_batched(ENV, 3)
    assert isinstance(env, of.ObstacleForkBatched) and env.horizon == of.DEFAULT_HORIZON == 30
    assert il.make_batched(ENV, 3, horizon=12).horizon == 12
    assert isinstance(il.get_expert(ENV), of.ObstacleForkExpert)
    obs_space, act_space = il.env_spaces(ENV)
    assert obs_space.shape == (2,) and act_space.shape == (2,)
    assert np.all(act_space.low == -1) and np.all(act_space.high == 1)


def test_gymnasium_env_passes_check_env_and_renders():
    env = gym.make(ENV, render_mode="rgb_array")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # check_env's warnings count as failures here
        check_env(env.unwrapped, skip_render_check=False)
    obs, info = env.reset(seed=3)
    assert obs.shape == (2,) and obs.dtype == np.float32 and info == {}
    frame = env.render()
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8
    steps = 0
    while True:
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        steps += 1
        assert set(info) == {"success", "collision", "side"} and not terminated
        if truncated:
            break
    assert steps == 30  # fixed horizon
    assert env.render().shape == frame.shape
    env.close()
    with pytest.raises(ValueError, match="render_mode"):
        of.ObstacleForkEnv(render_mode="human")


def test_the_gymnasium_view_is_a_gym_view_that_keeps_the_path():
    from il_helpers.envs.base import GymView

    env = of.ObstacleForkEnv(horizon=4)
    assert isinstance(env, GymView)
    env.reset(seed=0)
    for _ in range(4):
        *_, truncated, _ = env.step(np.array([1.0, 0.0], np.float32))
    assert truncated and len(env.path) == 5
    np.testing.assert_allclose(np.diff(np.array(env.path)[:, 0]), 0.25)


def test_gymnasium_and_batched_views_agree():
    env = of.ObstacleForkEnv()
    obs, _ = env.reset(seed=5)
    expert = il.get_expert(ENV)
    total, path = 0.0, [obs]
    for _ in range(env.horizon):
        obs, reward, _, truncated, info = env.step(expert(obs))
        total += reward
        path.append(obs)
    assert info["success"] and not info["collision"] and info["side"] in (-1, 1)
    assert total == pytest.approx(28.0)  # 1 per full-speed step until the arena's end (x = 7)
    assert np.all(np.diff(np.array(path)[:, 0]) >= 0)


def test_dynamics_step_sizes_walls_and_bounds():
    env = il.make_batched(ENV, 3)
    env.reset(seed=0)
    env.set_state(np.array([[0.0, 0.0, 0, 0], [1.0, 2.9, 0, 0], [6.9, -1.0, 0, 0]]))
    obs, reward, terminated, info = env.step(np.array([[1.0, 1.0], [1.0, 1.0], [1.0, -0.5]]))
    np.testing.assert_allclose(obs, [[0.25, 0.5], [1.25, 3.0], [7.0, -1.25]], atol=1e-6)  # wall at 3, end at 7
    np.testing.assert_allclose(reward, [1.0, 1.0, 0.4], atol=1e-6)  # forward progress in full steps
    assert not terminated.any() and not info["collision"].any()
    assert info["success"].tolist() == [False, False, True]
    with pytest.raises(ValueError, match="NaN"):
        env.step(np.array([[np.nan, 0.0]] * 3))
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros((3, 1)))
    # actions beyond [-1, 1] are clipped
    env.set_state(np.zeros((3, 4)))
    obs, *_ = env.step(np.full((3, 2), 5.0))
    np.testing.assert_allclose(obs, [[0.25, 0.5]] * 3)


def test_collision_stops_the_agent_where_it_touched():
    env = il.make_batched(ENV, 2)
    env.reset(seed=0)
    env.set_state(np.array([[2.9, 0.0, 0, 0], [2.9, 1.2, 0, 0]]))
    obs, reward, _, info = env.step(np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert info["collision"].tolist() == [True, False]
    assert obs[0, 0] == pytest.approx(3.0)  # the obstacle's front (centre 4, radius 1)
    assert reward[0] == pytest.approx(0.0)
    for _ in range(5):  # it stays there, and the collision flag stays on
        obs2, reward, _, info = env.step(np.array([[1.0, 1.0], [1.0, 0.0]]))
        assert info["collision"][0] and reward[0] == 0 and not info["success"][0]
        np.testing.assert_array_equal(obs2[0], obs[0])
    # a segment that jumps through the obstacle's edge in one step is caught too
    hit, u = of.segment_hits_disc(np.array([[3.5, -1.2]]), np.array([[4.5, -0.8]]), of.OBSTACLE, of.OBSTACLE_R)
    assert hit[0] and 0 < u[0] < 1


def test_passing_side_is_recorded():
    env = il.make_batched(ENV, 2)
    env.reset(seed=0)
    env.set_state(np.array([[3.9, 1.5, 0, 0], [3.9, -1.5, 0, 0]]))
    _, _, _, info = env.step(np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert info["side"].tolist() == [1, -1]
    with pytest.raises(ValueError, match="shape"):
        env.set_state(np.zeros((2, 3)))


def test_coin_is_deterministic_fair_and_bit_sensitive():
    rng = np.random.default_rng(0)
    obs = np.column_stack([np.full(20_000, of.FORK_X), rng.uniform(-1e-3, 1e-3, 20_000)]).astype(np.float32)
    c = of.coin(obs)
    assert set(np.unique(c)) == {-1.0, 1.0}
    assert abs(c.mean()) < 0.03  # fair
    np.testing.assert_array_equal(c, of.coin(obs.copy()))  # deterministic
    nudged = obs.copy()
    nudged[:, 1] = np.nextafter(nudged[:, 1], np.float32(1))  # one unit in the last place
    assert 0.4 < (of.coin(nudged) != c).mean() < 0.6  # independent of its neighbour


def test_expert_is_a_pure_queryable_function_and_multimodal():
    expert = il.get_expert(ENV)
    demos = il.collect_demonstrations(ENV, 200, seed=1)
    # queryable: a fresh expert on the stored states (shuffled, in one batch) gives the labels
    perm = np.random.default_rng(0).permutation(len(demos))
    np.testing.assert_array_equal(il.get_expert(ENV)(demos.obs[perm]), demos.actions[perm])
    # the fork state: both sides, about half each, at states a millimetre apart
    at_fork = np.isclose(demos.obs[:, 0], of.FORK_X) & (np.abs(demos.obs[:, 1]) < of.BAND)
    assert at_fork.sum() == 200 and np.abs(demos.obs[at_fork, 1]).max() < 1e-3
    lateral = demos.actions[at_fork, 1]
    assert set(np.unique(lateral)) == {-1.0, 1.0} and 0.35 < (lateral > 0).mean() < 0.65
    # one step later the side is visible and held (hysteresis)
    after = np.isclose(demos.obs[:, 0], of.FORK_X + of.STEP[0])
    assert np.all(np.sign(demos.obs[after, 1]) == np.sign(demos.actions[after, 1]))
    assert np.abs(demos.obs[after, 1]).min() > of.BAND
    # sensible answers off its own path: a learner swerving right is sent round on the right
    np.testing.assert_allclose(expert(np.array([[3.0, -0.6]], np.float32)), [[1.0, -1.0]])
    np.testing.assert_allclose(expert(np.array([[1.0, 0.4]], np.float32)), [[1.0, -0.4]])  # back to the axis


def test_expert_always_succeeds_and_splits_about_evenly():
    for seed in range(3):
        _, stats = il.evaluate_fork(il.get_expert(ENV), 300, seed=seed)
        assert stats["success_rate"] == 1.0 and stats["collision_rate"] == 0.0
        assert 0.42 < stats["left_share"] < 0.58 and stats["zigzag_rate"] == 0.0


def test_the_swerve_is_tight():
    """Started one step late the swerve still clears the obstacle; two steps late it does not.
    (This is what makes the average of the two sides, driving straight on, fatal.)"""
    class Late(of.ObstacleForkExpert):
        def __init__(self, steps):
            self.steps = steps

        def act(self, obs):
            o = np.array(obs, np.float32)
            late = (o[:, 0] >= of.FORK_X) & (o[:, 0] < of.FORK_X + self.steps * of.STEP[0])
            a = super().act(o)
            a[late, 1] = 0.0
            return a

    assert il.evaluate_fork(Late(1), 100, seed=0)[1]["success_rate"] == 1.0
    assert il.evaluate_fork(Late(2), 100, seed=0)[1]["collision_rate"] == 1.0


def test_straight_ahead_collides_and_random_is_poor():
    straight = il.evaluate_fork(lambda o: np.tile([1.0, 0.0], (len(o), 1)), 50, seed=0)[1]
    assert straight["collision_rate"] == 1.0 and np.isnan(straight["left_share"])
    rand = il.evaluate(il.RandomPolicy(il.env_spaces(ENV)[1], seed=0), ENV, 100, seed=0)
    assert rand.success_rate == 0.0 and rand.normalized < 0.1
