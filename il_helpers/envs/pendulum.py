"""Pendulum-v1: the batched twin of gymnasium's pendulum and its energy-shaping + LQR expert."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from ..core.policies import Expert
from .classic_control import ClassicControlBatched, solve_dare, twin_factory
from .registry import register_env


def angle_normalize(x):
    """Wrap an angle to [-pi, pi) (``pendulum.angle_normalize``)."""
    return ((x + np.pi) % (2 * np.pi)) - np.pi


class PendulumBatched(ClassicControlBatched):
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


class PendulumExpert(Expert):
    """Energy-shaping swing-up, then LQR balancing at the top.

    With ``theta = 0`` upright the pendulum obeys ``theta'' = 15 sin(theta) + 3 u``, whose
    energy ``E = theta'^2 / 2 + 15 (cos(theta) - 1)`` is 0 at rest upright and changes as
    ``dE/dt = 3 u theta'``. Far from the top the expert pumps energy towards 0 with
    ``u = -k_E E theta'`` (clipped to +-2, so nearly bang-bang). Near the top
    (``cos(theta) > 0.8``) it switches to the LQR gain of the discretized linear model with
    the env's own cost (Q = diag(1, 0.1), R = 0.001), clipped to +-2.
    """

    env_id = "Pendulum-v1"
    name = "energy shaping + LQR"

    def __init__(self, k_energy: float = 5.0, cos_switch: float = 0.8):
        dt = 0.05
        A = np.array([[1 + 15 * dt**2, dt], [15 * dt, 1.0]])
        B = np.array([[3 * dt**2], [3 * dt]])
        self.K = solve_dare(A, B, np.diag([1.0, 0.1]), np.array([[0.001]]))[1][0]
        self.k_energy = k_energy
        self.cos_switch = cos_switch

    def act(self, obs: np.ndarray) -> np.ndarray:
        obs = np.asarray(obs, np.float64)
        c, s, w = obs[:, 0], obs[:, 1], obs[:, 2]
        theta = np.arctan2(s, c)
        energy = 0.5 * w**2 + 15.0 * (c - 1.0)
        u_swing = -self.k_energy * energy * w
        u_lqr = -(self.K[0] * theta + self.K[1] * w)
        u = np.where(c > self.cos_switch, u_lqr, u_swing)
        return np.clip(u, -2.0, 2.0)[:, None].astype(np.float32)


register_env("Pendulum-v1", twin_factory(PendulumBatched), expert=PendulumExpert)
