"""An ensemble of BC policies: average their actions, and read their disagreement as uncertainty.

``train_bc_ensemble`` trains ``n_members`` policies with :func:`il_helpers.train_bc` (the same
loop, nothing copied; :class:`EnsembleConfig` holds its settings, ``bc`` the members') that
differ only in their seed, i.e. in the network's initial weights
and the order of the minibatches; with ``bootstrap=True`` each member also sees its own
resample of the demonstration *episodes* (drawn with replacement, as in bagging). Different
seeds alone are the default: Lakshminarayanan et al. (2017, "Deep ensembles") found random
initialisation enough to make members disagree off the data, and with a handful of
demonstrations a bootstrap would leave each member with even fewer distinct episodes.

The :class:`EnsemblePolicy` acts with the **mean action** of its members (continuous), or
the argmax of their mean action probabilities (discrete). Its ``disagreement(obs)`` is the
spread of the members' outputs at each state:

* continuous: the standard deviation across members of their mean actions *before*
  clipping to the action bounds, ``sqrt(mean_j Var_m[mu_mj(s)])``, in action units (after
  clipping, members that all saturate far off the data would look as if they agreed);
* discrete: the standard deviation across members of each action's probability, averaged
  over the actions.

Members agree where the demonstrations pinned the function down and extrapolate each in
their own way elsewhere, so disagreement grows as a learner drifts away from the expert's
states (it is the uncertainty signal used by, e.g., SafeDAgger-style and ensemble-DAgger
methods to decide when to ask the expert).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..core.checks import TRAIN_SEED_MAX, check, check_fields, check_int, check_seed, check_training_data, make_config
from ..core.demonstrations import Demonstrations
from ..core.nets import cpu_threads
from ..core.policies import Policy
from .bc import BCConfig, BCHistory, MLPPolicy, train_bc


@dataclass
class EnsembleConfig:
    """``n_members`` BC policies, each trained with ``bc`` (a :class:`~il_helpers.algorithms.bc.BCConfig`);
    ``bootstrap``: each member sees its own resample of the episodes."""

    n_members: int = 5
    bootstrap: bool = False
    bc: BCConfig = field(default_factory=BCConfig)

    def __post_init__(self):
        check_fields(self)  # finite numbers of the right kind and sign (counts >= 1)


class EnsemblePolicy(Policy):
    """A list of :class:`MLPPolicy` members acting together (see the module docstring)."""

    def __init__(self, members: list[MLPPolicy], threads: int | None = 1):
        if not members:
            raise ValueError("EnsemblePolicy needs at least one member")
        kinds = {m.loss for m in members}
        if len(kinds) != 1:
            raise ValueError(f"all members must use the same loss, got {sorted(kinds)}")
        self.members = list(members)
        self.loss = kinds.pop()
        self.discrete = self.loss == "ce"
        self.threads = threads
        first = self.members[0]
        shapes = [tuple(p.shape) for p in first.parameters()] if isinstance(first, MLPPolicy) else None
        self._same_layers = shapes is not None and all(
            isinstance(m, MLPPolicy) and m.obs_mean.device.type == "cpu"
            and [tuple(p.shape) for p in m.parameters()] == shapes
            and [type(layer) for layer in m.net] == [type(layer) for layer in first.net] for m in self.members)
        self.name = f"ensemble of {len(members)} BC policies ({self.loss})"

    def __len__(self) -> int:
        return len(self.members)

    def _stackable(self) -> bool:
        """Eval-mode MLPPolicies with the same layers (checked once, in ``__init__``): then one
        batched forward pass serves all members."""
        return self._same_layers and not any(m.training for m in self.members)

    def _raw(self, x: torch.Tensor) -> torch.Tensor:
        """Every member's raw network output for a batch ``x``: shape (M, N, out)."""
        if not self._stackable():
            outs = []
            for m in self.members:
                was_training = m.training
                m.eval()  # dropout off
                outs.append(m(x.to(m.obs_mean.device)).cpu())
                m.train(was_training)
            return torch.stack(outs)
        # the members' layers stacked: (M, out, in) weights, one batched matrix product per layer
        h = (x[None] - torch.stack([m.obs_mean for m in self.members])[:, None]) / \
            torch.stack([m.obs_std for m in self.members])[:, None]
        for k, layer in enumerate(self.members[0].net):
            if isinstance(layer, nn.Linear):
                w = torch.stack([m.net[k].weight for m in self.members])
                b = torch.stack([m.net[k].bias for m in self.members])
                h = torch.baddbmm(b[:, None], h, w.transpose(1, 2))
            elif isinstance(layer, nn.Tanh):
                h = torch.tanh(h)
            # nn.Dropout is the identity in eval mode
        return h

    @torch.no_grad()
    def _outputs(self, obs: np.ndarray, clip: bool = True) -> np.ndarray:
        """Per-member outputs, shape (M, N, k): action probabilities (discrete), or mean actions
        (continuous; clipped to the action bounds unless ``clip=False``)."""
        threads = None if self.threads is None or torch.get_num_threads() == self.threads else self.threads
        with cpu_threads(threads):
            raw = self._raw(torch.as_tensor(np.asarray(obs, dtype=np.float32)))
            if self.discrete:
                return torch.softmax(raw, dim=2).numpy()
            act_dim = self.members[0].act_dim
            out = raw[:, :, :act_dim].numpy()  # the mean (the Gaussian head's log-std follows it)
        first = self.members[0]
        if clip and first.action_low is not None:
            out = np.clip(out, first.action_low, first.action_high)
        return out.astype(np.float32, copy=False)

    def member_actions(self, obs) -> np.ndarray:
        """Each member's action: shape (M, N) int64 (discrete) or (M, N, act_dim) float32."""
        obs = np.asarray(obs, dtype=np.float32)
        if obs.ndim == 1:
            return self.member_actions(obs[None])[:, 0]
        out = self._outputs(obs)
        return out.argmax(axis=2).astype(np.int64) if self.discrete else out

    def act(self, obs: np.ndarray) -> np.ndarray:
        out = self._outputs(obs)
        if self.discrete:
            return out.mean(axis=0).argmax(axis=1).astype(np.int64)
        return out.mean(axis=0).astype(np.float32)

    def disagreement(self, obs) -> np.ndarray:
        """Spread of the members' outputs at each state: shape (N,) (a float for one state)."""
        obs = np.asarray(obs, dtype=np.float32)
        if obs.ndim == 1:
            return float(self.disagreement(obs[None])[0])
        if obs.ndim != 2:
            raise ValueError(f"expected observations of shape (obs_dim,) or (N, obs_dim), got {obs.shape}")
        out = self._outputs(obs, clip=False)
        if self.discrete:
            return out.std(axis=0).mean(axis=1)
        return np.sqrt(out.var(axis=0).mean(axis=1))


