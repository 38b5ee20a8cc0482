"""Notebook 04's exercises: the soft Bellman backup and the visitation forward pass (numpy, dense P)."""

from __future__ import annotations

import numpy as np

from . import exercise


def _random_mdp(rng, S, A):
    P = rng.dirichlet(np.full(S, 0.5), size=(S, A))  # (S, A, S), rows sum to 1
    return P


def _backup_cases():
    rng = np.random.default_rng(4)
    # one state, two actions that both stay: V = r + log 2 + v_next
    yield (np.array([1.0]), np.ones((1, 2, 1)), np.array([0.5]))
    for S, A in ((3, 2), (5, 4), (8, 5)):
        yield (rng.normal(size=S), _random_mdp(rng, S, A), rng.normal(size=S) * 3)
    # large values: exp(800) overflows, so this case needs the log-sum-exp trick
    yield (np.array([800.0, -800.0, 0.0]), _random_mdp(rng, 3, 2), np.array([10.0, 900.0, -5.0]))


@exercise("soft_bellman_backup", _backup_cases)
def soft_bellman_backup(reward: np.ndarray, P: np.ndarray, v_next: np.ndarray) -> np.ndarray:
    """Reference: ``V_t(s) = log sum_a exp(Q_t(s,a))`` with ``Q_t(s,a) = r(s) + sum_s' P(s'|s,a) V_{t+1}(s')``.

    ``reward`` (S,), ``P`` (S, A, S) with ``P[s, a, s'] = P(s'|s,a)``, ``v_next`` (S,); returns (S,).
    """
    q = reward[:, None] + P @ v_next                     # (S, A)
    m = q.max(axis=1, keepdims=True)                     # subtract the max: exp never overflows
    return (m + np.log(np.exp(q - m).sum(axis=1, keepdims=True)))[:, 0]


def _forward_cases():
    rng = np.random.default_rng(5)
    # a deterministic 2-state swap: the mass alternates
    swap = np.zeros((2, 1, 2))
    swap[0, 0, 1] = swap[1, 0, 0] = 1.0
    yield (np.array([1.0, 0.0]), np.ones((4, 2, 1)), swap)
    for S, A, T in ((3, 2, 4), (6, 3, 7), (10, 5, 12)):
        policy = rng.dirichlet(np.ones(A), size=(T, S))  # (T, S, A)
        yield (rng.dirichlet(np.ones(S)), policy, _random_mdp(rng, S, A))
    # a horizon of one step: D is the start distribution alone
    yield (np.array([0.2, 0.8]), np.full((1, 2, 3), 1 / 3), _random_mdp(rng, 2, 3))


@exercise("visitation_forward_pass", _forward_cases)
def visitation_forward_pass(start: np.ndarray, policy: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Reference: ``D_0 = start``, ``D_{t+1}(s') = sum_{s,a} D_t(s) pi_t(a|s) P(s'|s,a)``.

    ``start`` (S,), ``policy`` (T, S, A), ``P`` (S, A, S); returns ``D`` (T, S).
    """
    T = policy.shape[0]
    D = np.zeros((T, len(start)))
    D[0] = start
    for t in range(T - 1):
        D[t + 1] = np.einsum("s,sa,sap->p", D[t], policy[t], P)
    return D
