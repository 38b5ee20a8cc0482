"""Discretized-action policies: each action dimension cut into ``n_bins`` bins and a softmax over
the bins, so the policy is a categorical distribution, which can have any number of peaks.

For a state ``s`` the network outputs, for each action dimension ``j``, logits over the bin
centres ``c_1 .. c_n`` (evenly spaced over the action bounds). BC minimizes the cross-entropy of
the expert's bin (the bin nearest to its action), summed over the dimensions:

    -log pi(a* | s) = -sum_j log softmax(logits_j)[bin(a*_j)].

The dimensions are independent given the state (a product of categoricals), which is enough
when, as on ObstacleFork, the modes differ along one dimension.

Acting (:class:`~il_helpers.algorithms.mode_holding.ModeHoldingPolicy`): the most likely bin
(``select="most_likely"``), or a bin drawn from the categorical, with one uniform per copy and
dimension held for the episode (``hold=True``: the inverse-CDF trick of the MDN) or drawn afresh
at every step. The action is the chosen bin's centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..core.checks import check_int
from ..core.nets import mlp
from .mode_holding import ModeHoldingConfig, ModeHoldingPolicy, fit_mode_holding, seeded


@dataclass
class DiscretizedConfig(ModeHoldingConfig):
    """:func:`train_discretized`'s settings: the shared ones
    (:class:`~il_helpers.algorithms.mode_holding.ModeHoldingConfig`) and ``n_bins``, the number of
    evenly spaced values per action dimension."""

    n_bins: int = 21


def discretized_loss(logits: torch.Tensor, target_bins: torch.Tensor) -> torch.Tensor:
    """Per-sample cross-entropy ``-sum_j log p(bin_j | s)``: ``logits (B, D, n_bins)``,
    ``target_bins (B, D)`` int64 -> ``(B,)``."""
    ce = nn.functional.cross_entropy(logits.transpose(1, 2), target_bins, reduction="none")  # (B, D)
    return ce.sum(dim=1)


class DiscretizedPolicy(ModeHoldingPolicy):
    """A categorical over ``n_bins`` evenly spaced values per action dimension.

    ``policy(obs_tensor)`` returns logits ``(B, D, n_bins)``; ``policy(obs_array)`` returns the
    chosen bins' centres. ``loss`` is :func:`discretized_loss` of the expert's nearest bins, so
    ``train_bc(demos, policy=DiscretizedPolicy.for_env(env_id))`` trains it.
    """

    def __init__(self, obs_dim: int, act_dim: int, n_bins: int = 21, hidden=(64, 64), **kwargs):
        super().__init__(obs_dim, act_dim, **kwargs)
        self.n_bins = check_int("n_bins", n_bins, 2, where="DiscretizedPolicy")
        low = -np.ones(act_dim) if self.action_low is None else self.action_low
        high = np.ones(act_dim) if self.action_high is None else self.action_high
        centres = np.linspace(low, high, self.n_bins, axis=1)  # (D, n_bins)
        self.register_buffer("centres", torch.as_tensor(centres, dtype=torch.float32))
        with seeded(self.seed):
            self.net = mlp([obs_dim, *hidden, act_dim * self.n_bins])
        self.name = f"discretized ({self.n_bins} bins)"

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(self.normalize(obs)).reshape(-1, self.act_dim, self.n_bins)

    def bin_of(self, actions: torch.Tensor) -> torch.Tensor:
        """The nearest bin of each action component, ``(B, D)`` int64."""
        return (actions[:, :, None] - self.centres[None]).abs().argmin(dim=2)

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        return discretized_loss(self(obs), self.bin_of(actions.reshape(len(actions), self.act_dim)))

    def draw_noise(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.random((n, self.act_dim))

    def act_with_noise(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:
        logits = self(x)
        if noise is None:
            k = logits.argmax(dim=2)
        else:
            cum = torch.cumsum(torch.softmax(logits, dim=2), dim=2)          # (B, D, n_bins)
            u = torch.as_tensor(noise, dtype=cum.dtype)[:, :, None]
            k = (cum < u * cum[:, :, -1:]).sum(dim=2).clamp_max(self.n_bins - 1)
        return torch.gather(self.centres.expand(len(x), -1, -1), 2, k[:, :, None])[:, :, 0]

    @torch.no_grad()
    def probabilities(self, obs) -> np.ndarray:
        """Bin probabilities ``(N, D, n_bins)`` at the given observations (numpy)."""
        return torch.softmax(self(torch.as_tensor(np.atleast_2d(obs), dtype=torch.float32)), dim=2).numpy()


def train_discretized(demos, *, env_id: str | None = None, seed: int = 0, progress=None,
                      config: DiscretizedConfig | None = None, **settings):
    """Behavioral cloning of a :class:`DiscretizedPolicy` on ``demos``: ``(policy, history)``.

    ``config`` (a :class:`DiscretizedConfig`, its fields replaced by the keyword ``settings``) sets
    the bins and the budget; the network is built with ``seed`` for ``env_id`` (default
    ``demos.env_id``) and trained by :func:`~il_helpers.algorithms.bc.train_bc` with the same seed.
    """
    return fit_mode_holding(DiscretizedPolicy, DiscretizedConfig, demos, env_id=env_id, seed=seed,
                              progress=progress, config=config, where="train_discretized", **settings)
