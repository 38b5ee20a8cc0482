"""Small builders the tests share (imported as ``from helpers import ...``; pytest puts tests/ on the path)."""

from __future__ import annotations

import copy

import numpy as np
import torch

import il_helpers as il
from il_helpers.core.rollout import Rollout

LK = il.LANE_KEEPING


def fake_rollout(off: np.ndarray, terminated: np.ndarray | None = None) -> Rollout:
    """A LaneKeeping-like rollout whose off-road pattern is given (E, T)."""
    off = np.asarray(off, dtype=bool)
    E, T = off.shape
    z = np.zeros((E, T, 5), np.float32)
    term = np.zeros((E, T), bool) if terminated is None else terminated
    alive = ~np.concatenate([np.zeros((E, 1), bool), np.logical_or.accumulate(term, axis=1)[:, :-1]], axis=1)
    return Rollout(env_id=LK, horizon=T, obs=z, actions=np.zeros((E, T, 1), np.float32),
                   rewards=(~off).astype(np.float32), next_obs=z.copy(), terminated=term, alive=alive,
                   infos={"cost": off.astype(np.float64), "off_road": off, "s": np.tile(np.arange(1.0, T + 1), (E, 1))})


def random_mdp(S=3, A=2, seed=0, deterministic=False):
    rng = np.random.default_rng(seed)
    if deterministic:
        P = np.zeros((S, A, S))
        P[np.arange(S)[:, None], np.arange(A)[None, :], rng.integers(0, S, (S, A))] = 1.0
    else:
        P = rng.dirichlet(np.full(S, 0.7), size=(S, A))
    return torch.as_tensor(P), torch.as_tensor(rng.normal(size=(S, A)))


def without_actions(demos):
    """The same demonstrations with garbage where the actions, executed actions and rewards were (NaN,
    set past validation): a state-only learner (BCO, GAIfO) must give the same result on them."""
    d = copy.copy(demos)
    d.actions = np.full(d.actions.shape, np.nan)
    d.taken = np.full(d.taken.shape, np.nan)
    d.rewards = np.full(d.rewards.shape, np.nan)
    return d
