"""Exact solvers on a tabular MDP (vectorized over states, batched over rewards; the only Python
loop runs over the horizon).

Finite horizon (the gridworlds' own setting; MaxEnt IRL):

* :func:`soft_value_iteration`: soft Bellman backups in log space, ``Q_t = r + P V_{t+1}``,
  ``V_t = logsumexp_a Q_t``, ``V_T = 0``, and the time-indexed stochastic policy
  ``pi_t(a | s) = exp(Q_t(s, a) - V_t(s))``; :func:`value_iteration` is the hard (max) version;
* :func:`state_visitation`: the forward pass ``D_{t+1}(s') = sum_{s,a} D_t(s) pi_t(a|s) P(s'|s,a)``;
* :func:`policy_value` (expected return) and :func:`log_likelihood` (of demonstrations).

Discounted, infinite horizon (tabular AIRL): :func:`soft_policy` (the stationary soft-optimal
policy, by soft policy iteration), :func:`policy_matrix`, :func:`discounted_occupancy`,
:func:`occupancy_sas` and :func:`policy_return`.

Rewards are state rewards ``r(s)`` of shape ``(..., S)`` or state-action rewards ``r(s, a)`` of
shape ``(..., S, A)``; leading dimensions are a batch (several rewards solved at once). The
reward of step ``t`` is collected in the state the action is taken from, ``t = 0 .. T-1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ..core.checks import check_int, check_number
from ..core.nets import one_thread
from .mdp import Transitions, as_tensor, as_transitions, reward_table, state_action_reward

DEFAULT_GAMMA = 0.9   # the discounted solvers' default discount (tabular AIRL's setting)
TOLERANCE = 1e-10     # soft_policy stops when a soft Bellman backup changes V by less than this


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


def _terminal(terminal_value, r: torch.Tensor) -> torch.Tensor:
    zeros = torch.zeros(*r.shape[:-1], dtype=r.dtype)
    if terminal_value is None:
        return zeros
    v = as_tensor(terminal_value, dtype=r.dtype)
    if v.shape[-1:] != r.shape[-2:-1]:
        raise ValueError(f"terminal_value must have shape (..., S={r.shape[-2]}), got {tuple(v.shape)}")
    return zeros + v


@one_thread
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
    T = check_int("horizon", horizon)
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    r = state_action_reward(reward, P, state_action)
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
        csr, flat = P.csr(r.dtype, False), r.reshape(S * A).contiguous()
        return lambda v_next: torch.addmv(flat, csr, v_next, alpha=discount).view(S, A)
    if discount == 1.0:
        return lambda v_next: r + P.expect(v_next)
    return lambda v_next: r + discount * P.expect(v_next)


@one_thread
def value_iteration(reward, P, horizon: int, *, discount: float = 1.0, state_action: bool | None = None,
                    terminal_value=None) -> Plan:
    """Finite-horizon (hard) value iteration: ``V_t = max_a Q_t``; the policy is the greedy one
    (one-hot; ties go to the lowest action index). Same arguments and shapes as
    :func:`soft_value_iteration`."""
    P = as_transitions(P)
    T = check_int("horizon", horizon)
    r = state_action_reward(reward, P, state_action)
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


@one_thread
def state_visitation(policy, P, start, horizon: int | None = None, *, stationary: bool = False) -> torch.Tensor:
    """Expected state visitation ``D_t(s)`` of a policy, for ``t = 0 .. T-1``.

    ``D_0 = start`` and ``D_{t+1}(s') = sum_{s,a} D_t(s) pi_t(a|s) P(s'|s,a)``.
    ``policy``: time-indexed probabilities (..., T, S, A) (a :class:`Plan` is accepted; ``horizon``
    may ask for its first steps only), or with ``stationary=True`` one policy (..., S, A) used at
    every one of ``horizon`` steps. ``start``: (S,) or (..., S). Returns (..., T, S); each ``D_t``
    sums to the mass of ``start`` (1 for a distribution).
    """
    P = as_transitions(P)
    pi = policy.policy if isinstance(policy, Plan) else as_tensor(policy)
    S, A = P.n_states, P.n_actions
    if stationary:
        if horizon is None:
            raise ValueError("a stationary policy needs a horizon")
        T = check_int("horizon", horizon)
        if pi.dim() < 2 or tuple(pi.shape[-2:]) != (S, A):
            raise ValueError(f"a stationary policy must have shape (..., S={S}, A={A}), got {tuple(pi.shape)}")
        pi = pi[..., None, :, :]
    else:
        if pi.dim() < 3 or tuple(pi.shape[-2:]) != (S, A):
            raise ValueError(f"policy must have shape (..., T, S={S}, A={A}), got {tuple(pi.shape)}")
        T = pi.shape[-3] if horizon is None else check_int("horizon", horizon)
        if T > pi.shape[-3]:
            raise ValueError(f"horizon {T} is longer than the policy's {pi.shape[-3]} steps")
    d = as_tensor(start, dtype=pi.dtype)
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
    pi = policy.policy if isinstance(policy, Plan) else as_tensor(policy)
    r = state_action_reward(reward, P, state_action).to(pi.dtype)
    D = state_visitation(pi, P, start)
    T = pi.shape[-3]
    disc = as_tensor(discount, dtype=pi.dtype) ** torch.arange(T, dtype=pi.dtype)
    per_step = (D[..., :, :, None] * pi * r[..., None, :, :]).sum((-1, -2))
    return (per_step * disc).sum(-1)


def log_likelihood(plan: Plan, states, actions) -> torch.Tensor:
    """Mean over demonstrations of ``sum_t log pi_t(a_t | s_t)`` (the causal log-likelihood).

    ``states``, ``actions``: (E, T) integer arrays; ``plan`` from :func:`soft_value_iteration`
    with a horizon of at least T. Differentiable with respect to the reward behind ``plan``.
    """
    s = as_tensor(np.asarray(states), dtype=torch.int64)
    a = as_tensor(np.asarray(actions), dtype=torch.int64)
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


# -- the discounted, infinite-horizon solvers (stationary policies) -----------------------------

def check_gamma(gamma) -> float:
    """A discount in the open interval (0, 1): the discounted solvers are infinite-horizon."""
    return check_number("gamma", gamma, 0.0, 1.0, low_open=True, high_open=True)


@one_thread
def soft_policy(reward, P, gamma: float = DEFAULT_GAMMA, *, v_init=None, tol: float | None = None, solver: str = "auto",
                max_iter: int = 100_000) -> tuple[torch.Tensor, torch.Tensor]:
    """The stationary soft-optimal policy of an infinite-horizon discounted MDP, exactly.

    The soft Bellman backup ``(T V)(s) = log sum_a exp Q(s,a)``, ``Q(s,a) = r(s,a) + gamma
    sum_s' P(s'|s,a) V(s')``, is one step of :func:`soft_value_iteration`
    (horizon 1, ``terminal_value=V``), which also gives the policy ``pi(a|s) = exp(Q(s,a) - (T V)(s))``.
    Its fixed point ``V = T V`` is found by

    * ``solver="vi"``: value iteration, ``V <- T V`` (a ``gamma``-contraction: about
      ``log(tol) / log(gamma)`` backups, 220 at ``gamma = 0.9``);
    * ``solver="newton"``: Newton's method on ``T V - V = 0``, whose Jacobian is
      ``gamma P_pi - I``: ``V <- V + (I - gamma P_pi)^{-1} (T V - V)``. The new ``V`` is exactly the
      soft value of ``pi``, ``(I - gamma P_pi)^{-1} sum_a pi (r - log pi)``, so this is *soft
      policy iteration*; it converges quadratically (3 to 6 iterations from a warm start), each
      one backup and one dense (S, S) linear solve (fine up to a few thousand states).

    ``solver="auto"`` (default) takes Newton up to 400 states (16x16) and value iteration above,
    where the dense solve costs more than the extra backups. Both stop when
    ``max_s |T V - V| < tol`` and agree to that precision. ``reward``: (S,) or (S, A);
    ``v_init``: a warm start (S,). Returns ``(pi (S, A), V (S,))``.
    """
    P = as_transitions(P)
    gamma = check_gamma(gamma)
    if solver not in ("auto", "newton", "vi"):
        raise ValueError(f"solver must be 'auto', 'newton' or 'vi', got {solver!r}")
    S, A = P.n_states, P.n_actions
    if solver == "auto":
        solver = "newton" if S <= 400 else "vi"
    r = reward_table(reward, S, A)
    v = torch.zeros(S, dtype=torch.float64) if v_init is None else as_tensor(v_init, dtype=torch.float64).detach()
    tol = TOLERANCE if tol is None else tol
    eye = torch.eye(S, dtype=torch.float64)
    for _ in range(max_iter):
        plan = soft_value_iteration(r, P, 1, discount=gamma, state_action=True, terminal_value=v)
        tv, pi = plan.v[0], plan.policy[0]                                     # T V and its soft-greedy policy
        if float((tv - v).abs().max()) < tol:
            return pi, tv
        if solver == "vi":
            v = tv                                                              # V <- T V
        else:                                                                   # V <- V + (I - gamma P_pi)^-1 (T V - V)
            v = v + torch.linalg.solve(eye - gamma * policy_matrix(pi, P), tv - v)
    raise RuntimeError(f"soft {solver} did not converge in {max_iter} iterations (gamma={gamma})")


def policy_matrix(policy, P) -> torch.Tensor:
    """``P_pi(s, s') = sum_a pi(a|s) P(s'|s, a)``, a dense (S, S) matrix."""
    P = as_transitions(P)
    pi = as_tensor(policy, dtype=torch.float64)
    S = P.n_states
    w = (pi[:, :, None] * P.prob.to(torch.float64)).reshape(-1)
    rows = torch.arange(S).repeat_interleave(P.idx.shape[1] * P.idx.shape[2])
    return torch.zeros(S, S, dtype=torch.float64).index_put_((rows, P.idx.reshape(-1)), w, accumulate=True)


def discounted_occupancy(policy, P, start, gamma: float = DEFAULT_GAMMA) -> torch.Tensor:
    """The normalized discounted state occupancy ``d(s) = (1 - gamma) sum_t gamma^t P(s_t = s)``.

    Exactly, by one linear solve: ``d = (1 - gamma) d0 + gamma P_pi^T d``, i.e.
    ``(I - gamma P_pi^T) d = (1 - gamma) d0``. ``policy``: stationary (S, A); ``start``: (S,).
    Returns (S,), summing to 1. (Dense: fine up to a few thousand states.)
    """
    gamma = check_gamma(gamma)
    P_pi = policy_matrix(policy, P)
    d0 = as_tensor(start, dtype=torch.float64)
    eye = torch.eye(P_pi.shape[0], dtype=torch.float64)
    return torch.linalg.solve(eye - gamma * P_pi.T, (1 - gamma) * d0)


def occupancy_sas(policy, P, start, gamma: float = DEFAULT_GAMMA) -> torch.Tensor:
    """``rho(s, a, k) = d(s) pi(a|s) P(idx[s,a,k] | s, a)``: the discounted occupancy of every
    transition the model allows, (S, A, K) with ``K`` the successors of :class:`Transitions`."""
    P = as_transitions(P)
    pi = as_tensor(policy, dtype=torch.float64)
    d = discounted_occupancy(pi, P, start, gamma)
    return d[:, None, None] * pi[:, :, None] * P.prob.to(torch.float64)


def policy_return(policy, reward, P, start, gamma: float = DEFAULT_GAMMA) -> float:
    """Expected discounted return ``E[sum_t gamma^t r(s_t, a_t)]`` from ``start``:
    ``sum_{s,a} d(s) pi(a|s) r(s,a) / (1 - gamma)``."""
    P = as_transitions(P)
    pi = as_tensor(policy, dtype=torch.float64)
    r = reward_table(reward, P.n_states, P.n_actions)
    d = discounted_occupancy(pi, P, start, gamma)
    return float((d[:, None] * pi * r).sum() / (1 - gamma))
