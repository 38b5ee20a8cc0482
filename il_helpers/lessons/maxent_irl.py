"""Notebook 04's transfer lesson: does a recovered reward transfer where a cloned policy does not?

The comparison has to be fair. A deep MaxEnt IRL reward on ObjectWorld (maximum causal entropy
IRL, Ziebart et al. 2010, since the worlds are windy) is a function of the object-distance
features ``phi(s)``, which move with the objects; behavioral cloning on the raw observation
``[row, col, t]`` only knows *where* the expert went. So the lesson trains three
learners on the same demonstrations and scores them on the same worlds:

* the IRL reward (:func:`~il_helpers.algorithms.maxent_irl.train_maxent_irl`, ``reward="deep"``),
  evaluated on the new world's features and re-planned there with the known model (the optimal
  policy for it, and the soft-optimal one, as the demonstrator plans);
* BC on ``[row, col, t]`` (:func:`~il_helpers.algorithms.bc.train_bc`), taken as it is;
* BC on the same features as the reward, ``[phi(s), t]`` (:class:`FeatureBCPolicy`, trained by the
  same :func:`~il_helpers.algorithms.bc.train_bc` loop and settings), read on the new world's
  features (:meth:`FeatureBCPolicy.on_world`) and taken as it is.

:func:`normalized_value` scores a policy exactly (the forward pass): 0 is the uniformly random
policy, 1 the optimal policy of the world. The soft-optimal expert of each world is scored too:
it is what the demonstrations show, and it does not reach 1 (it wanders), so a re-planned
reward can score above the expert. :func:`transfer_experiment` runs it over seeds (the seed
draws the demonstrations and the learners' initial weights).

Measured (notebook 04's settings: layout 2, 64 demonstrations, 200 gradient steps, seeds 0 to 4):
the demonstrator scores 0.57 / 0.77 / 0.51 (training world / new layout / wind 0.5); the reward
re-planned optimally 0.98 to 0.99 / -0.04 to 0.95 (0.89 to 0.95 on 3 seeds) / 0.96 to 0.98, re-planned
soft-optimally 0.54 to 0.58 / -0.03 to 0.58 / 0.48 to 0.53; BC on ``[row, col, t]`` 0.71 to 0.78 /
0.06 to 0.28 / 0.78 to 0.84; BC on ``[phi(s), t]`` 0.40 to 0.60 / -0.16 to -0.05 / 0.44 to 0.65.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from ..algorithms.bc import BCConfig, train_bc
from ..algorithms.maxent_irl import learned_reward, train_maxent_irl
from ..core.checks import check_seed
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.nets import mlp, normalization_stats, one_thread
from ..core.policies import TorchPolicy
from ..envs.gridworlds import make_world
from ..tabular.metrics import reward_correlation
from ..tabular.policies import optimal_policy, policy_table
from ..tabular.solvers import policy_value, soft_value_iteration

# the learners of the transfer table, in its order (the expert first: the demonstrations' own score)
EXPERT = "soft-optimal expert (demonstrator)"
IRL = "IRL reward, re-planned (optimal)"
IRL_SOFT = "IRL reward, re-planned (soft-optimal)"
BC_RAW = "BC on [row, col, t]"
BC_PHI = "BC on [phi(s), t]"
LEARNERS = (EXPERT, IRL, IRL_SOFT, BC_RAW, BC_PHI)


class FeatureBCPolicy(TorchPolicy):
    """A BC policy on the reward's features: ``[row, col, t]`` is read as ``[phi(s), t]``, then an MLP.

    It takes the gridworld's observation ``[row, col, t]`` (so it runs where BC on the raw
    observation runs), looks up the features ``phi(s)`` of its world for the cell and feeds the
    standardized ``[phi(s), t]`` to an MLP (softmax over the actions, cross-entropy loss:
    :meth:`loss`, what :func:`~il_helpers.algorithms.bc.train_bc` minimizes). The standardization
    is fixed at construction from ``inputs`` (the training demonstrations' ``[phi(s), t]``) and kept
    when the policy moves to another world with :meth:`on_world`.
    """

    def __init__(self, features, size: int, n_actions: int, inputs, hidden=BCConfig.hidden):
        super().__init__(3, n_actions)
        phi = torch.as_tensor(np.asarray(features, np.float32))
        if phi.dim() != 2 or phi.shape[0] != size * size:
            raise ValueError(f"features must be ({size * size}, F) for a {size}x{size} grid, got {tuple(phi.shape)}")
        self.size, self.n_features = int(size), int(phi.shape[1])
        self.register_buffer("features", phi)
        mean, std = normalization_stats(inputs)
        if mean.shape != (self.n_features + 1,):
            raise ValueError(f"inputs must be [phi(s), t] rows with {self.n_features + 1} columns, "
                             f"got {tuple(mean.shape)}")
        self.register_buffer("in_mean", mean)
        self.register_buffer("in_std", std)
        self.net = mlp([self.n_features + 1, *hidden, n_actions])
        self.name = "BC on [phi(s), t]"

    def inputs(self, obs: torch.Tensor) -> torch.Tensor:
        """``[phi(s), t]`` (N, F + 1) of observations ``[row, col, t]`` (N, 3), from this policy's world."""
        rc = obs[:, :2].round().long().clamp(0, self.size - 1)
        return torch.cat([self.features[rc[:, 0] * self.size + rc[:, 1]], obs[:, 2:3].float()], dim=1)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net((self.inputs(obs) - self.in_mean) / self.in_std)

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Per-sample cross-entropy ``-log pi(a* | phi(s), t)``, shape (B,)."""
        return nn.functional.cross_entropy(self(obs), actions, reduction="none")

    def _act(self, x: torch.Tensor) -> torch.Tensor:
        return self(x).argmax(dim=1)

    def on_world(self, world) -> "FeatureBCPolicy":
        """A copy that reads ``world``'s features (same kind and number of features; any grid size)."""
        phi = torch.as_tensor(np.asarray(world.features, np.float32))
        if phi.dim() != 2 or phi.shape[1] != self.n_features:
            raise ValueError(f"the world has features of shape {tuple(phi.shape)}; this policy reads "
                             f"{self.n_features} features per cell")
        moved = copy.deepcopy(self)
        moved.size = int(world.size)
        moved.features = phi
        return moved


def feature_inputs(demos: Demonstrations, world) -> np.ndarray:
    """The ``[phi(s), t]`` rows (N, F + 1) of the demonstrations' observations ``[row, col, t]`` on ``world``."""
    rc = demos.obs[:, :2].astype(np.int64)
    return np.concatenate([np.asarray(world.features, np.float32)[rc[:, 0] * world.size + rc[:, 1]],
                           demos.obs[:, 2:3]], axis=1).astype(np.float32)


def train_feature_bc(demos: Demonstrations, world, seed: int = 0, **settings):
    """BC on ``[phi(s), t]``: a :class:`FeatureBCPolicy` trained by :func:`~il_helpers.algorithms.bc.train_bc`
    with its default settings (``settings`` replace them, as for ``train_bc``), on ``world``'s
    features. Returns ``(policy, history)``; deterministic for a given ``seed``."""
    seed = check_seed("seed", seed, "train_feature_bc")
    hidden = settings.pop("hidden", BCConfig.hidden)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        policy = FeatureBCPolicy(world.features, world.size, world.n_actions, feature_inputs(demos, world), hidden)
    return train_bc(demos, policy=policy, seed=seed, normalize=False, **settings)


def normalized_value(table, world) -> float:
    """A policy's exact expected return on ``world`` (a table ``pi[t, s, a]``), normalized:
    0 = the uniformly random policy, 1 = the optimal policy."""
    T, S, A = world.horizon, world.n_states, world.n_actions
    v = float(policy_value(table, world.r, world.P, world.d0))
    v_rand = float(policy_value(torch.full((T, S, A), 1.0 / A, dtype=torch.float64), world.r, world.P, world.d0))
    v_opt = float(world.optimal_plan.v[0] @ world.d0)
    return (v - v_rand) / (v_opt - v_rand)


def transfer_targets(world_seed: int = 2, size: int = 16, new_layout_seed: int | None = None,
                     wind: float = 0.5) -> dict:
    """The worlds of the transfer table: the training ObjectWorld, a new layout (objects moved,
    ``world_seed + 100`` unless given) and the training layout with more ``wind``."""
    return {"same world": make_world("ObjectWorld", size=size, world_seed=world_seed),
            "new layout": make_world("ObjectWorld", size=size,
                                     world_seed=world_seed + 100 if new_layout_seed is None else new_layout_seed),
            f"more wind ({wind:g})": make_world("ObjectWorld", size=size, world_seed=world_seed, wind=wind)}


@dataclass
class TransferResult:
    """Scores of :func:`transfer_experiment`: ``scores[learner][target]``, one per seed (0 = random,
    1 = optimal); the learners are :data:`LEARNERS`, the targets the keys of ``targets``.
    ``rewards[target]``: the IRL reward on that world's features, one table (S,) per seed;
    ``reward_corr[target]``: its correlation with the world's true reward, one per seed."""

    seeds: tuple
    targets: dict
    scores: dict = field(default_factory=dict)
    rewards: dict = field(default_factory=dict)
    reward_corr: dict = field(default_factory=dict)
    learners: tuple = LEARNERS

    def rows(self, fmt: str = "{:.2f}") -> list[list[str]]:
        """Table rows: a learner, then per target the mean over seeds and its range."""
        rows = []
        for learner in self.learners:
            cells = [learner]
            for target in self.targets:
                v = self.scores[learner][target]
                cells.append(fmt.format(v.mean()) if np.ptp(v) < 5e-3 else
                             f"{fmt.format(v.mean())} ({fmt.format(v.min())} to {fmt.format(v.max())})")
            rows.append(cells)
        return rows


@one_thread
def transfer_experiment(seeds=(0, 1, 2, 3, 4), world_seed: int = 2, n_demos: int = 64, steps: int = 200,
                        size: int = 16, wind: float = 0.5, targets: dict | None = None) -> TransferResult:
    """Train the deep IRL reward, BC on ``[row, col, t]`` and BC on ``[phi(s), t]`` on ``n_demos``
    demonstrations of ObjectWorld ``world_seed`` (one set per seed, drawn with that seed; each
    learner seeded with it) and score every learner, and the soft-optimal expert, on each target
    world (:func:`transfer_targets` by default). ``steps``: MaxEnt IRL's gradient steps."""
    seeds = tuple(check_seed("seed", s, "transfer_experiment") for s in seeds)
    if not seeds:
        raise ValueError("transfer_experiment: give at least one seed")
    targets = transfer_targets(world_seed, size, wind=wind) if targets is None else targets
    train_world = make_world("ObjectWorld", size=size, world_seed=world_seed)
    result = TransferResult(seeds=seeds, targets=targets,
                            scores={k: {t: np.zeros(len(seeds)) for t in targets} for k in LEARNERS},
                            rewards={t: [] for t in targets}, reward_corr={t: np.zeros(len(seeds)) for t in targets})
    for name, w in targets.items():
        expert = soft_value_iteration(w.r, w.P, w.horizon).policy
        result.scores[EXPERT][name][:] = normalized_value(expert, w)
    for i, seed in enumerate(seeds):
        demos = collect_demonstrations(train_world.env_id, n_demos, seed=seed)
        _, irl = train_maxent_irl(demos, reward="deep", steps=steps, eval_every=steps, seed=seed)
        bc_raw, _ = train_bc(demos, seed=seed)
        bc_phi, _ = train_feature_bc(demos, train_world, seed=seed)
        for name, w in targets.items():
            r = learned_reward(irl.reward_model, w).detach()
            result.rewards[name].append(r)
            result.reward_corr[name][i] = reward_correlation(r, w.r)
            s = result.scores
            s[IRL][name][i] = normalized_value(policy_table(optimal_policy(r, w), w), w)
            s[IRL_SOFT][name][i] = normalized_value(soft_value_iteration(r, w.P, w.horizon).policy, w)
            s[BC_RAW][name][i] = normalized_value(policy_table(bc_raw, w), w)
            s[BC_PHI][name][i] = normalized_value(policy_table(bc_phi.on_world(w), w), w)
    return result
