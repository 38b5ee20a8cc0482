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

Robust losses, for labels some of which are wrong (notebook 08), with ``e = mu(s) - a*``:

* ``"huber"`` (continuous): ``sum_j h(e_j)`` with ``h(e) = e^2 / 2`` for ``|e| <= delta`` and
  ``delta (|e| - delta / 2)`` beyond (``huber_delta``): quadratic near the fit, linear far from it,
  so a wrong label pulls with a bounded force instead of one that grows with its error;
* ``"trimmed"`` (continuous): trimmed least squares: ``|| e ||^2``, but in every minibatch the
  ``trim_frac`` fraction of samples with the largest loss are left out (weight 0), so a label
  far from what the rest of the data says stops counting at all.

Good practice is built in and each piece can be switched off to see its effect: state
normalization (``normalize``), a validation split by episode with early stopping
(``val_frac``, ``patience``), weight decay, dropout, and optional per-sample weights (for
return-weighted BC on mixed-quality data).

Other policy classes reuse the same loop (validation split, early stopping, weights, state
noise): pass ``train_bc(demos, policy=module)`` with a ``torch.nn.Module`` that has a method
``loss(obs, actions) -> per-sample loss (B,)`` (e.g. the mixture policies of notebook 06).

The module reads top to bottom: the configuration (:class:`BCConfig`), the policy
(:class:`MLPPolicy`), the loss (:func:`bc_loss`), the loop (:func:`train_bc`).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..core.checks import (
    TRAIN_SEED_MAX,
    check,
    check_choice,
    check_fields,
    check_int,
    check_number,
    check_seed,
    check_training_data,
    make_config,
)
from ..core.demonstrations import Demonstrations
from ..core.nets import STD_FLOOR, cpu_threads, mlp, normalization_stats
from ..core.policies import TorchPolicy
from ..envs.registry import env_spaces

LOSSES = ("ce", "mse", "gaussian_nll", "huber", "trimmed")
LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0


@dataclass
class BCConfig:
    """Every setting of :func:`train_bc` (keyword ``settings`` of ``train_bc`` replace these fields).

    ``loss``: one of :data:`LOSSES` or "auto" ("ce" for discrete actions, "mse" otherwise);
    ``hidden``: the MLP's hidden widths; ``epochs`` passes over the training episodes in
    minibatches of ``batch_size`` with Adam (``lr``, ``weight_decay``); ``dropout`` after each
    hidden layer; ``val_frac`` of the episodes held out for early stopping after ``patience``
    epochs without a better validation loss (0: train all epochs on everything);
    ``normalize``: standardize the observations with the training data's statistics;
    ``state_noise``: Gaussian noise (normalized units) added to training observations;
    ``weights``: one loss weight per step (>= 0), or None; ``device`` and ``threads`` (torch
    threads on the CPU, None: torch's setting); ``nll_beta`` in [0, 1]: beta-NLL for
    ``loss="gaussian_nll"``; ``huber_delta`` (> 0): where ``"huber"`` turns linear, in action
    units; ``trim_frac`` in [0, 1): the share of each minibatch ``"trimmed"`` leaves out.
    """

    loss: str = "auto"
    hidden: tuple = (64, 64)
    epochs: int = 50
    batch_size: int = 256
    lr: float = 3e-3
    weight_decay: float = 0.0
    dropout: float = 0.0
    val_frac: float = 0.2
    patience: int = 10
    normalize: bool = True
    state_noise: float = 0.0
    weights: np.ndarray | None = None
    device: str = "cpu"
    threads: int | None = 1
    nll_beta: float = 0.0
    huber_delta: float = 0.1
    trim_frac: float = 0.2

    def __post_init__(self):
        check_fields(self)  # finite numbers of the right kind and sign (counts >= 1)


