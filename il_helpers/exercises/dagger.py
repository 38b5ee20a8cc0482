"""Notebook 03's exercises: a beta schedule, and DAgger's aggregation loop on a toy problem."""

from __future__ import annotations

import numpy as np

from . import exercise

# -- a beta schedule ----------------------------------------------------------------------------


def _beta_cases():
    for i in (0, 1, 2, 5):
        yield ("indicator", None, i)
    for p in (0.5, 0.9, 0.0, 1.0):
        for i in (0, 1, 3):
            yield ("exponential", p, i)
    for n in (4, 2.5, 1):
        for i in (0, 1, 2, 3, 6):
            yield ("linear", n, i)
    for c in (0.3, 0.0):
        for i in (0, 1, 4):
            yield ("constant", c, i)


@exercise("beta_schedule", _beta_cases)
def beta_schedule(kind: str, param, i: int) -> float:
    """Reference: beta_i, the probability that the expert acts at iteration ``i``.

    beta_0 = 1 for every schedule (iteration 0 is the expert's data); for i >= 1:
    "constant": param; "linear": max(0, 1 - i / param); "exponential": param ** i;
    "indicator": 0.
    """
    if i == 0:
        return 1.0
    if kind == "constant":
        return float(param)
    if kind == "linear":
        return float(max(0.0, 1.0 - i / param))
    if kind == "exponential":
        return float(param ** i)
    if kind == "indicator":
        return 0.0
    raise ValueError(f"unknown schedule {kind!r}")


# -- the aggregation loop on a toy problem ---------------------------------------------------------
# The toy: a 1-D "car" at position x obeys x' = x + a + gust; the expert steers a* = -0.8 x + 0.3;
# a policy is a line (w, b) fitted by least squares; collecting drives 30 steps from a start
# that depends on the iteration. Everything is seeded, so two correct loops agree exactly.


def toy_expert(states: np.ndarray) -> np.ndarray:
    """The toy expert's labels: a* = -0.8 x + 0.3."""
    return -0.8 * np.asarray(states, np.float64) + 0.3


def toy_train(X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least squares: the line (w, b) with y ~ w x + b."""
    w, b = np.polyfit(np.asarray(X, np.float64), np.asarray(y, np.float64), 1)
    return float(w), float(b)


def toy_collect(policy: tuple[float, float], i: int, steps: int = 30) -> np.ndarray:
    """The states the toy car visits in ``steps`` steps driven by ``policy = (w, b)`` at iteration i."""
    rng = np.random.default_rng([7, i])
    w, b = policy
    x, visited = float(rng.uniform(-3, 3)), []
    for _ in range(steps):
        visited.append(x)
        x = x + np.clip(w * x + b, -1, 1) + rng.normal(0, 0.3)
    return np.array(visited)


def toy_expert_data(n: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` expert (state, label) pairs near the expert's own fixed point x = 0.3 / 0.8."""
    X = np.random.default_rng(seed).normal(0.375, 0.1, n)
    return X, toy_expert(X)


def _loop_cases():
    for n_iterations, n, seed in ((0, 10, 0), (1, 10, 0), (3, 10, 1), (5, 4, 2)):
        X0, y0 = toy_expert_data(n, seed)
        yield (X0, y0, toy_collect, toy_expert, toy_train, n_iterations)


@exercise("dagger_loop", _loop_cases)
def dagger_loop(X0, y0, collect, expert, train, n_iterations: int):
    """Reference: DAgger's loop. Start from the expert data (X0, y0); for i = 1..n_iterations:
    train a policy on all the data so far, ``collect(policy, i)`` the states it visits, label
    them with ``expert(states)``, and aggregate. Return the aggregated ``(X, y)``."""
    X, y = np.asarray(X0, np.float64), np.asarray(y0, np.float64)
    for i in range(1, n_iterations + 1):
        policy = train(X, y)                  # pi_i <- supervised learning on D
        states = collect(policy, i)           # the states pi_i visits
        X = np.concatenate([X, states])       # D <- D + {(s, pi*(s))}
        y = np.concatenate([y, expert(states)])
    return X, y
