"""Adversarial inverse RL (AIRL, Fu, Luo & Levine 2018), done exactly on a tabular gridworld.

AIRL trains a discriminator of a special form against a policy. With the label convention used
throughout this module, **D is the probability that a transition came from the expert**:

    f(s, a, s') = g(s) + gamma h(s') - h(s)            (state-only reward g)
    f(s, a, s') = g(s, a) + gamma h(s') - h(s)         (state-action reward g)
    D(s, a, s') = exp f / (exp f + pi(a|s)) = sigmoid(f - log pi(a|s)).

``g`` is the reward, ``h`` a potential (a shaping term). The discriminator minimizes the binary
cross-entropy ``-E_expert[log D] - E_policy[log(1 - D)]``; the policy maximizes
``log D - log(1 - D) = f - log pi``, i.e. the entropy-regularized return
``E[sum_t gamma^t (f(s_t, a_t, s_t+1) - log pi(a_t|s_t))]``: a soft-optimal policy for the
expected reward ``r_f(s, a) = E_s'[f(s, a, s')] = g + gamma E[h(s')] - h(s)``, the same policy
as for ``g`` alone (shaping by a potential changes no policy of a discounted, never-ending MDP).

**Exact, no sampling.** On a gridworld the model is known, so every expectation is a sum:

* the expert is soft-optimal for the true reward; its occupancy of (s, a, s') is
  ``rho_E(s, a, s') = d_E(s) pi_E(a|s) P(s'|s, a)``, with ``d_E`` its exact discounted state
  occupancy (:func:`discounted_occupancy`), or counted from demonstrations (``demos=``);
* each round, the generator is the soft-optimal policy for the current ``r_f``, solved exactly
  (:func:`soft_policy`: soft Bellman backups of :func:`~il_helpers.algorithms.maxent_irl.soft_value_iteration`,
  iterated to the fixed point with Newton steps, i.e. soft policy iteration), and its occupancy
  ``rho_pi`` is exact too (one linear solve);
* then Adam steps on the cross-entropy, computed as the exact expectations under ``rho_E`` and
  ``rho_pi`` over every (s, a, s') the model allows.

**Discount and horizon (a choice, and why).** The gridworlds are finite-horizon (``T`` steps,
undiscounted, start distribution ``d0``). AIRL's argument is made for an *infinite-horizon
discounted* MDP with a *stationary* policy, and it breaks in the finite-horizon setting: there
the soft-optimal policy is time-indexed, ``log pi_t(a|s) = A_t(s, a)`` changes with ``t``, so no
time-independent ``f(s, a, s')`` can equal it; and with ``V_T = 0`` the shaping term
``gamma h(s') - h(s)`` does not telescope away (its sum leaves ``gamma^T h(s_T)``, which depends
on the policy), so it changes the optimal policy. So this module uses the paper's setting:
discount ``gamma`` (0.9 by default, an effective horizon of 10 steps on an 8x8 grid), stationary
policies from the infinite-horizon soft Bellman equation, and the normalized discounted occupancy
``d(s) = (1 - gamma) sum_t gamma^t P(s_t = s)`` with ``s_0 ~ d0``. The world's own ``horizon``
is not used (except by :func:`bench_airl_tabular`, whose policy acts in the real finite-horizon
world). ``d0`` is uniform on the gridworlds, so every state and, since soft-optimal policies give
every action positive probability, every (s, a) is in the expert's support: ``g`` is identified
everywhere, not only along the expert's paths.

**Why a state-only reward transfers (Fu et al., section 5).** At the optimum the policy is the
expert's and ``f = log pi_E(a|s) = A*(s, a)``, the soft advantage. With *deterministic* dynamics
``A*(s, a) = r(s) + gamma V*(s') - V*(s)``, so a state-only ``g`` can match it with ``g = r``,
``h = V*``; and it can only match it that way (up to constants) when the dynamics are
"decomposable" (every two states are linked through shared successors; a grid with a *stay*
action is). So ``g = r + const``: the reward, free of the dynamics, and it transfers. A
state-action ``g(s, a)`` has room to absorb the shaping: ``g(s, a) = A*(s, a) + h(s) -
gamma h(s')`` works for *any* ``h``, e.g. ``g = log pi_E(a|s)`` with ``h = 0``. That reward says
"press the buttons the expert pressed": re-optimized under dynamics where the buttons do other
things, it does the wrong thing. (With stochastic training dynamics, the wind, ``f`` depends on
the sampled ``s'`` while ``log pi_E`` does not, so no ``g, h`` make ``D = 1/2`` everywhere and
the game stops short of the expert: measured on an 8x8 FeatureGrid, wind 0.1 gives
``g ~ 0.84 r`` (correlation 0.995) whose policy scores 0.92 of the expert, wind 0.3 gives
``g ~ 0.69 r`` and 0.76. Train on ``wind=0`` for the theorem.)

**The transfer experiment** (the analogue of the paper's section 7.1, where a tabular reward was
re-optimized under a newly drawn transition matrix): :func:`changed_dynamics` relabels what the
actions do (``"reverse"``, the default: up moves down, left moves right; ``"rotate"``: the
controls turn 90 degrees; ``"shuffle"``: every cell gets its own random relabeling of the 5
moves), optionally with new wind. A relabeling leaves the set of cells reachable from each cell
unchanged, so the *task* is exactly as easy as before (the expert re-optimized on the true reward
earns exactly its old value) and only a reward that is tied to action labels can fail. (A change
of wind alone is a weak test: the expert's buttons still point the right way, so even a reward
that only says "press the expert's buttons" keeps working.) :func:`transfer_score` re-optimizes a
reward there (soft-optimal policy), evaluates the policy with the true reward, and normalizes:
0 = uniform random policy, 1 = the soft-optimal expert re-optimized on the true reward in the new
dynamics. :func:`transfer_experiment` runs it over several worlds; measured on five 8x8
FeatureGrids (wind 0 for training): the state-only reward scores 1.00 on the training dynamics
and 1.00 with reversed controls, the state-action reward 1.00 and -0.10 to 0.18.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ..core.nets import cpu_threads
from .maxent_irl import Transitions, _one_thread, _tensor, as_transitions, reward_correlation, soft_value_iteration

# ---------------------------------------------------------------------------------------------
# hyperparameters (the defaults of train_airl_tabular)
# ---------------------------------------------------------------------------------------------

GAMMA = 0.9         # discount: AIRL's setting is infinite-horizon discounted (see the module docstring)
STEPS = 150         # rounds: one exact generator solve, then DISC_STEPS Adam steps on the discriminator
DISC_STEPS = 1      # discriminator steps per round
LR = 0.1            # Adam's learning rate for g and h
INIT_STD = 0.01     # g and h start as N(0, INIT_STD^2) draws (the seed matters only through them)
TOL = 1e-10         # the generator's solver stops when a soft Bellman backup changes V by less than this


# ---------------------------------------------------------------------------------------------
# exact tabular solvers: the infinite-horizon soft policy and its discounted occupancy
# ---------------------------------------------------------------------------------------------


def _check_gamma(gamma) -> float:
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.floating)) or not 0 < gamma < 1:
        raise ValueError(f"gamma must be a number in (0, 1) (AIRL is infinite-horizon discounted), got {gamma!r}")
    return float(gamma)


def _check_int(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _reward_table(reward, S: int, A: int, name: str = "reward") -> torch.Tensor:
    """A reward as an (S, A) float64 table: (S,) is a state-only reward (the same for every action)."""
    r = _tensor(reward).detach().to(torch.float64)
    if tuple(r.shape) == (S,):
        return r[:, None].expand(S, A)
    if tuple(r.shape) == (S, A):
        return r
    raise ValueError(f"{name} must have shape (S,) = ({S},) or (S, A) = ({S}, {A}), got {tuple(r.shape)}")


@_one_thread
def soft_policy(reward, P, gamma: float = GAMMA, *, v_init=None, tol: float | None = None, solver: str = "auto",
                max_iter: int = 100_000) -> tuple[torch.Tensor, torch.Tensor]:
    """The stationary soft-optimal policy of an infinite-horizon discounted MDP, exactly.

    The soft Bellman backup ``(T V)(s) = log sum_a exp Q(s,a)``, ``Q(s,a) = r(s,a) + gamma
    sum_s' P(s'|s,a) V(s')``, is one step of :func:`~il_helpers.algorithms.maxent_irl.soft_value_iteration`
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
    gamma = _check_gamma(gamma)
    if solver not in ("auto", "newton", "vi"):
        raise ValueError(f"solver must be 'auto', 'newton' or 'vi', got {solver!r}")
    S, A = P.n_states, P.n_actions
    if solver == "auto":
        solver = "newton" if S <= 400 else "vi"
    r = _reward_table(reward, S, A)
    v = torch.zeros(S, dtype=torch.float64) if v_init is None else _tensor(v_init, dtype=torch.float64).detach()
    tol = TOL if tol is None else tol
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
    pi = _tensor(policy, dtype=torch.float64)
    S = P.n_states
    w = (pi[:, :, None] * P.prob.to(torch.float64)).reshape(-1)
    rows = torch.arange(S).repeat_interleave(P.idx.shape[1] * P.idx.shape[2])
    return torch.zeros(S, S, dtype=torch.float64).index_put_((rows, P.idx.reshape(-1)), w, accumulate=True)


def discounted_occupancy(policy, P, start, gamma: float = GAMMA) -> torch.Tensor:
    """The normalized discounted state occupancy ``d(s) = (1 - gamma) sum_t gamma^t P(s_t = s)``.

    Exactly, by one linear solve: ``d = (1 - gamma) d0 + gamma P_pi^T d``, i.e.
    ``(I - gamma P_pi^T) d = (1 - gamma) d0``. ``policy``: stationary (S, A); ``start``: (S,).
    Returns (S,), summing to 1. (Dense: fine up to a few thousand states.)
    """
    gamma = _check_gamma(gamma)
    P_pi = policy_matrix(policy, P)
    d0 = _tensor(start, dtype=torch.float64)
    eye = torch.eye(P_pi.shape[0], dtype=torch.float64)
    return torch.linalg.solve(eye - gamma * P_pi.T, (1 - gamma) * d0)


def occupancy_sas(policy, P, start, gamma: float = GAMMA) -> torch.Tensor:
    """``rho(s, a, k) = d(s) pi(a|s) P(idx[s,a,k] | s, a)``: the discounted occupancy of every
    transition the model allows, (S, A, K) with ``K`` the successors of :class:`Transitions`."""
    P = as_transitions(P)
    pi = _tensor(policy, dtype=torch.float64)
    d = discounted_occupancy(pi, P, start, gamma)
    return d[:, None, None] * pi[:, :, None] * P.prob.to(torch.float64)


def policy_return(policy, reward, P, start, gamma: float = GAMMA) -> float:
    """Expected discounted return ``E[sum_t gamma^t r(s_t, a_t)]`` from ``start``:
    ``sum_{s,a} d(s) pi(a|s) r(s,a) / (1 - gamma)``."""
    P = as_transitions(P)
    pi = _tensor(policy, dtype=torch.float64)
    r = _reward_table(reward, P.n_states, P.n_actions)
    d = discounted_occupancy(pi, P, start, gamma)
    return float((d[:, None] * pi * r).sum() / (1 - gamma))


# ---------------------------------------------------------------------------------------------
# the AIRL discriminator
# ---------------------------------------------------------------------------------------------


def _check_gh(g, h, S: int, A: int) -> tuple[torch.Tensor, torch.Tensor]:
    g, h = _tensor(g), _tensor(h)
    if tuple(g.shape) not in ((S,), (S, A)):
        raise ValueError(f"g must be a state-only reward (S,) = ({S},) or a state-action reward (S, A) = ({S}, {A}), "
                         f"got shape {tuple(g.shape)}")
    if tuple(h.shape) != (S,):
        raise ValueError(f"h must be a potential over states, shape (S,) = ({S},), got {tuple(h.shape)}")
    return g, h


def airl_f(g, h, P, gamma: float = GAMMA) -> torch.Tensor:
    """``f(s, a, s') = g(s) [or g(s, a)] + gamma h(s') - h(s)`` for every successor ``s' = idx[s, a, k]``
    of the model: (S, A, K). Differentiable in ``g`` and ``h``."""
    P = as_transitions(P)
    gamma = _check_gamma(gamma)
    S, A = P.n_states, P.n_actions
    g, h = _check_gh(g, h, S, A)
    g_sa = g[:, None] if g.dim() == 1 else g
    return g_sa[:, :, None] + gamma * h[P.idx] - h[:, None, None]


def airl_discriminator(g, h, log_pi, P, gamma: float = GAMMA) -> torch.Tensor:
    """AIRL's discriminator, the probability that ``(s, a, s')`` came from the **expert**:

    ``D(s, a, s') = exp f(s, a, s') / (exp f(s, a, s') + pi(a|s)) = sigmoid(f - log pi(a|s))``,
    for every successor ``s' = idx[s, a, k]`` of the model: (S, A, K). ``log_pi``: (S, A).
    """
    P = as_transitions(P)
    lp = _tensor(log_pi)
    if tuple(lp.shape) != (P.n_states, P.n_actions):
        raise ValueError(f"log_pi must have shape (S, A) = ({P.n_states}, {P.n_actions}), got {tuple(lp.shape)}")
    return torch.sigmoid(airl_f(g, h, P, gamma) - lp[:, :, None])


def airl_loss(g, h, log_pi, P, rho_expert, rho_policy, gamma: float = GAMMA) -> torch.Tensor:
    """The discriminator's binary cross-entropy as an exact expectation (labels: expert 1, policy 0):

    ``L = - sum rho_E(s,a,s') log D(s,a,s') - sum rho_pi(s,a,s') log(1 - D(s,a,s'))``
    ``  =   sum rho_E softplus(-logit) + sum rho_pi softplus(logit)``, ``logit = f - log pi``.

    ``rho_expert``, ``rho_policy``: (S, A, K) occupancies of the model's transitions (each sums to 1).
    """
    P = as_transitions(P)
    logit = airl_f(g, h, P, gamma) - _tensor(log_pi)[:, :, None]
    return (rho_expert * torch.nn.functional.softplus(-logit)).sum() + \
        (rho_policy * torch.nn.functional.softplus(logit)).sum()


# ---------------------------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------------------------


@dataclass
class AIRLResult:
    """What :func:`train_airl_tabular` recovered, and how it got there (one entry per round).

    ``g``: the reward, (S,) state-only or (S, A) state-action; ``h``: the potential (S,);
    ``policy``: the final generator (S, A), soft-optimal for ``r_f`` (and so for ``g``). History, before each round's
    discriminator steps: ``loss`` (the cross-entropy), ``d_expert`` / ``d_policy`` (the mean
    ``D`` under the expert's and the policy's occupancy; both tend to 1/2), ``reward_corr``
    (Pearson correlation of ``g`` with the true reward; a state-action ``g(s, a)`` is compared
    with ``r(s)`` at every (s, a)).
    """

    g: torch.Tensor
    h: torch.Tensor
    policy: torch.Tensor
    state_only: bool
    gamma: float
    loss: list[float] = field(default_factory=list)
    d_expert: list[float] = field(default_factory=list)
    d_policy: list[float] = field(default_factory=list)
    reward_corr: list[float] = field(default_factory=list)
    steps: int = 0
    wall_s: float = 0.0

    def __repr__(self) -> str:
        kind = "state-only g(s)" if self.state_only else "state-action g(s, a)"
        last = (f"loss {self.loss[-1]:.4f}, D expert {self.d_expert[-1]:.3f} / policy {self.d_policy[-1]:.3f}, "
                f"reward corr {self.reward_corr[-1]:.3f}") if self.loss else "no history"
        return f"AIRLResult({kind}, gamma={self.gamma}, {self.steps} rounds in {self.wall_s:.2f} s: {last})"


def _true_reward_corr(g: torch.Tensor, r: torch.Tensor) -> float:
    return reward_correlation(g, r if g.dim() == 1 else r[:, None].expand_as(g))


def demo_occupancy(demos, world, P=None, gamma: float = GAMMA) -> tuple[torch.Tensor, torch.Tensor]:
    """The expert's discounted occupancy counted from demonstrations, and their start distribution.

    Every step ``t`` of an episode, the transition ``(s_t, a_t, s_t+1)`` (``a_t`` the executed
    action, ``taken``) gets weight ``gamma^t``; the weights are normalized to sum to 1 (episodes
    are finite, so the tail after the last step is dropped). ``demos``: gridworld
    :class:`~il_helpers.Demonstrations`, or a tuple of (E, T) integer arrays
    ``(states, actions, next_states)``. Returns ``(rho (S, A, K), start (S,))``.
    """
    P = as_transitions(world.P if P is None else P)
    gamma = _check_gamma(gamma)
    if isinstance(demos, tuple):
        if len(demos) != 3:
            raise ValueError("demos as a tuple must be (states, actions, next_states), three (E, T) integer arrays")
        s, a, s2 = (np.asarray(x, np.int64) for x in demos)
        if s.ndim != 2 or s.shape != a.shape or s.shape != s2.shape:
            raise ValueError(f"states, actions, next_states must be (E, T) arrays of one shape, got "
                             f"{s.shape}, {a.shape}, {s2.shape}")
        if s.size == 0:
            raise ValueError("demos hold no transitions")
        t = np.broadcast_to(np.arange(s.shape[1]), s.shape)
        starts = s[:, 0]
        s, a, s2, t = s.ravel(), a.ravel(), s2.ravel(), t.ravel()
    else:
        s, t = world.states_from_obs(demos.obs)
        s2, _ = world.states_from_obs(demos.next_obs)
        a = np.asarray(demos.taken, np.int64).ravel()
        starts = s[t == 0]
    S, A = P.n_states, P.n_actions
    if len(s) == 0 or len(starts) == 0:
        raise ValueError("demos hold no transitions (or no episode starts at t = 0)")
    if min(s.min(), s2.min(), a.min()) < 0 or max(s.max(), s2.max()) >= S or a.max() >= A:
        raise ValueError(f"demonstration states must lie in 0..{S - 1} and actions in 0..{A - 1}")
    idx = P.idx.numpy()
    match = (idx[s, a] == s2[:, None]) & (P.prob.numpy()[s, a] > 0)     # which successor k each s' is
    if not match.any(1).all():
        bad = int(np.flatnonzero(~match.any(1))[0])
        raise ValueError(f"demonstration transition {s[bad]} --action {a[bad]}--> {s2[bad]} is impossible under "
                         "these dynamics (demonstrations from another world?)")
    k = match.argmax(1)
    rho = torch.zeros(S, A, idx.shape[2], dtype=torch.float64)
    w = torch.as_tensor(gamma ** t.astype(np.float64))
    rho.index_put_((torch.as_tensor(s), torch.as_tensor(a), torch.as_tensor(k)), w, accumulate=True)
    start = torch.as_tensor(np.bincount(starts, minlength=S).astype(np.float64))
    return rho / rho.sum(), start / start.sum()


def expert_occupancy(world, P=None, gamma: float = GAMMA) -> tuple[torch.Tensor, torch.Tensor]:
    """The soft-optimal expert for the true reward (infinite-horizon, discount ``gamma``) and its
    exact occupancy: returns ``(rho_E (S, A, K), pi_E (S, A))``."""
    P = as_transitions(world.P if P is None else P)
    pi_e, _ = soft_policy(world.r, P, gamma)
    return occupancy_sas(pi_e, P, world.d0, gamma), pi_e


def train_airl_tabular(world, state_only: bool = True, *, P=None, demos=None, gamma: float = GAMMA,
                       steps: int = STEPS, disc_steps: int = DISC_STEPS, lr: float = LR, init_std: float = INIT_STD,
                       seed: int = 0, threads: int | None = 1) -> AIRLResult:
    """Exact tabular AIRL: alternate an exact soft-optimal generator with Adam steps on the
    discriminator's exact cross-entropy.

    ``world``: a :class:`~il_helpers.envs.gridworlds.Gridworld` (its true reward makes the expert and
    measures ``reward_corr``); ``P``: the training dynamics (default ``world.P``; the theorem wants
    deterministic ones, e.g. a world made with ``wind=0``); ``demos``: learn from demonstrations'
    counts instead of the exact expert occupancy (:func:`demo_occupancy`; the generator then
    starts from the demonstrations' start states, so start frequencies cannot tell them apart).

    Every round:

    1. generator: ``pi = soft_policy(r_f)`` with ``r_f(s,a) = g(s[,a]) + gamma E[h(s')] - h(s)``
       (the entropy-regularized policy step of AIRL, solved exactly);
    2. its occupancy ``rho_pi(s,a,s') = d_pi(s) pi(a|s) P(s'|s,a)``;
    3. ``disc_steps`` Adam steps (learning rate ``lr``) on :func:`airl_loss` with ``pi`` fixed.

    Deterministic for a given ``seed`` (which draws the small initial ``g`` and ``h``); the global
    torch RNG is untouched. Returns an :class:`AIRLResult`.
    """
    gamma = _check_gamma(gamma)
    steps, disc_steps = _check_int("steps", steps), _check_int("disc_steps", disc_steps)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if isinstance(init_std, bool) or not (isinstance(init_std, (int, float, np.floating)) and init_std >= 0):
        raise ValueError(f"init_std must be a number >= 0, got {init_std!r}")
    for name in ("r", "d0", "P"):
        if not hasattr(world, name):
            raise TypeError(f"world must be a gridworld (with .P, .r, .d0), got {type(world).__name__}")
    P = as_transitions(world.P if P is None else P)
    S, A = P.n_states, P.n_actions
    if world.r.shape != (S,):
        raise ValueError(f"the world has {world.r.shape[0]} states but the dynamics P has {S}")

    t0 = time.perf_counter()
    with cpu_threads(threads):
        if demos is None:
            rho_e, _ = expert_occupancy(world, P, gamma)
            start = world.d0
        else:
            rho_e, start = demo_occupancy(demos, world, P, gamma)
        gen = torch.Generator().manual_seed(int(seed))
        shape = (S,) if state_only else (S, A)
        g = (init_std * torch.randn(shape, generator=gen, dtype=torch.float64)).requires_grad_()
        h = (init_std * torch.randn(S, generator=gen, dtype=torch.float64)).requires_grad_()
        opt = torch.optim.Adam([g, h], lr=lr)
        res = AIRLResult(g=g, h=h, policy=torch.empty(0), state_only=bool(state_only), gamma=gamma)
        v = None
        for _ in range(steps):
            with torch.no_grad():
                # 1. generator: soft-optimal for r_f = g + gamma E[h(s')] - h(s) (warm-started from last round's V)
                r_f = (g[:, None] if state_only else g) + gamma * P.expect(h) - h[:, None]
                pi, v = soft_policy(r_f, P, gamma, v_init=v)
                log_pi = pi.log()
                # 2. its exact occupancy of (s, a, s')
                rho_pi = occupancy_sas(pi, P, start, gamma)
                D = airl_discriminator(g, h, log_pi, P, gamma)
                res.d_expert.append(float((rho_e * D).sum()))
                res.d_policy.append(float((rho_pi * D).sum()))
                res.reward_corr.append(_true_reward_corr(g, world.r))
            # 3. discriminator: Adam on the exact cross-entropy, the generator fixed
            for j in range(disc_steps):
                loss = airl_loss(g, h, log_pi, P, rho_e, rho_pi, gamma)
                if j == 0:
                    res.loss.append(float(loss.detach()))
                opt.zero_grad()
                loss.backward()
                opt.step()
            res.steps += 1
        with torch.no_grad():
            r_f = (g[:, None] if state_only else g) + gamma * P.expect(h) - h[:, None]
            res.policy, _ = soft_policy(r_f, P, gamma, v_init=v)
    res.g, res.h = g.detach(), h.detach()
    res.wall_s = time.perf_counter() - t0
    return res


# ---------------------------------------------------------------------------------------------
# transfer: re-optimize a reward under changed dynamics
# ---------------------------------------------------------------------------------------------

# "rotate": the controls turn a quarter clockwise. Action a now does the move of ROTATE[a]:
# stay -> stay, up -> right, down -> left, left -> up, right -> down.
ROTATE = np.array([0, 4, 3, 1, 2])
REVERSE = np.array([0, 2, 1, 4, 3])  # "reverse": up <-> down, left <-> right
CHANGES = ("rotate", "reverse", "shuffle", "none")
CHANGE_NAMES = {"rotate": "controls rotated 90 degrees", "reverse": "controls reversed",
                "shuffle": "controls shuffled in every cell", "none": "new wind only"}


def changed_dynamics(world, change: str = "reverse", *, wind: float | None = None, seed: int = 0) -> Transitions:
    """New dynamics for the same grid: ``P'(s'|s, a)`` with what the actions do relabeled.

    ``change``: ``"reverse"`` (every move goes the opposite way: up moves down, left moves right;
    stay stays), ``"rotate"`` (every action does the move of its quarter-turned direction: up moves
    right, right moves down, ...), ``"shuffle"`` (every state gets its own random
    permutation of the 5 moves, drawn from ``seed``: the grid's analogue of the paper's newly drawn
    transition matrix) or ``"none"`` (only the wind changes). ``wind``: the new wind (default: the
    world's own), with the gridworld's meaning: with probability ``wind`` the move is a uniformly
    random one. Returns :class:`~il_helpers.algorithms.maxent_irl.Transitions`.

    A relabeling keeps, from every cell, the same set of reachable cells (and the same wind), so a
    state-only reward's problem is unchanged up to the names of the actions: its soft-optimal
    policy earns exactly what it earned before. What changes is which *action* leads where.
    """
    if change not in CHANGES:
        raise ValueError(f"change must be one of {CHANGES}, got {change!r}")
    wind = world.wind if wind is None else wind
    if isinstance(wind, bool) or not isinstance(wind, (int, float, np.floating)) or not 0 <= wind <= 1:
        raise ValueError(f"wind must be a probability in [0, 1], got {wind!r}")
    S, A = world.n_states, world.n_actions
    if change == "rotate":
        perm = np.broadcast_to(ROTATE, (S, A))
    elif change == "reverse":
        perm = np.broadcast_to(REVERSE, (S, A))
    elif change == "shuffle":
        rng = np.random.default_rng([int(seed), 7])
        perm = np.stack([rng.permutation(A) for _ in range(S)])
    else:
        perm = np.broadcast_to(np.arange(A), (S, A))
    idx = np.broadcast_to(world.next_state[:, None, :], (S, A, A)).copy()
    prob = np.full((S, A, A), wind / A)                                 # the wind: every move w.p. wind / A
    # successor k of (s, a) is move k from s, so action a's intended move is entry k = perm[s, a]
    prob[np.arange(S)[:, None], np.arange(A)[None, :], perm] += 1 - wind
    return Transitions(idx=torch.as_tensor(idx), prob=torch.as_tensor(prob))


@_one_thread
def transfer_score(reward, world, new_P=None, gamma: float = GAMMA) -> float:
    """How well a reward does when re-optimized under dynamics ``new_P`` (default: the world's own,
    the training dynamics).

    The soft-optimal policy for ``reward`` under ``new_P`` (:func:`soft_policy`) is evaluated with
    the world's **true** reward under ``new_P`` (discounted return from ``world.d0``) and normalized:
    ``(J(pi) - J(random)) / (J(expert) - J(random))``, where random is the uniform policy and
    expert the soft-optimal policy for the true reward under ``new_P``. So 0 = random, 1 = the
    expert re-optimized in the new dynamics (a policy greedier than the expert can score above 1).
    ``reward``: (S,) or (S, A); ``new_P``: :class:`~il_helpers.algorithms.maxent_irl.Transitions` or a dense
    (S, A, S) array, e.g. from :func:`changed_dynamics`.
    """
    gamma = _check_gamma(gamma)
    P = as_transitions(world.P if new_P is None else new_P)
    S, A = P.n_states, P.n_actions
    r = _reward_table(reward, S, A)
    pi, _ = soft_policy(r, P, gamma)
    pi_e, _ = soft_policy(world.r, P, gamma)
    uniform = torch.full((S, A), 1.0 / A, dtype=torch.float64)
    j, j_e, j_0 = (policy_return(p, world.r, P, world.d0, gamma) for p in (pi, pi_e, uniform))
    return (j - j_0) / (j_e - j_0)


@dataclass
class TransferExperiment:
    """Section 7.1's experiment over several worlds: train a state-only and a state-action AIRL
    reward on each world's training dynamics, re-optimize both under the training dynamics and
    under :func:`changed_dynamics`, and score them (:func:`transfer_score`).

    ``scores[kind][dynamics]``: one score per world seed, ``kind`` in ``("state-only",
    "state-action")``, ``dynamics`` in ``("training", change)``; ``reward_corr[kind]``: the
    correlation of ``g`` with the true reward; ``results[kind]``: the :class:`AIRLResult` of each seed.
    """

    world_seeds: list[int]
    change: str
    worlds: list
    scores: dict[str, dict[str, np.ndarray]]
    reward_corr: dict[str, np.ndarray]
    results: dict[str, list[AIRLResult]]
    wall_s: float = 0.0

    KINDS = ("state-only", "state-action")

    def table(self) -> str:
        """One line per world seed: the scores of both rewards on both dynamics."""
        lines = [f"{'world seed':>10s}  " + "  ".join(f"{k + ', ' + d:>26s}" for k in self.KINDS
                                                     for d in ("training", self.change))]
        for i, seed in enumerate(self.world_seeds):
            lines.append(f"{seed:>10d}  " + "  ".join(f"{self.scores[k][d][i]:26.3f}" for k in self.KINDS
                                                     for d in ("training", self.change)))
        lines.append(f"{'mean':>10s}  " + "  ".join(f"{self.scores[k][d].mean():26.3f}" for k in self.KINDS
                                                   for d in ("training", self.change)))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"TransferExperiment({len(self.world_seeds)} worlds, change={self.change!r}, {self.wall_s:.1f} s)\n"
                + self.table())


