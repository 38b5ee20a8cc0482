"""Maximum-entropy inverse reinforcement learning, done exactly on tabular MDPs: with stochastic
dynamics the soft value iteration below is maximum *causal* entropy IRL (Ziebart et al. 2010);
Ziebart et al.'s 2008 MaxEnt IRL is its deterministic case.

The demonstrator is modelled as soft-optimal for an unknown reward ``r = model(phi)``, a
:class:`LinearReward` ``theta . phi(s)`` or a :class:`DeepReward` (an MLP on the features); MaxEnt
IRL climbs the demonstrations' log-likelihood. Its gradient is exact on a known model:

* :func:`maxent_gradient`: ``dL/dr(s) = sum_t D^E_t(s) - D^theta_t(s)`` (expert minus expected
  visitation, the forward pass of the soft-optimal policy for ``r``); through the features it is
  the feature-count gradient ``mu_E - mu_theta`` of a linear reward, or the backpropagated
  gradient of a deep one. :func:`maxent_objective` is the objective it is the gradient of.
* :func:`train_maxent_irl`: the loop (Adam on the reward model), with a history of the
  log-likelihood, the feature-count gap, the expected value difference and the reward correlation.

The solvers it uses (soft and hard value iteration, the forward pass, the evaluation measures)
are the tabular library :mod:`il_helpers.tabular`; the worlds are :mod:`il_helpers.envs.gridworlds`.

``python -m il_helpers.bench maxent_irl --env il_helpers/FeatureGrid-v0 --size 16`` trains on
a gridworld and reports the EVD with the returns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..core.checks import (
    TRAIN_SEED_MAX,
    check_choice,
    check_fields,
    check_int,
    check_number,
    check_seed,
    check_training_data,
    make_config,
)
from ..core.nets import STD_FLOOR, cpu_threads
from ..envs.gridworlds import trainer_world
from ..tabular.mdp import as_tensor
from ..tabular.metrics import empirical_visitation, reward_correlation
from ..tabular.policies import TabularPolicy, optimal_policy
from ..tabular.solvers import log_likelihood, policy_value, soft_value_iteration, state_visitation, value_iteration


@dataclass
class MaxEntConfig:
    """The settings of :func:`train_maxent_irl` (keyword settings of the call replace them)."""

    reward: str | nn.Module = "linear"  # "linear", "deep", or a module mapping (S, F) features to (S,)
    steps: int = 200                    # gradient steps
    lr: float | None = None             # Adam's learning rate; None: 0.1 for "linear", 0.003 for "deep"
    weight_decay: float = 0.0           # Adam's weight decay on the reward model's parameters
    reward_l2: float = 0.0              # a Gaussian prior on the reward values: L - reward_l2 / 2 sum_s r(s)^2
    hidden: tuple = (32, 32)            # DeepReward's hidden layers
    start: str = "empirical"            # "empirical" (the demos' start states) or "model" (the world's d0)
    eval_every: int = 10                # EVD and reward correlation every this many steps (and at the last)
    threads: int | None = 1             # torch threads (the products are small: one is fastest)

    def __post_init__(self):
        check_fields(self)  # finite numbers of the right kind and sign (counts >= 1)


@dataclass
class MaxEntHistory:
    """What happened during :func:`train_maxent_irl`, step by step, and what it learned.

    ``log_likelihood[i]``: mean ``sum_t log pi_t(a_t|s_t)`` of the demonstrations before step i;
    ``feature_gap[i]``: ``|| mu_E - mu_theta ||_2``; ``evd`` / ``reward_corr`` every
    ``eval_every`` steps (at ``eval_steps``), measured against the world's true reward.
    ``reward``: the learned reward table (S,) on the training world; ``reward_model``: the
    module that maps features to it (apply it to another world's ``phi`` to transfer the reward).
    """

    log_likelihood: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    feature_gap: list[float] = field(default_factory=list)
    steps: int = 0
    eval_steps: list[int] = field(default_factory=list)
    evd: list[float] = field(default_factory=list)
    evd_relative: list[float] = field(default_factory=list)
    reward_corr: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    env_id: str = ""
    reward: torch.Tensor | None = None
    reward_model: nn.Module | None = None
    config: MaxEntConfig | None = None


# -- the objective and its gradient -------------------------------------------------------------

def maxent_objective(reward, P, start, horizon: int, expert_visitation) -> torch.Tensor:
    """The MaxEnt IRL objective ``L(r) = sum_{t,s} D^E_t(s) r(s) - sum_s D_0(s) V_0(s)``.

    It is the mean log-likelihood of the demonstrations under the MaxEnt model, exactly so for
    deterministic dynamics with ``start`` = the demonstrations' start distribution (then
    ``sum_t log pi_t(a_t|s_t) = sum_t r(s_t) - V_0(s_0)``); with stochastic dynamics it is the
    causal-entropy dual whose gradient is :func:`maxent_gradient`. ``reward``: (..., S).
    """
    r = as_tensor(reward)
    DE = as_tensor(expert_visitation, dtype=r.dtype)
    plan = soft_value_iteration(r, P, horizon, state_action=False)
    d0 = as_tensor(start, dtype=r.dtype)
    return (DE.sum(-2) * r).sum(-1) - (d0 * plan.v[..., 0, :]).sum(-1)


def maxent_gradient(reward, P, start, horizon: int, expert_visitation, return_plan: bool = False):
    """``dL/dr(s) = sum_t D^E_t(s) - sum_t D^r_t(s)``: expert minus expected visitation counts.

    ``D^r`` is the forward pass (:func:`state_visitation`) of the soft-optimal policy for ``r``
    from ``start``. Times the features it is the classic ``mu_E - mu_theta``. Returns (..., S),
    or ``(grad, plan, visitation)`` with ``return_plan=True``.
    """
    r = as_tensor(reward)
    plan = soft_value_iteration(r, P, horizon, state_action=False)
    D = state_visitation(plan.policy, P, start)
    DE = as_tensor(expert_visitation, dtype=D.dtype)
    grad = DE.sum(-2) - D.sum(-2)
    return (grad, plan, D) if return_plan else grad


# -- reward models ----------------------------------------------------------------------------

class LinearReward(nn.Module):
    """``r(s) = theta . phi(s)``, with ``theta`` starting at 0 (the uniform-random policy)."""

    def __init__(self, n_features: int):
        super().__init__()
        self.theta = nn.Parameter(torch.zeros(n_features, dtype=torch.float64))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return as_tensor(features, dtype=self.theta.dtype) @ self.theta


class DeepReward(nn.Module):
    """``r(s) = f_w(phi(s))``: an MLP on standardized features (Wulfmeier et al. 2015).

    The standardization constants come from ``features`` (the training world's) and are kept,
    so the same reward applies unchanged to another layout with the same kind of features.
    """

    def __init__(self, features, hidden=(32, 32)):
        super().__init__()
        phi = as_tensor(np.asarray(features), dtype=torch.float64)
        if phi.dim() != 2 or phi.shape[0] < 2:
            raise ValueError(f"features must be an (S, F) array with S >= 2, got shape {tuple(phi.shape)}")
        if not hidden or any(int(h) < 1 for h in hidden):
            raise ValueError(f"hidden must be a non-empty sequence of positive sizes, got {hidden!r}")
        self.register_buffer("mean", phi.mean(0))
        self.register_buffer("std", phi.std(0).clamp_min(STD_FLOOR))
        sizes = [phi.shape[1], *[int(h) for h in hidden], 1]
        layers: list[nn.Module] = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float64))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = (as_tensor(features, dtype=self.mean.dtype) - self.mean) / self.std
        return self.net(x).squeeze(-1)


# -- demonstrations and the learned reward ------------------------------------------------------

def demo_arrays(demos, world) -> tuple[np.ndarray, np.ndarray]:
    """``(states, actions)`` as (E, T) int64 arrays from gridworld :class:`~il_helpers.Demonstrations`.

    States come from the observations, actions are the executed ones (``taken``). Every
    episode must have the same length (the gridworlds have a fixed horizon).
    """
    lengths = np.asarray(demos.episode_lengths)
    if len(lengths) == 0 or np.any(lengths != lengths[0]):
        raise ValueError("MaxEnt IRL needs episodes of one fixed length; got lengths "
                         f"{sorted(set(lengths.tolist()))}")
    states, t = world.states_from_obs(demos.obs)
    E, T = len(lengths), int(lengths[0])
    if not np.array_equal(t.reshape(E, T), np.broadcast_to(np.arange(T), (E, T))):
        raise ValueError("the observations' time steps are not 0, 1, ..., T-1 in every episode")
    return states.reshape(E, T), np.asarray(demos.taken, np.int64).reshape(E, T)


def _make_reward_model(reward, world, hidden, seed) -> nn.Module:
    if isinstance(reward, nn.Module):
        return reward
    if reward == "linear":
        return LinearReward(world.n_features)
    if reward == "deep":
        torch.manual_seed(seed)
        return DeepReward(world.features, hidden)
    raise ValueError("reward must be 'linear', 'deep' or a torch.nn.Module mapping (S, F) features to (S,), "
                     f"got {reward!r}")


def learned_reward(model: nn.Module, world) -> torch.Tensor:
    """The reward table ``r(s)`` (S,) a reward model gives on ``world``'s features."""
    with torch.no_grad():
        return model(world.phi).detach().to(torch.float64)


# -- the loop ---------------------------------------------------------------------------------

def train_maxent_irl(demos, *, env_id: str | None = None, seed: int = 0, progress: Callable | None = None,
                     config: MaxEntConfig | None = None, **settings) -> tuple[TabularPolicy, MaxEntHistory]:
    """MaxEnt IRL on a gridworld: gradient ascent on the demonstrations' log-likelihood.

    Each step: soft value iteration for the current reward ``r = model(phi)``, the forward pass
    ``D``, and the gradient ``dL/dr = D^E - D`` (summed over time) pushed through the reward
    model (Adam).

    ``demos``: gridworld :class:`~il_helpers.Demonstrations` (or a tuple ``(states, actions)`` of
    (E, T) arrays, then ``env_id`` is required); ``env_id``: the gridworld (default
    ``demos.env_id``, its world from :func:`~il_helpers.envs.gridworlds.world_for`); ``config`` /
    ``settings``: :class:`MaxEntConfig` (``reward``, ``steps``, ``lr``, ...; ``start="empirical"``
    makes the gradient exact for the sample). ``progress(done, total, info)`` is called after
    every step with the latest figures. Deterministic for a given ``seed``; the global torch RNG
    is left as it was.

    Returns ``(policy, history)``: the :class:`~il_helpers.tabular.policies.TabularPolicy` optimal
    (hard value iteration) for the learned reward on the world, and a :class:`MaxEntHistory`
    with the learned reward table ``history.reward`` and the model ``history.reward_model``.
    """
    seed = check_seed("seed", seed, "train_maxent_irl", TRAIN_SEED_MAX)
    cfg = make_config(MaxEntConfig, config, where="train_maxent_irl", **settings)
    env_id, world = trainer_world(demos, env_id)
    check_training_data(demos, env_id, "train_maxent_irl")
    steps = check_int("steps", cfg.steps)
    eval_every = check_int("eval_every", cfg.eval_every)
    check_choice("start", cfg.start, ("empirical", "model"))
    if isinstance(demos, tuple):
        states, actions = (np.asarray(x, np.int64) for x in demos)
    else:
        states, actions = demo_arrays(demos, world)
    lr = (0.003 if cfg.reward == "deep" else 0.1) if cfg.lr is None else cfg.lr
    check_number("lr", lr, 0.0, low_open=True)

    t0 = time.perf_counter()
    P, phi, T = world.P, world.phi, states.shape[1]
    DE = empirical_visitation(states, world.n_states)
    d0 = DE[0] if cfg.start == "empirical" else world.d0
    v_opt = None
    hist = MaxEntHistory(env_id=env_id, config=cfg)
    with torch.random.fork_rng(devices=[]), cpu_threads(cfg.threads):
        torch.manual_seed(seed)
        model = _make_reward_model(cfg.reward, world, cfg.hidden, seed)
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=cfg.weight_decay)
        for step in range(steps):
            r = model(phi)
            with torch.no_grad():
                grad, plan, D = maxent_gradient(r.detach(), P, d0, T, DE, return_plan=True)
                hist.log_likelihood.append(float(log_likelihood(plan, states, actions)))
                hist.objective.append(float((DE.sum(0) * r).sum() - (d0 * plan.v[0]).sum()))
                hist.feature_gap.append(float((grad @ phi).norm()))
                if not (np.isfinite(hist.log_likelihood[-1]) and np.isfinite(hist.objective[-1])):
                    raise ValueError(
                        f"train_maxent_irl: the objective became non-finite at step {step} (log-likelihood "
                        f"{hist.log_likelihood[-1]}, objective {hist.objective[-1]}); lr={lr} is likely too large: "
                        f"the reward diverged. Lower lr (the default is {0.003 if cfg.reward == 'deep' else 0.1})")
                if step % eval_every == 0 or step == steps - 1:
                    if v_opt is None:
                        v_opt = float(policy_value(value_iteration(world.r, P, T).policy, world.r, P, world.d0))
                    v_hat = float(policy_value(value_iteration(r.detach(), P, T).policy, world.r, P, world.d0))
                    hist.eval_steps.append(step)
                    hist.evd.append(v_opt - v_hat)
                    hist.evd_relative.append((v_opt - v_hat) / abs(v_opt))
                    hist.reward_corr.append(reward_correlation(r, world.r))
            if cfg.reward_l2:
                grad = grad - cfg.reward_l2 * r.detach()  # a Gaussian prior on the reward values
            opt.zero_grad()
            (-(grad * r).sum()).backward()  # ascent on L: d(-L)/dw = -sum_s dL/dr(s) dr(s)/dw
            opt.step()
            hist.steps = step + 1
            if progress is not None:
                progress(step + 1, steps, {"log_likelihood": hist.log_likelihood[-1],
                                           "feature_gap": hist.feature_gap[-1], "evd_relative": hist.evd_relative[-1],
                                           "reward_corr": hist.reward_corr[-1]})
    model.eval()
    hist.reward_model = model
    hist.reward = learned_reward(model, world)
    hist.wall_s = time.perf_counter() - t0
    return optimal_policy(hist.reward, world), hist
