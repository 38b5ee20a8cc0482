"""Conditional variational auto-encoder (CVAE) policies: a latent ``z`` selects the mode.

An encoder ``q(z | s, a)`` maps a state and the expert's action to a Gaussian over the latent;
a decoder maps ``(s, z)`` back to the action. BC minimizes

    ||a - dec(s, z)||^2 / (2 sigma^2) + beta KL(q(z | s, a) || N(0, I)),   z ~ q(z | s, a),

which for ``beta = 1`` (the default) is the negative evidence lower bound (ELBO, up to a constant)
and for ``beta != 1`` the beta-VAE objective (Higgins et al. 2017), not an ELBO
(a reparameterized sample ``z = mu + sigma * eps`` in training, the posterior mean in
validation), so the latent learns *which* of the expert's actions was taken (left or right).

Acting (:class:`~il_helpers.algorithms.mode_holding.ModeHoldingPolicy`): ``z`` is drawn from the
prior ``N(0, I)`` once per episode (``hold=True``: the latent is the episode's plan), at every
step (``hold=False``), or ``z = 0`` (``select="most_likely"``, the prior's mode).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.checks import check_int, check_number
from ..core.nets import mlp
from .mode_holding import ModeHoldingConfig, ModeHoldingPolicy, fit_mode_holding, seeded


@dataclass
class CVAEConfig(ModeHoldingConfig):
    """:func:`train_cvae`'s settings: the shared ones
    (:class:`~il_helpers.algorithms.mode_holding.ModeHoldingConfig`), the latent size
    ``latent_dim``, the weight ``beta`` of the KL term and the decoder's noise scale
    ``decoder_std`` (``sigma`` in the loss)."""

    latent_dim: int = 2
    beta: float = 1.0
    decoder_std: float = 0.1


def cvae_loss(actions: torch.Tensor, decoded: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor,
              beta: float, decoder_std: float) -> torch.Tensor:
    """Per-sample loss: reconstruction ``||a - dec||^2 / (2 sigma^2)`` plus ``beta`` times
    ``KL(N(mean, exp(log_var)) || N(0, I))``; ``(B, D)`` and ``(B, latent)`` -> ``(B,)``. The negative
    ELBO (up to a constant) for ``beta = 1``; the beta-VAE objective (Higgins et al. 2017) otherwise."""
    recon = ((actions - decoded) ** 2).sum(dim=1) / (2 * decoder_std**2)
    kl = 0.5 * (mean**2 + log_var.exp() - 1.0 - log_var).sum(dim=1)      # KL(q(z|s,a) || N(0, I))
    return recon + beta * kl


class CVAEPolicy(ModeHoldingPolicy):
    """A conditional VAE policy: the latent ``z`` (``latent_dim`` numbers) selects the mode.

    ``policy(obs_tensor)`` decodes with ``z = 0``; ``policy.decode(obs, z)`` with any ``z``;
    ``policy(obs_array)`` acts (see the module docstring for the choice of ``z``).
    """

    def __init__(self, obs_dim: int, act_dim: int, latent_dim: int = 2, hidden=(64, 64), beta: float = 1.0,
                 decoder_std: float = 0.1, **kwargs):
        super().__init__(obs_dim, act_dim, **kwargs)
        self.latent_dim = check_int("latent_dim", latent_dim, 1, where="CVAEPolicy")
        self.beta = check_number("beta", beta, 0.0, where="CVAEPolicy")
        self.decoder_std = check_number("decoder_std", decoder_std, 0.0, low_open=True, where="CVAEPolicy")
        with seeded(self.seed):
            self.encoder = mlp([obs_dim + act_dim, *hidden, 2 * self.latent_dim])
            self.decoder = mlp([obs_dim + self.latent_dim, *hidden, act_dim])
        self.name = f"CVAE (latent {self.latent_dim})"

    def encode(self, obs: torch.Tensor, actions: torch.Tensor):
        out = self.encoder(torch.cat([self.normalize(obs), actions], dim=1))
        mean, log_var = out[:, : self.latent_dim], out[:, self.latent_dim:].clamp(-10.0, 5.0)
        return mean, log_var

    def decode(self, obs: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(torch.cat([self.normalize(obs), z], dim=1))

    def forward(self, obs: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        if z is None:
            z = torch.zeros(len(obs), self.latent_dim, device=obs.device)
        return self.decode(obs, z)

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        actions = actions.reshape(len(actions), self.act_dim)
        mean, log_var = self.encode(obs, actions)
        # training: a reparameterized sample z = mu + sigma * eps; validation: the mean (deterministic)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var) if self.training else mean
        return cvae_loss(actions, self.decode(obs, z), mean, log_var, self.beta, self.decoder_std)

    def draw_noise(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.standard_normal((n, self.latent_dim))

    def act_with_noise(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:
        if noise is None:
            return self(x)
        return self.decode(x, torch.as_tensor(noise, dtype=x.dtype, device=x.device))


def train_cvae(demos, *, env_id: str | None = None, seed: int = 0, progress=None, config: CVAEConfig | None = None,
               **settings):
    """Behavioral cloning of a :class:`CVAEPolicy` on ``demos`` (:func:`cvae_loss`: the negative
    ELBO for ``beta = 1``, the beta-VAE objective otherwise): ``(policy, history)``.

    ``config`` (a :class:`CVAEConfig`, its fields replaced by the keyword ``settings``) sets the
    latent, the loss weights and the budget; the networks are built with ``seed`` for ``env_id``
    (default ``demos.env_id``) and trained by :func:`~il_helpers.algorithms.bc.train_bc` with the
    same seed.
    """
    return fit_mode_holding(CVAEPolicy, CVAEConfig, demos, env_id=env_id, seed=seed, progress=progress,
                              config=config, where="train_cvae", **settings)
