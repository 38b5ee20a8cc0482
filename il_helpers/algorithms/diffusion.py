"""Diffusion policies (DDPM, Ho et al. 2020; as a policy: Chi et al. 2023): a network that learns
to *remove noise* from an action, so sampling starts from pure noise and walks onto one of the
expert's actions, whichever peak is nearest.

Actions are first scaled to [-1, 1] by the action bounds (``a``). A noise schedule
``beta_1 .. beta_T`` (``T = diffusion_steps``, a few dozen) defines ``alpha_bar_t = prod_{i<=t}
(1 - beta_i)`` and the noised action

    a_t = sqrt(alpha_bar_t) a + sqrt(1 - alpha_bar_t) eps,    eps ~ N(0, I),

which goes from the expert's action (t = 0) to pure noise (t = T). An MLP ``eps_theta(a_t, t, s)``
(the *denoiser*, conditioned on the state ``s`` and the noise level ``t``) predicts the noise;
BC minimizes, for a uniform ``t`` and fresh ``eps`` per sample,

    L = || eps - eps_theta(sqrt(alpha_bar_t) a + sqrt(1 - alpha_bar_t) eps, t, s) ||^2.

Sampling (DDIM, Song et al. 2021, deterministic: ``eta = 0``) takes ``sample_steps`` (e.g. 5) of
the ``T`` levels: from ``a_T = x_T`` it estimates the clean action
``a_0 = (a_t - sqrt(1 - alpha_bar_t) eps_theta) / sqrt(alpha_bar_t)`` (clipped to [-1, 1]) and
moves to the next level ``a_t' = sqrt(alpha_bar_t') a_0 + sqrt(1 - alpha_bar_t') eps_theta``. The
map from the starting noise ``x_T`` to the action is deterministic, so ``x_T`` plays the role the
CVAE's latent plays: which ``x_T``, which mode.

Acting (:class:`~il_helpers.algorithms.mode_holding.ModeHoldingPolicy`): ``x_T ~ N(0, I)`` drawn
once per episode and kept (``hold=True``: the copy keeps its side), drawn afresh at every step
(``hold=False``), or ``x_T = 0`` (``select="most_likely"``). Zero noise is the *prior's* mode,
not the most likely action: DDIM maps it to wherever the flow from the middle of the noise ends,
which for two symmetric modes can be either of them or (if the denoiser is unsure) between
them. The whole batch is denoised at once: ``sample_steps`` forward passes per environment step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..core.checks import check_choice, check_int, check_number
from ..core.nets import mlp
from .mode_holding import ModeHoldingConfig, ModeHoldingPolicy, fit_mode_holding, seeded

SCHEDULES = ("cosine", "linear")
PREDICTIONS = ("noise", "action")
N_FREQUENCIES = 4  # sinusoidal features of the noise level: sin/cos of 2^i pi t / T, i < 4


@dataclass
class DiffusionConfig(ModeHoldingConfig):
    """:func:`train_diffusion`'s settings: the shared ones
    (:class:`~il_helpers.algorithms.mode_holding.ModeHoldingConfig`), the number of noise levels
    ``diffusion_steps`` (``T``), the DDIM steps used when acting ``sample_steps`` and the noise
    ``schedule`` ("cosine", Nichol & Dhariwal 2021, or "linear", Ho et al.'s scaled to ``T``), the
    ``noise_draws`` of ``(t, eps)`` per pair and step (the loss is their mean: less noisy gradients
    on small data) and what the network predicts, ``prediction`` ("noise", the objective above, or
    "action", the clean action), and ``eta`` (0: the deterministic DDIM map; up to 1: fresh noise
    at every denoising step, Song et al.'s stochastic sampler; measured on ObstacleFork with 10
    demonstrations, seeds 0-9, ``eta = 1`` passed in 78-100 % of the episodes where ``eta = 0`` passed
    in 87-99 %: the extra noise adds zig-zags rather than breaking the hesitation near the boundary
    between the modes).

    The budget differs from the mixtures' (150 epochs): the denoising loss is noisier and needs
    more steps. On 10 ObstacleFork demonstrations (240 training pairs, 4 minibatches an epoch),
    150 epochs passed the obstacle in 21-70 % of the episodes (seeds 0-2, a tanh denoiser), 500
    in 89-100 % with it and 90-98 % with the SiLU denoiser (seeds 0-4)."""

    hidden: tuple = (128, 128)
    epochs: int = 500
    patience: int = 500
    diffusion_steps: int = 30
    sample_steps: int = 5
    schedule: str = "cosine"
    noise_draws: int = 8
    prediction: str = "noise"
    eta: float = 0.0


def alpha_bars(T: int, schedule: str = "cosine") -> torch.Tensor:
    """``alpha_bar_t`` for ``t = 1 .. T`` (shape ``(T,)``, decreasing from about 1 to about 0)."""
    if schedule == "cosine":
        s = 0.008
        f = torch.cos((torch.arange(T + 1, dtype=torch.float64) / T + s) / (1 + s) * math.pi / 2) ** 2
        betas = (1 - f[1:] / f[:-1]).clamp(max=0.999)
    else:  # Ho et al.'s 1e-4 .. 0.02 over 1000 steps, scaled so that T steps reach the same noise
        betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64) * 1000 / T
        betas = betas.clamp(max=0.999)
    return torch.cumprod(1 - betas, 0).float()


def time_features(t: torch.Tensor, T: int) -> torch.Tensor:
    """The noise level ``t`` (ints in [0, T)) as ``1 + 2 * N_FREQUENCIES`` features: ``t / T`` and
    sin/cos of ``2^i pi t / T`` (so the denoiser tells nearby levels apart)."""
    u = (t.float()[:, None] + 1) / T
    freqs = (2.0 ** torch.arange(N_FREQUENCIES, dtype=torch.float32)) * math.pi
    return torch.cat([u, torch.sin(u * freqs), torch.cos(u * freqs)], dim=1)


def denoiser_mlp(sizes: list[int]) -> nn.Sequential:
    """The denoiser: :func:`il_helpers.core.nets.mlp` with SiLU activations (``sizes = [in, hidden..., out]``).

    Not :func:`il_helpers.core.nets.mlp`'s tanh: measured on ObstacleFork (10 demonstrations,
    seeds 0-4, 500 epochs), tanh passed the obstacle in 89-100 % of the episodes, SiLU (Chi et al.
    2023 use its relative, Mish) in 90-98 % with every left share within 42-59 %; over chunks of 4
    actions, tanh 49-60 % (seeds 0-1), SiLU 75-88 % (seeds 0-4). A saturating unit flattens the small, state-dependent
    corrections (steering back onto the axis) that the noise hides at every level."""
    return mlp(sizes, activation=nn.SiLU)


def denoising_loss(eps: torch.Tensor, eps_hat: torch.Tensor) -> torch.Tensor:
    """Per-sample ``|| eps - eps_theta ||^2``: ``(B, D)`` and ``(B, D)`` -> ``(B,)``."""
    return ((eps - eps_hat) ** 2).sum(dim=1)


class DiffusionPolicy(ModeHoldingPolicy):
    """A DDPM-trained, DDIM-sampled policy: ``eps_theta(a_t, t, s)`` is an MLP
    (:func:`denoiser_mlp`) on the normalized state, the noised (scaled) action and :func:`time_features` of the level.

    ``policy(obs_tensor, x_T)`` denoises the starting noise ``x_T`` into actions (``x_T=None``:
    zero noise); ``policy(obs_array)`` acts (the choice of ``x_T``: see the module docstring).
    ``loss`` is :func:`denoising_loss` at a random level, so ``train_bc`` trains it.
    """

    def __init__(self, obs_dim: int, act_dim: int, hidden=(128, 128), diffusion_steps: int = 30,
                 sample_steps: int = 5, schedule: str = "cosine", noise_draws: int = 8,
                 prediction: str = "noise", eta: float = 0.0, **kwargs):
        super().__init__(obs_dim, act_dim, **kwargs)
        where = "DiffusionPolicy"
        self.T = check_int("diffusion_steps", diffusion_steps, 2, where=where)
        self.sample_steps = check_int("sample_steps", sample_steps, 1, self.T, where=where)
        self.schedule = check_choice("schedule", schedule, SCHEDULES, where=where)
        self.noise_draws = check_int("noise_draws", noise_draws, 1, where=where)
        self.prediction = check_choice("prediction", prediction, PREDICTIONS, where=where)
        self.eta = check_number("eta", eta, 0.0, 1.0, where=where)
        self.register_buffer("abar", alpha_bars(self.T, schedule))
        low = -np.ones(act_dim, np.float32) if self.action_low is None else self.action_low
        high = np.ones(act_dim, np.float32) if self.action_high is None else self.action_high
        self.register_buffer("a_mid", torch.as_tensor((high + low) / 2, dtype=torch.float32))
        self.register_buffer("a_half", torch.as_tensor((high - low) / 2, dtype=torch.float32))
        with seeded(self.seed):
            self.net = denoiser_mlp([obs_dim + act_dim + 1 + 2 * N_FREQUENCIES, *hidden, act_dim])
        self.name = f"diffusion (T={self.T}, {self.sample_steps} DDIM steps)"

    # -- the denoiser and its loss ------------------------------------------------------------
    def eps_hat(self, obs: torch.Tensor, a_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """``eps_theta(a_t, t, s)`` for a batch (``t``: int levels in [0, T))."""
        return self.net(torch.cat([self.normalize(obs), a_t, time_features(t, self.T)], dim=1))

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        B, k = len(actions), self.noise_draws
        a = (actions.reshape(B, self.act_dim) - self.a_mid) / self.a_half   # scaled to [-1, 1]
        a, obs = a.repeat(k, 1), obs.repeat(k, 1)                          # k (t, eps) draws per sample
        # training: torch's RNG (seeded by train_bc); validation: a fixed draw, so epochs compare
        gen = None if self.training else torch.Generator().manual_seed(0)
        t = torch.randint(0, self.T, (len(a),), generator=gen)
        eps = torch.randn(a.shape, generator=gen)
        ab = self.abar[t][:, None]
        a_t = ab.sqrt() * a + (1 - ab).sqrt() * eps                       # q(a_t | a)
        target = eps if self.prediction == "noise" else a
        per = denoising_loss(target, self.eps_hat(obs, a_t, t))          # ||eps - eps_theta||^2
        return per.reshape(k, B).mean(0)

    # -- sampling -------------------------------------------------------------------------------
    def levels(self) -> list[int]:
        """The DDIM levels, from ``T - 1`` (pure noise) down to 0, ``sample_steps`` of them."""
        return sorted({int(round(v)) for v in np.linspace(self.T - 1, 0, self.sample_steps)}, reverse=True)

    def denoise(self, obs: torch.Tensor, x_T: torch.Tensor, path: bool = False,
                rng: np.random.Generator | None = None):
        """DDIM from ``x_T`` (scaled units) to actions in the env's units; with ``path=True`` also
        every intermediate ``a_t`` (scaled units), shape ``(steps + 1, N, D)``. With ``eta > 0`` and
        an ``rng``, each step adds fresh noise of scale ``sigma_t`` (stochastic DDIM)."""
        x, xs = x_T, [x_T]
        levels = self.levels()
        for i, t in enumerate(levels):
            tt = torch.full((len(x),), t, dtype=torch.long)
            out = self.eps_hat(obs, x, tt)
            ab = self.abar[t]
            a0 = (x - (1 - ab).sqrt() * out) / ab.sqrt() if self.prediction == "noise" else out
            a0 = a0.clamp(-1.0, 1.0)                                          # the clean-action estimate
            eps = (x - ab.sqrt() * a0) / (1 - ab).sqrt()                      # the noise consistent with it
            ab_next = self.abar[levels[i + 1]] if i + 1 < len(levels) else torch.tensor(1.0)
            sigma = 0.0
            if self.eta > 0 and rng is not None:  # Song et al.'s sigma_t; 0 at the last step (ab_next = 1)
                sigma = float(self.eta * ((1 - ab_next) / (1 - ab)).sqrt() * (1 - ab / ab_next).clamp_min(0).sqrt())
            x = ab_next.sqrt() * a0 + (1 - ab_next - sigma ** 2).clamp_min(0).sqrt() * eps
            if sigma > 0:
                x = x + sigma * torch.as_tensor(rng.standard_normal(tuple(x.shape)), dtype=x.dtype, device=x.device)
            xs.append(x)
        actions = x.clamp(-1.0, 1.0) * self.a_half + self.a_mid
        return (actions, torch.stack(xs)) if path else actions

    def forward(self, obs: torch.Tensor, x_T: torch.Tensor | None = None) -> torch.Tensor:
        if x_T is None:
            x_T = torch.zeros(len(obs), self.act_dim)
        return self.denoise(obs, x_T)

    def draw_noise(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.standard_normal((n, self.act_dim))

    def act_with_noise(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:
        if noise is None:
            return self(x)
        return self.denoise(x, torch.as_tensor(noise, dtype=x.dtype, device=x.device), rng=self.rng)

    @torch.no_grad()
    def sample(self, obs, n_samples: int, rng: np.random.Generator | None = None, path: bool = False):
        """``n_samples`` actions per observation, each from its own ``x_T ~ N(0, I)``:
        ``(N, n_samples, D)``; with ``path=True`` also the denoising path in scaled units,
        ``(steps + 1, N, n_samples, D)`` (for drawing the samples moving onto the modes)."""
        check_int("n_samples", n_samples, 1, where="DiffusionPolicy.sample")
        rng = np.random.default_rng(0) if rng is None else rng
        x = torch.as_tensor(np.atleast_2d(np.asarray(obs, np.float32)))
        N = len(x)
        noise = torch.as_tensor(rng.standard_normal((N * n_samples, self.act_dim)), dtype=torch.float32)
        was = self.training
        self.eval()
        try:
            actions, xs = self.denoise(x.repeat_interleave(n_samples, 0), noise, path=True, rng=rng)
        finally:
            self.train(was)
        actions = actions.reshape(N, n_samples, self.act_dim).numpy()
        if path:
            return actions, xs.reshape(len(xs), N, n_samples, self.act_dim).numpy()
        return actions


def train_diffusion(demos, *, env_id: str | None = None, seed: int = 0, progress=None,
                    config: DiffusionConfig | None = None, **settings):
    """Behavioral cloning of a :class:`DiffusionPolicy` on ``demos`` (the denoising loss,
    :func:`denoising_loss`): ``(policy, history)``.

    ``config`` (a :class:`DiffusionConfig`, its fields replaced by the keyword ``settings``) sets
    the schedule, the sampler and the budget; the network is built with ``seed`` for ``env_id``
    (default ``demos.env_id``) and trained by :func:`~il_helpers.algorithms.bc.train_bc` with the
    same seed.
    """
    return fit_mode_holding(DiffusionPolicy, DiffusionConfig, demos, env_id=env_id, seed=seed, progress=progress,
                            config=config, where="train_diffusion", **settings)
