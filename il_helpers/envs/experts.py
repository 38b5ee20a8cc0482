"""Queryable experts: analytic controllers for the course's environments.

Imitation learning needs an expert we can ask "what would you do here?" at any state
(DAgger relabels the learner's states with it). These experts are short control laws,
deterministic, vectorized pure functions of the observation (for the five classic-control
envs the observation is the full state), so querying them is free and exact.

``get_expert(env_id)`` builds the expert of an environment; other modules add theirs with
``register_expert`` (the LaneKeeping expert registers itself in :mod:`il_helpers.envs.lane_keeping`).
"""

from __future__ import annotations

import functools

import numpy as np

from ..core.policies import Expert
from . import classic_control as cc
from .registry import register_env


def solve_dare(A: np.ndarray, B: np.ndarray, Q: np.ndarray, R: np.ndarray,
               tol: float = 1e-10, max_iter: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
    """Solve the discrete-time algebraic Riccati equation by value iteration.

    Iterates ``P <- Q + A'PA - A'PB (R + B'PB)^-1 B'PA`` from ``P = Q`` until it stops
    changing; returns ``(P, K)`` with the optimal feedback ``u = -K x``.
    """
    P = Q.copy()
    for _ in range(max_iter):
        K = np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)
        P_next = Q + A.T @ P @ (A - B @ K)
        if np.max(np.abs(P_next - P)) <= tol * max(1.0, np.max(np.abs(P))):
            P = P_next
            break
        P = P_next
    else:  # pragma: no cover - the systems here converge in a few thousand iterations
        raise RuntimeError("Riccati iteration did not converge")
    K = np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)
    return P, K


# --------------------------------------------------------------------------------------------
# CartPole-v1
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Pendulum-v1
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# MountainCar-v0 / MountainCarContinuous-v0
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Acrobot-v1
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------


def _batched(cls):
    def factory(num_envs: int, horizon: int | None = None, **kwargs):
        return cls(num_envs, **({} if horizon is None else {"horizon": horizon}), **kwargs)

    return factory


# gymnasium's own ids: the twins and the experts; gym.make builds gymnasium's environments
for _env_id, _cls, _expert in (("CartPole-v1", cc.CartPoleBatched, CartPoleExpert),
                               ("Acrobot-v1", cc.AcrobotBatched, AcrobotExpert),
                               ("MountainCar-v0", cc.MountainCarBatched, MountainCarExpert),
                               ("MountainCarContinuous-v0", cc.MountainCarContinuousBatched,
                                MountainCarContinuousExpert),
                               ("Pendulum-v1", cc.PendulumBatched, PendulumExpert)):
    register_env(_env_id, _batched(_cls), expert=_expert)
del _env_id, _cls, _expert
