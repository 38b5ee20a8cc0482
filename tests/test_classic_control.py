"""The batched classic-control twins against gymnasium's own environments."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from il_helpers.envs.acrobot import AcrobotBatched
from il_helpers.envs.cartpole import CartPoleBatched
from il_helpers.envs.mountain_car import MountainCarBatched, MountainCarContinuousBatched
from il_helpers.envs.pendulum import PendulumBatched

N = 64
STEPS = 50
PI = np.pi


def _wide_states(env_id: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """States from a wide but valid range of each env's state space (float64 (n, state_dim))."""
    u = rng.uniform
    if env_id == "CartPole-v1":
        return np.stack([u(-2.0, 2.0, n), u(-2, 2, n), u(-0.2, 0.2, n), u(-2.5, 2.5, n)], axis=1)
    if env_id == "Acrobot-v1":
        return np.stack([u(-PI, PI, n), u(-PI, PI, n), u(-4 * PI, 4 * PI, n), u(-9 * PI, 9 * PI, n)], axis=1)
    if env_id in ("MountainCar-v0", "MountainCarContinuous-v0"):
        return np.stack([u(-1.2, 0.45, n), u(-0.07, 0.07, n)], axis=1)
    if env_id == "Pendulum-v1":
        return np.stack([u(-PI, PI, n), u(-8, 8, n)], axis=1)
    raise KeyError(env_id)


def _random_actions(space, rng: np.random.Generator, n: int) -> np.ndarray:
    if isinstance(space, gym.spaces.Discrete):
        return rng.integers(0, space.n, size=n)
    # a bit beyond the bounds, so the twins' clipping is exercised too
    return rng.uniform(1.3 * space.low, 1.3 * space.high, size=(n, *space.shape)).astype(np.float32)


ENVS = [
    (CartPoleBatched, "CartPole-v1", 500),
    (AcrobotBatched, "Acrobot-v1", 500),
    (MountainCarBatched, "MountainCar-v0", 200),
    (MountainCarContinuousBatched, "MountainCarContinuous-v0", 999),
    (PendulumBatched, "Pendulum-v1", 200),
]
IDS = [e[1] for e in ENVS]


@pytest.mark.parametrize("cls,env_id,horizon", ENVS, ids=IDS)
def test_spaces_and_horizon_match_gymnasium(cls, env_id, horizon):
    env = gym.make(env_id)
    twin = cls(3)
    assert twin.env_id == env_id
    assert twin.horizon == horizon == env.spec.max_episode_steps
    assert twin.observation_space == env.observation_space
    assert twin.observation_space.dtype == np.float32
    assert twin.action_space == env.action_space
    assert cls(3, horizon=7).horizon == 7


@pytest.mark.parametrize("cls,env_id,horizon", ENVS, ids=IDS)
def test_steps_match_gymnasium(cls, env_id, horizon):
    rng = np.random.default_rng(123)
    states = _wide_states(env_id, rng, N)
    twin = cls(N)
    twin.set_state(states)
    np.testing.assert_array_equal(twin.get_state(), states)
    gyms = [gym.make(env_id).unwrapped for _ in range(N)]
    for e, s in zip(gyms, states):
        e.reset(seed=0)
        e.state = s.copy()
    alive = np.ones(N, dtype=bool)
    for _ in range(STEPS):
        actions = _random_actions(twin.action_space, rng, N)
        obs, reward, terminated, info = twin.step(actions)
        assert obs.dtype == np.float32 and obs.shape == (N, twin.observation_space.shape[0])
        assert reward.dtype == np.float64 and reward.shape == (N,)
        assert terminated.dtype == bool and terminated.shape == (N,)
        for i in np.flatnonzero(alive):
            g_obs, g_rew, g_term, _, _ = gyms[i].step(actions[i])
            np.testing.assert_allclose(obs[i], g_obs, rtol=1e-6, atol=1e-5, err_msg=f"{env_id} copy {i}")
            np.testing.assert_allclose(reward[i], g_rew, rtol=1e-6, atol=1e-6, err_msg=f"{env_id} copy {i}")
            assert terminated[i] == g_term, f"{env_id} copy {i}"
        if "success" in info:
            np.testing.assert_array_equal(info["success"], terminated)
        alive &= ~terminated
    assert (~alive).any() or env_id == "Pendulum-v1" or env_id.startswith("MountainCar")


@pytest.mark.parametrize("cls,env_id,horizon", ENVS, ids=IDS)
def test_reset_is_seeded(cls, env_id, horizon):
    twin = cls(16)
    a, b, c = twin.reset(seed=1), twin.reset(seed=1), twin.reset(seed=2)
    assert a.dtype == np.float32 and a.shape == (16, twin.observation_space.shape[0])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert twin.observation_space.contains(a[0])


