"""Maximum-entropy inverse reinforcement learning (Ziebart et al. 2008), done exactly on tabular MDPs.

The pieces, each a short torch function (vectorized over states, batched over rewards; the only
Python loop runs over the horizon):

* :class:`Transitions`: a sparse transition model ``P(s' | s, a)``: every ``(s, a)`` has ``K``
  possible successors ``idx[s, a, k]`` with probabilities ``prob[s, a, k]``.
* :func:`soft_value_iteration`: finite-horizon soft Bellman backups in log space,
  ``Q_t = r + P V_{t+1}``, ``V_t = logsumexp_a Q_t``, ``V_T = 0``, and the time-indexed
  stochastic policy ``pi_t(a | s) = exp(Q_t(s, a) - V_t(s))``.
  :func:`value_iteration` is the hard (max) version: the optimal policy.
* :func:`state_visitation`: the forward pass ``D_{t+1}(s') = sum_{s,a} D_t(s) pi_t(a|s) P(s'|s,a)``.
* :func:`maxent_gradient`: ``dL/dr(s) = sum_t D^E_t(s) - D^theta_t(s)`` (expert minus expected
  visitation); through the features it gives the feature-count gradient
  ``mu_E - mu_theta`` of a linear reward, or the backpropagated gradient of a deep one.
* :func:`train_maxent_irl`: the loop, with a :class:`LinearReward` or a :class:`DeepReward`
  (an MLP on the features), and a history of the log-likelihood, the feature-count gap, the
  expected value difference (:func:`expected_value_difference`) and the reward correlation.

Rewards are state rewards ``r(s)`` of shape ``(..., S)`` or state-action rewards ``r(s, a)`` of
shape ``(..., S, A)``; leading dimensions are a batch (several rewards solved at once). The
reward of step ``t`` is collected in the state the action is taken from, ``t = 0 .. T-1``.

``python -m il_helpers.bench maxent_irl --env il_helpers/FeatureGrid-v0 --size 16`` trains on
a gridworld (see :mod:`il_helpers.envs.gridworlds`) and reports the EVD with the returns.
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..core.nets import cpu_threads


def _tensor(x, dtype: torch.dtype | None = None) -> torch.Tensor:
    """``torch.as_tensor``, copying read-only numpy arrays (a gridworld's arrays are read-only and
    torch warns about sharing memory it may not write)."""
    if isinstance(x, np.ndarray) and not x.flags.writeable:
        x = x.copy()
    return torch.as_tensor(x, dtype=dtype)


# ---------------------------------------------------------------------------------------------
# the model: sparse transitions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Transitions:
    """``P(s' | s, a)`` stored sparsely: ``idx`` (S, A, K) successor states, ``prob`` (S, A, K).

    A gridworld move has at most 5 successors, so ``K`` is tiny and one backup costs
    ``O(S A K)`` instead of the ``O(S^2 A)`` of a dense tensor: :meth:`expect` and :meth:`push` are
    sparse (CSR) matrix products, the matrices built once per dtype. Repeated successors are
    allowed (their probabilities add up), as are padding entries with probability 0.
    """

    idx: torch.Tensor
    prob: torch.Tensor

    def __post_init__(self):
        idx, prob = self.idx, self.prob
        if not isinstance(idx, torch.Tensor) or not isinstance(prob, torch.Tensor):
            raise TypeError("Transitions: idx and prob must be torch tensors (use Transitions.from_dense for arrays)")
        if idx.dim() != 3 or idx.shape != prob.shape:
            raise ValueError("Transitions: idx and prob must both have shape (S, A, K), "
                             f"got {tuple(idx.shape)} and {tuple(prob.shape)}")
        if idx.dtype != torch.int64 or not prob.is_floating_point():
            raise ValueError(f"Transitions: idx must be int64 and prob floating, got {idx.dtype} and {prob.dtype}")
        S = idx.shape[0]
        if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= S):
            raise ValueError(f"Transitions: successor indices must lie in 0..{S - 1}")
        if bool((prob < 0).any()) or not torch.allclose(prob.sum(-1), torch.ones((), dtype=prob.dtype), atol=1e-6):
            raise ValueError("Transitions: probabilities must be >= 0 and sum to 1 over the successors of each (s, a)")
        object.__setattr__(self, "_flat", idx.reshape(-1))

    @property
    def n_states(self) -> int:
        return int(self.idx.shape[0])

    @property
    def n_actions(self) -> int:
        return int(self.idx.shape[1])

    def _csr(self, dtype: torch.dtype, transpose: bool) -> torch.Tensor:
        """The model as a sparse CSR matrix, (S*A, S) (or its transpose), built once per dtype."""
        key = (dtype, transpose)
        cache = self.__dict__.setdefault("_csr_cache", {})
        if key not in cache:
            S, A, K = self.idx.shape
            rows = torch.arange(S * A).repeat_interleave(K)
            ij = torch.stack([self._flat, rows] if transpose else [rows, self._flat])
            shape = (S, S * A) if transpose else (S * A, S)
            with warnings.catch_warnings():  # "sparse CSR support is in beta": matrix-vector products are stable
                warnings.simplefilter("ignore")
                csr = torch.sparse_coo_tensor(ij, self.prob.reshape(-1).to(dtype), shape,
                                              check_invariants=True).coalesce().to_sparse_csr()
                # int32 indices: the CPU kernel's own type, so no conversion on every product
                cache[key] = torch.sparse_csr_tensor(csr.crow_indices().int(), csr.col_indices().int(),
                                                     csr.values(), shape)
        return cache[key]

    def expect(self, v: torch.Tensor) -> torch.Tensor:
        """``E[v(s') | s, a]`` for values ``v`` of shape (..., S): returns (..., S, A)."""
        S, A = self.n_states, self.n_actions
        if v.dim() == 1:
            return (self._csr(v.dtype, False) @ v).reshape(S, A)
        cols = v.reshape(-1, S).T
        return (self._csr(v.dtype, False) @ cols).T.reshape(*v.shape[:-1], S, A)

    def push(self, mass: torch.Tensor) -> torch.Tensor:
        """Where state-action mass (..., S, A) goes: ``sum_{s,a} mass(s,a) P(s'|s,a)``, shape (..., S)."""
        S, A = self.n_states, self.n_actions
        if mass.dim() == 2:
            return self._csr(mass.dtype, True) @ mass.reshape(S * A)
        cols = mass.reshape(-1, S * A).T
        return (self._csr(mass.dtype, True) @ cols).T.reshape(*mass.shape[:-2], S)

    def dense(self) -> torch.Tensor:
        """The dense (S, A, S) tensor (for small models, tests and teaching)."""
        S = self.n_states
        return torch.zeros(*self.idx.shape[:2], S, dtype=self.prob.dtype).scatter_add_(-1, self.idx, self.prob)

    @staticmethod
    def from_dense(P) -> "Transitions":
        """Build from a dense (S, A, S) array or tensor of probabilities."""
        P = _tensor(P)
        if not P.is_floating_point():
            P = P.to(torch.float64)
        if P.dim() != 3 or P.shape[0] != P.shape[2]:
            raise ValueError(f"a dense transition model must have shape (S, A, S), got {tuple(P.shape)}")
        K = max(1, int((P > 0).sum(-1).max()))
        prob, idx = P.topk(K, dim=-1)
        return Transitions(idx=idx.contiguous(), prob=prob.contiguous())


def as_transitions(P) -> Transitions:
    """``P`` as :class:`Transitions` (accepts Transitions or a dense (S, A, S) array/tensor)."""
    return P if isinstance(P, Transitions) else Transitions.from_dense(P)


# ---------------------------------------------------------------------------------------------
# planning: soft and hard value iteration
# ---------------------------------------------------------------------------------------------


def _one_thread(fn):
    """Run ``fn`` with one torch thread: its products are small (a few thousand entries), so
    splitting them across threads costs more than it saves, and on a shared machine a second
    thread that waits for a busy core makes every step slower (measured: 2x to 5x on 2 cores)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with cpu_threads(1):
            return fn(*args, **kwargs)

    return wrapper


@dataclass
class Plan:
    """What value iteration computed, for every step ``t = 0 .. T-1``.

    ``v`` (..., T+1, S) with ``v[..., T, :]`` the terminal value (0 by default), the time-indexed
    policy ``policy`` (..., T, S, A) (rows sum to 1; one-hot for the hard version), and ``q``
    (..., T, S, A), recomputed from ``v`` on first use by soft value iteration (it does not need it).
    """

    v: torch.Tensor
    policy: torch.Tensor
    soft: bool
    _q: torch.Tensor | None = field(default=None, repr=False)
    _backup: tuple | None = field(default=None, repr=False)  # (reward (..., S, A), P, discount)

    @property
    def q(self) -> torch.Tensor:
        if self._q is None:
            r, P, discount = self._backup
            self._q = r[..., None, :, :] + discount * P.expect(self.v[..., 1:, :])
        return self._q

    @property
    def log_policy(self) -> torch.Tensor:
        return self.policy.log()

    @property
    def horizon(self) -> int:
        return int(self.policy.shape[-3])


def _reward_sa(reward, P: Transitions, state_action: bool | None) -> torch.Tensor:
    r = _tensor(reward)
    if not r.is_floating_point():
        r = r.to(torch.float64)
    S, A = P.n_states, P.n_actions
    if state_action is None:
        sa = r.dim() >= 2 and tuple(r.shape[-2:]) == (S, A)
        if sa and r.shape[-1] == S:
            raise ValueError("reward shape is ambiguous (S == A): pass state_action=True or False")
        state_action = sa
    if state_action:
        if r.dim() < 2 or tuple(r.shape[-2:]) != (S, A):
            raise ValueError(f"a state-action reward must have shape (..., {S}, {A}), got {tuple(r.shape)}")
        return r
    if r.dim() < 1 or r.shape[-1] != S:
        raise ValueError(f"reward must have shape (..., S={S}) or (..., S, A=({S}, {A})), got {tuple(r.shape)}")
    return r[..., None].expand(*r.shape, A)


def _check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    return int(horizon)


def _terminal(terminal_value, r: torch.Tensor) -> torch.Tensor:
    zeros = torch.zeros(*r.shape[:-1], dtype=r.dtype)
    if terminal_value is None:
        return zeros
    v = _tensor(terminal_value, dtype=r.dtype)
    if v.shape[-1:] != r.shape[-2:-1]:
        raise ValueError(f"terminal_value must have shape (..., S={r.shape[-2]}), got {tuple(v.shape)}")
    return zeros + v


@_one_thread
def soft_value_iteration(reward, P, horizon: int, *, discount: float = 1.0, temperature: float = 1.0,
                         state_action: bool | None = None, terminal_value=None) -> Plan:
    """Finite-horizon soft value iteration, in log space.

    ``V_T = 0``; for ``t = T-1 .. 0``: ``Q_t(s,a) = r(s,a) + discount * sum_s' P(s'|s,a) V_{t+1}(s')``
    and ``V_t(s) = temperature * logsumexp_a Q_t(s,a) / temperature``; the policy is
    ``pi_t(a|s) = exp((Q_t(s,a) - V_t(s)) / temperature)``. ``V_0(s)`` is the log-partition
    function of the MaxEnt trajectory distribution from ``s`` (causal entropy, Ziebart 2010).

    ``reward``: (..., S) or (..., S, A) (``state_action`` resolves the shape if S == A);
    ``P``: :class:`Transitions` or a dense (S, A, S) array; ``terminal_value``: ``V_T`` (S,) or
    (..., S), 0 by default. Returns a :class:`Plan`.
    """
    P = as_transitions(P)
    T = _check_horizon(horizon)
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    r = _reward_sa(reward, P, state_action)
    v_next = _terminal(terminal_value, r)
    backup = _backup(r, P, discount, v_next)
    vs, pis = [v_next], []
    for _ in range(T):  # t = T-1, ..., 0
        q_t = backup(v_next)                                               # Q_t = r + P V_{t+1}
        if temperature == 1.0:
            v_next = torch.logsumexp(q_t, dim=-1)                          # V_t = logsumexp_a Q_t
            pis.append((q_t - v_next[..., None]).exp())                    # pi_t = exp(Q_t - V_t)
        else:
            v_next = temperature * torch.logsumexp(q_t / temperature, dim=-1)
            pis.append(((q_t - v_next[..., None]) / temperature).exp())
        vs.append(v_next)
    # Q is not kept (storing T big tensors costs more than recomputing it in one product on demand)
    return Plan(v=torch.stack(vs[::-1], dim=-2), policy=torch.stack(pis[::-1], dim=-3), soft=True,
                _backup=(r, P, discount))


def _backup(r: torch.Tensor, P: Transitions, discount: float, v: torch.Tensor):
    """``v -> r + discount * P v`` as one fused sparse product when there is no batch."""
    S, A = P.n_states, P.n_actions
    if r.dim() == 2 and v.dim() == 1:
        csr, flat = P._csr(r.dtype, False), r.reshape(S * A).contiguous()
        return lambda v_next: torch.addmv(flat, csr, v_next, alpha=discount).view(S, A)
    if discount == 1.0:
        return lambda v_next: r + P.expect(v_next)
    return lambda v_next: r + discount * P.expect(v_next)


@_one_thread
def value_iteration(reward, P, horizon: int, *, discount: float = 1.0, state_action: bool | None = None,
                    terminal_value=None) -> Plan:
    """Finite-horizon (hard) value iteration: ``V_t = max_a Q_t``; the policy is the greedy one
    (one-hot; ties go to the lowest action index). Same arguments and shapes as
    :func:`soft_value_iteration`."""
    P = as_transitions(P)
    T = _check_horizon(horizon)
    r = _reward_sa(reward, P, state_action)
    v_next = _terminal(terminal_value, r)
    backup = _backup(r, P, discount, v_next)
    qs, vs = [], [v_next]
    for _ in range(T):  # t = T-1, ..., 0
        q_t = backup(v_next)
        v_next = q_t.amax(dim=-1)
        qs.append(q_t), vs.append(v_next)
    q, v = torch.stack(qs[::-1], dim=-3), torch.stack(vs[::-1], dim=-2)
    policy = torch.nn.functional.one_hot(q.argmax(dim=-1), P.n_actions).to(r.dtype)
    return Plan(v=v, policy=policy, soft=False, _q=q)


# ---------------------------------------------------------------------------------------------
# the forward pass: expected state visitation
# ---------------------------------------------------------------------------------------------


@_one_thread
def state_visitation(policy, P, start, horizon: int | None = None, *, stationary: bool = False) -> torch.Tensor:
    """Expected state visitation ``D_t(s)`` of a policy, for ``t = 0 .. T-1``.

    ``D_0 = start`` and ``D_{t+1}(s') = sum_{s,a} D_t(s) pi_t(a|s) P(s'|s,a)``.
    ``policy``: time-indexed probabilities (..., T, S, A) (a :class:`Plan` is accepted; ``horizon``
    may ask for its first steps only), or with ``stationary=True`` one policy (..., S, A) used at
    every one of ``horizon`` steps. ``start``: (S,) or (..., S). Returns (..., T, S); each ``D_t``
    sums to the mass of ``start`` (1 for a distribution).
    """
    P = as_transitions(P)
    pi = policy.policy if isinstance(policy, Plan) else _tensor(policy)
    S, A = P.n_states, P.n_actions
    if stationary:
        if horizon is None:
            raise ValueError("a stationary policy needs a horizon")
        T = _check_horizon(horizon)
        if pi.dim() < 2 or tuple(pi.shape[-2:]) != (S, A):
            raise ValueError(f"a stationary policy must have shape (..., S={S}, A={A}), got {tuple(pi.shape)}")
        pi = pi[..., None, :, :]
    else:
        if pi.dim() < 3 or tuple(pi.shape[-2:]) != (S, A):
            raise ValueError(f"policy must have shape (..., T, S={S}, A={A}), got {tuple(pi.shape)}")
        T = pi.shape[-3] if horizon is None else _check_horizon(horizon)
        if T > pi.shape[-3]:
            raise ValueError(f"horizon {T} is longer than the policy's {pi.shape[-3]} steps")
    d = _tensor(start, dtype=pi.dtype)
    if d.shape[-1:] != (S,):
        raise ValueError(f"start must have shape (..., S={S}), got {tuple(d.shape)}")
    d = d.expand(*torch.broadcast_shapes(pi.shape[:-3], d.shape[:-1]), S)
    ds = [d]
    for t in range(T - 1):
        d = P.push(d[..., :, None] * pi[..., 0 if stationary else t, :, :])
        ds.append(d)
    return torch.stack(ds, dim=-2)


def policy_value(policy, reward, P, start, *, discount: float = 1.0, state_action: bool | None = None) -> torch.Tensor:
    """Expected return ``sum_t discount^t E[r(s_t, a_t)]`` of a time-indexed policy from ``start``."""
    P = as_transitions(P)
    pi = policy.policy if isinstance(policy, Plan) else _tensor(policy)
    r = _reward_sa(reward, P, state_action).to(pi.dtype)
    D = state_visitation(pi, P, start)
    T = pi.shape[-3]
    disc = _tensor(discount, dtype=pi.dtype) ** torch.arange(T, dtype=pi.dtype)
    per_step = (D[..., :, :, None] * pi * r[..., None, :, :]).sum((-1, -2))
    return (per_step * disc).sum(-1)


# ---------------------------------------------------------------------------------------------
# MaxEnt IRL: likelihood and gradient
# ---------------------------------------------------------------------------------------------


def empirical_visitation(states, n_states: int) -> torch.Tensor:
    """The demonstrations' visitation ``D^E_t(s)``: the fraction of episodes in ``s`` at step ``t``.

    ``states``: (E, T) integer state indices. Returns (T, S) float64, each row summing to 1.
    """
    s = _tensor(np.asarray(states))
    if s.dim() != 2 or s.shape[0] < 1 or s.dtype not in (torch.int64, torch.int32):
        raise ValueError("states must be an (E, T) integer array with E >= 1, "
                         f"got shape {tuple(s.shape)} dtype {s.dtype}")
    if int(s.min()) < 0 or int(s.max()) >= n_states:
        raise ValueError(f"states must lie in 0..{n_states - 1}")
    E, T = s.shape
    D = torch.zeros(T, n_states, dtype=torch.float64)
    D.scatter_add_(1, s.T.to(torch.int64), torch.full((T, E), 1.0 / E, dtype=torch.float64))
    return D


def feature_expectations(visitation, features) -> torch.Tensor:
    """Expected feature counts ``mu = sum_t sum_s D_t(s) phi(s)``: (..., T, S) x (S, F) -> (..., F)."""
    D = _tensor(visitation)
    phi = _tensor(features, dtype=D.dtype)
    return D.sum(-2) @ phi


def log_likelihood(plan: Plan, states, actions) -> torch.Tensor:
    """Mean over demonstrations of ``sum_t log pi_t(a_t | s_t)`` (the causal log-likelihood).

    ``states``, ``actions``: (E, T) integer arrays; ``plan`` from :func:`soft_value_iteration`
    with a horizon of at least T. Differentiable with respect to the reward behind ``plan``.
    """
    s = _tensor(np.asarray(states), dtype=torch.int64)
    a = _tensor(np.asarray(actions), dtype=torch.int64)
    if s.shape != a.shape or s.dim() != 2:
        raise ValueError("states and actions must be (E, T) arrays of the same shape, "
                         f"got {tuple(s.shape)} and {tuple(a.shape)}")
    T = s.shape[1]
    if T > plan.horizon:
        raise ValueError(f"demonstrations have {T} steps but the plan only {plan.horizon}")
    if s.numel() and (int(s.min()) < 0 or int(s.max()) >= plan.policy.shape[-2] or int(a.min()) < 0
                      or int(a.max()) >= plan.policy.shape[-1]):
        raise ValueError("states or actions out of range for this plan")
    t = torch.arange(T).expand_as(s)
    return plan.policy[..., t, s, a].log().sum(-1).mean(-1)


def maxent_objective(reward, P, start, horizon: int, expert_visitation) -> torch.Tensor:
    """The MaxEnt IRL objective ``L(r) = sum_{t,s} D^E_t(s) r(s) - sum_s D_0(s) V_0(s)``.

    It is the mean log-likelihood of the demonstrations under the MaxEnt model, exactly so for
    deterministic dynamics with ``start`` = the demonstrations' start distribution (then
    ``sum_t log pi_t(a_t|s_t) = sum_t r(s_t) - V_0(s_0)``); with stochastic dynamics it is the
    causal-entropy dual whose gradient is :func:`maxent_gradient`. ``reward``: (..., S).
    """
    r = _tensor(reward)
    DE = _tensor(expert_visitation, dtype=r.dtype)
    plan = soft_value_iteration(r, P, horizon, state_action=False)
    d0 = _tensor(start, dtype=r.dtype)
    return (DE.sum(-2) * r).sum(-1) - (d0 * plan.v[..., 0, :]).sum(-1)


def maxent_gradient(reward, P, start, horizon: int, expert_visitation, return_plan: bool = False):
    """``dL/dr(s) = sum_t D^E_t(s) - sum_t D^r_t(s)``: expert minus expected visitation counts.

    ``D^r`` is the forward pass (:func:`state_visitation`) of the soft-optimal policy for ``r``
    from ``start``. Times the features it is the classic ``mu_E - mu_theta``. Returns (..., S),
    or ``(grad, plan, visitation)`` with ``return_plan=True``.
    """
    r = _tensor(reward)
    plan = soft_value_iteration(r, P, horizon, state_action=False)
    D = state_visitation(plan.policy, P, start)
    DE = _tensor(expert_visitation, dtype=D.dtype)
    grad = DE.sum(-2) - D.sum(-2)
    return (grad, plan, D) if return_plan else grad


# ---------------------------------------------------------------------------------------------
# reward models
# ---------------------------------------------------------------------------------------------


class LinearReward(nn.Module):
    """``r(s) = theta . phi(s)``, with ``theta`` starting at 0 (the uniform-random policy)."""

    def __init__(self, n_features: int):
        super().__init__()
        self.theta = nn.Parameter(torch.zeros(n_features, dtype=torch.float64))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return _tensor(features, dtype=self.theta.dtype) @ self.theta


class DeepReward(nn.Module):
    """``r(s) = f_w(phi(s))``: an MLP on standardized features (Wulfmeier et al. 2015).

    The standardization constants come from ``features`` (the training world's) and are kept,
    so the same reward applies unchanged to another layout with the same kind of features.
    """

    def __init__(self, features, hidden=(32, 32)):
        super().__init__()
        phi = _tensor(np.asarray(features), dtype=torch.float64)
        if phi.dim() != 2 or phi.shape[0] < 2:
            raise ValueError(f"features must be an (S, F) array with S >= 2, got shape {tuple(phi.shape)}")
        if not hidden or any(int(h) < 1 for h in hidden):
            raise ValueError(f"hidden must be a non-empty sequence of positive sizes, got {hidden!r}")
        self.register_buffer("mean", phi.mean(0))
        self.register_buffer("std", phi.std(0).clamp_min(1e-6))
        sizes = [phi.shape[1], *[int(h) for h in hidden], 1]
        layers: list[nn.Module] = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float64))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = (_tensor(features, dtype=self.mean.dtype) - self.mean) / self.std
        return self.net(x).squeeze(-1)


# ---------------------------------------------------------------------------------------------
# evaluation
# ---------------------------------------------------------------------------------------------


@dataclass
class EVD:
    """Expected value difference: the true-reward value lost by optimizing the learned reward."""

    evd: float           # v_optimal - v_learned
    relative: float      # evd / v_optimal
    v_optimal: float     # value (true reward) of the optimal policy, from the start distribution
    v_learned: float     # value (true reward) of the policy optimal for the learned reward

    def __repr__(self) -> str:
        return (f"EVD({self.evd:.3f} = {100 * self.relative:.2f}% of the optimal value {self.v_optimal:.2f}; "
                f"learned policy {self.v_learned:.2f})")


def expected_value_difference(learned_reward, P, start, horizon: int, true_reward) -> EVD:
    """``EVD = V^{pi*}(D_0) - V^{pi_hat}(D_0)`` under the true reward, where ``pi*`` is optimal for
    the true reward and ``pi_hat`` optimal (hard value iteration) for the learned one."""
    true_r = _tensor(true_reward, dtype=torch.float64)
    learned = _tensor(learned_reward, dtype=torch.float64).detach()
    if learned.shape != true_r.shape:
        raise ValueError(f"learned reward shape {tuple(learned.shape)} differs from the true one {tuple(true_r.shape)}")
    v_opt = float(policy_value(value_iteration(true_r, P, horizon).policy, true_r, P, start))
    v_hat = float(policy_value(value_iteration(learned, P, horizon).policy, true_r, P, start))
    return EVD(evd=v_opt - v_hat, relative=(v_opt - v_hat) / abs(v_opt) if v_opt else float("nan"),
               v_optimal=v_opt, v_learned=v_hat)


def reward_correlation(a, b) -> float:
    """Pearson correlation of two rewards over the states (scale- and shift-invariant)."""
    x = _tensor(a).detach().to(torch.float64).numpy().ravel()
    y = _tensor(b).detach().to(torch.float64).numpy().ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"rewards must have the same number (>= 2) of entries, got {x.size} and {y.size}")
    if x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def feature_count_error(expert_visitation, visitation, features) -> float:
    """``|| mu_E - mu ||_2``: how far the model's expected feature counts are from the expert's."""
    phi = _tensor(np.asarray(features), dtype=torch.float64)
    gap = feature_expectations(_tensor(expert_visitation, dtype=torch.float64), phi) - \
        feature_expectations(_tensor(visitation, dtype=torch.float64), phi)
    return float(gap.norm())


# ---------------------------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------------------------


@dataclass
class MaxEntHistory:
    """What happened during :func:`train_maxent_irl`, step by step.

    ``log_likelihood[i]``: mean ``sum_t log pi_t(a_t|s_t)`` of the demonstrations before step i;
    ``feature_gap[i]``: ``|| mu_E - mu_theta ||_2``; ``evd`` / ``reward_corr`` every
    ``eval_every`` steps (at ``eval_steps``), measured against the world's true reward.
    """

    log_likelihood: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    feature_gap: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    evd: list[float] = field(default_factory=list)
    evd_relative: list[float] = field(default_factory=list)
    reward_corr: list[float] = field(default_factory=list)
    steps: int = 0
    wall_s: float = 0.0


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


def train_maxent_irl(demos, world=None, reward="linear", steps: int = 200, lr: float | None = None,
                     weight_decay: float = 0.0, reward_l2: float = 0.0, hidden=(32, 32), seed: int = 0,
                     start: str = "empirical",
                     eval_every: int = 10, callback: Callable | None = None, progress: bool = False,
                     threads: int | None = 1):
    """MaxEnt IRL on a gridworld: gradient ascent on the demonstrations' log-likelihood.

    Each step: soft value iteration for the current reward ``r = model(phi)``, the forward pass
    ``D``, and the gradient ``dL/dr = D^E - D`` (summed over time) pushed through the reward
    model (Adam, learning rate ``lr``: 0.1 for ``"linear"``, 0.003 for ``"deep"`` by default).

    ``demos``: gridworld :class:`~il_helpers.Demonstrations` (or a tuple ``(states, actions)`` of
    (E, T) arrays); ``world``: the :class:`~il_helpers.envs.gridworlds.Gridworld` (default: the one
    of ``demos.env_id``); ``reward``: ``"linear"``, ``"deep"`` or a module; ``start``:
    ``"empirical"`` (the demonstrations' start states, which makes the gradient exact for the
    sample) or ``"model"`` (the world's start distribution). ``callback(step, model, history)``
    is called after every step. Deterministic for a given ``seed``; the global torch RNG is left
    as it was. Returns ``(reward_model, history)``; ``reward_model(world.phi)`` is the learned
    reward table.
    """
    from ..envs.gridworlds import world_for

    if world is None:
        if not hasattr(demos, "env_id"):
            raise ValueError("pass world= when demos is not a Demonstrations object")
        world = world_for(demos.env_id)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    if isinstance(eval_every, bool) or not isinstance(eval_every, (int, np.integer)) or eval_every < 1:
        raise ValueError(f"eval_every must be an integer >= 1, got {eval_every!r}")
    if start not in ("empirical", "model"):
        raise ValueError(f"start must be 'empirical' or 'model', got {start!r}")
    if isinstance(demos, tuple):
        states, actions = (np.asarray(x, np.int64) for x in demos)
    else:
        states, actions = demo_arrays(demos, world)
    if lr is None:
        lr = 0.003 if reward == "deep" else 0.1
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")

    t0 = time.perf_counter()
    P, phi, T = world.P, world.phi, states.shape[1]
    DE = empirical_visitation(states, world.n_states)
    d0 = DE[0] if start == "empirical" else world.d0
    v_opt = None
    hist = MaxEntHistory()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=int(steps), desc="MaxEnt IRL", leave=False)
    with torch.random.fork_rng(devices=[]), cpu_threads(threads):
        torch.manual_seed(seed)
        model = _make_reward_model(reward, world, hidden, seed)
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
        for step in range(int(steps)):
            r = model(phi)
            with torch.no_grad():
                grad, plan, D = maxent_gradient(r.detach(), P, d0, T, DE, return_plan=True)
                hist.log_likelihood.append(float(log_likelihood(plan, states, actions)))
                hist.objective.append(float((DE.sum(0) * r).sum() - (d0 * plan.v[0]).sum()))
                hist.feature_gap.append(float((grad @ phi).norm()))
                if step % eval_every == 0 or step == steps - 1:
                    if v_opt is None:
                        v_opt = float(policy_value(value_iteration(world.r, P, T).policy, world.r, P, world.d0))
                    v_hat = float(policy_value(value_iteration(r.detach(), P, T).policy, world.r, P, world.d0))
                    hist.eval_steps.append(step)
                    hist.evd.append(v_opt - v_hat)
                    hist.evd_relative.append((v_opt - v_hat) / abs(v_opt))
                    hist.reward_corr.append(reward_correlation(r, world.r))
            if reward_l2:
                grad = grad - reward_l2 * r.detach()  # a Gaussian prior on the reward values: L - l2/2 sum_s r(s)^2
            opt.zero_grad()
            (-(grad * r).sum()).backward()  # ascent on L: d(-L)/dw = -sum_s dL/dr(s) dr(s)/dw
            opt.step()
            hist.steps = step + 1
            if bar is not None:
                bar.update(1)
            if callback is not None:
                callback(step, model, hist)
    if bar is not None:
        bar.close()
    model.eval()
    hist.wall_s = time.perf_counter() - t0
    return model, hist


def learned_reward(model: nn.Module, world) -> torch.Tensor:
    """The reward table ``r(s)`` (S,) a reward model gives on ``world``'s features."""
    with torch.no_grad():
        return model(world.phi).detach().to(torch.float64)


# ---------------------------------------------------------------------------------------------
# bench CLI: python -m il_helpers.bench maxent_irl --env il_helpers/FeatureGrid-v0 --size 16
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# plots
# ---------------------------------------------------------------------------------------------


def plot_history(history: MaxEntHistory, axes=None, label: str | None = None):
    """Training curves: log-likelihood, feature-count gap (log scale) and EVD (% of the optimal
    value) against the gradient step. Returns the three axes."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(10, 2.6))
    steps = np.arange(len(history.log_likelihood))
    axes[0].plot(steps, history.log_likelihood, label=label)
    axes[0].set_ylabel("log-likelihood\n(nats per demo)")
    axes[1].semilogy(steps, np.maximum(history.feature_gap, 1e-12), label=label)
    axes[1].set_ylabel(r"$\|\mu_E - \mu_\theta\|_2$")
    axes[2].plot(history.eval_steps, 100 * np.asarray(history.evd_relative), marker=".", label=label)
    axes[2].set_ylabel("EVD (% of optimal value)")
    for ax in axes:
        ax.set_xlabel("gradient step")
        ax.grid(alpha=0.3)
    if label:
        axes[2].legend(fontsize=8)
    plt.tight_layout()
    return axes
