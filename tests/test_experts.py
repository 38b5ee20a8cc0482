"""The analytic experts: how well they do, their API, and their agreement with gymnasium."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from il_helpers.core.policies import Expert
from il_helpers.envs.acrobot import AcrobotBatched
from il_helpers.envs.cartpole import CartPoleBatched
from il_helpers.envs.mountain_car import MountainCarBatched, MountainCarContinuousBatched
from il_helpers.envs.pendulum import PendulumBatched
from il_helpers.envs.registry import EXPERTS, get_expert, register_expert

TWINS = {
    "CartPole-v1": CartPoleBatched,
    "Acrobot-v1": AcrobotBatched,
    "MountainCar-v0": MountainCarBatched,
    "MountainCarContinuous-v0": MountainCarContinuousBatched,
    "Pendulum-v1": PendulumBatched,
}
CLASSIC = list(TWINS)

# Mean return over 100 episodes (seed 0) must reach these; measured means (seed 0):
# CartPole 500, Acrobot -76.1, MountainCar -104.6, MountainCarContinuous 98.3, Pendulum -156.9.
THRESHOLDS = {
    "CartPole-v1": 500.0,
    "Acrobot-v1": -80.0,
    "MountainCar-v0": -108.0,
    "MountainCarContinuous-v0": 97.5,
    "Pendulum-v1": -165.0,
}


def batched_returns(env, policy, seed: int | None = 0, states: np.ndarray | None = None) -> np.ndarray:
    """Undiscounted returns of ``policy`` on the batched ``env`` over its horizon; copies stop
    counting after they terminate. ``states`` (optional) replaces the reset states."""
    obs = env.reset(seed=seed)
    if states is not None:
        obs = env.set_state(states)
    alive = np.ones(env.num_envs, dtype=bool)
    total = np.zeros(env.num_envs)
    for _ in range(env.horizon):
        obs, reward, terminated, _ = env.step(policy(obs))
        total += np.where(alive, reward, 0.0)
        alive &= ~terminated
        if not alive.any():
            break
    return total


@pytest.mark.parametrize("env_id", CLASSIC)
def test_expert_reaches_its_threshold(env_id):
    returns = batched_returns(TWINS[env_id](100), get_expert(env_id), seed=0)
    if env_id == "CartPole-v1":
        np.testing.assert_array_equal(returns, 500.0)
    assert returns.mean() >= THRESHOLDS[env_id], f"{env_id}: mean return {returns.mean():.2f}"


@pytest.mark.parametrize("env_id", CLASSIC)
def test_expert_is_faithful_in_gymnasium(env_id):
    """Five gymnasium episodes (gym.make, TimeLimit included) give the same returns as the
    batched twin started in the same states."""
    expert = get_expert(env_id)
    env = gym.make(env_id)
    gym_returns, starts = [], []
    for episode in range(5):
        obs, _ = env.reset(seed=episode)
        starts.append(np.array(env.unwrapped.state, dtype=np.float64))
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(expert(obs))
            total += float(reward)
            done = terminated or truncated
        gym_returns.append(total)
    twin_returns = batched_returns(TWINS[env_id](5), expert, states=np.stack(starts))
    np.testing.assert_allclose(twin_returns, gym_returns, rtol=1e-6, atol=1e-6)
    margin = 1.0 if env_id == "CartPole-v1" else 0.25 * abs(THRESHOLDS[env_id])
    assert np.mean(gym_returns) >= THRESHOLDS[env_id] - margin


@pytest.mark.parametrize("env_id", CLASSIC)
def test_expert_action_types(env_id):
    expert = get_expert(env_id)
    twin = TWINS[env_id](7)
    assert isinstance(expert, Expert) and expert.env_id == env_id and expert.name
    obs = twin.reset(seed=3)
    batch = expert(obs)
    single = expert(obs[0])
    if twin.discrete:
        assert batch.shape == (7,) and batch.dtype == np.int64
        assert np.ndim(single) == 0 and np.issubdtype(np.asarray(single).dtype, np.integer)
        assert twin.action_space.contains(int(single))
    else:
        assert batch.shape == (7, *twin.action_space.shape) and batch.dtype == np.float32
        assert single.shape == twin.action_space.shape and single.dtype == np.float32
        assert twin.action_space.contains(single)
    # a pure, deterministic function of the observation
    np.testing.assert_array_equal(single, batch[0])
    np.testing.assert_array_equal(expert(obs), batch)
    np.testing.assert_array_equal(get_expert(env_id)(obs), batch)


def test_get_expert_unknown_id():
    with pytest.raises(ValueError) as info:
        get_expert("CartPole-v0")
    message = str(info.value)
    assert "CartPole-v1" in message and "Did you mean" in message
    for env_id in CLASSIC:
        assert env_id in message
    with pytest.raises(ValueError, match="Pendulum-v1"):
        get_expert("nonsense")


def test_register_expert():
    class Zero(Expert):
        env_id, name = "test/Zero-v0", "zero"

        def act(self, obs):
            return np.zeros(len(obs), dtype=np.int64)

    try:
        register_expert("test/Zero-v0", Zero)
        assert isinstance(get_expert("test/Zero-v0"), Zero)
        assert get_expert("test/Zero-v0")(np.zeros(3, dtype=np.float32)) == 0
    finally:
        EXPERTS.pop("test/Zero-v0", None)
    with pytest.raises(TypeError):
        register_expert("test/Bad-v0", "not callable")