class MLPPolicy(TorchPolicy):
    """An MLP on normalized observations; what BC (and later trainers) return.

    ``forward(obs_tensor)`` gives the network's raw output (logits, or mean [and log-std]);
    calling the policy on a numpy batch gives actions: the argmax for ``"ce"``, the mean
    clipped to the action bounds otherwise (``sample=True`` draws from the Gaussian instead).
    Normalization, the numpy/tensor dispatch and the clipping are :class:`TorchPolicy`'s.
    """

    def __init__(self, obs_dim: int, act_dim: int, loss: str, hidden=(64, 64), dropout: float = 0.0,
                 action_low=None, action_high=None):
        super().__init__(obs_dim, act_dim, action_low, action_high)
        self.loss = loss
        out = act_dim * (2 if loss == "gaussian_nll" else 1)
        self.net = mlp([obs_dim, *hidden, out], dropout)
        self.name = f"MLP policy ({loss})"
        self.sample = False

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(self.normalize(obs))

    def distribution_params(self, obs: torch.Tensor):
        """Mean and log-std of the Gaussian head (``gaussian_nll`` only)."""
        out = self(obs)
        mean, log_std = out[:, : self.act_dim], out[:, self.act_dim:]
        return mean, log_std.clamp(LOG_STD_MIN, LOG_STD_MAX)

    def _act(self, x: torch.Tensor) -> torch.Tensor:
        if self.loss == "ce":
            return self(x).argmax(dim=1)
        if self.loss == "gaussian_nll":
            mean, log_std = self.distribution_params(x)
            return mean + torch.randn_like(mean) * log_std.exp() if self.sample else mean
        return self(x)

    def __repr__(self) -> str:
        return f"MLPPolicy({self.loss}, {self.net})"


def bc_loss(policy: MLPPolicy, obs: torch.Tensor, actions: torch.Tensor, nll_beta: float = 0.0,
            huber_delta: float = 0.1) -> torch.Tensor:
    """Per-sample BC loss (shape (B,)) for the policy's loss kind (see the module docstring)."""
    if policy.loss == "ce":
        return nn.functional.cross_entropy(policy(obs), actions, reduction="none")
    if policy.loss in ("mse", "trimmed"):  # trimming happens per minibatch (trim_weights)
        return ((policy(obs) - actions) ** 2).sum(dim=1)
    if policy.loss == "huber":
        return nn.functional.huber_loss(policy(obs), actions, reduction="none", delta=huber_delta).sum(dim=1)
    mean, log_std = policy.distribution_params(obs)
    nll = 0.5 * ((actions - mean) / log_std.exp()) ** 2 + log_std
    if nll_beta > 0:
        nll = nll * (2 * nll_beta * log_std).exp().detach()  # beta-NLL (Seitzer et al. 2022)
    return nll.sum(dim=1)


def trim_weights(per: torch.Tensor, w: torch.Tensor, trim_frac: float) -> torch.Tensor:
    """``w`` with the ``trim_frac`` share of samples of largest loss ``per`` set to 0 (trimmed least squares)."""
    n_drop = int(trim_frac * len(per))
    if n_drop == 0:
        return w
    drop = torch.topk(per.detach(), n_drop).indices
    return w.index_fill(0, drop, 0.0)