@dataclass
class EnsembleHistory:
    """The members' training histories, their seeds and (with bootstrap) their episodes."""

    members: list[BCHistory] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    episodes: list[np.ndarray] = field(default_factory=list)
    bootstrap: bool = False
    wall_s: float = 0.0
    config: EnsembleConfig | None = field(default=None, repr=False)


def train_bc_ensemble(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
                      progress: Callable | None = None, config: EnsembleConfig | None = None,
                      **settings) -> tuple[EnsemblePolicy, EnsembleHistory]:
    """Train ``n_members`` BC policies and return ``(EnsemblePolicy, EnsembleHistory)``.

    ``config`` (an :class:`EnsembleConfig`) and the keyword ``settings`` (its fields, e.g.
    ``n_members=3, bc=BCConfig(epochs=5)``) say how. Member ``i`` is
    ``train_bc(demos_i, seed=seed * n_members + i, config=bc)``, so two ensembles with
    different ``seed`` share no member seed. ``demos_i`` is ``demos`` itself, or with
    ``bootstrap=True`` a resample of its episodes with replacement (a repeated episode counts
    as a separate episode, so keep ``bc.val_frac=0`` then, or an episode may sit on both sides
    of the validation split). ``progress(done, n_members, {"member", "seed", "train_loss"})``
    is called after each member.
    """
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"train_bc_ensemble: demos must be Demonstrations, got {type(demos).__name__}")
    seed = check_seed("seed", seed, "train_bc_ensemble", TRAIN_SEED_MAX)
    env_id = check_training_data(demos, env_id, "train_bc_ensemble")
    cfg = make_config(EnsembleConfig, config, "train_bc_ensemble", **settings)
    n_members = check_int("n_members", cfg.n_members, 1, where="train_bc_ensemble")
    top = (TRAIN_SEED_MAX + 1) // n_members - 1
    check(seed <= top, "seed", f"at most {top} with n_members={n_members} (member seeds are seed * n_members + i, "
          f"at most 2**63 - 1)", seed, "train_bc_ensemble")
    t0 = time.perf_counter()
    hist = EnsembleHistory(bootstrap=bool(cfg.bootstrap), config=cfg)
    members = []
    for i in range(n_members):
        member_seed = int(seed) * n_members + i
        if cfg.bootstrap:
            episodes = np.random.default_rng([int(seed), i]).integers(0, demos.num_episodes, demos.num_episodes)
            data = demos.episodes(episodes)
        else:
            episodes, data = np.arange(demos.num_episodes), demos
        policy, h = train_bc(data, env_id=env_id, seed=member_seed, config=cfg.bc)
        members.append(policy)
        hist.members.append(h)
        hist.seeds.append(member_seed)
        hist.episodes.append(episodes)
        if progress is not None:
            progress(i + 1, n_members, {"member": i, "seed": member_seed,
                                        "train_loss": h.train_loss[-1] if h.train_loss else None})
    hist.wall_s = time.perf_counter() - t0
    return EnsemblePolicy(members), hist
