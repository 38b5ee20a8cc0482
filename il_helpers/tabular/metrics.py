"""How close a learned reward or policy is to the truth, exactly, on a tabular MDP.

* :func:`empirical_visitation` and :func:`feature_expectations`: what demonstrations visit, and
  the feature counts ``mu = sum_t sum_s D_t(s) phi(s)``;
* :func:`expected_value_difference` (:class:`EVD`): the true-reward value lost by optimizing a
  learned reward; :func:`reward_correlation`; :func:`feature_count_error`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .mdp import as_tensor
from .solvers import policy_value, value_iteration


def empirical_visitation(states, n_states: int) -> torch.Tensor:
    """The demonstrations' visitation ``D^E_t(s)``: the fraction of episodes in ``s`` at step ``t``.

    ``states``: (E, T) integer state indices. Returns (T, S) float64, each row summing to 1.
    """
    s = as_tensor(np.asarray(states))
    if s.dim() != 2 or s.shape[0] < 1 or s.dtype not in (torch.int64, torch.int32):
        raise ValueError("states must be an (E, T) integer array with E >= 1, "
                         f"got shape {tuple(s.shape)} dtype {s.dtype}")
    if int(s.min()) < 0 or int(s.max()) >= n_states:
        raise ValueError(f"states must lie in 0..{n_states - 1}")
    E, T = s.shape
    D = torch.zeros(T, n_states, dtype=torch.float64)
    D.scatter_add_(1, s.T.to(torch.int64), torch.full((T, E), 1.0 / E, dtype=torch.float64))
    return D


def feature_expectations(visitation, features) -> torch.Tensor:
    """Expected feature counts ``mu = sum_t sum_s D_t(s) phi(s)``: (..., T, S) x (S, F) -> (..., F)."""
    D = as_tensor(visitation)
    phi = as_tensor(features, dtype=D.dtype)
    return D.sum(-2) @ phi


@dataclass
class EVD:
    """Expected value difference: the true-reward value lost by optimizing the learned reward."""

    evd: float           # v_optimal - v_learned
    relative: float      # evd / v_optimal
    v_optimal: float     # value (true reward) of the optimal policy, from the start distribution
    v_learned: float     # value (true reward) of the policy optimal for the learned reward

    def __repr__(self) -> str:
        return (f"EVD({self.evd:.3f} = {100 * self.relative:.2f}% of the optimal value {self.v_optimal:.2f}; "
                f"learned policy {self.v_learned:.2f})")


def expected_value_difference(learned_reward, P, start, horizon: int, true_reward) -> EVD:
    """``EVD = V^{pi*}(D_0) - V^{pi_hat}(D_0)`` under the true reward, where ``pi*`` is optimal for
    the true reward and ``pi_hat`` optimal (hard value iteration) for the learned one."""
    true_r = as_tensor(true_reward, dtype=torch.float64)
    learned = as_tensor(learned_reward, dtype=torch.float64).detach()
    if learned.shape != true_r.shape:
        raise ValueError(f"learned reward shape {tuple(learned.shape)} differs from the true one {tuple(true_r.shape)}")
    v_opt = float(policy_value(value_iteration(true_r, P, horizon).policy, true_r, P, start))
    v_hat = float(policy_value(value_iteration(learned, P, horizon).policy, true_r, P, start))
    return EVD(evd=v_opt - v_hat, relative=(v_opt - v_hat) / abs(v_opt) if v_opt else float("nan"),
               v_optimal=v_opt, v_learned=v_hat)


def reward_correlation(a, b) -> float:
    """Pearson correlation of two rewards over the states (scale- and shift-invariant)."""
    x = as_tensor(a).detach().to(torch.float64).numpy().ravel()
    y = as_tensor(b).detach().to(torch.float64).numpy().ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"rewards must have the same number (>= 2) of entries, got {x.size} and {y.size}")
    if x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def feature_count_error(expert_visitation, visitation, features) -> float:
    """``|| mu_E - mu ||_2``: how far the model's expected feature counts are from the expert's."""
    phi = as_tensor(np.asarray(features), dtype=torch.float64)
    gap = feature_expectations(as_tensor(expert_visitation, dtype=torch.float64), phi) - \
        feature_expectations(as_tensor(visitation, dtype=torch.float64), phi)
    return float(gap.norm())