@dataclass
class BCHistory:
    """What happened during training, epoch by epoch (``config``: the settings of the run)."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = -1
    epochs_run: int = 0
    wall_s: float = 0.0
    config: BCConfig | None = field(default=None, repr=False)


def _checked_targets(targets, demos: Demonstrations, policy) -> np.ndarray:
    """``targets`` as a finite float32 array with one row per step of ``demos`` (see :func:`train_bc`)."""
    where = "train_bc"
    check(policy is not None, "targets", "None unless a policy= whose loss takes them is given", "an array", where)
    try:
        arr = np.asarray(targets, dtype=np.float32)
    except (TypeError, ValueError):
        arr = None
    check(arr is not None and arr.ndim >= 1 and len(arr) == len(demos), "targets",
          f"an array with one row per step ({len(demos)} rows)", getattr(arr, "shape", type(targets).__name__), where)
    check(bool(np.isfinite(arr).all()), "targets", "finite numbers (no NaN or inf)", "non-finite values", where)
    return arr


def _checked(cfg: BCConfig, demos: Demonstrations, policy) -> tuple[BCConfig, np.ndarray | None]:
    """Validate ``cfg`` against ``demos``; return it with ``loss`` resolved, and the weights as float32."""
    where = "train_bc"
    loss = cfg.loss
    if policy is not None:
        check(isinstance(policy, nn.Module) and callable(getattr(policy, "loss", None)), "policy",
              "a torch.nn.Module with a method loss(obs, actions) -> per-sample loss", type(policy).__name__, where)
        check(loss == "auto", "loss", "'auto' when a policy is given (its own loss method is used)", loss, where)
    else:
        if loss == "auto":
            loss = "ce" if demos.discrete else "mse"
        check(loss in LOSSES, "loss", f"one of {LOSSES} or 'auto'", loss, where)
        check((loss == "ce") == demos.discrete, "loss",
              "'ce' for discrete actions and 'mse', 'gaussian_nll', 'huber' or 'trimmed' for continuous ones",
              loss, where)
    for name in ("epochs", "batch_size", "patience"):
        check_int(name, getattr(cfg, name), 1, where=where)
    check_number("lr", cfg.lr, 0, low_open=True, where=where)
    check_number("weight_decay", cfg.weight_decay, 0, where=where)
    check_number("dropout", cfg.dropout, 0, 1, high_open=True, where=where)
    check_number("val_frac", cfg.val_frac, 0, 1, high_open=True, where=where)
    check_number("state_noise", cfg.state_noise, 0, where=where)
    check_number("nll_beta", cfg.nll_beta, 0, 1, where=where)
    check(cfg.nll_beta == 0 or loss == "gaussian_nll", "nll_beta", "0 unless loss='gaussian_nll'", cfg.nll_beta, where)
    check_number("huber_delta", cfg.huber_delta, 0, low_open=True, where=where)
    check_number("trim_frac", cfg.trim_frac, 0, 1, high_open=True, where=where)
    check(all(isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in cfg.hidden), "hidden",
          "a sequence of positive integers", cfg.hidden, where)
    check_choice("normalize", cfg.normalize, (True, False), where=where)
    weights = cfg.weights
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float32)
        check(weights.shape == (len(demos),), "weights", f"one weight per step, shape ({len(demos)},)",
              weights.shape, where)
        check(bool(np.all(np.isfinite(weights))) and weights.min() >= 0 and weights.sum() > 0, "weights",
              "finite, >= 0 and not all zero", "values", where)
    return make_config(BCConfig, cfg, where, loss=loss), weights


def train_bc(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0, progress: Callable | None = None,
             config: BCConfig | None = None, policy: nn.Module | None = None, targets=None,
             **settings) -> tuple[nn.Module, BCHistory]:
    """Fit an :class:`MLPPolicy` to ``demos``; return ``(policy, history)``.

    ``config`` (a :class:`BCConfig`) and the keyword ``settings`` (its fields:
    ``train_bc(demos, epochs=20)``) say how. ``val_frac`` holds out whole episodes; training
    stops after ``patience`` epochs without a better validation loss and the best weights are
    kept (``val_frac=0`` trains all epochs on everything). ``state_noise`` adds Gaussian noise
    (in normalized units) to the training observations: data augmentation. ``weights`` (one per
    step, >= 0) weight the loss. ``nll_beta`` in [0, 1] turns ``"gaussian_nll"`` into beta-NLL
    (see the module docstring). Deterministic for a given ``seed``; the global torch RNG is left
    as it was. ``threads`` torch threads are used while training on the CPU (1 is fastest for
    these small nets; ``None`` keeps torch's setting); ``device="cuda"`` trains on a GPU.
    ``progress(epoch, epochs, {"train_loss", "val_loss"})`` is called after each epoch.
    ``env_id`` defaults to ``demos.env_id`` (its action space sizes the network).

    ``policy``: train this module (in place, and return it) instead of a new MLPPolicy. It must
    have a method ``loss(obs, actions)`` returning the per-sample loss, shape (B,); ``loss``
    must then stay "auto" and ``hidden`` / ``dropout`` are the module's business. If it has
    ``obs_mean`` / ``obs_std`` buffers, ``normalize`` sets them from the training data. Its
    initial weights are the caller's: construct it seeded for a reproducible run.

    ``targets``: what ``policy.loss`` is trained to predict in place of ``demos.actions``, one row
    per step (e.g. action chunking's next ``k`` actions, :func:`~il_helpers.algorithms.chunking.chunk_targets`);
    only with ``policy=``. The validation split, the weights and the normalization follow ``demos``' steps.
    """
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"train_bc: demos must be Demonstrations, got {type(demos).__name__}")
    seed = check_seed("seed", seed, "train_bc", TRAIN_SEED_MAX)
    env_id = check_training_data(demos, env_id, "train_bc")
    cfg, weights = _checked(make_config(BCConfig, config, "train_bc", **settings), demos, policy)
    targets = demos.actions if targets is None else _checked_targets(targets, demos, policy)
    device = cfg.device

    t0 = time.perf_counter()
    use_val = cfg.val_frac > 0 and demos.num_episodes >= 2
    if use_val:
        order = np.random.default_rng(seed).permutation(demos.num_episodes)
        n_val = min(max(1, int(round(cfg.val_frac * demos.num_episodes))), demos.num_episodes - 1)
        val_mask = np.isin(demos.episode_ids, order[:n_val])
    else:
        val_mask = np.zeros(len(demos), dtype=bool)

    obs_space, act_space = env_spaces(env_id)
    act_dim = 1 if demos.discrete else demos.actions.shape[1]
    out_dim = act_space.n if demos.discrete else act_dim
    on_cpu = torch.device(device).type == "cpu"
    # the network's initial weights come from torch's RNG seeded with ``seed``, inside fork_rng:
    # the caller's global RNG state is restored afterwards
    with (torch.random.fork_rng(devices=[] if on_cpu else [torch.device(device)]),
          cpu_threads(cfg.threads if on_cpu else None)):
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        if policy is None:
            policy = MLPPolicy(demos.obs.shape[1], out_dim, cfg.loss, cfg.hidden, cfg.dropout,
                               None if demos.discrete else act_space.low, None if demos.discrete else act_space.high)
            loss_fn = lambda x, a: bc_loss(policy, x, a, cfg.nll_beta, cfg.huber_delta)  # noqa: E731
        else:
            loss_fn = policy.loss
        policy.to(device)
        obs = torch.as_tensor(demos.obs, device=device)
        acts = torch.as_tensor(targets, device=device)
        w = torch.ones(len(demos), device=device) if weights is None else torch.as_tensor(weights, device=device)
        train_idx = torch.as_tensor(np.flatnonzero(~val_mask), device=device)
        val_idx = torch.as_tensor(np.flatnonzero(val_mask), device=device)
        if cfg.normalize and hasattr(policy, "obs_mean"):
            mean, std = normalization_stats(obs[train_idx].cpu(), STD_FLOOR)
            policy.obs_mean.copy_(mean)
            policy.obs_std.copy_(std)
        opt = torch.optim.Adam(policy.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=True)
        hist = BCHistory(config=cfg)
        best, best_state, bad = float("inf"), None, 0
        for epoch in range(cfg.epochs):
            policy.train()
            perm = train_idx[torch.randperm(len(train_idx), generator=gen).to(device)]
            total, count = 0.0, 0
            for i in range(0, len(perm), cfg.batch_size):
                idx = perm[i: i + cfg.batch_size]
                x = obs[idx]
                if cfg.state_noise > 0:
                    noise = torch.randn(x.shape, generator=gen).to(device)
                    x = x + noise * cfg.state_noise * getattr(policy, "obs_std", 1.0)
                per = loss_fn(x, acts[idx])
                wb = trim_weights(per, w[idx], cfg.trim_frac) if cfg.loss == "trimmed" else w[idx]
                batch_loss = (per * wb).sum() / wb.sum().clamp_min(1e-12)
                opt.zero_grad()
                batch_loss.backward()
                opt.step()
                total += batch_loss.item() * len(idx)
                count += len(idx)
            hist.train_loss.append(total / max(count, 1))
            hist.epochs_run = epoch + 1
            stop = False
            if use_val:
                policy.eval()
                with torch.no_grad():
                    per = loss_fn(obs[val_idx], acts[val_idx])
                    wv = trim_weights(per, w[val_idx], cfg.trim_frac) if cfg.loss == "trimmed" else w[val_idx]
                    val = float((per * wv).sum() / wv.sum().clamp_min(1e-12))
                hist.val_loss.append(val)
                if val < best - 1e-6:
                    best, best_state, bad, hist.best_epoch = val, copy.deepcopy(policy.state_dict()), 0, epoch
                else:
                    bad += 1
                    stop = bad >= cfg.patience
            if progress is not None:
                progress(epoch + 1, cfg.epochs, {"train_loss": hist.train_loss[-1],
                                                 "val_loss": hist.val_loss[-1] if use_val else None})
            if stop:
                break
        if best_state is not None:
            policy.load_state_dict(best_state)
        if not use_val:
            hist.best_epoch = hist.epochs_run - 1
    policy.eval()
    if isinstance(policy, TorchPolicy):
        policy.env_id = env_id  # so that rollout on another env can say which one it was trained on
    hist.wall_s = time.perf_counter() - t0
    return policy, hist
