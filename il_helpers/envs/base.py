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

from typing import Callable

import gymnasium as gym
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


#: env id -> factory() of a renderer: an object with ``draw(view) -> (H, W, 3) uint8`` and
#: ``close()``. The pictures are drawn by :mod:`il_helpers.plots` (it registers them when the
#: package is imported), so no environment module imports a plotting library.
RENDERERS: dict[str, Callable[[], object]] = {}


def register_renderer(env_id: str, factory: Callable[[], object]) -> None:
    """Let ``render()`` of ``env_id``'s gymnasium view draw with ``factory()``'s renderer."""
    if not callable(factory):
        raise TypeError(f"register_renderer: factory must be callable, got {type(factory).__name__}")
    RENDERERS[env_id] = factory


class GymView(gym.Env):
    """The gymnasium view of one copy of a batched environment: the standard API (``reset``,
    ``step`` with truncation at the horizon, ``render``) over the batched twin, so an environment
    is written once. ``info`` holds the twin's per-copy entries as Python scalars.

    Subclasses pass their batched twin (``num_envs=1``) and may override :meth:`_on_reset` and
    :meth:`_on_step` (to keep what the picture needs, e.g. the path driven so far).
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(self, core: BatchedEnv, render_mode: str | None = None):
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self.core = core
        self.observation_space = core.observation_space
        self.action_space = core.action_space
        self.horizon = core.horizon
        self.render_mode = render_mode
        self.t = 0
        self._renderer = None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.core.rng = self.np_random
        self.t = 0
        obs = self.core.reset()
        self._on_reset()
        return obs[0], {}

    def step(self, action):
        if isinstance(self.action_space, spaces.Discrete):
            batch = np.asarray([action])
        else:
            batch = np.asarray(action, dtype=np.float64).reshape(1, *self.action_space.shape)
        obs, reward, terminated, info = self.core.step(batch)
        self.t += 1
        self._on_step()
        info = {k: np.asarray(v)[0].item() for k, v in info.items()}
        return obs[0], float(reward[0]), bool(terminated[0]), self.t >= self.horizon, info

    def _on_reset(self) -> None:
        pass

    def _on_step(self) -> None:
        pass

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        if self._renderer is None:
            env_id = self.spec.id if self.spec is not None else self.core.env_id
            if env_id not in RENDERERS:
                raise RuntimeError(f"no renderer registered for {env_id!r}: "
                                   "import il_helpers (its plots register them)")
            self._renderer = RENDERERS[env_id]()
        return self._renderer.draw(self)

    def close(self):
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
