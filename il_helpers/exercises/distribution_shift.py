"""Notebook 01's exercise: the error-accumulation sum behind BC's eps T^2."""

from __future__ import annotations

import numpy as np

from . import exercise


def _expected_cost_cases():
    yield (0.1, np.array([1, 2, 3]))
    yield (0.0, np.array([10, 100]))
    yield (1.0, np.array([1, 5, 50]))
    yield (1e-3, np.array([10, 100, 1000, 10_000]))
    rng = np.random.default_rng(1)
    for _ in range(3):
        yield (float(rng.uniform(0, 0.2)), np.unique(rng.integers(1, 500, size=6)))


@exercise("expected_cost", _expected_cost_cases)
def expected_cost(eps: float, horizons: np.ndarray) -> np.ndarray:
    """Reference: for each T in ``horizons``, sum_{t=1..T} [1 - (1 - eps)^t], the expected cost
    of a learner that errs with probability eps per step and pays 1 per step once it has erred."""
    horizons = np.asarray(horizons)
    t = np.arange(1, horizons.max() + 1)
    per_step = 1.0 - (1.0 - eps) ** t           # P(at least one mistake in the first t steps)
    return np.cumsum(per_step)[horizons - 1]    # J(T) = sum of the per-step costs up to T
