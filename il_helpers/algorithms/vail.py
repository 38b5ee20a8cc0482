"""VAIL: GAIL with a variational discriminator bottleneck (Peng et al. 2019), notebook 09.

The discriminator encodes a pair ``x = [s, a, absorbing]`` to a Gaussian ``q(z | x) = N(mu(x), sigma(x)^2)``
and classifies ``z``: ``D = sigmoid(head(z))``. The mutual information between ``x`` and ``z`` is
bounded by ``E_x KL(q(z | x) || N(0, I)) <= I_c``, enforced with a Lagrange multiplier:

.. math::  \\min_D \\; \\mathcal{L}_{BCE}(D) + \\beta \\, (\\mathbb{E}_x[\\mathrm{KL}(q(z|x) \\,\\|\\, N(0, I))] - I_c),
           \\qquad \\beta \\leftarrow \\max(0, \\beta + \\alpha_\\beta (\\mathbb{E}[\\mathrm{KL}] - I_c)).

While the discriminator trains (gradients enabled) ``z`` is sampled by the reparametrization
``z = mu + sigma * eps``; the rewards and diagnostics (computed under ``torch.no_grad``) use the mean
``z = mu``, as in the paper. The loop of :mod:`~il_helpers.algorithms.adversarial` is used unchanged:
the bottleneck term enters through :meth:`Discriminator.penalty`, which also takes the dual step.

Settings: ``I_c = 0.5`` is the paper's (and its public implementations'). The paper's dual step
``alpha_beta = 1e-5`` is sized for runs with ~10^5 discriminator updates; the course's runs make ~200
(40 iterations x 5 steps), where beta would not move from its start, so the default here is
``beta_lr = 1e-3`` per update from ``beta_init = 0.1`` (``history.beta`` records it per iteration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from ..core.checks import check_int, check_number, make_config
from ..core.demonstrations import Demonstrations
from .adversarial import (
    AdversarialConfig,
    AdversarialHistory,
    Discriminator,
    Inputs,
    adversarial_loop,
    discriminator_net,
)
from .ppo import ActorCritic


@dataclass
class VAILConfig(AdversarialConfig):
    """VAIL's configuration: the shared adversarial knobs, the information constraint ``i_c`` (nats),
    the dual step ``beta_lr``, the multiplier's start ``beta_init`` and the latent dimension."""

    # notebook 09's stability study measured VAIL at the adversarial loop's earlier settings: kept
    d_steps: int = 5
    d_lr: float = 3e-4
    reward_scale: bool = False
    i_c: float = 0.5
    beta_lr: float = 1e-3
    beta_init: float = 0.1
    latent_dim: int = 8

    def __post_init__(self):
        super().__post_init__()
        check_number("i_c", self.i_c, 0.0, low_open=True, where="VAILConfig")
        check_number("beta_lr", self.beta_lr, 0.0, where="VAILConfig")
        check_number("beta_init", self.beta_init, 0.0, where="VAILConfig")
        check_int("latent_dim", self.latent_dim, 1, where="VAILConfig")


def gaussian_kl(mu: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """``KL(N(mu, sigma^2) || N(0, I))`` per row: ``1/2 sum(mu^2 + sigma^2 - 2 log sigma - 1)``."""
    return 0.5 * (mu.pow(2) + torch.exp(2 * log_std) - 2 * log_std - 1).sum(-1)


class VAILDiscriminator(Discriminator):
    """Encoder ``x -> (mu, log sigma)`` and head ``z -> logit``; ``beta`` is the dual variable."""

    def __init__(self, inputs: Inputs, cfg: VAILConfig, seed: int = 0):
        super().__init__(inputs)
        *hidden, = cfg.d_hidden
        self.encoder = discriminator_net([inputs.dim, *hidden, 2 * cfg.latent_dim], cfg.spectral_norm)
        self.head = nn.Linear(cfg.latent_dim, 1)
        self.i_c, self.beta_lr, self.beta = float(cfg.i_c), float(cfg.beta_lr), float(cfg.beta_init)
        self.last_kl = float("nan")
        self.noise = torch.Generator().manual_seed(seed + 7919)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, log_std = self.encoder(x).chunk(2, dim=-1)
        return mu, log_std.clamp(-5.0, 2.0)

    def logit_features(self, x: torch.Tensor) -> torch.Tensor:
        mu, log_std = self.encode(x)
        if torch.is_grad_enabled():          # training: z sampled (reparametrized)
            z = mu + torch.exp(log_std) * torch.randn(mu.shape, generator=self.noise)
        else:                                # rewards and diagnostics: the mean
            z = mu
        return self.head(z).squeeze(-1)

    def logits(self, obs, actions, next_obs=None, terminated=None, absorbing: bool = True) -> torch.Tensor:
        return self.logit_features(self.inputs(obs, actions))

    def absorbing_logit(self) -> torch.Tensor:
        return self.logit_features(self.inputs.absorbing())[0]

    def penalty(self, expert: tuple, policy: tuple, gen: torch.Generator) -> torch.Tensor:
        """``beta (E[KL] - I_c)`` on the minibatch (both sides), then the dual step on ``beta``."""
        x = torch.cat([self.inputs(*expert), self.inputs(*policy)])
        kl = gaussian_kl(*self.encode(x)).mean()
        term = self.beta * (kl - self.i_c)
        self.last_kl = float(kl.detach())
        self.beta = max(0.0, self.beta + self.beta_lr * (self.last_kl - self.i_c))
        return term


def train_vail(demos: Demonstrations | None, *, env_id: str | None = None, seed: int = 0,
               progress: Callable[[int, int, dict], None] | None = None,
               checkpoint: Callable[[ActorCritic, dict], None] | None = None, config: VAILConfig | None = None,
               **settings) -> tuple[ActorCritic, AdversarialHistory]:
    """VAIL from demonstrations, PPO as the generator, the reward ``logit`` of the mean code:
    ``(policy, history)``. ``history.discriminator.beta`` is the final multiplier;
    ``history.beta`` and ``history.kl`` are recorded per iteration (through ``progress``'s hook)."""
    cfg = make_config(VAILConfig, config, where="train_vail", **settings)
    made: list[VAILDiscriminator] = []
    betas: list[float] = []
    kls: list[float] = []

    def make(inputs):
        made.append(VAILDiscriminator(inputs, cfg, seed))
        return made[0]

    def track(done, total, info):
        if made:
            betas.append(made[0].beta)
            kls.append(made[0].last_kl)
        if progress is not None:
            progress(done, total, info)

    policy, hist = adversarial_loop(demos, cfg, make, env_id=env_id, seed=seed, progress=track, reward="logit",
                                    name="VAIL", checkpoint=checkpoint)
    hist.beta, hist.kl = betas, kls
    return policy, hist


__all__ = ["VAILConfig", "VAILDiscriminator", "gaussian_kl", "train_vail"]
