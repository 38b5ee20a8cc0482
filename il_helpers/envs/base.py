"""Batched environments: N copies of one environment stepped together in numpy.

Every environment of the course has a batched twin. The gymnasium envs (``gym.make``) are
there for the standard API, rendering and ``check_env``; rollouts, evaluation and
demonstration collection use the batched twin, because stepping 1000 copies at once in
numpy costs about as much as stepping one copy in Python.

The contract is deliberately small:

* ``reset(seed)`` returns observations of shape ``(N, obs_dim)`` (float32).
* ``step(actions)`` takes ``(N,)`` int actions (discrete) or ``(N, act_dim)`` floats
  (continuous) and returns ``(obs, reward, terminated, info)``.
* There is no auto-reset and no truncation: the caller runs ``horizon`` steps and masks
  copies that have terminated (see :func:`il_helpers.core.evaluation.rollout`).
* ``info`` may hold per-copy arrays the course measures: ``"cost"`` (per-step cost, for the
  compounding-error curves), ``"off_road"`` and ``"success"`` (booleans).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces


class BatchedEnv:
    """Base class of the batched environments. Subclasses set the spaces and implement
    ``_reset(rng)`` and ``_step(actions)``."""

    env_id: str = ""
    observation_space: spaces.Box
    action_space: spaces.Space
    horizon: int

    def __init__(self, num_envs: int, horizon: int):
        if not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive integer, got {num_envs!r}")
        if not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
        self.num_envs = int(num_envs)
        self.horizon = int(horizon)
        self.rng = np.random.default_rng()

    @property
    def discrete(self) -> bool:
        return isinstance(self.action_space, spaces.Discrete)

    def reset(self, seed: int | None = None) -> np.ndarray:
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        return self._reset()

    def step(self, actions) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
        return self._step(self.check_actions(actions))

    def check_actions(self, actions) -> np.ndarray:
        """Validate a batch of actions and return it as an array of the right dtype."""
        a = np.asarray(actions)
        n = self.num_envs
        if self.discrete:
            if a.shape != (n,):
                raise ValueError(
                    f"{self.env_id}: expected {n} discrete actions of shape ({n},), got shape "
                    f"{a.shape}. A policy for a discrete env returns one integer per observation."
                )
            if not np.issubdtype(a.dtype, np.integer):
                if np.issubdtype(a.dtype, np.floating) and np.all(a == np.round(a)):
                    a = a.astype(np.int64)
                else:
                    raise ValueError(f"{self.env_id}: discrete actions must be integers, got dtype {a.dtype}")
            if a.min() < 0 or a.max() >= self.action_space.n:
                raise ValueError(
                    f"{self.env_id}: actions must lie in 0..{self.action_space.n - 1}, got range "
                    f"[{a.min()}, {a.max()}]"
                )
            return a.astype(np.int64)
        shape = self.action_space.shape
        if a.shape == (n,) and shape == (1,):
            a = a[:, None]
        if a.shape != (n, *shape):
            raise ValueError(
                f"{self.env_id}: expected continuous actions of shape {(n, *shape)}, got {a.shape}"
            )
        a = a.astype(np.float64)
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{self.env_id}: actions contain NaN or inf")
        return a

    def _reset(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _step(self, actions: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(env_id={self.env_id!r}, num_envs={self.num_envs}, horizon={self.horizon})"
