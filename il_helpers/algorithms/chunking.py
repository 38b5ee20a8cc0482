"""Action chunking (Zhao et al. 2023, ACT): a policy predicts the next ``k`` actions at once, and
acting commits to them, a second answer to the zig-zag of notebook 06.

Training: every step ``i`` of a demonstration gets the target ``(a_i, a_{i+1}, ..., a_{i+k-1})``
(a ``k * D`` vector; past the episode's end its last action is repeated), and a *base* policy
with ``k * D`` outputs is trained on it by the one BC loop
(:func:`~il_helpers.algorithms.bc.train_bc`): least squares (``base="mse"``), an MDN
(``"mdn"``), a discretized policy (``"discretized"``: its bins per action of the chunk), a CVAE
(``"cvae"``) or a diffusion policy (``"diffusion"``). A chunk is one sample of the base, so one
mode for all ``k`` steps (for the discretized policy: one uniform per action of the chunk).

Acting (``execute``), per copy of a batched rollout:

* ``"open_loop"``: predict a chunk, execute its ``k`` actions in order without looking at the
  states in between, then predict the next one (re-plan every ``k`` steps; each copy has its
  own step counter);
* ``"ensemble"`` (ACT's temporal ensembling): predict a chunk at *every* step and execute the
  weighted average of the (up to ``k``) predictions made for this step, the older ones weighted
  ``exp(m)`` times more per step of age (``m = ensemble_decay``; ACT uses 0.01: almost a plain
  average). Averaging predictions of the *same* mode smooths; averaging two modes would not be
  a mode, but within one episode the held noise keeps them on one side.

The mode (``select``, ``hold``) is chosen as for every multimodal policy
(:class:`~il_helpers.algorithms.mode_holding.ModeHoldingPolicy`): with ``hold=False`` fresh noise
is drawn at every step but used only when a chunk is predicted. Call ``policy.reset(n, seed)``
before each rollout: it also forgets the chunks in flight.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch

from ..core.checks import check, check_choice, check_int, check_number, make_config
from ..core.demonstrations import Demonstrations
from .bc import BCConfig, MLPPolicy, bc_loss
from .cvae import CVAEConfig, CVAEPolicy
from .diffusion import DiffusionConfig, DiffusionPolicy
from .discretized import DiscretizedConfig, DiscretizedPolicy
from .mdn import MDNConfig, MDNPolicy
from .mode_holding import BC_FIELDS, ModeHoldingConfig, ModeHoldingPolicy, fit_mode_holding, seeded

BASES = {"mse": (MLPPolicy, BCConfig), "mdn": (MDNPolicy, MDNConfig),
         "discretized": (DiscretizedPolicy, DiscretizedConfig), "cvae": (CVAEPolicy, CVAEConfig),
         "diffusion": (DiffusionPolicy, DiffusionConfig)}
EXECUTES = ("open_loop", "ensemble")


@dataclass
class ChunkConfig(ModeHoldingConfig):
    """:func:`train_chunked`'s settings: the shared ones
    (:class:`~il_helpers.algorithms.mode_holding.ModeHoldingConfig`), the ``base`` policy (one of
    :data:`BASES`) and its own settings ``base_config`` (the base's config, e.g. a
    :class:`DiffusionConfig` or an :class:`MDNConfig`; None: its defaults; only the fields that
    build the policy are used), the chunk length ``chunk`` (``k``), how chunks are executed (``execute``, one of
    :data:`EXECUTES`) and ACT's ``ensemble_decay``. ``hidden=None`` takes the base's widths."""

    hidden: tuple | None = None
    base: str = "diffusion"
    base_config: object = None
    chunk: int = 4
    execute: str = "open_loop"
    ensemble_decay: float = 0.01


def chunk_targets(demos: Demonstrations, k: int) -> np.ndarray:
    """Each step's next ``k`` actions of its episode, flattened to ``(N, k * D)`` float32 (the
    episode's last action repeated past its end): the targets ``train_bc(..., targets=)`` fits."""
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"chunk_targets: demos must be Demonstrations, got {type(demos).__name__}")
    k = check_int("chunk", k, 1, where="chunk_targets")
    check(not demos.discrete, "demos", "demonstrations with continuous actions (chunking of discrete actions "
          "is not built; use bc)", demos.env_id, "chunk_targets")
    ends = np.repeat(demos.episode_starts + demos.episode_lengths - 1, demos.episode_lengths)
    idx = np.minimum(np.arange(len(demos))[:, None] + np.arange(k)[None, :], ends[:, None])   # (N, k)
    return demos.actions[idx].reshape(len(demos), -1).astype(np.float32)


