"""Batched numpy twins of gymnasium's five classic-control environments.

Each class steps ``N`` copies of one environment at once and reproduces gymnasium's
dynamics, rewards and termination rule line for line (same constants, same order of
operations, same dtypes), so a policy scores the same in the twin as in ``gym.make``.
Only the bookkeeping differs: there is no truncation and no auto-reset (see
:mod:`il_helpers.envs.base`); the ``horizon`` defaults to gymnasium's ``TimeLimit``.

``reset(seed)`` seeds ``numpy.random.default_rng(seed)``, the generator gymnasium builds from
a seed, and draws in the same order: the first copy starts exactly where gymnasium's
``env.reset(seed=seed)`` does, the others continue the same stream.

``get_state()`` / ``set_state(states)`` read and write the hidden state as float64
``(N, state_dim)``, in the same layout as the gymnasium env's ``env.unwrapped.state``.
"""

from __future__ import annotations

import math

import numpy as np
from gymnasium import spaces

from il_helpers.envs.base import BatchedEnv

__all__ = [
    "CartPoleBatched",
    "AcrobotBatched",
    "MountainCarBatched",
    "MountainCarContinuousBatched",
    "PendulumBatched",
]


class _ClassicControlBatched(BatchedEnv):
    """Shared state handling: ``self.state`` is a float64 array of shape (N, state_dim)."""

    state_dim: int

    def get_state(self) -> np.ndarray:
        """A copy of the hidden states, float64 ``(N, state_dim)``."""
        return np.array(self.state, dtype=np.float64, copy=True)

    def set_state(self, states) -> np.ndarray:
        """Put the batch in the given states (float64 ``(N, state_dim)``); returns the observations."""
        s = np.array(states, dtype=np.float64, copy=True)
        if s.shape != (self.num_envs, self.state_dim):
            raise ValueError(
                f"{self.env_id}: expected states of shape ({self.num_envs}, {self.state_dim}), got {s.shape}"
            )
        if not np.all(np.isfinite(s)):
            raise ValueError(f"{self.env_id}: states must be finite")
        self.state = s
        return self._obs()

    def _obs(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


# --------------------------------------------------------------------------------------------
# CartPole-v1
# --------------------------------------------------------------------------------------------


class CartPoleBatched(_ClassicControlBatched):
    """Batched twin of ``gymnasium/envs/classic_control/cartpole.py`` (``CartPoleEnv``, CartPole-v1).

    State = observation = ``(x, x_dot, theta, theta_dot)``. Action 0 pushes the cart left
    with 10 N, action 1 right; explicit Euler with ``tau = 0.02``. Reward +1 every step
    (the terminating step included); terminated when ``|x| > 2.4`` or ``|theta| > 12 deg``.
    """

    env_id = "CartPole-v1"
    state_dim = 4

    gravity = 9.8
    masscart = 1.0
    masspole = 0.1
    total_mass = masspole + masscart
    length = 0.5  # half the pole's length
    polemass_length = masspole * length
    force_mag = 10.0
    tau = 0.02
    theta_threshold_radians = 12 * 2 * math.pi / 360
    x_threshold = 2.4

    def __init__(self, num_envs: int, horizon: int = 500):
        super().__init__(num_envs, horizon)
        high = np.array(
            [self.x_threshold * 2, np.inf, self.theta_threshold_radians * 2, np.inf], dtype=np.float32
        )
        self.observation_space = spaces.Box(-high, high, dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self.state = np.zeros((self.num_envs, 4))

    def _obs(self) -> np.ndarray:
        return self.state.astype(np.float32)

    def _reset(self) -> np.ndarray:
        self.state = self.rng.uniform(low=-0.05, high=0.05, size=(self.num_envs, 4))
        return self._obs()

    def _step(self, actions):
        x, x_dot, theta, theta_dot = self.state.T
        force = np.where(actions == 1, self.force_mag, -self.force_mag)
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        temp = (force + self.polemass_length * np.square(theta_dot) * sintheta) / self.total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * np.square(costheta) / self.total_mass)
        )
        xacc = temp - self.polemass_length * thetaacc * costheta / self.total_mass
        # kinematics_integrator == "euler"
        x = x + self.tau * x_dot
        x_dot = x_dot + self.tau * xacc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * thetaacc
        self.state = np.stack((x, x_dot, theta, theta_dot), axis=1)
        terminated = (
            (x < -self.x_threshold)
            | (x > self.x_threshold)
            | (theta < -self.theta_threshold_radians)
            | (theta > self.theta_threshold_radians)
        )
        reward = np.ones(self.num_envs)
        return self._obs(), reward, terminated, {}


