"""Mixture Density Network policies (Bishop 1994): a network that outputs a *distribution* over
actions with several peaks, so a state with two correct actions keeps both.

For a state ``s`` the network outputs, for each of ``K`` components, a logit ``l_k``, a mean
``mu_k`` and a per-dimension scale ``sigma_k`` (diagonal Gaussian). The policy's density is

    pi(a | s) = sum_k w_k N(a; mu_k, diag sigma_k^2),    w = softmax(l),

and BC minimizes the negative log-likelihood of the expert's action, computed without ever
leaving log space (``exp`` of a log-density of -1000 is 0 in floating point, and its ``log``
is ``-inf``):

    -log pi(a | s) = -logsumexp_k [ log w_k + sum_j log N(a_j; mu_kj, sigma_kj^2) ].

The scales have a floor, ``sigma = sigma_min + softplus(raw)``: on a deterministic expert the
likelihood grows without bound as a scale shrinks to 0, and the floor keeps the loss (and its
gradients) finite.

Acting: a mode is a component; the action is its mean. Which component is chosen by
:class:`~il_helpers.algorithms.mode_holding.ModeHoldingPolicy` (the base of every multimodal policy
of the course): the one with the largest weight (``select="most_likely"``), or one drawn with
probability ``w_k`` (``select="sample"``), afresh at every step or, with ``hold=True``, with one
uniform ``u`` per episode: each copy picks the component where its ``u`` falls in the cumulative
weights.

Training: :func:`train_mdn` is behavioral cloning with this likelihood
(:func:`~il_helpers.algorithms.bc.train_bc` with ``policy=MDNPolicy``); :func:`fit` runs the same
minibatch loop on plain arrays, for data that are not demonstrations (Bishop's toy problem).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..core.checks import check_int, check_number
from ..core.nets import cpu_threads, mlp
from .mode_holding import ModeHoldingConfig, ModeHoldingPolicy, fit_mode_holding, seeded

LOG_2PI = math.log(2 * math.pi)
SCALE_FLOOR = 0.02  # sigma_min, in action units (actions live in [-1, 1])
INIT_SCALE = 0.1  # the components' starting scale (see MDNPolicy.init_components)


@dataclass
class MDNConfig(ModeHoldingConfig):
    """:func:`train_mdn`'s settings: the shared ones (:class:`~il_helpers.algorithms.mode_holding.ModeHoldingConfig`:
    ``select``, ``hold``, ``hidden``, ``epochs``, ``batch_size``, ``lr``, ``patience``, ``val_frac``,
    ``weight_decay``, ``state_noise``), the number of mixture components ``n_components`` and the
    floor ``min_scale`` under their scales."""

    n_components: int = 5
    min_scale: float = SCALE_FLOOR


def mdn_nll(logits: torch.Tensor, means: torch.Tensor, scales: torch.Tensor, actions: torch.Tensor,
            min_scale: float = SCALE_FLOOR) -> torch.Tensor:
    """Per-sample negative log-likelihood of ``actions`` under a Gaussian mixture.

    Shapes: ``logits (B, K)``, ``means`` and ``scales (B, K, D)``, ``actions (B, D)`` -> ``(B,)``.
    ``scales`` are floored at ``min_scale``; the sum over components is a log-sum-exp.
    """
    scales = scales.clamp_min(min_scale)
    log_w = torch.log_softmax(logits, dim=-1)                              # log w_k
    z = (actions[:, None, :] - means) / scales                             # (a - mu_k) / sigma_k
    log_n = (-0.5 * z**2 - torch.log(scales) - 0.5 * LOG_2PI).sum(dim=-1)  # log N(a; mu_k, sigma_k^2)
    return -torch.logsumexp(log_w + log_n, dim=-1)                         # -log sum_k w_k N_k


def pick_component(weights: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Index of the component where each ``u`` (in [0, 1)) falls in the cumulative ``weights``.

    ``weights (N, K)``, ``u (N,)`` -> ``(N,)`` int64: component ``k`` with probability ``w_k``.
    """
    cum = torch.cumsum(weights, dim=1)
    k = (cum < u[:, None] * cum[:, -1:]).sum(dim=1)
    return k.clamp_max(weights.shape[1] - 1)


