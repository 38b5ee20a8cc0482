"""Policies given as tables on a grid MDP whose observations are ``[row, col, t]`` (the gridworlds
of :mod:`il_helpers.envs.gridworlds`): :class:`TabularPolicy`, the (soft-)optimal policy of a
reward (:func:`optimal_policy`) and any policy as a table (:func:`policy_table`).

A *world* here is anything with the tabular model's attributes: ``P`` (:class:`~.mdp.Transitions`),
``horizon``, ``size``, ``n_states``, ``n_actions`` and ``obs(states, t)``.
"""

from __future__ import annotations

import numpy as np
import torch
from gymnasium import spaces

from ..core.policies import Policy, as_policy
from .mdp import as_tensor
from .solvers import soft_value_iteration, value_iteration

GRID_ACTIONS = 5  # stay, up, down, left, right


def states_from_obs(obs, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``(state index, t)`` of gridworld observations ``[row, col, t]`` of a ``size`` x ``size`` grid."""
    o = np.asarray(obs, np.float64)
    if o.ndim != 2 or o.shape[1] != 3:
        raise ValueError(f"gridworld observations are [row, col, t] rows, shape (N, 3); got {o.shape}")
    if not np.all(np.isfinite(o)) or np.any(o != np.round(o)):
        raise ValueError("gridworld observations must hold integers (row, col, t)")
    rc, t = o[:, :2].astype(np.int64), o[:, 2].astype(np.int64)
    if rc.size and (rc.min() < 0 or rc.max() >= size or t.min() < 0):
        raise ValueError(f"observation outside the {size}x{size} grid (or a negative time step)")
    return rc[:, 0] * size + rc[:, 1], t


class TabularPolicy(Policy):
    """A time-indexed policy given as a table ``pi[t, s, a]`` (T, S, A), acting on ``[row, col, t]``.

    ``sample=True`` draws actions from the table (seeded, like :class:`~il_helpers.RandomPolicy`),
    otherwise takes the most likely action. Time steps past the table's horizon use its last row.
    """

    def __init__(self, table, size: int, sample: bool = False, seed: int = 0, name: str = "tabular policy",
                 n_actions: int = GRID_ACTIONS):
        tab = np.array(table.detach().numpy() if isinstance(table, torch.Tensor) else table, np.float64)
        if tab.ndim != 3 or tab.shape[1] != size * size or tab.shape[2] != n_actions:
            raise ValueError(f"table must have shape (T, {size * size}, {n_actions}), got {tab.shape}")
        if not np.allclose(tab.sum(-1), 1.0, atol=1e-6) or tab.min() < -1e-12:
            raise ValueError(f"table rows must be probability distributions over the {n_actions} actions")
        self.table, self.size, self.sample, self.name = tab, int(size), bool(sample), name
        self.cdf = np.cumsum(tab, axis=-1)
        self.rng = np.random.default_rng(seed)

    def act(self, obs: np.ndarray) -> np.ndarray:
        s, t = states_from_obs(obs, self.size)
        t = np.minimum(t, len(self.table) - 1)
        if not self.sample:
            return self.table[t, s].argmax(axis=1).astype(np.int64)
        u = self.rng.random(len(s))[:, None]
        return np.minimum((u >= self.cdf[t, s]).sum(axis=1), self.table.shape[2] - 1).astype(np.int64)


def optimal_policy(reward, world, soft: bool = False, seed: int = 0) -> TabularPolicy:
    """The policy that is optimal (``soft=False``: greedy, hard value iteration) or soft-optimal
    (sampling) for a reward table ``reward`` (S,) on ``world``."""
    r = as_tensor(reward, dtype=torch.float64).detach()
    plan = (soft_value_iteration if soft else value_iteration)(r, world.P, world.horizon)
    return TabularPolicy(plan.policy, world.size, sample=soft, seed=seed,
                         name="soft-optimal for a reward" if soft else "optimal for a reward")


def policy_table(policy, world, horizon: int | None = None) -> torch.Tensor:
    """Any policy as a table ``pi[t, s, a]`` (T, S, A) float64, by asking it at every ``[row, col, t]``.

    A :class:`TabularPolicy` of this grid gives its own table (probabilities); any other policy
    is queried once per (t, s) and its answer one-hot encoded (exact for deterministic policies).
    """
    T = world.horizon if horizon is None else int(horizon)
    if isinstance(policy, TabularPolicy) and policy.size == world.size and len(policy.table) >= T:
        return torch.tensor(policy.table[:T])
    pol = as_policy(policy, spaces.Discrete(world.n_actions))
    S = world.n_states
    obs = world.obs(np.tile(np.arange(S), T), np.repeat(np.arange(T), S))
    actions = np.asarray(pol(obs), np.int64).reshape(T, S)
    return torch.nn.functional.one_hot(torch.as_tensor(actions), world.n_actions).to(torch.float64)
