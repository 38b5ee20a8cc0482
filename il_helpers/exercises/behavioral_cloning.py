"""Notebook 02's exercises: the two BC losses, and the noise-injection (DART) collector."""

from __future__ import annotations

import numpy as np
import torch

from . import exercise


def _cross_entropy_cases():
    g = torch.Generator().manual_seed(0)
    yield (torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([0, 0]))
    for batch, k in ((5, 2), (8, 3), (6, 4)):
        yield (torch.randn(batch, k, generator=g) * 3, torch.randint(0, k, (batch,), generator=g))
    # large logits: exp() overflows in float32, log_softmax / logsumexp does not
    yield (torch.tensor([[100.0, -100.0, 0.0], [-90.0, 95.0, 3.0]]), torch.tensor([1, 1]))
    # a batch of one sample, the label on the last class
    yield (torch.tensor([[0.3, -0.2, 5.0]]), torch.tensor([2]))


@exercise("bc_cross_entropy", _cross_entropy_cases)
def bc_cross_entropy(logits: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Reference: per-sample ``-log softmax(logits)[a*]``, shape (B,)."""
    return -torch.log_softmax(logits, dim=1).gather(1, actions[:, None])[:, 0]


def _gaussian_nll_cases():
    g = torch.Generator().manual_seed(1)
    yield (torch.zeros(3, 1), torch.zeros(3, 1), torch.tensor([[0.0], [1.0], [-2.0]]))
    for batch, k in ((4, 1), (6, 2), (5, 3)):
        yield (torch.randn(batch, k, generator=g), torch.randn(batch, k, generator=g).clamp(-3, 1),
               torch.randn(batch, k, generator=g))
    # a batch of one sample; a narrow and a wide dimension (sigma = exp(log_std), not log_std itself)
    yield (torch.zeros(1, 2), torch.tensor([[-5.0, 2.0]]), torch.tensor([[0.01, -3.0]]))


@exercise("bc_gaussian_nll", _gaussian_nll_cases)
def gaussian_nll(mean: torch.Tensor, log_std: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Reference: per-sample ``sum_j (a_j - mu_j)^2 / (2 sigma_j^2) + log sigma_j``, shape (B,)
    (the constant ``log sqrt(2 pi)`` per dimension dropped, as in :func:`il_helpers.algorithms.bc.bc_loss`)."""
    return (0.5 * ((actions - mean) / log_std.exp()) ** 2 + log_std).sum(dim=1)


def _dart_cases():
    from ..envs.registry import LANE_KEEPING

    yield (LANE_KEEPING, 3, 20, 0.3, 0)
    yield (LANE_KEEPING, 2, 12, 0.0, 1)
    yield ("Pendulum-v1", 2, 15, 0.2, 2)


@exercise("dart_rollout", _dart_cases)
def dart_rollout(env_id: str, n_episodes: int, horizon: int, noise: float, seed: int) -> np.ndarray:
    """Reference: drive the expert with Gaussian action noise, DART-style.

    At every step: ``label = expert(obs)``; ``executed = clip(label + noise * (high - low) / 2 *
    rng.normal(size=label.shape), low, high)`` with ``rng = np.random.default_rng(seed)``;
    step the env (``env.reset(seed=seed)`` first) with ``executed``. Returns
    ``np.stack([executed, labels])``, shape (2, E, T, act_dim).
    """
    from ..envs.registry import get_expert, make_batched

    env = make_batched(env_id, n_episodes, horizon=horizon)
    expert = get_expert(env_id)
    low, high = env.action_space.low, env.action_space.high
    rng = np.random.default_rng(seed)
    obs = env.reset(seed=seed)
    executed, labels = [], []
    for _ in range(horizon):
        label = expert(obs)
        action = np.clip(label + noise * (high - low) / 2 * rng.normal(size=label.shape), low, high)
        obs, _, _, _ = env.step(action)
        executed.append(action)
        labels.append(label)
    return np.stack([np.stack(executed, axis=1), np.stack(labels, axis=1)])
