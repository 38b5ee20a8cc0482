"""Acrobot-v1: the batched twin of gymnasium's two-link acrobot and its energy-pumping expert."""

from __future__ import annotations

import math

import numpy as np
from gymnasium import spaces

from ..core.policies import Expert
from .classic_control import ClassicControlBatched, twin_factory
from .registry import register_env


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


class AcrobotBatched(ClassicControlBatched):
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


class AcrobotExpert(Expert):
    """Energy pumping, with a phase lead on the shoulder angle.

    The elbow torque ``tau`` changes the acrobot's energy at the rate ``tau * dtheta2``, so
    ``tau = sign(dtheta2)`` pumps energy as fast as possible (mean return about -87). Pumping
    alone ignores *where* the swing is; adding the shoulder angle,
    ``tau = sign(dtheta2 + 1.75 theta1)``, times the elbow's kick with the swing of the first
    link so the tip whips higher sooner (about -75; the gain was chosen on a small grid).
    """

    env_id = "Acrobot-v1"
    name = "energy pumping"

    def __init__(self, k_theta1: float = 1.75):
        self.k_theta1 = k_theta1

    def act(self, obs: np.ndarray) -> np.ndarray:
        obs = np.asarray(obs, np.float64)
        theta1 = np.arctan2(obs[:, 1], obs[:, 0])
        dtheta2 = obs[:, 5]
        return np.where(dtheta2 + self.k_theta1 * theta1 > 0, 2, 0).astype(np.int64)


register_env("Acrobot-v1", twin_factory(AcrobotBatched), expert=AcrobotExpert)
