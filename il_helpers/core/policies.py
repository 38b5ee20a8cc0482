"""One notion of "a policy": a batch of observations in, a batch of actions out.

Every trainer in the course returns a :class:`Policy`, and every evaluator, plot and widget
accepts one. Three things count as a policy (see :func:`as_policy`):

* a :class:`Policy` (experts, trained networks, the random policy);
* a plain function ``obs (N, obs_dim) -> actions``;
* a ``torch.nn.Module`` mapping a float tensor of observations to actions (for a discrete
  env it may return logits of shape ``(N, n_actions)``; the argmax is taken).

Actions come back as ``(N,)`` int64 for a discrete action space and ``(N, act_dim)`` float32
for a continuous one. Calling a policy on a single observation ``(obs_dim,)`` returns a single
action.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from gymnasium import spaces


class Policy:
    """Base class. Subclasses implement ``act(obs)`` for a 2-D batch of observations."""

    name: str = "policy"

    def act(self, obs: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, obs) -> np.ndarray:
        obs = np.asarray(obs, dtype=np.float32)
        if obs.ndim == 1:
            return self.act(obs[None])[0]
        if obs.ndim != 2:
            raise ValueError(
                f"{self.name}: expected observations of shape (obs_dim,) or (N, obs_dim), got {obs.shape}"
            )
        return self.act(obs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class FunctionPolicy(Policy):
    """Wraps a function ``obs (N, obs_dim) -> actions``."""

    def __init__(self, fn: Callable[[np.ndarray], np.ndarray], name: str | None = None):
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "function")

    def act(self, obs: np.ndarray) -> np.ndarray:
        return np.asarray(self.fn(obs))


class ModulePolicy(Policy):
    """Wraps a ``torch.nn.Module`` that maps observations to actions (or to logits)."""

    def __init__(self, module: torch.nn.Module, action_space: spaces.Space | None = None, name: str | None = None):
        self.module = module
        self.action_space = action_space
        self.name = name or type(module).__name__

    @torch.no_grad()
    def act(self, obs: np.ndarray) -> np.ndarray:
        param = next(self.module.parameters(), None)
        device = param.device if param is not None else "cpu"
        out = self.module(torch.as_tensor(obs, dtype=torch.float32, device=device)).cpu().numpy()
        if isinstance(self.action_space, spaces.Discrete):
            if out.ndim == 2 and out.shape[1] == self.action_space.n:
                return out.argmax(axis=1).astype(np.int64)
            return np.rint(out.reshape(len(obs))).astype(np.int64)
        return out.astype(np.float32)


def as_policy(policy, action_space: spaces.Space | None = None) -> Policy:
    """Turn anything that counts as a policy into a :class:`Policy` (see the module docstring)."""
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, torch.nn.Module):
        return ModulePolicy(policy, action_space)
    if callable(policy):
        return FunctionPolicy(policy)
    raise TypeError(
        f"expected a policy (an il_helpers Policy, a function obs -> actions, or a torch.nn.Module), "
        f"got {type(policy).__name__}"
    )


class RandomPolicy(Policy):
    """Uniformly random actions from the action space; seeded, so reproducible."""

    def __init__(self, action_space: spaces.Space, seed: int | None = None):
        self.action_space = action_space
        self.rng = np.random.default_rng(seed)
        self.name = "random"

    def act(self, obs: np.ndarray) -> np.ndarray:
        n = len(obs)
        if isinstance(self.action_space, spaces.Discrete):
            return self.rng.integers(0, self.action_space.n, size=n).astype(np.int64)
        low, high = self.action_space.low, self.action_space.high
        return self.rng.uniform(low, high, size=(n, *self.action_space.shape)).astype(np.float32)