# --------------------------------------------------------------------------------------------
# Acrobot-v1
# --------------------------------------------------------------------------------------------


def _wrap(x: np.ndarray, m: float, M: float) -> np.ndarray:
    """Vectorized ``acrobot.wrap``: add or subtract ``M - m`` until ``m <= x <= M``
    (repeated subtraction, not a modulo, so the rounding is gymnasium's)."""
    diff = M - m
    x = x.copy()
    while np.any(x > M):
        x = np.where(x > M, x - diff, x)
    while np.any(x < m):
        x = np.where(x < m, x + diff, x)
    return x


class AcrobotBatched(_ClassicControlBatched):
    """Batched twin of ``gymnasium/envs/classic_control/acrobot.py`` (``AcrobotEnv``, Acrobot-v1).

    State ``(theta1, theta2, dtheta1, dtheta2)``; observation
    ``(cos theta1, sin theta1, cos theta2, sin theta2, dtheta1, dtheta2)``. Actions 0/1/2 apply
    torque -1/0/+1 at the elbow. One step is one RK4 step of ``dt = 0.2`` of the "book"
    dynamics, then the angles are wrapped to [-pi, pi] and the velocities clipped to
    4 pi and 9 pi. Reward -1 per step, 0 on the step the tip rises above the bar
    (``-cos(theta1) - cos(theta1 + theta2) > 1``), which terminates (``info["success"]``).
    """

    env_id = "Acrobot-v1"
    state_dim = 4

    dt = 0.2
    LINK_LENGTH_1 = 1.0
    LINK_LENGTH_2 = 1.0
    LINK_MASS_1 = 1.0
    LINK_MASS_2 = 1.0
    LINK_COM_POS_1 = 0.5
    LINK_COM_POS_2 = 0.5
    LINK_MOI = 1.0
    MAX_VEL_1 = 4 * math.pi
    MAX_VEL_2 = 9 * math.pi
    AVAIL_TORQUE = np.array([-1.0, 0.0, +1.0])
    book_or_nips = "book"

    def __init__(self, num_envs: int, horizon: int = 500):
        super().__init__(num_envs, horizon)
        high = np.array([1.0, 1.0, 1.0, 1.0, self.MAX_VEL_1, self.MAX_VEL_2], dtype=np.float32)
        self.observation_space = spaces.Box(low=-high, high=high, dtype=np.float32)
        self.action_space = spaces.Discrete(3)
        self.state = np.zeros((self.num_envs, 4))

    def _obs(self) -> np.ndarray:
        s = self.state
        return np.stack(
            [np.cos(s[:, 0]), np.sin(s[:, 0]), np.cos(s[:, 1]), np.sin(s[:, 1]), s[:, 2], s[:, 3]], axis=1
        ).astype(np.float32)

    def _reset(self) -> np.ndarray:
        # gymnasium stores the initial state as float32
        self.state = self.rng.uniform(low=-0.1, high=0.1, size=(self.num_envs, 4)).astype(np.float32).astype(np.float64)
        return self._obs()

    def _dsdt(self, s: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Time derivative of the state ``s`` (N, 4) under torque ``a`` (N,) (``AcrobotEnv._dsdt``)."""
        m1 = self.LINK_MASS_1
        m2 = self.LINK_MASS_2
        l1 = self.LINK_LENGTH_1
        lc1 = self.LINK_COM_POS_1
        lc2 = self.LINK_COM_POS_2
        I1 = self.LINK_MOI
        I2 = self.LINK_MOI
        g = 9.8
        theta1, theta2, dtheta1, dtheta2 = s.T
        pi = math.pi
        d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * np.cos(theta2)) + I1 + I2
        d2 = m2 * (lc2**2 + l1 * lc2 * np.cos(theta2)) + I2
        phi2 = m2 * lc2 * g * np.cos(theta1 + theta2 - pi / 2.0)
        phi1 = (
            -m2 * l1 * lc2 * dtheta2**2 * np.sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * np.sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * np.cos(theta1 - pi / 2)
            + phi2
        )
        if self.book_or_nips == "nips":
            ddtheta2 = (a + d2 / d1 * phi1 - phi2) / (m2 * lc2**2 + I2 - d2**2 / d1)
        else:
            ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * np.sin(theta2) - phi2) / (
                m2 * lc2**2 + I2 - d2**2 / d1
            )
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return np.stack([dtheta1, dtheta2, ddtheta1, ddtheta2], axis=1)

    def _step(self, actions):
        torque = self.AVAIL_TORQUE[actions]
        # acrobot.rk4 over t = [0, dt]: one classical Runge-Kutta step (the torque is constant).
        dt = self.dt - 0
        dt2 = dt / 2.0
        y0 = self.state
        k1 = self._dsdt(y0, torque)
        k2 = self._dsdt(y0 + dt2 * k1, torque)
        k3 = self._dsdt(y0 + dt2 * k2, torque)
        k4 = self._dsdt(y0 + dt * k3, torque)
        ns = y0 + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        ns[:, 0] = _wrap(ns[:, 0], -math.pi, math.pi)
        ns[:, 1] = _wrap(ns[:, 1], -math.pi, math.pi)
        ns[:, 2] = np.minimum(np.maximum(ns[:, 2], -self.MAX_VEL_1), self.MAX_VEL_1)
        ns[:, 3] = np.minimum(np.maximum(ns[:, 3], -self.MAX_VEL_2), self.MAX_VEL_2)
        self.state = ns
        terminated = -np.cos(ns[:, 0]) - np.cos(ns[:, 1] + ns[:, 0]) > 1.0
        reward = np.where(terminated, 0.0, -1.0)
        return self._obs(), reward, terminated, {"success": terminated.copy()}


# --------------------------------------------------------------------------------------------
# MountainCar-v0
# --------------------------------------------------------------------------------------------


class MountainCarBatched(_ClassicControlBatched):
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


# --------------------------------------------------------------------------------------------
# MountainCarContinuous-v0
# --------------------------------------------------------------------------------------------


class MountainCarContinuousBatched(_ClassicControlBatched):
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


# --------------------------------------------------------------------------------------------
# Pendulum-v1
# --------------------------------------------------------------------------------------------


def angle_normalize(x):
    """Wrap an angle to [-pi, pi) (``pendulum.angle_normalize``)."""
    return ((x + np.pi) % (2 * np.pi)) - np.pi


class PendulumBatched(_ClassicControlBatched):
    """Batched twin of ``gymnasium/envs/classic_control/pendulum.py`` (``PendulumEnv``, Pendulum-v1).

    State ``(theta, theta_dot)`` with ``theta = 0`` upright; observation
    ``(cos theta, sin theta, theta_dot)``. The torque is clipped to [-2, 2];
    ``theta_dot += (15 sin theta + 3 u) * 0.05``, clipped to +-8, then
    ``theta += theta_dot * 0.05``. Reward ``-(angle_normalize(theta)^2 + 0.1 theta_dot^2
    + 0.001 u^2)`` from the state before the step (the torque term in float32, as in
    gymnasium); never terminates.
    """

    env_id = "Pendulum-v1"
    state_dim = 2

    max_speed = 8
    max_torque = 2.0
    dt = 0.05
    g = 10.0
    m = 1.0
    l = 1.0  # noqa: E741 - gymnasium's name

    def __init__(self, num_envs: int, horizon: int = 200):
        super().__init__(num_envs, horizon)
        high = np.array([1.0, 1.0, self.max_speed], dtype=np.float32)
        self.action_space = spaces.Box(low=-self.max_torque, high=self.max_torque, shape=(1,), dtype=np.float32)
        self.observation_space = spaces.Box(low=-high, high=high, dtype=np.float32)
        self.state = np.zeros((self.num_envs, 2))

    def _obs(self) -> np.ndarray:
        theta, thetadot = self.state.T
        return np.stack([np.cos(theta), np.sin(theta), thetadot], axis=1).astype(np.float32)

    def _reset(self) -> np.ndarray:
        high = np.array([np.pi, 1.0])
        self.state = self.rng.uniform(low=-high, high=high, size=(self.num_envs, 2))
        return self._obs()

    def _step(self, actions):
        th, thdot = self.state.T
        g, m, l, dt = self.g, self.m, self.l, self.dt
        u = np.clip(actions[:, 0].astype(np.float32), -self.max_torque, self.max_torque)
        costs = angle_normalize(th) ** 2 + 0.1 * thdot**2 + 0.001 * (u**2)
        newthdot = thdot + (3 * g / (2 * l) * np.sin(th) + 3.0 / (m * l**2) * u) * dt
        newthdot = np.clip(newthdot, -self.max_speed, self.max_speed)
        newth = th + newthdot * dt
        self.state = np.stack([newth, newthdot], axis=1)
        terminated = np.zeros(self.num_envs, dtype=bool)
        return self._obs(), -costs, terminated, {}
