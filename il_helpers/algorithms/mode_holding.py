"""What every multimodal policy of notebook 06 shares: the choice of a mode, held per episode, and
training through behavioral cloning.

A multimodal policy (:mod:`~il_helpers.algorithms.mdn`, :mod:`~il_helpers.algorithms.discretized`,
:mod:`~il_helpers.algorithms.cvae`) models a *distribution* over actions with several peaks; acting,
it must decide *which* peak (mode) to follow. :class:`ModeHoldingPolicy` decides with two switches:

* ``select="most_likely"``: the most likely mode (deterministic);
* ``select="sample"``: a mode drawn from the policy's distribution, either afresh at every step
  (``hold=False``: may zig-zag between modes) or with random numbers drawn once per episode
  (``hold=True``, the default): each copy keeps what it drew when its episode started (a uniform
  for the MDN and the discretized policy, a latent for the CVAE). Where the distribution is
  decided (one side already taken) every draw gives the same mode; where it is split, a copy
  keeps choosing the same side.

Per-episode state needs to know when episodes start. :func:`il_helpers.rollout` calls the
policy with all episodes in lockstep and has no reset hook, so a policy draws new per-copy
numbers on its first call and whenever the batch size changes, and ``policy.reset(n, seed)``
draws them explicitly (call it before each rollout for reproducible modes;
:func:`il_helpers.lessons.multimodal.evaluate_fork` and the bench CLI do).

Every multimodal policy has a method ``loss(obs, actions)`` (per sample), so the one BC loop,
:func:`il_helpers.algorithms.bc.train_bc` with ``policy=``, trains them all: :func:`fit_mode_holding`
builds the policy from its configuration (:class:`ModeHoldingConfig`'s fields and the method's own)
and runs it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass

import numpy as np
import torch
from gymnasium import spaces

from ..core.checks import TRAIN_SEED_MAX, check, check_choice, check_seed, check_training_data, make_config
from ..core.policies import TorchPolicy
from ..envs.registry import env_spaces
from .bc import BCConfig, train_bc


@dataclass
class ModeHoldingConfig(BCConfig):
    """The settings every multimodal trainer shares (each method's config adds its own): how the
    policy acts, and everything of :class:`~il_helpers.algorithms.bc.BCConfig` (these policies are
    trained by :func:`~il_helpers.algorithms.bc.train_bc`; ``hidden`` sizes the policy's network;
    the policy brings its own loss, so ``loss`` stays "auto" and ``dropout`` 0). The defaults that
    differ from BC's are notebook 06's budget: the mixtures need several thousand small steps, and
    every epoch runs (``patience`` = ``epochs``; the best validation epoch's weights are kept): an
    MDN's validation loss can stall for 20 epochs and fall again (lessons.multimodal.TRAIN)."""

    epochs: int = 150
    batch_size: int = 64
    patience: int = 150
    select: str = "sample"
    """acting: "sample" a mode (from the policy's distribution) or take the "most_likely" one"""
    hold: bool = True
    """acting: keep a sampled mode for the whole episode (else draw afresh at every step)"""


#: the fields of :class:`ModeHoldingConfig` that go to ``train_bc`` (the rest build the policy)
BC_FIELDS = tuple(f.name for f in dataclasses.fields(BCConfig) if f.name not in ("hidden",))


@contextlib.contextmanager
def seeded(seed: int | None):
    """Run a block (e.g. building a network) with torch seeded, leaving the global RNG as it was."""
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


class ModeHoldingPolicy(TorchPolicy):
    """Base of the multimodal policies: the choice of a mode (``select``, ``hold``, ``reset``; see
    the module docstring) on top of :class:`~il_helpers.core.policies.TorchPolicy` (normalization,
    action bounds, numpy/tensor dispatch, one-thread ``act``).

    Subclasses implement ``loss(obs, actions)`` (per-sample, for :func:`il_helpers.train_bc`),
    ``act_with_noise(x, noise)`` (a float tensor of observations and one row of per-copy random numbers
    per observation, or None for ``select="most_likely"``) and may override ``draw_noise(rng, n)``
    (the per-copy random numbers: uniforms of shape ``(n,)`` by default).
    """

    SELECTS = ("sample", "most_likely")

    def __init__(self, obs_dim: int, act_dim: int, action_low=None, action_high=None,
                 select: str = "sample", hold: bool = True, seed: int = 0):
        check_choice("select", select, self.SELECTS, where=type(self).__name__)
        super().__init__(obs_dim, act_dim, action_low, action_high)
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

    # -- per-episode random numbers --------------------------------------------------------------
    def draw_noise(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.random(n)

    def reset(self, n: int | None = None, seed: int | None = None) -> None:
        """Start new episodes: forget the held per-copy numbers (and reseed if ``seed`` is given).

        With ``n`` they are drawn now for ``n`` copies; otherwise on the next call.
        """
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.held = None if n is None else self.draw_noise(self.rng, int(n))

    def noise(self, n: int) -> np.ndarray | None:
        """The random numbers for a batch of ``n`` copies at this step (None: most likely mode)."""
        if self.select == "most_likely":
            return None
        if not self.hold:
            return self.draw_noise(self.rng, n)
        if self.held is None or len(self.held) != n:
            self.held = self.draw_noise(self.rng, n)
        return self.held

    # -- acting ------------------------------------------------------------------------------------
    def _act(self, x: torch.Tensor) -> torch.Tensor:
        return self.act_with_noise(x, self.noise(len(x)))

    def act_with_noise(self, x: torch.Tensor, noise: np.ndarray | None) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:
        how = "most likely mode" if self.select == "most_likely" else (
            "mode sampled once per episode" if self.hold else "mode sampled every step")
        return f"{self.name}, {how}"


def fit_mode_holding(policy_cls, config_cls, demos, *, env_id=None, seed=0, progress=None, config=None,
                       where: str = "", targets=None, **settings):
    """The shared trainer: ``policy_cls.for_env(env_id, seed=seed, <the config's policy fields>)``
    trained by ``train_bc(demos, policy=...)`` with the config's training fields; returns
    ``(policy, history)``, the configuration on ``history.config``. Each method's ``train_X`` is this
    with its own classes (see the trainer contract in :mod:`il_helpers`). ``targets`` replace the
    demonstrations' actions as what the policy learns to predict (see ``train_bc``)."""
    where = where or f"train with {config_cls.__name__}"
    seed = check_seed("seed", seed, where, TRAIN_SEED_MAX)
    env_id = check_training_data(demos, env_id, where)
    cfg = make_config(config_cls, config, where=where, **settings)
    check(cfg.dropout == 0, "dropout", "0 (the multimodal policies have no dropout layers)", cfg.dropout, where)
    values = dataclasses.asdict(cfg)
    policy_kwargs = {k: v for k, v in values.items() if k not in BC_FIELDS}
    policy = policy_cls.for_env(env_id or demos.env_id, seed=seed, **policy_kwargs)
    bc_settings = {k: values[k] for k in BC_FIELDS}
    if progress is not None:
        bc_settings["progress"] = progress
    policy, history = train_bc(demos, policy=policy, seed=seed, targets=targets, **bc_settings)
    history.config = cfg
    return policy, history
