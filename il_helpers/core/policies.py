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
from torch import nn

from .checks import check_seed
from .nets import STD_FLOOR, cpu_threads, normalization_stats


class Policy:
    """Base class. Subclasses implement ``act(obs)`` for a 2-D batch of observations."""

    name: str = "policy"

    def act(self, obs: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, obs) -> np.ndarray:
        try:
            obs = np.asarray(obs, dtype=np.float32)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{self.name}: observations must be numbers, an array of shape (obs_dim,) or "
                            f"(N, obs_dim), got {type(obs).__name__} ({e})") from None
        if obs.ndim == 1:
            return self.act(obs[None])[0]
        if obs.ndim != 2:
            raise ValueError(
                f"{self.name}: expected observations of shape (obs_dim,) or (N, obs_dim), got {obs.shape}"
            )
        return self.act(obs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Expert(Policy):
    """An expert policy for one environment, queryable anywhere: ``act`` maps a batch of
    observations ``(N, obs_dim)`` to ``(N,)`` int64 (discrete) or ``(N, act_dim)`` float32 actions."""

    env_id: str = ""
    name: str = "expert"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(env_id={self.env_id!r}, name={self.name!r})"


class TorchPolicy(nn.Module, Policy):
    """Base of every network policy in the course: it owns the observation normalization
    (``obs_mean`` / ``obs_std`` buffers), the action bounds and the numpy/tensor dispatch.

    Called on a **tensor** it is a ``nn.Module`` (``forward``: the network's raw output, for the
    losses); called on a **numpy** batch (or a single observation) it is a :class:`Policy` and
    returns actions: ``act`` runs :meth:`_act` on one CPU thread in eval mode, without gradients,
    and clips continuous actions to the bounds. Subclasses implement ``forward`` and ``_act``.
    """

    def __init__(self, obs_dim: int, act_dim: int, action_low=None, action_high=None):
        nn.Module.__init__(self)
        self.obs_dim, self.act_dim = int(obs_dim), int(act_dim)
        self.register_buffer("obs_mean", torch.zeros(self.obs_dim))
        self.register_buffer("obs_std", torch.ones(self.obs_dim))
        self.action_low = None if action_low is None else np.asarray(action_low, np.float32)
        self.action_high = None if action_high is None else np.asarray(action_high, np.float32)

    def set_normalization(self, obs=None, *, mean=None, std=None, floor: float = STD_FLOOR) -> None:
        """Fix the normalization: to the statistics of ``obs`` (N, obs_dim), or to given ``mean``
        and ``std`` (e.g. the expert's, shared by several learners)."""
        if obs is not None:
            mean, std = normalization_stats(obs, floor)
        self.obs_mean.copy_(torch.as_tensor(np.asarray(mean, np.float32)))
        self.obs_std.copy_(torch.as_tensor(np.asarray(std, np.float32)))

    def normalize(self, obs: torch.Tensor) -> torch.Tensor:
        return (obs - self.obs_mean) / self.obs_std

    def __call__(self, obs, *args, **kwargs):
        if isinstance(obs, torch.Tensor):
            return nn.Module.__call__(self, obs, *args, **kwargs)
        return Policy.__call__(self, obs)

    @torch.no_grad()
    def act(self, obs: np.ndarray) -> np.ndarray:
        was_training = self.training
        self.eval()
        try:
            with cpu_threads(1 if self.obs_mean.device.type == "cpu" else None):
                x = torch.as_tensor(obs, dtype=torch.float32, device=self.obs_mean.device)
                if x.ndim != 2 or x.shape[1] != self.obs_dim:
                    trained = getattr(self, "env_id", None)
                    raise ValueError(
                        f"{type(self).__name__}.act: this policy was built for {self.obs_dim}-d observations"
                        f"{f' ({trained})' if trained else ''}, got observations of shape {tuple(x.shape)}; "
                        f"give it (N, {self.obs_dim}) observations of the environment it was trained on")
                actions = self._act(x).cpu().numpy()
        finally:
            self.train(was_training)
        if actions.dtype.kind in "iu":
            return actions.astype(np.int64)
        actions = actions.astype(np.float32)
        if self.action_low is not None:
            actions = np.clip(actions, self.action_low, self.action_high).astype(np.float32)
        return actions

    def _act(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        """Actions for a float tensor of observations: int64 indices (discrete) or floats."""
        raise NotImplementedError


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
        self.rng = np.random.default_rng(None if seed is None else check_seed("seed", seed, "RandomPolicy"))
        self.name = "random"

    def act(self, obs: np.ndarray) -> np.ndarray:
        n = len(obs)
        if isinstance(self.action_space, spaces.Discrete):
            return self.rng.integers(0, self.action_space.n, size=n).astype(np.int64)
        low, high = self.action_space.low, self.action_space.high
        return self.rng.uniform(low, high, size=(n, *self.action_space.shape)).astype(np.float32)
