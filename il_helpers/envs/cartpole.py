"""CartPole-v1: the batched twin of gymnasium's cart-pole and its LQR expert."""

from __future__ import annotations

import functools
import math

import numpy as np
from gymnasium import spaces

from ..core.policies import Expert
from .classic_control import ClassicControlBatched, solve_dare, twin_factory
from .registry import register_env


class CartPoleBatched(ClassicControlBatched):
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


class CartPoleExpert(Expert):
    """LQR on the cart-pole linearized about the upright position, made bang-bang.

    gymnasium's equations linearized at ``theta = 0`` and discretized with its Euler step
    (``tau = 0.02``) give ``s' = A s + B F``; the discrete Riccati equation (solved by
    iteration) gives the gain ``K`` minimising ``sum s'Qs + R F^2``. The env only pushes with
    +-10 N, so the expert pushes right when the LQR force ``-K s`` is positive, left otherwise.
    """

    env_id = "CartPole-v1"
    name = "LQR (bang-bang)"

    def __init__(self, q=(1.0, 1.0, 10.0, 1.0), r: float = 1.0):
        self.K = _cartpole_lqr_gain(tuple(q), float(r))

    def act(self, obs: np.ndarray) -> np.ndarray:
        force = -np.asarray(obs, np.float64) @ self.K
        return (force > 0).astype(np.int64)


@functools.lru_cache(maxsize=None)
def _cartpole_lqr_gain(q: tuple, r: float) -> np.ndarray:
    """The discrete LQR gain of the cart-pole linearized at the top (see :class:`CartPoleExpert`)."""
    g, mc, mp, l, tau = 9.8, 1.0, 0.1, 0.5, 0.02  # gymnasium's constants (l: half length)
    M = mc + mp
    denom = l * (4.0 / 3.0 - mp / M)
    # linearized: theta'' = (g theta - F / M) / denom ;  x'' = F / M - (mp l / M) theta''
    a_th = np.array([g / denom, -1.0 / (M * denom)])  # d theta'' / d(theta, F)
    A = np.array([[0, 1, 0, 0], [0, 0, -mp * l / M * a_th[0], 0], [0, 0, 0, 1], [0, 0, a_th[0], 0]], float)
    B = np.array([[0.0], [1.0 / M - mp * l / M * a_th[1]], [0.0], [a_th[1]]])
    K = solve_dare(np.eye(4) + tau * A, tau * B, np.diag(q), np.array([[r]]))[1][0]
    K.setflags(write=False)
    return K


register_env("CartPole-v1", twin_factory(CartPoleBatched), expert=CartPoleExpert)