class MDNPolicy(ModeHoldingPolicy):
    """A Mixture Density Network policy with ``n_components`` diagonal Gaussians.

    ``policy(obs_tensor)`` returns ``(logits (B, K), means (B, K, D), scales (B, K, D))``;
    ``policy(obs_array)`` returns actions (the chosen component's mean, clipped to the bounds).
    ``loss`` is :func:`mdn_nll`, so ``train_bc(demos, policy=MDNPolicy.for_env(env_id))`` trains it.
    """

    def __init__(self, obs_dim: int, act_dim: int, n_components: int = 5, hidden=(64, 64),
                 min_scale: float = SCALE_FLOOR, **kwargs):
        super().__init__(obs_dim, act_dim, **kwargs)
        self.n_components = check_int("n_components", n_components, 1, where="MDNPolicy")
        self.min_scale = check_number("min_scale", min_scale, 0.0, low_open=True, where="MDNPolicy")
        with seeded(self.seed):
            self.net = mlp([obs_dim, *hidden, self.n_components * (1 + 2 * act_dim)])
        self.needs_init = True  # the first training batch places the components (see init_components)
        self.name = f"MDN (K={self.n_components})"

    def forward(self, obs: torch.Tensor):
        out = self.net(self.normalize(obs))
        K, D = self.n_components, self.act_dim
        logits = out[:, :K]
        means = out[:, K: K + K * D].reshape(-1, K, D)
        scales = self.min_scale + nn.functional.softplus(out[:, K + K * D:]).reshape(-1, K, D)
        return logits, means, scales

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        if self.needs_init and self.training:
            self.init_components(actions)
        return mdn_nll(*self(obs), actions, min_scale=self.min_scale)

    @torch.no_grad()
    def init_components(self, actions: torch.Tensor) -> None:
        """Start each component's mean at a different expert action (farthest-point sampling).

        From a random start, one component soon explains the common, unimodal states and its
        weight grows everywhere; the others get almost no responsibility, hence no gradient,
        and never recover (a known local optimum: one broad Gaussian over both modes). Starting
        the means at well-spread actions of the data (k-means++ style, deterministic) gives
        every mode a component from the first step. Called on the first training batch.
        """
        a = actions.reshape(len(actions), self.act_dim).float()
        chosen = [int(torch.argmin(((a - a.mean(0)) ** 2).sum(1)))]  # the most typical action first
        dist = ((a - a[chosen[0]]) ** 2).sum(1)
        for _ in range(1, self.n_components):
            chosen.append(int(torch.argmax(dist)))
            dist = torch.minimum(dist, ((a - a[chosen[-1]]) ** 2).sum(1))
        K, D = self.n_components, self.act_dim
        last = self.net[-1]
        last.weight[K:] *= 0.1
        last.bias[K: K + K * D] = a[chosen].reshape(-1)
        # narrow starting scales (0.1), so each component is responsible for the actions near it
        last.bias[K + K * D:] = math.log(math.expm1(max(INIT_SCALE - self.min_scale, 1e-3)))
        self.needs_init = False

    def act_with_noise(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:
        logits, means, _ = self(x)
        if noise is None:
            k = logits.argmax(dim=1)
        else:
            k = pick_component(torch.softmax(logits, dim=1), torch.as_tensor(noise, dtype=logits.dtype))
        return means[torch.arange(len(x)), k]

    @torch.no_grad()
    def mixture(self, obs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(weights (N, K), means (N, K, D), scales (N, K, D))`` as numpy arrays."""
        logits, means, scales = self(torch.as_tensor(np.atleast_2d(obs), dtype=torch.float32))
        return torch.softmax(logits, 1).numpy(), means.numpy(), scales.numpy()

    @torch.no_grad()
    def log_prob(self, obs, actions) -> np.ndarray:
        """``log pi(a | s)`` for matching rows of observations and actions, shape (N,)."""
        x = torch.as_tensor(np.atleast_2d(obs), dtype=torch.float32)
        a = torch.as_tensor(np.asarray(actions, np.float32).reshape(len(x), self.act_dim))
        return (-self.loss(x, a)).numpy()

    @torch.no_grad()
    def sample(self, obs, n_samples: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """``n_samples`` actions drawn from the full mixture at each observation: ``(N, n_samples, D)``
        (a component by its weight, then Gaussian noise with its scale; not clipped)."""
        rng = np.random.default_rng(0) if rng is None else rng
        w, mu, sigma = self.mixture(obs)
        N = len(w)
        u = rng.random((N, n_samples))
        k = np.minimum((np.cumsum(w, axis=1)[:, None, :] < u[..., None]).sum(axis=2), self.n_components - 1)
        rows = np.arange(N)[:, None]
        eps = rng.standard_normal((N, n_samples, self.act_dim))
        return (mu[rows, k] + sigma[rows, k] * eps).astype(np.float32)


def train_mdn(demos, *, env_id: str | None = None, seed: int = 0, progress=None, config: MDNConfig | None = None,
              **settings):
    """Behavioral cloning of an :class:`MDNPolicy` on ``demos``: ``(policy, history)``.

    ``config`` (an :class:`MDNConfig`, its fields replaced by the keyword ``settings``) sets the
    mixture and the budget; the network is built with ``seed`` for ``env_id`` (default
    ``demos.env_id``) and trained by :func:`~il_helpers.algorithms.bc.train_bc` with the same seed.
    """
    return fit_mode_holding(MDNPolicy, MDNConfig, demos, env_id=env_id, seed=seed, progress=progress,
                              config=config, where="train_mdn", **settings)


def fit(model: nn.Module, inputs: np.ndarray, targets: np.ndarray, loss=None, epochs: int = 300,
        batch_size: int = 100, lr: float = 3e-3, seed: int = 0) -> list[float]:
    """Fit ``model`` on arrays with Adam; return the mean loss of each epoch.

    ``loss(model, x, y) -> per-sample loss`` defaults to ``model.loss(x, y)`` (an MDN); pass
    e.g. ``lambda m, x, y: ((m(x) - y) ** 2).sum(1)`` for least squares. For data that are not
    :class:`~il_helpers.Demonstrations` (the toy problem); demonstrations go to ``train_bc``.
    Deterministic for a given ``seed``; the global torch RNG is left as it was.
    """
    loss = loss or (lambda m, x, y: m.loss(x, y))
    x, y = torch.as_tensor(inputs, dtype=torch.float32), torch.as_tensor(targets, dtype=torch.float32)
    history = []
    with torch.random.fork_rng(devices=[]), cpu_threads(1):
        torch.manual_seed(seed)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        model.train()
        for _ in range(epochs):
            perm, total = torch.randperm(len(x)), 0.0
            for i in range(0, len(x), batch_size):
                idx = perm[i: i + batch_size]
                batch_loss = loss(model, x[idx], y[idx]).mean()
                opt.zero_grad()
                batch_loss.backward()
                opt.step()
                total += batch_loss.item() * len(idx)
            history.append(total / len(x))
    model.eval()
    return history