@pytest.mark.parametrize("cls,env_id,horizon", ENVS, ids=IDS)
def test_reset_draws_like_gymnasium(cls, env_id, horizon):
    """Both seed a PCG64 generator the same way and draw in the same order, so the first copy
    of ``reset(seed)`` starts where gymnasium's ``reset(seed=seed)`` does."""
    env = gym.make(env_id)
    twin = cls(3)
    for seed in range(5):
        obs, _ = env.reset(seed=seed)
        np.testing.assert_array_equal(twin.reset(seed=seed)[0], obs)
        np.testing.assert_array_equal(twin.get_state()[0], np.asarray(env.unwrapped.state, dtype=np.float64))


# gymnasium's initial-state boxes (state coordinates, inclusive bounds)
INITIAL_BOXES = {
    "CartPole-v1": ([-0.05] * 4, [0.05] * 4),
    "Acrobot-v1": ([-0.1] * 4, [0.1] * 4),
    "MountainCar-v0": ([-0.6, 0.0], [-0.4, 0.0]),
    "MountainCarContinuous-v0": ([-0.6, 0.0], [-0.4, 0.0]),
    "Pendulum-v1": ([-PI, -1.0], [PI, 1.0]),
}


@pytest.mark.parametrize("cls,env_id,horizon", ENVS, ids=IDS)
def test_initial_state_distribution_matches_gymnasium(cls, env_id, horizon):
    low, high = map(np.array, INITIAL_BOXES[env_id])
    twin = cls(2000)
    twin.reset(seed=0)
    ours = twin.get_state()
    env = gym.make(env_id).unwrapped
    theirs = np.array([(env.reset(seed=k), np.array(env.state, dtype=np.float64))[1] for k in range(200)])
    for states in (ours, theirs):
        assert np.all(states >= low - 1e-7) and np.all(states <= high + 1e-7)
    # the twin fills the whole box (uniform), like gymnasium
    spread = high - low
    np.testing.assert_allclose(ours.min(0), low, atol=0.02 * spread.max())
    np.testing.assert_allclose(ours.max(0), high, atol=0.02 * spread.max())
    np.testing.assert_allclose(ours.mean(0), theirs.mean(0), atol=0.1 * spread.max())
    # the first observation is the gymnasium observation of that state
    obs = cls(5).set_state(ours[:5])
    for s, o in zip(ours[:5], obs):
        env.reset(seed=0)
        env.state = s.copy()
        get_obs = getattr(env, "_get_obs", getattr(env, "_get_ob", None))  # Pendulum / Acrobot
        expected = get_obs() if get_obs else np.array(env.state, dtype=np.float32)
        np.testing.assert_allclose(o, expected, rtol=1e-6, atol=1e-6)


def test_bad_actions_raise_value_error():
    disc = CartPoleBatched(4)
    disc.reset(seed=0)
    with pytest.raises(ValueError):
        disc.step(np.zeros(3, dtype=np.int64))  # wrong shape
    with pytest.raises(ValueError):
        disc.step(np.array([0, 1, 2, 0]))  # out of range
    cont = PendulumBatched(4)
    cont.reset(seed=0)
    with pytest.raises(ValueError):
        cont.step(np.zeros((4, 2), dtype=np.float32))  # wrong shape
    with pytest.raises(ValueError):
        cont.step(np.array([[0.0], [np.nan], [0.0], [0.0]], dtype=np.float32))
    with pytest.raises(ValueError):
        cont.set_state(np.zeros((3, 2)))


def test_success_flag_only_where_there_is_a_goal():
    for cls in (CartPoleBatched, PendulumBatched):
        env = cls(2)
        env.reset(seed=0)
        _, _, _, info = env.step(np.zeros(2, dtype=np.int64) if env.discrete else np.zeros((2, 1)))
        assert "success" not in info
    mc = MountainCarBatched(2)
    mc.set_state([[0.49, 0.02], [-0.5, 0.0]])
    _, reward, terminated, info = mc.step(np.array([2, 1]))
    np.testing.assert_array_equal(terminated, [True, False])
    np.testing.assert_array_equal(info["success"], [True, False])
    np.testing.assert_array_equal(reward, [-1.0, -1.0])
    mcc = MountainCarContinuousBatched(2)
    mcc.set_state([[0.44, 0.02], [-0.5, 0.0]])
    _, reward, terminated, info = mcc.step(np.array([[0.5], [0.0]], dtype=np.float32))
    np.testing.assert_array_equal(info["success"], [True, False])
    np.testing.assert_allclose(reward, [100.0 - 0.025, 0.0])
