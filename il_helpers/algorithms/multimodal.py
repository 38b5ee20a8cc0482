"""Multimodal policies beside the MDN (notebook 06), and their bench CLI entries.

* :class:`DiscretizedPolicy`: each action dimension cut into ``n_bins`` bins and a softmax over
  the bins (a categorical distribution can have any number of peaks); trained with the
  cross-entropy of the expert's bin. Mode choice: the most likely bin, or a bin drawn from the
  categorical (held per episode by keeping one uniform per copy and dimension, the same
  inverse-CDF trick as the MDN).
* :class:`CVAEPolicy`: a conditional variational auto-encoder. An encoder ``q(z | s, a)`` maps
  a state and the expert's action to a latent ``z``; a decoder maps ``(s, z)`` back to the
  action. Trained on the evidence lower bound

      ||a - dec(s, z)||^2 / (2 sigma^2) + beta KL(q(z | s, a) || N(0, I)),   z ~ q(z | s, a),

  the latent learns *which* of the expert's actions was taken (left or right). Acting, ``z`` is
  drawn from the prior ``N(0, I)``: once per episode (``hold=True``: the latent is the episode's
  plan), at every step (``hold=False``), or ``z = 0`` (``select="most_likely"``, the prior's mode).

Both share :class:`il_helpers.algorithms.mdn.ModeHoldingPolicy` (``select``, ``hold``, ``reset(n, seed)``)
and train with ``train_bc(demos, policy=...)``. The bench CLI gets ``mdn``, ``discretized`` and
``cvae``; on ObstacleFork their JSON line adds the collision rate, the left share and the
zig-zag rate.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..envs.obstacle_fork import evaluate_fork, fork_stats  # noqa: F401  (also registers the expert)
from ..envs.registry import OBSTACLE_FORK
from .bc import mlp
from .mdn import MDNPolicy, ModeHoldingPolicy, mdn_nll, seeded  # noqa: F401  (re-exported)


class DiscretizedPolicy(ModeHoldingPolicy):
    """A categorical over ``n_bins`` evenly spaced values per action dimension.

    ``policy(obs_tensor)`` returns logits ``(B, D, n_bins)``; ``policy(obs_array)`` returns the
    chosen bins' centres. The dimensions are independent given the state (a product of
    categoricals), which is enough when, as here, the modes differ along one dimension.
    """

    def __init__(self, obs_dim: int, act_dim: int, n_bins: int = 21, hidden=(64, 64), **kwargs):
        super().__init__(obs_dim, act_dim, **kwargs)
        if not (isinstance(n_bins, (int, np.integer)) and n_bins >= 2):
            raise ValueError(f"n_bins must be an integer >= 2, got {n_bins!r}")
        self.n_bins = int(n_bins)
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
        logits = self(obs)                                                   # (B, D, n_bins)
        target = self.bin_of(actions.reshape(len(actions), self.act_dim))
        ce = nn.functional.cross_entropy(logits.transpose(1, 2), target, reduction="none")  # (B, D)
        return ce.sum(dim=1)                                                 # -sum_j log p(bin_j | s)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.random((n, self.act_dim))

    def _act(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:
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


class CVAEPolicy(ModeHoldingPolicy):
    """A conditional VAE policy: the latent ``z`` (``latent_dim`` numbers) selects the mode.

    ``policy(obs_tensor)`` decodes with ``z = 0``; ``policy.decode(obs, z)`` with any ``z``;
    ``policy(obs_array)`` acts (see the module docstring for the choice of ``z``).
    """

    def __init__(self, obs_dim: int, act_dim: int, latent_dim: int = 2, hidden=(64, 64), beta: float = 1.0,
                 decoder_std: float = 0.1, **kwargs):
        super().__init__(obs_dim, act_dim, **kwargs)
        if not (isinstance(latent_dim, (int, np.integer)) and latent_dim >= 1):
            raise ValueError(f"latent_dim must be an integer >= 1, got {latent_dim!r}")
        if not (beta >= 0 and decoder_std > 0):
            raise ValueError(f"need beta >= 0 and decoder_std > 0, got beta={beta!r}, decoder_std={decoder_std!r}")
        self.latent_dim, self.beta, self.decoder_std = int(latent_dim), float(beta), float(decoder_std)
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
        recon = ((actions - self.decode(obs, z)) ** 2).sum(dim=1) / (2 * self.decoder_std**2)
        kl = 0.5 * (mean**2 + log_var.exp() - 1.0 - log_var).sum(dim=1)      # KL(q(z|s,a) || N(0, I))
        return recon + self.beta * kl

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.standard_normal((n, self.latent_dim))

    def _act(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:
        if noise is None:
            return self(x)
        return self.decode(x, torch.as_tensor(noise, dtype=x.dtype, device=x.device))


# --------------------------------------------------------------------------------------------
# training budgets shared by the notebook, the widget and the bench CLI
# --------------------------------------------------------------------------------------------

#: ``train_bc`` settings for the mixture policies (the MDN needs several thousand small steps).
TRAIN = {"epochs": 150, "batch_size": 64, "lr": 3e-3, "patience": 20}
TRAIN_FAST = {"epochs": 60, "batch_size": 64, "lr": 3e-3, "patience": 15}

POLICIES = {"mdn": MDNPolicy, "discretized": DiscretizedPolicy, "cvae": CVAEPolicy}


def make_policy(kind: str, env_id: str = OBSTACLE_FORK, seed: int = 0, **kwargs) -> ModeHoldingPolicy:
    """A fresh multimodal policy of ``kind`` ("mdn", "discretized" or "cvae") sized for ``env_id``."""
    if kind not in POLICIES:
        raise ValueError(f"unknown policy kind {kind!r}; choose one of {', '.join(POLICIES)}")
    return POLICIES[kind].for_env(env_id, seed=seed, **kwargs)


def train_multimodal(kind: str, demos, seed: int = 0, fast: bool = False, policy_kwargs: dict | None = None,
                     **train_kwargs):
    """``train_bc(demos, policy=make_policy(kind, ...))`` with the shared budget; returns
    ``(policy, history)``. ``train_kwargs`` override :data:`TRAIN` (or :data:`TRAIN_FAST`)."""
    from .bc import train_bc

    policy = make_policy(kind, demos.env_id, seed=seed, **(policy_kwargs or {}))
    settings = {**(TRAIN_FAST if fast else TRAIN), **train_kwargs}
    return train_bc(demos, policy=policy, seed=seed, **settings)


# --------------------------------------------------------------------------------------------
# bench CLI: python -m il_helpers.bench mdn --env il_helpers/ObstacleFork-v0 --demos 100
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# the comparison of notebook 06 (and of tests/test_multimodal_claims.py)
# --------------------------------------------------------------------------------------------

N_DEMOS = 100  #: expert episodes each method learns from
METHODS = ("mse", "mdn", "discretized", "cvae")
METHOD_LABELS = {"mse": "MSE-BC", "mdn": "MDN", "discretized": "discretized", "cvae": "CVAE"}


def train_method(kind: str, demos, seed: int = 0, fast: bool = False):
    """Train ``kind``: "mse" (plain BC, least squares) or a multimodal policy, with the same budget
    (:data:`TRAIN`, or :data:`TRAIN_FAST`). Returns ``(policy, history)``."""
    from .bc import train_bc

    if kind == "mse":
        return train_bc(demos, loss="mse", seed=seed, **(TRAIN_FAST if fast else TRAIN))
    return train_multimodal(kind, demos, seed=seed, fast=fast)


def fork_comparison(seeds=range(5), methods=METHODS, n_demos: int = N_DEMOS, episodes: int = 100,
                    fast: bool = False, progress=None, trained: dict | None = None) -> list[dict]:
    """For each seed: collect ``n_demos`` expert episodes (seed + 10_000), train every method on
    them, and evaluate it on ``episodes`` episodes (seed + 20_000) with :func:`evaluate_fork`.

    Returns one dict per (method, seed): :func:`fork_stats`' numbers plus ``train_s``, ``epochs``
    and ``finite`` (every training and validation loss was finite). ``progress(done, total)``
    is called after each training. ``trained`` maps ``(method, seed)`` to an already trained
    ``(policy, history)`` (on the same demonstrations) to reuse instead of training again.
    """
    from ..core.demonstrations import collect_demonstrations

    rows, total = [], len(list(seeds)) * len(methods)
    for seed in seeds:
        demos = collect_demonstrations(OBSTACLE_FORK, n_demos, seed=seed + 10_000)
        for kind in methods:
            if trained and (kind, seed) in trained:
                policy, hist = trained[(kind, seed)]
            else:
                policy, hist = train_method(kind, demos, seed=seed, fast=fast)
            _, stats = evaluate_fork(policy, episodes, seed=seed + 20_000)
            finite = bool(np.all(np.isfinite(hist.train_loss)) and np.all(np.isfinite(hist.val_loss))
                          and all(torch.all(torch.isfinite(p)) for p in policy.parameters()))
            rows.append({"method": kind, "seed": int(seed), **stats, "train_s": hist.wall_s,
                         "epochs": hist.epochs_run, "finite": finite})
            if progress is not None:
                progress(len(rows), total)
    return rows


def comparison_table(rows: list[dict]) -> str:
    """A plain-text table of :func:`fork_comparison`'s rows: per method, the mean and the range
    over seeds of the success, collision, left-share and zig-zag rates, and the training time."""
    methods = list(dict.fromkeys(r["method"] for r in rows))
    cols = [("success", "success_rate"), ("collision", "collision_rate"), ("left share", "left_share"),
            ("zig-zag", "zigzag_rate")]
    head = f"{'method':12s}" + "".join(f"{name:>22s}" for name, _ in cols) + f"{'train s':>9s}"
    lines = [head, "-" * len(head)]
    for m in methods:
        rs = [r for r in rows if r["method"] == m]
        cells = []
        for _, key in cols:
            v = np.array([r[key] for r in rs], float)
            if np.all(np.isnan(v)):
                cells.append(f"{'(none passed)':>22s}")
            else:
                cells.append(f"{100 * np.nanmean(v):6.1f}% [{100 * np.nanmin(v):5.1f}, {100 * np.nanmax(v):5.1f}]")
        lines.append(f"{METHOD_LABELS.get(m, m):12s}" + "".join(f"{c:>22s}" for c in cells)
                     + f"{np.mean([r['train_s'] for r in rs]):9.1f}")
    seeds = sorted({r["seed"] for r in rows})
    lines.append(f"mean [min, max] over {len(seeds)} seed(s), {rows[0]['episodes']} episodes each; "
                 "left share among the episodes that passed the obstacle")
    return "\n".join(lines)
