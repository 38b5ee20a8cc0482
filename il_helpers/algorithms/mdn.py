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

Acting: a mode is a component; the action is its mean. :class:`ModeHoldingPolicy` (the base of
every multimodal policy of the course) decides *which* mode, with two switches:

* ``select="most_likely"``: the component with the largest weight (deterministic);
* ``select="sample"``: a component drawn with probability ``w_k``, either afresh at every step
  (``hold=False``: may zig-zag between modes) or with one random number per episode
  (``hold=True``, the default): each copy keeps a uniform ``u`` drawn when its episode starts
  and picks the component where ``u`` falls in the cumulative weights. Where the weights
  are decided (one side already taken) every ``u`` gives the same component; where they are
  split, a copy keeps choosing the same side.

Per-episode state needs to know when episodes start. :func:`il_helpers.rollout` calls the
policy with all episodes in lockstep and has no reset hook, so a policy draws new per-copy
numbers on its first call and whenever the batch size changes, and ``policy.reset(n, seed)``
draws them explicitly (call it before each rollout for reproducible modes;
:func:`il_helpers.envs.obstacle_fork.evaluate_fork` and the bench CLI do).
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from gymnasium import spaces
from torch import nn

from ..core.nets import cpu_threads
from ..core.policies import Policy
from ..envs.registry import env_spaces
from .bc import mlp

LOG_2PI = math.log(2 * math.pi)
SCALE_FLOOR = 0.02  # sigma_min, in action units (actions live in [-1, 1])
INIT_SCALE = 0.1  # the components' starting scale (see MDNPolicy.init_components)


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


@contextlib.contextmanager
def seeded(seed: int | None):
    """Run a block (e.g. building a network) with torch seeded, leaving the global RNG as it was."""
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


class ModeHoldingPolicy(nn.Module, Policy):
    """Base of the multimodal policies: observation normalization, action bounds, and the choice
    of a mode (``select``, ``hold``, ``reset``; see the module docstring).

    Subclasses implement ``loss(obs, actions)`` (per-sample, for :func:`il_helpers.train_bc`),
    ``_act(x, noise)`` (a float tensor of observations and one row of per-copy random numbers
    per observation, or None for ``select="most_likely"``) and may override ``_draw(rng, n)``
    (the per-copy random numbers: uniforms of shape ``(n,)`` by default).
    """

    SELECTS = ("sample", "most_likely")

    def __init__(self, obs_dim: int, act_dim: int, action_low=None, action_high=None,
                 select: str = "sample", hold: bool = True, seed: int = 0):
        nn.Module.__init__(self)
        if select not in self.SELECTS:
            raise ValueError(f"select must be one of {self.SELECTS}, got {select!r}")
        self.obs_dim, self.act_dim = int(obs_dim), int(act_dim)
        self.register_buffer("obs_mean", torch.zeros(obs_dim))
        self.register_buffer("obs_std", torch.ones(obs_dim))
        self.action_low = None if action_low is None else np.asarray(action_low, np.float32)
        self.action_high = None if action_high is None else np.asarray(action_high, np.float32)
        self.select, self.hold, self.seed = select, bool(hold), seed
        self.rng = np.random.default_rng(seed)
        self.held: np.ndarray | None = None

    @classmethod
    def for_env(cls, env_id: str, **kwargs):
        """A policy sized for ``env_id`` (which must have continuous actions)."""
        obs_space, act_space = env_spaces(env_id)
        if not isinstance(act_space, spaces.Box):
            raise ValueError(f"{cls.__name__} needs continuous (Box) actions; {env_id} has {act_space}")
        return cls(obs_space.shape[0], act_space.shape[0], action_low=act_space.low, action_high=act_space.high,
                   **kwargs)

    def normalize(self, obs: torch.Tensor) -> torch.Tensor:
        return (obs - self.obs_mean) / self.obs_std

    # -- per-episode random numbers --------------------------------------------------------------
    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.random(n)

    def reset(self, n: int | None = None, seed: int | None = None) -> None:
        """Start new episodes: forget the held per-copy numbers (and reseed if ``seed`` is given).

        With ``n`` they are drawn now for ``n`` copies; otherwise on the next call.
        """
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.held = None if n is None else self._draw(self.rng, int(n))

    def noise(self, n: int) -> np.ndarray | None:
        """The random numbers for a batch of ``n`` copies at this step (None: most likely mode)."""
        if self.select == "most_likely":
            return None
        if not self.hold:
            return self._draw(self.rng, n)
        if self.held is None or len(self.held) != n:
            self.held = self._draw(self.rng, n)
        return self.held

    # -- acting ------------------------------------------------------------------------------------
    def __call__(self, obs, *args, **kwargs):
        if isinstance(obs, torch.Tensor):
            return nn.Module.__call__(self, obs, *args, **kwargs)
        return Policy.__call__(self, obs)

    @torch.no_grad()
    def act(self, obs: np.ndarray) -> np.ndarray:
        was_training = self.training
        self.eval()
        try:
            with cpu_threads(1 if self.obs_mean.device.type == "cpu" else None):
                x = torch.as_tensor(obs, dtype=torch.float32, device=self.obs_mean.device)
                actions = self._act(x, self.noise(len(obs))).cpu().numpy().astype(np.float32)
        finally:
            self.train(was_training)
        if self.action_low is not None:
            actions = np.clip(actions, self.action_low, self.action_high).astype(np.float32)
        return actions

    def _act(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:
        how = "most likely mode" if self.select == "most_likely" else (
            "mode sampled once per episode" if self.hold else "mode sampled every step")
        return f"{self.name}, {how}"


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
        if not (isinstance(n_components, (int, np.integer)) and n_components >= 1):
            raise ValueError(f"n_components must be an integer >= 1, got {n_components!r}")
        if not min_scale > 0:
            raise ValueError(f"min_scale must be > 0, got {min_scale!r}")
        self.n_components, self.min_scale = int(n_components), float(min_scale)
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

    def _act(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:
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


# --------------------------------------------------------------------------------------------
# Bishop's inverse problem (notebook 06's warm-up)
# --------------------------------------------------------------------------------------------


def bishop_data(n: int = 1000, seed: int = 0, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Bishop's (1994) toy inverse problem, as ``(inputs, targets)`` of shape (n, 1) float32.

    The forward problem ``x = t + 0.3 sin(2 pi t) + u`` (``t`` uniform in [0, 1], ``u`` uniform
    in +-``noise``) is a function; its inverse, ``t`` given ``x``, has up to three answers for
    ``x`` in about [0.35, 0.65]. The inputs are ``x`` and the targets ``t``.
    """
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, 1.0, n)
    x = t + 0.3 * np.sin(2 * np.pi * t) + rng.uniform(-noise, noise, n)
    return x[:, None].astype(np.float32), t[:, None].astype(np.float32)


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
