"""MountainCar-v0 and MountainCarContinuous-v0: the batched twins of gymnasium's mountain cars and
their experts (push with the velocity)."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from ..core.policies import Expert
from .classic_control import ClassicControlBatched, twin_factory
from .registry import register_env


class MountainCarBatched(ClassicControlBatched):
    """Batched twin of ``gymnasium/envs/classic_control/mountain_car.py`` (``MountainCarEnv``, MountainCar-v0).

    State = observation = ``(position, velocity)``. Actions 0/1/2 accelerate left/not/right:
    ``v += (a - 1) * 0.001 - 0.0025 cos(3 x)``, clipped to +-0.07; ``x += v``, clipped to
    [-1.2, 0.6]; hitting the left wall stops the car. Reward -1 per step; terminated (and
    ``info["success"]``) when ``x >= 0.5`` with ``v >= 0``.
    """

    env_id = "MountainCar-v0"
    state_dim = 2

    min_position = -1.2
    max_position = 0.6
    max_speed = 0.07
    goal_position = 0.5
    goal_velocity = 0
    force = 0.001
    gravity = 0.0025

    def __init__(self, num_envs: int, horizon: int = 200):
        super().__init__(num_envs, horizon)
        low = np.array([self.min_position, -self.max_speed], dtype=np.float32)
        high = np.array([self.max_position, self.max_speed], dtype=np.float32)
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self.action_space = spaces.Discrete(3)
        self.state = np.zeros((self.num_envs, 2))

    def _obs(self) -> np.ndarray:
        return self.state.astype(np.float32)

    def _reset(self) -> np.ndarray:
        position = self.rng.uniform(low=-0.6, high=-0.4, size=self.num_envs)
        self.state = np.stack([position, np.zeros(self.num_envs)], axis=1)
        return self._obs()

    def _step(self, actions):
        position, velocity = self.state.T
        velocity = velocity + ((actions - 1) * self.force + np.cos(3 * position) * (-self.gravity))
        velocity = np.clip(velocity, -self.max_speed, self.max_speed)
        position = position + velocity
        position = np.clip(position, self.min_position, self.max_position)
        velocity = np.where((position == self.min_position) & (velocity < 0), 0.0, velocity)
        terminated = (position >= self.goal_position) & (velocity >= self.goal_velocity)
        self.state = np.stack([position, velocity], axis=1)
        reward = np.full(self.num_envs, -1.0)
        return self._obs(), reward, terminated, {"success": terminated.copy()}


class MountainCarContinuousBatched(ClassicControlBatched):
    """Batched twin of ``gymnasium/envs/classic_control/continuous_mountain_car.py``
    (``Continuous_MountainCarEnv``, MountainCarContinuous-v0).

    State = observation = ``(position, velocity)``; the action (a float32 in [-1, 1], clipped)
    is a force: ``v += 0.0015 a - 0.0025 cos(3 x)``, clipped to +-0.07; ``x += v``, clipped to
    [-1.2, 0.6], with the left-wall stop. Reward ``-0.1 a^2`` (the unclipped action) per step,
    plus 100 on reaching ``x >= 0.45`` with ``v >= 0``, which terminates (``info["success"]``).

    gymnasium stores this env's state as float32 after every step (but float64 after a reset
    or when the state is set), so its arithmetic is float32 from the second step on; the twin
    does the same, which keeps the two bit-for-bit in step.
    """

    env_id = "MountainCarContinuous-v0"
    state_dim = 2

    min_action = -1.0
    max_action = 1.0
    min_position = -1.2
    max_position = 0.6
    max_speed = 0.07
    goal_position = 0.45
    goal_velocity = 0
    power = 0.0015

    def __init__(self, num_envs: int, horizon: int = 999):
        super().__init__(num_envs, horizon)
        low = np.array([self.min_position, -self.max_speed], dtype=np.float32)
        high = np.array([self.max_position, self.max_speed], dtype=np.float32)
        self.observation_space = spaces.Box(low=low, high=high, dtype=np.float32)
        self.action_space = spaces.Box(low=self.min_action, high=self.max_action, shape=(1,), dtype=np.float32)
        self.state = np.zeros((self.num_envs, 2))
        self._float32_state = False

    def set_state(self, states) -> np.ndarray:
        self._float32_state = False  # like assigning a float64 array to env.unwrapped.state
        return super().set_state(states)

    def _obs(self) -> np.ndarray:
        return self.state.astype(np.float32)

    def _reset(self) -> np.ndarray:
        position = self.rng.uniform(low=-0.6, high=-0.4, size=self.num_envs)
        self.state = np.stack([position, np.zeros(self.num_envs)], axis=1)
        self._float32_state = False
        return self._obs()

    def _step(self, actions):
        s = self.state.astype(np.float32) if self._float32_state else self.state
        position, velocity = s[:, 0], s[:, 1]
        action = actions[:, 0].astype(np.float32)  # the action space's dtype
        # gymnasium: force = min(max(a, -1.0), 1.0) is the float32 action, or a Python float
        # when clipped; math.cos works in float64. With NumPy's promotion rules the increment
        # is float32 when the action was not clipped and float64 when it was.
        clipped = (action < self.min_action) | (action > self.max_action)
        force = np.clip(action, self.min_action, self.max_action)
        gravity_term = 0.0025 * np.cos((3 * position).astype(np.float64))
        dv32 = force * np.float32(self.power) - gravity_term.astype(np.float32)
        dv64 = force.astype(np.float64) * self.power - gravity_term
        dv = np.where(clipped, dv64, dv32.astype(np.float64)).astype(position.dtype)
        velocity = velocity + dv
        velocity = np.clip(velocity, -self.max_speed, self.max_speed)
        position = position + velocity
        position = np.clip(position, self.min_position, self.max_position)
        velocity = np.where((position == self.min_position) & (velocity < 0), 0, velocity).astype(velocity.dtype)
        terminated = (position >= self.goal_position) & (velocity >= self.goal_velocity)
        reward = np.where(terminated, 100.0, 0.0) - action.astype(np.float64) ** 2 * 0.1
        self.state = np.stack([position, velocity], axis=1).astype(np.float32).astype(np.float64)
        self._float32_state = True
        return self._obs(), reward, terminated, {"success": terminated.copy()}


class MountainCarExpert(Expert):
    """Push in the direction of motion, after a well-chosen first push.

    Pushing along the velocity adds energy on every step (the force does work ``F v > 0``),
    so the car swings higher each time until it clears the right hill. At rest (the start)
    the expert pushes left when the car starts right of ``x0 = -0.4875`` (one swing back
    then carries it over the hill) and right otherwise; that threshold is where the two
    first pushes take equally long.
    """

    env_id = "MountainCar-v0"
    name = "push with the velocity"

    def __init__(self, x0: float = -0.4875):
        self.x0 = x0

    def act(self, obs: np.ndarray) -> np.ndarray:
        x, v = obs[:, 0], obs[:, 1]
        right = np.where(v != 0, v > 0, x < self.x0)
        return np.where(right, 2, 0).astype(np.int64)


class MountainCarContinuousExpert(Expert):
    """Gentle throttle in the direction of motion.

    As for MountainCar-v0, a force along the velocity pumps energy into the swing, at any
    throttle (the valley has no friction). Each step costs ``0.1 a^2`` and a throttle ``a``
    needs about ``1 / a`` times as many steps, so the total cost grows like ``a``: a gentle
    ``|a| = 0.25`` reaches the goal (+100) in about 270 steps for a cost of about 1.7, where full
    throttle takes about 80 steps but costs about 8. At rest it pushes left first.
    """

    env_id = "MountainCarContinuous-v0"
    name = "gentle throttle with the velocity"

    def __init__(self, throttle: float = 0.25):
        self.throttle = throttle

    def act(self, obs: np.ndarray) -> np.ndarray:
        v = obs[:, 1]
        return np.where(v > 0, self.throttle, -self.throttle)[:, None].astype(np.float32)


register_env("MountainCar-v0", twin_factory(MountainCarBatched), expert=MountainCarExpert)
register_env("MountainCarContinuous-v0", twin_factory(MountainCarContinuousBatched), expert=MountainCarContinuousExpert)
