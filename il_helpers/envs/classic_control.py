"""What gymnasium's five classic-control environments share here: the batched twins' base class,
the factory that registers them, and the discrete Riccati solver of the LQR experts.

The twins (one module per environment: cartpole, acrobot, mountain_car, pendulum, each with its
expert)

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

import numpy as np

from .base import BatchedEnv


class ClassicControlBatched(BatchedEnv):
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


def twin_factory(cls):
    """``factory(num_envs, horizon=None, **kwargs)`` of a classic twin, for :func:`register_env`
    (the twin's own horizon, gymnasium's TimeLimit, unless one is given)."""
    def factory(num_envs: int, horizon: int | None = None, **kwargs):
        return cls(num_envs, **({} if horizon is None else {"horizon": horizon}), **kwargs)

    return factory


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