def transfer_experiment(world_seeds=(0, 1, 2, 3, 4), size: int = 8, change: str = "reverse", *,
                        family: str = "FeatureGrid", wind: float = 0.0, new_wind: float | None = None,
                        gamma: float = GAMMA, **train_kwargs) -> TransferExperiment:
    """Run the transfer experiment on ``family`` worlds of ``size`` x ``size`` (one per seed).

    Training dynamics: the world with ``wind`` (0: deterministic, where AIRL's theorem holds);
    new dynamics: ``changed_dynamics(world, change, wind=new_wind)``. ``train_kwargs`` go to
    :func:`train_airl_tabular` (``steps``, ``lr``, ``seed``, ...).
    """
    from ..envs.gridworlds import make_world

    t0 = time.perf_counter()
    seeds = [int(s) for s in world_seeds]
    if not seeds:
        raise ValueError("world_seeds must name at least one world")
    worlds = [make_world(family, size=size, world_seed=s, wind=wind) for s in seeds]
    kinds = TransferExperiment.KINDS
    scores = {k: {"training": [], change: []} for k in kinds}
    corr = {k: [] for k in kinds}
    results = {k: [] for k in kinds}
    for w in worlds:
        P_new = changed_dynamics(w, change, wind=new_wind)
        for kind in kinds:
            res = train_airl_tabular(w, state_only=kind == "state-only", gamma=gamma, **train_kwargs)
            results[kind].append(res)
            corr[kind].append(res.reward_corr[-1])
            scores[kind]["training"].append(transfer_score(res.g, w, gamma=gamma))
            scores[kind][change].append(transfer_score(res.g, w, P_new, gamma=gamma))
    return TransferExperiment(
        world_seeds=seeds, change=change, worlds=worlds,
        scores={k: {d: np.asarray(v) for d, v in scores[k].items()} for k in kinds},
        reward_corr={k: np.asarray(v) for k, v in corr.items()}, results=results,
        wall_s=time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------
# bench method: python -m il_helpers.bench airl --env il_helpers/FeatureGrid-v0 (registered by the course)
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# plots
# ---------------------------------------------------------------------------------------------

# (d_col, d_row) of each action's arrow: stay, up, down, left, right
_ARROWS = np.array([[0, 0], [0, -1], [0, 1], [-1, 0], [1, 0]], np.float64)


def plot_airl_rewards(world, true, g_state_only, g_state_action, axes=None, reduce: str = "max", arrows: bool = True):
    """Three heatmaps: the true reward, the state-only ``g(s)`` and the state-action ``g(s, a)``
    reduced over actions (``reduce``: ``"max"`` or ``"mean"``; the title says which).

    AIRL recovers a reward up to a constant, so both ``g`` are shifted to the true reward's mean
    (as Fu et al. do for their figure; a constant changes no policy in a discounted,
    never-ending problem). With ``arrows``, the state-action panel shows each state's best
    action ``argmax_a g(s, a)`` (a dot for *stay*): that reward says which button to press.
    Returns the three axes.
    """
    import matplotlib.pyplot as plt

    from ..envs.gridworlds import heatmap

    if reduce not in ("max", "mean"):
        raise ValueError(f"reduce must be 'max' or 'mean', got {reduce!r}")
    S, A = world.n_states, world.n_actions
    r = _tensor(true, dtype=torch.float64).detach()
    g_so = _tensor(g_state_only, dtype=torch.float64).detach()
    g_sa = _tensor(g_state_action, dtype=torch.float64).detach()
    if tuple(r.shape) != (S,) or tuple(g_so.shape) != (S,) or tuple(g_sa.shape) != (S, A):
        raise ValueError(f"expected true (S,), g_state_only (S,) and g_state_action (S, A) with S={S}, A={A}; got "
                         f"{tuple(r.shape)}, {tuple(g_so.shape)}, {tuple(g_sa.shape)}")
    reduced = g_sa.amax(1) if reduce == "max" else g_sa.mean(1)
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(10.5, 3.0))
    heatmap(axes[0], world, r, r"true reward $r(s)$", label="reward per step")
    heatmap(axes[1], world, g_so - g_so.mean() + r.mean(),
            rf"state-only $g(s)$ (corr. {reward_correlation(g_so, r):.2f})", label="reward (shifted)")
    heatmap(axes[2], world, reduced - reduced.mean() + r.mean(),
            rf"state-action: $\mathrm{{{reduce}}}_a\, g(s,a)$ (corr. {reward_correlation(reduced, r):.2f})"
            + ("\narrows: best action, " + r"$\arg\max_a g(s,a)$" if arrows else ""),
            label="reward (shifted)")
    if arrows:
        rows, cols = np.divmod(np.arange(S), world.size)
        best = g_sa.argmax(1).numpy()
        move = world.next_state[np.arange(S), best] != np.arange(S)   # a move into the border stays put: a dot
        d = _ARROWS[best]
        axes[2].quiver(cols[move], rows[move], d[move, 0], d[move, 1], angles="xy", scale_units="xy", scale=2.2,
                       width=0.006, color="black", alpha=0.7)
        axes[2].plot(cols[~move], rows[~move], "k.", ms=3)
    plt.tight_layout()
    return axes


