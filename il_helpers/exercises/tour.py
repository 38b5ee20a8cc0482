"""Notebook 00's exercise: per-episode returns of a flattened dataset."""

from __future__ import annotations

import numpy as np

from . import exercise


def _episode_return_cases():
    rng = np.random.default_rng(0)
    yield (np.array([1.0, 1.0, 1.0]), np.array([3]))
    yield (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 3]))
    for _ in range(3):
        lengths = rng.integers(1, 20, size=rng.integers(1, 8))
        yield (rng.normal(size=lengths.sum()), lengths)
    # single-step episodes, and a dataset of one step
    yield (np.array([2.0, -1.0, 0.5]), np.array([1, 1, 1]))
    yield (np.array([7.0]), np.array([1]))


@exercise("episode_returns", _episode_return_cases)
def episode_returns(rewards: np.ndarray, episode_lengths: np.ndarray) -> np.ndarray:
    """Reference: the sum of rewards of each episode of a flattened dataset."""
    ids = np.repeat(np.arange(len(episode_lengths)), episode_lengths)
    return np.bincount(ids, weights=rewards, minlength=len(episode_lengths))