class ChunkPolicy(ModeHoldingPolicy):
    """A base policy over chunks of ``chunk`` actions, executed open loop or with temporal
    ensembling (see the module docstring). The wrapper normalizes the observations; the base
    (``policy.inner``, built with ``k * D`` outputs) sees them normalized.

    ``policy.chunks(obs_tensor)`` returns the base's chunks ``(N, k, D)`` (zero noise);
    ``policy(obs_array)`` acts.
    """

    def __init__(self, obs_dim: int, act_dim: int, base: str = "diffusion", chunk: int = 4,
                 execute: str = "open_loop", ensemble_decay: float = 0.01, hidden=None, base_config=None,
                 action_low=None, action_high=None, select: str = "sample", hold: bool = True, seed: int = 0):
        super().__init__(obs_dim, act_dim, action_low, action_high, select=select, hold=hold, seed=seed)
        where = "ChunkPolicy"
        self.base = check_choice("base", base, tuple(BASES), where=where)
        self.k = check_int("chunk", chunk, 1, where=where)
        self.execute = check_choice("execute", execute, EXECUTES, where=where)
        self.ensemble_decay = check_number("ensemble_decay", ensemble_decay, 0.0, where=where)
        cls, cfg_cls = BASES[self.base]
        if isinstance(base_config, dict):  # fit_mode_holding hands the config's fields over as a dict
            base_config = cfg_cls(**base_config)
        cfg = make_config(cfg_cls, base_config, where=f"{where} base_config")
        hidden = tuple(cfg.hidden if hidden is None else hidden)
        low = None if action_low is None else np.tile(np.asarray(action_low, np.float32), self.k)
        high = None if action_high is None else np.tile(np.asarray(action_high, np.float32), self.k)
        if self.base == "mse":
            with seeded(seed):
                self.inner = MLPPolicy(obs_dim, self.k * act_dim, "mse", hidden, action_low=low, action_high=high)
        else:
            own = {k: v for k, v in dataclasses.asdict(cfg).items()
                   if k not in BC_FIELDS and k not in ("select", "hold", "hidden")}
            self.inner = cls(obs_dim, self.k * act_dim, hidden=hidden, action_low=low, action_high=high,
                             select=select, hold=hold, seed=seed, **own)
        self.name = f"{self.inner.name.split(' (')[0]}, chunks of {self.k} ({self.execute.replace('_', ' ')})"
        self._state = None

    # -- training -------------------------------------------------------------------------------
    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        x = self.normalize(obs)
        if self.base == "mse":
            return bc_loss(self.inner, x, actions)
        return self.inner.loss(x, actions)

    # -- acting ---------------------------------------------------------------------------------
    def draw_noise(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.zeros((n, 0)) if self.base == "mse" else self.inner.draw_noise(rng, n)

    def chunks(self, obs: torch.Tensor, noise: np.ndarray | None = None) -> torch.Tensor:
        """The base's chunks for a batch of observations, ``(N, k, D)``."""
        x = self.normalize(obs)
        out = self.inner(x) if self.base == "mse" else self.inner.act_with_noise(x, noise)
        return out.reshape(len(obs), self.k, self.act_dim)

    def reset(self, n: int | None = None, seed: int | None = None) -> None:
        super().reset(n, seed)
        self._state = None

    def act_with_noise(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:
        n = len(x)
        if self._state is None or len(self._state["step"]) != n:
            self._state = {"step": np.zeros(n, np.int64), "plan": torch.zeros(n, self.k, self.act_dim),
                           "sum": torch.zeros(n, self.k, self.act_dim), "weight": torch.zeros(n, self.k, 1)}
        s = self._state
        if self.execute == "open_loop":
            due = s["step"] % self.k == 0                              # copies that start a new chunk
            if due.any():
                rows = np.flatnonzero(due)
                s["plan"][rows] = self.chunks(x[rows], None if noise is None else noise[rows])
            action = s["plan"][np.arange(n), s["step"] % self.k]
        else:  # temporal ensembling: older predictions gain exp(m) per step of age
            grow = math.exp(self.ensemble_decay)
            s["sum"] = s["sum"] * grow + self.chunks(x, noise)
            s["weight"] = s["weight"] * grow + 1.0
            action = s["sum"][:, 0] / s["weight"][:, 0]
            s["sum"] = torch.cat([s["sum"][:, 1:], torch.zeros(n, 1, self.act_dim)], dim=1)
            s["weight"] = torch.cat([s["weight"][:, 1:], torch.zeros(n, 1, 1)], dim=1)
        s["step"] += 1
        return action

    def describe(self) -> str:
        return super().describe() if self.base != "mse" else self.name


def train_chunked(demos, *, env_id: str | None = None, seed: int = 0, progress=None,
                  config: ChunkConfig | None = None, **settings):
    """Behavioral cloning of a :class:`ChunkPolicy` on ``demos``: the base policy trained on the
    chunk targets (:func:`chunk_targets`) by :func:`~il_helpers.algorithms.bc.train_bc`;
    ``(policy, history)``.

    ``config`` (a :class:`ChunkConfig`, its fields replaced by the keyword ``settings``) sets the
    base, the chunk length, the execution and the budget (the training fields are the wrapper's:
    ``base_config`` builds the base, it does not train it).
    """
    where = "train_chunked"
    cfg = make_config(ChunkConfig, config, where=where, **settings)
    check_choice("base", cfg.base, tuple(BASES), where=where)
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"{where}: demos must be Demonstrations, got {type(demos).__name__}")
    return fit_mode_holding(ChunkPolicy, ChunkConfig, demos, env_id=env_id, seed=seed, progress=progress,
                            config=cfg, where=where, targets=chunk_targets(demos, cfg.chunk))
