"""Notebook 06's exercise: the negative log-likelihood of a Gaussian mixture, computed stably."""

from __future__ import annotations

import numpy as np

from . import exercise


def _mixture_nll_cases():
    rng = np.random.default_rng(0)
    # one component, one dimension: the Gaussian NLL
    yield (np.zeros((1, 1)), np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.array([[1.0]]))
    # two equal components at -1 and +1, target at +1
    yield (np.zeros((1, 2)), np.array([[[-1.0], [1.0]]]), np.full((1, 2, 1), 0.5), np.array([[1.0]]))
    for n, k, d in ((5, 3, 1), (4, 5, 2)):
        yield (rng.normal(size=(n, k)), rng.normal(size=(n, k, d)), rng.uniform(0.1, 1.0, (n, k, d)),
               rng.normal(size=(n, d)))
    # far from every component, with narrow scales: exp(log N) underflows to 0 in float64, so
    # "exp, sum, then log" gives inf here; log-sum-exp does not
    yield (np.array([[0.0, 2.0, -1.0]]), np.array([[[0.0], [0.5], [1.0]]]), np.array([[[0.01], [0.02], [0.01]]]),
           np.array([[100.0]]))
    # very unequal logits (softmax by hand overflows without the max trick)
    yield (np.array([[800.0, -800.0]]), np.array([[[0.0], [3.0]]]), np.ones((1, 2, 1)), np.array([[2.9]]))


@exercise("mixture_nll", _mixture_nll_cases)
def mixture_nll(logits: np.ndarray, means: np.ndarray, scales: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Reference: ``-log sum_k softmax(logits)_k N(targets; means_k, diag scales_k^2)`` per row.

    Shapes: logits (N, K), means and scales (N, K, D), targets (N, D) -> (N,).
    """
    logits, means, scales, targets = (np.asarray(a, dtype=np.float64) for a in (logits, means, scales, targets))
    m = logits.max(axis=1, keepdims=True)
    log_w = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))      # log softmax
    z = (targets[:, None, :] - means) / scales
    log_n = (-0.5 * z**2 - np.log(scales) - 0.5 * np.log(2 * np.pi)).sum(axis=2)     # log N_k
    a = log_w + log_n
    top = a.max(axis=1, keepdims=True)
    return -(top[:, 0] + np.log(np.exp(a - top).sum(axis=1)))                        # -logsumexp_k