def plot_transfer(experiment: TransferExperiment, ax=None):
    """Bars: the mean transfer score of each reward (state-only, state-action) on the training
    dynamics and on the changed ones, one dot per world; 0 = uniform random, 1 = the expert
    re-optimized on the true reward. Returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.0))
    dyn = ("training", experiment.change)
    x = np.arange(len(dyn))
    width = 0.38
    for j, (kind, color) in enumerate(zip(TransferExperiment.KINDS, ("C0", "C3"))):
        xs = x + (j - 0.5) * width
        means = [experiment.scores[kind][d].mean() for d in dyn]
        ax.bar(xs, means, width, color=color, alpha=0.8, label=f"{kind} reward")
        for xi, d in zip(xs, dyn):
            vals = experiment.scores[kind][d]
            ax.plot(np.full(len(vals), xi), vals, "o", ms=3.5, color="black", alpha=0.6)
    ax.axhline(1.0, color="k", ls="--", lw=0.8)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_xticks(x, ["training dynamics", f"new dynamics:\n{CHANGE_NAMES[experiment.change]}"], fontsize=8)
    ax.set_ylabel("normalized return\n(random 0, expert 1)")
    ax.set_title(f"AIRL reward re-optimized, {len(experiment.world_seeds)} worlds (dots)", fontsize=9)
    lo = min(-0.1, min(float(experiment.scores[k][d].min()) for k in TransferExperiment.KINDS for d in dyn) - 0.1)
    ax.set_ylim(lo, 1.4)
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    ax.grid(alpha=0.3, axis="y")
    return ax
