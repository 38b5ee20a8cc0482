"""Behavioral cloning: imitation as supervised learning on the expert's (state, action) pairs.

Losses (``loss=``), with ``a*`` the expert's action:

* ``"ce"`` (discrete): cross-entropy  ``-log pi(a* | s)`` of a softmax over logits;
* ``"mse"`` (continuous): ``|| mu(s) - a* ||^2``;
* ``"gaussian_nll"`` (continuous): ``sum_j [ (a*_j - mu_j)^2 / (2 sigma_j^2) + log sigma_j ]``
  with a state-dependent ``sigma(s)`` (the constant ``log sqrt(2 pi)`` dropped). With
  ``nll_beta = beta > 0`` each sample's NLL is multiplied by ``sigma^(2 beta)`` (held constant
  in the gradient): the beta-NLL of Seitzer et al. (2022), which stops the fit from ignoring
  hard states once ``sigma`` has collapsed on easy ones (``beta = 1`` gives the mean the same
  gradient as MSE; ``beta = 0``, the default, is the plain NLL).

Good practice is built in and each piece can be switched off to see its effect: state
normalization (``normalize``), a validation split by episode with early stopping
(``val_frac``, ``patience``), weight decay, dropout, and optional per-sample weights (for
return-weighted BC on mixed-quality data).

Other policy classes reuse the same loop (validation split, early stopping, weights, state
noise): pass ``train_bc(demos, policy=module)`` with a ``torch.nn.Module`` that has a method
``loss(obs, actions) -> per-sample loss (B,)`` (e.g. the mixture policies of notebook 06).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from ..core.demonstrations import Demonstrations
from ..core.nets import cpu_threads
from ..core.policies import Policy
from ..envs.registry import env_spaces

LOSSES = ("ce", "mse", "gaussian_nll")
LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0


def mlp(sizes: list[int], dropout: float = 0.0) -> nn.Sequential:
    """A ``tanh`` multilayer perceptron; ``sizes = [in, hidden..., out]``."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class MLPPolicy(nn.Module, Policy):
    """An MLP on normalized observations; what BC (and later trainers) return.

    ``forward(obs_tensor)`` gives the network's raw output (logits, or mean [and log-std]);
    calling the policy on a numpy batch gives actions: the argmax for ``"ce"``, the mean
    clipped to the action bounds otherwise (``sample=True`` draws from the Gaussian instead).
    """

    def __init__(self, obs_dim: int, act_dim: int, loss: str, hidden=(64, 64), dropout: float = 0.0,
                 action_low=None, action_high=None):
        nn.Module.__init__(self)
        self.loss, self.obs_dim, self.act_dim = loss, obs_dim, act_dim
        out = act_dim * (2 if loss == "gaussian_nll" else 1)
        self.net = mlp([obs_dim, *hidden, out], dropout)
        self.register_buffer("obs_mean", torch.zeros(obs_dim))
        self.register_buffer("obs_std", torch.ones(obs_dim))
        self.action_low = None if action_low is None else np.asarray(action_low, np.float32)
        self.action_high = None if action_high is None else np.asarray(action_high, np.float32)
        self.name = f"MLP policy ({loss})"
        self.sample = False

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net((obs - self.obs_mean) / self.obs_std)

    def distribution_params(self, obs: torch.Tensor):
        """Mean and log-std of the Gaussian head (``gaussian_nll`` only)."""
        out = self(obs)
        mean, log_std = out[:, : self.act_dim], out[:, self.act_dim:]
        return mean, log_std.clamp(LOG_STD_MIN, LOG_STD_MAX)

    def __call__(self, obs):
        if isinstance(obs, torch.Tensor):
            return nn.Module.__call__(self, obs)
        return Policy.__call__(self, obs)

    @torch.no_grad()
    def act(self, obs: np.ndarray) -> np.ndarray:
        with cpu_threads(1 if self.obs_mean.device.type == "cpu" else None):
            return self._act(obs)

    def _act(self, obs: np.ndarray) -> np.ndarray:
        was_training = self.training
        if was_training:
            self.eval()
        x = torch.as_tensor(obs, dtype=torch.float32, device=self.obs_mean.device)
        if self.loss == "ce":
            actions = self(x).argmax(dim=1).cpu().numpy().astype(np.int64)
        elif self.loss == "gaussian_nll":
            mean, log_std = self.distribution_params(x)
            a = mean + torch.randn_like(mean) * log_std.exp() if self.sample else mean
            actions = a.cpu().numpy()
        else:
            actions = self(x).cpu().numpy()
        if was_training:
            self.train()
        if self.loss != "ce" and self.action_low is not None:
            actions = np.clip(actions, self.action_low, self.action_high).astype(np.float32)
        return actions

    def __repr__(self) -> str:
        return f"MLPPolicy({self.loss}, {self.net})"


def bc_loss(policy: MLPPolicy, obs: torch.Tensor, actions: torch.Tensor, nll_beta: float = 0.0) -> torch.Tensor:
    """Per-sample BC loss (shape (B,)) for the policy's loss kind (see the module docstring)."""
    if policy.loss == "ce":
        return nn.functional.cross_entropy(policy(obs), actions, reduction="none")
    if policy.loss == "mse":
        return ((policy(obs) - actions) ** 2).sum(dim=1)
    mean, log_std = policy.distribution_params(obs)
    nll = 0.5 * ((actions - mean) / log_std.exp()) ** 2 + log_std
    if nll_beta > 0:
        nll = nll * (2 * nll_beta * log_std).exp().detach()  # beta-NLL (Seitzer et al. 2022)
    return nll.sum(dim=1)


@dataclass
class BCHistory:
    """What happened during training, epoch by epoch."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = -1
    epochs_run: int = 0
    wall_s: float = 0.0


def _check(name, value, ok: bool, expected: str):
    if not ok:
        raise ValueError(f"train_bc: {name} must be {expected}, got {value!r}")


def train_bc(demos: Demonstrations, loss: str = "auto", hidden=(64, 64), epochs: int = 50,
             batch_size: int = 256, lr: float = 3e-3, weight_decay: float = 0.0, dropout: float = 0.0,
             val_frac: float = 0.2, patience: int = 10, normalize: bool = True, state_noise: float = 0.0,
             weights: np.ndarray | None = None, seed: int = 0, device: str = "cpu",
             threads: int | None = 1, policy: nn.Module | None = None,
             nll_beta: float = 0.0) -> tuple[nn.Module, BCHistory]:
    """Fit an :class:`MLPPolicy` to ``demos``; return ``(policy, history)``.

    ``val_frac`` holds out whole episodes; training stops after ``patience`` epochs without a
    better validation loss and the best weights are kept (``val_frac=0`` trains all epochs on
    everything). ``state_noise`` adds Gaussian noise (in normalized units) to the training
    observations: data augmentation. ``weights`` (one per step, >= 0) weight the loss.
    ``nll_beta`` in [0, 1] turns ``"gaussian_nll"`` into beta-NLL (see the module docstring).
    Deterministic for a given ``seed``; the global torch RNG is left as it was. ``threads``
    torch threads are used while training on the CPU (1 is fastest for these small nets;
    ``None`` keeps torch's setting); ``device="cuda"`` trains on a GPU.

    ``policy``: train this module (in place, and return it) instead of a new MLPPolicy. It must
    have a method ``loss(obs, actions)`` returning the per-sample loss, shape (B,); ``loss``
    must then stay "auto" and ``hidden`` / ``dropout`` are the module's business. If it has
    ``obs_mean`` / ``obs_std`` buffers, ``normalize`` sets them from the training data. Its
    initial weights are the caller's: construct it seeded for a reproducible run.
    """
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"train_bc: demos must be Demonstrations, got {type(demos).__name__}")
    if policy is not None:
        _check("policy", type(policy).__name__,
               isinstance(policy, nn.Module) and callable(getattr(policy, "loss", None)),
               "a torch.nn.Module with a method loss(obs, actions) -> per-sample loss")
        _check("loss", loss, loss == "auto", "'auto' when a policy is given (its own loss method is used)")
    else:
        if loss == "auto":
            loss = "ce" if demos.discrete else "mse"
        _check("loss", loss, loss in LOSSES, f"one of {LOSSES} or 'auto'")
        _check("loss", loss, (loss == "ce") == demos.discrete,
               "'ce' for discrete actions and 'mse' or 'gaussian_nll' for continuous ones")
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("patience", patience)):
        _check(name, value, isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1,
               "an integer >= 1")
    _check("lr", lr, np.isfinite(lr) and lr > 0, "a positive number")
    _check("weight_decay", weight_decay, np.isfinite(weight_decay) and weight_decay >= 0, "a number >= 0")
    _check("dropout", dropout, 0 <= dropout < 1, "in [0, 1)")
    _check("val_frac", val_frac, 0 <= val_frac < 1, "in [0, 1)")
    _check("state_noise", state_noise, np.isfinite(state_noise) and state_noise >= 0, "a number >= 0")
    _check("nll_beta", nll_beta, 0 <= nll_beta <= 1 and (nll_beta == 0 or loss == "gaussian_nll"),
           "in [0, 1], and 0 unless loss='gaussian_nll'")
    _check("hidden", hidden, all(isinstance(h, (int, np.integer)) and h >= 1 for h in hidden),
           "a sequence of positive integers")
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float32)
        _check("weights", weights.shape, weights.shape == (len(demos),), f"one weight per step, shape ({len(demos)},)")
        _check("weights", "values", np.all(np.isfinite(weights)) and weights.min() >= 0 and weights.sum() > 0,
               "finite, >= 0 and not all zero")

    t0 = time.perf_counter()
    use_val = val_frac > 0 and demos.num_episodes >= 2
    if use_val:
        order = np.random.default_rng(seed).permutation(demos.num_episodes)
        n_val = min(max(1, int(round(val_frac * demos.num_episodes))), demos.num_episodes - 1)
        val_mask = np.isin(demos.episode_ids, order[:n_val])
    else:
        val_mask = np.zeros(len(demos), dtype=bool)

    obs_space, act_space = env_spaces(demos.env_id)
    act_dim = 1 if demos.discrete else demos.actions.shape[1]
    out_dim = act_space.n if demos.discrete else act_dim
    on_cpu = torch.device(device).type == "cpu"
    with (torch.random.fork_rng(devices=[] if on_cpu else [torch.device(device)]),
          cpu_threads(threads if on_cpu else None)):
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        if policy is None:
            policy = MLPPolicy(demos.obs.shape[1], out_dim, loss, hidden, dropout,
                               None if demos.discrete else act_space.low, None if demos.discrete else act_space.high)
            loss_fn = lambda x, a: bc_loss(policy, x, a, nll_beta)  # noqa: E731
        else:
            loss_fn = policy.loss
        policy.to(device)
        obs = torch.as_tensor(demos.obs, device=device)
        acts = torch.as_tensor(demos.actions, device=device)
        w = torch.ones(len(demos), device=device) if weights is None else torch.as_tensor(weights, device=device)
        train_idx = torch.as_tensor(np.flatnonzero(~val_mask), device=device)
        val_idx = torch.as_tensor(np.flatnonzero(val_mask), device=device)
        if normalize and hasattr(policy, "obs_mean"):
            policy.obs_mean.copy_(obs[train_idx].mean(0))
            policy.obs_std.copy_(obs[train_idx].std(0).clamp_min(1e-6) if len(train_idx) > 1
                                 else torch.ones(obs.shape[1]))
        opt = torch.optim.Adam(policy.parameters(), lr=lr, weight_decay=weight_decay, fused=True)
        hist = BCHistory()
        best, best_state, bad = float("inf"), None, 0
        for epoch in range(epochs):
            policy.train()
            perm = train_idx[torch.randperm(len(train_idx), generator=gen).to(device)]
            total, count = 0.0, 0
            for i in range(0, len(perm), batch_size):
                idx = perm[i: i + batch_size]
                x = obs[idx]
                if state_noise > 0:
                    noise = torch.randn(x.shape, generator=gen).to(device)
                    x = x + noise * state_noise * getattr(policy, "obs_std", 1.0)
                per = loss_fn(x, acts[idx])
                batch_loss = (per * w[idx]).sum() / w[idx].sum().clamp_min(1e-12)
                opt.zero_grad()
                batch_loss.backward()
                opt.step()
                total += batch_loss.item() * len(idx)
                count += len(idx)
            hist.train_loss.append(total / max(count, 1))
            hist.epochs_run = epoch + 1
            if use_val:
                policy.eval()
                with torch.no_grad():
                    per = loss_fn(obs[val_idx], acts[val_idx])
                    val = float((per * w[val_idx]).sum() / w[val_idx].sum().clamp_min(1e-12))
                hist.val_loss.append(val)
                if val < best - 1e-6:
                    best, best_state, bad, hist.best_epoch = val, copy.deepcopy(policy.state_dict()), 0, epoch
                else:
                    bad += 1
                    if bad >= patience:
                        break
        if best_state is not None:
            policy.load_state_dict(best_state)
        if not use_val:
            hist.best_epoch = hist.epochs_run - 1
    policy.eval()
    hist.wall_s = time.perf_counter() - t0
    return policy, hist
