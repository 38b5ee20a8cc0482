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
  occupancy (:func:`~il_helpers.tabular.solvers.discounted_occupancy`), or counted from
  demonstrations (:func:`demo_occupancy`);
* each round, the generator is the soft-optimal policy for the current ``r_f``, solved exactly
  (:func:`~il_helpers.tabular.solvers.soft_policy`: soft Bellman backups of
  :func:`~il_helpers.tabular.solvers.soft_value_iteration`,
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
is used only for the returned policy, optimal for ``g`` in the real finite-horizon world. ``d0``
is uniform on the gridworlds, so every state and, since soft-optimal policies give
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

**The transfer experiment** (the analogue of the paper's section 7.1: re-optimize the recovered
reward under changed controls, :func:`~il_helpers.envs.gridworlds.changed_dynamics`) is notebook
05's lesson, :mod:`il_helpers.lessons.gail_airl`; the pictures are in :mod:`il_helpers.plots.gridworlds`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from ..core.checks import (
    TRAIN_SEED_MAX,
    check_fields,
    check_int,
    check_number,
    check_seed,
    check_training_data,
    make_config,
)
from ..core.nets import cpu_threads
from ..envs.gridworlds import trainer_world
from ..tabular.mdp import Transitions, as_tensor, as_transitions
from ..tabular.metrics import reward_correlation
from ..tabular.policies import TabularPolicy, optimal_policy
from ..tabular.solvers import DEFAULT_GAMMA, check_gamma, occupancy_sas, soft_policy


@dataclass
class AIRLTabularConfig:
    """The settings of :func:`train_airl_tabular` (keyword settings of the call replace them)."""

    state_only: bool = True        # g(s) (transfers to new dynamics) or g(s, a) (does not)
    gamma: float = DEFAULT_GAMMA   # discount: AIRL's setting is infinite-horizon discounted (see the docstring)
    steps: int = 150               # rounds: one exact generator solve, then disc_steps Adam steps on D
    disc_steps: int = 1            # discriminator steps per round
    lr: float = 0.1                # Adam's learning rate for g and h
    init_std: float = 0.01         # g and h start as N(0, init_std^2) draws (the seed matters only through them)
    dynamics: Transitions | None = None  # the training dynamics P (default: the world's own; wind 0 for the theorem)
    threads: int | None = 1        # torch threads

    def __post_init__(self):
        check_fields(self)  # finite numbers of the right kind and sign (counts >= 1)


@dataclass
class AIRLTabularHistory:
    """What :func:`train_airl_tabular` recovered, and how it got there (one entry per round).

    ``reward``: ``g``, (S,) state-only or (S, A) state-action; ``potential``: ``h`` (S,);
    ``generator``: the final generator (S, A), the stationary policy soft-optimal for ``r_f``
    (and so for ``g``). History, before each round's discriminator steps: ``loss`` (the
    cross-entropy), ``d_expert`` / ``d_policy`` (the mean ``D`` under the expert's and the
    policy's occupancy; both tend to 1/2), ``reward_corr`` (Pearson correlation of ``g`` with
    the true reward; a state-action ``g(s, a)`` is compared with ``r(s)`` at every (s, a)).
    """

    reward: torch.Tensor
    potential: torch.Tensor
    generator: torch.Tensor
    state_only: bool
    gamma: float
    env_id: str = ""
    config: AIRLTabularConfig | None = None
    steps: int = 0
    wall_s: float = 0.0
    loss: list[float] = field(default_factory=list)
    d_expert: list[float] = field(default_factory=list)
    d_policy: list[float] = field(default_factory=list)
    reward_corr: list[float] = field(default_factory=list)

    @property
    def g(self) -> torch.Tensor:
        """AIRL's name for the reward."""
        return self.reward

    @property
    def h(self) -> torch.Tensor:
        """AIRL's name for the potential."""
        return self.potential

    def __repr__(self) -> str:
        kind = "state-only g(s)" if self.state_only else "state-action g(s, a)"
        last = (f"loss {self.loss[-1]:.4f}, D expert {self.d_expert[-1]:.3f} / policy {self.d_policy[-1]:.3f}, "
                f"reward corr {self.reward_corr[-1]:.3f}") if self.loss else "no history"
        return f"AIRLTabularHistory({kind}, gamma={self.gamma}, {self.steps} rounds in {self.wall_s:.2f} s: {last})"


# -- the AIRL discriminator and its loss ---------------------------------------------------------

def _check_gh(g, h, S: int, A: int) -> tuple[torch.Tensor, torch.Tensor]:
    g, h = as_tensor(g), as_tensor(h)
    if tuple(g.shape) not in ((S,), (S, A)):
        raise ValueError(f"g must be a state-only reward (S,) = ({S},) or a state-action reward (S, A) = ({S}, {A}), "
                         f"got shape {tuple(g.shape)}")
    if tuple(h.shape) != (S,):
        raise ValueError(f"h must be a potential over states, shape (S,) = ({S},), got {tuple(h.shape)}")
    return g, h


def airl_f(g, h, P, gamma: float = DEFAULT_GAMMA) -> torch.Tensor:
    """``f(s, a, s') = g(s) [or g(s, a)] + gamma h(s') - h(s)`` for every successor ``s' = idx[s, a, k]``
    of the model: (S, A, K). Differentiable in ``g`` and ``h``."""
    P = as_transitions(P)
    gamma = check_gamma(gamma)
    S, A = P.n_states, P.n_actions
    g, h = _check_gh(g, h, S, A)
    g_sa = g[:, None] if g.dim() == 1 else g
    return g_sa[:, :, None] + gamma * h[P.idx] - h[:, None, None]


def airl_discriminator(g, h, log_pi, P, gamma: float = DEFAULT_GAMMA) -> torch.Tensor:
    """AIRL's discriminator, the probability that ``(s, a, s')`` came from the **expert**:

    ``D(s, a, s') = exp f(s, a, s') / (exp f(s, a, s') + pi(a|s)) = sigmoid(f - log pi(a|s))``,
    for every successor ``s' = idx[s, a, k]`` of the model: (S, A, K). ``log_pi``: (S, A).
    """
    P = as_transitions(P)
    lp = as_tensor(log_pi)
    if tuple(lp.shape) != (P.n_states, P.n_actions):
        raise ValueError(f"log_pi must have shape (S, A) = ({P.n_states}, {P.n_actions}), got {tuple(lp.shape)}")
    return torch.sigmoid(airl_f(g, h, P, gamma) - lp[:, :, None])


def airl_loss(g, h, log_pi, P, rho_expert, rho_policy, gamma: float = DEFAULT_GAMMA) -> torch.Tensor:
    """The discriminator's binary cross-entropy as an exact expectation (labels: expert 1, policy 0):

    ``L = - sum rho_E(s,a,s') log D(s,a,s') - sum rho_pi(s,a,s') log(1 - D(s,a,s'))``
    ``  =   sum rho_E softplus(-logit) + sum rho_pi softplus(logit)``, ``logit = f - log pi``.

    ``rho_expert``, ``rho_policy``: (S, A, K) occupancies of the model's transitions (each sums to 1).
    """
    P = as_transitions(P)
    logit = airl_f(g, h, P, gamma) - as_tensor(log_pi)[:, :, None]
    return (rho_expert * torch.nn.functional.softplus(-logit)).sum() + \
        (rho_policy * torch.nn.functional.softplus(logit)).sum()


# -- the expert's occupancy ---------------------------------------------------------------------

def _true_reward_corr(g: torch.Tensor, r: torch.Tensor) -> float:
    return reward_correlation(g, r if g.dim() == 1 else r[:, None].expand_as(g))


def demo_occupancy(demos, world, P=None, gamma: float = DEFAULT_GAMMA) -> tuple[torch.Tensor, torch.Tensor]:
    """The expert's discounted occupancy counted from demonstrations, and their start distribution.

    Every step ``t`` of an episode, the transition ``(s_t, a_t, s_t+1)`` (``a_t`` the executed
    action, ``taken``) gets weight ``gamma^t``; the weights are normalized to sum to 1 (episodes
    are finite, so the tail after the last step is dropped). ``demos``: gridworld
    :class:`~il_helpers.Demonstrations`, or a tuple of (E, T) integer arrays
    ``(states, actions, next_states)``. Returns ``(rho (S, A, K), start (S,))``.
    """
    P = as_transitions(world.P if P is None else P)
    gamma = check_gamma(gamma)
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


def expert_occupancy(world, P=None, gamma: float = DEFAULT_GAMMA) -> tuple[torch.Tensor, torch.Tensor]:
    """The soft-optimal expert for the true reward (infinite-horizon, discount ``gamma``) and its
    exact occupancy: returns ``(rho_E (S, A, K), pi_E (S, A))``."""
    P = as_transitions(world.P if P is None else P)
    pi_e, _ = soft_policy(world.r, P, gamma)
    return occupancy_sas(pi_e, P, world.d0, gamma), pi_e


# -- the loop ----------------------------------------------------------------------------------

def train_airl_tabular(demos, *, env_id: str | None = None, seed: int = 0, progress: Callable | None = None,
                       config: AIRLTabularConfig | None = None,
                       **settings) -> tuple[TabularPolicy, AIRLTabularHistory]:
    """Exact tabular AIRL: alternate an exact soft-optimal generator with Adam steps on the
    discriminator's exact cross-entropy.

    ``demos``: gridworld :class:`~il_helpers.Demonstrations` (their discounted counts are the
    expert's occupancy, :func:`demo_occupancy`; the generator then starts from their start
    states), or ``None`` for the **exact** occupancy of the soft-optimal expert
    (:func:`expert_occupancy`; then ``env_id`` is required). ``env_id``: the gridworld (default
    ``demos.env_id``); its true reward makes the expert and measures ``reward_corr``.
    ``config`` / ``settings``: :class:`AIRLTabularConfig` (``state_only``, ``gamma``, ``steps``,
    ``dynamics``: the training dynamics, default the world's own; the theorem wants deterministic
    ones, e.g. a world made with ``wind=0``).

    Every round (``progress(done, total, info)`` is called after each):

    1. generator: ``pi = soft_policy(r_f)`` with ``r_f(s,a) = g(s[,a]) + gamma E[h(s')] - h(s)``
       (the entropy-regularized policy step of AIRL, solved exactly);
    2. its occupancy ``rho_pi(s,a,s') = d_pi(s) pi(a|s) P(s'|s,a)``;
    3. ``disc_steps`` Adam steps (learning rate ``lr``) on :func:`airl_loss` with ``pi`` fixed.

    Deterministic for a given ``seed`` (which draws the small initial ``g`` and ``h``); the global
    torch RNG is untouched. Returns ``(policy, history)``: the
    :class:`~il_helpers.tabular.policies.TabularPolicy` optimal (hard value iteration, the world's
    finite horizon) for the recovered ``g``, and an :class:`AIRLTabularHistory` (``history.reward``).
    """
    seed = check_seed("seed", seed, "train_airl_tabular", TRAIN_SEED_MAX)
    cfg = make_config(AIRLTabularConfig, config, where="train_airl_tabular", **settings)
    env_id, world = trainer_world(demos, env_id)
    check_training_data(demos, env_id, "train_airl_tabular")
    gamma = check_gamma(cfg.gamma)
    steps, disc_steps = check_int("steps", cfg.steps), check_int("disc_steps", cfg.disc_steps)
    lr = check_number("lr", cfg.lr, 0.0, low_open=True)
    init_std = check_number("init_std", cfg.init_std, 0.0)
    P = as_transitions(world.P if cfg.dynamics is None else cfg.dynamics)
    S, A = P.n_states, P.n_actions
    if world.r.shape != (S,):
        raise ValueError(f"the world has {world.r.shape[0]} states but the dynamics P has {S}")
    state_only = bool(cfg.state_only)

    t0 = time.perf_counter()
    with cpu_threads(cfg.threads):
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
        hist = AIRLTabularHistory(reward=g, potential=h, generator=torch.empty(0), state_only=state_only,
                                  gamma=gamma, env_id=env_id, config=cfg)
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
                hist.d_expert.append(float((rho_e * D).sum()))
                hist.d_policy.append(float((rho_pi * D).sum()))
                hist.reward_corr.append(_true_reward_corr(g, world.r))
            # 3. discriminator: Adam on the exact cross-entropy, the generator fixed
            for j in range(disc_steps):
                loss = airl_loss(g, h, log_pi, P, rho_e, rho_pi, gamma)
                if j == 0:
                    hist.loss.append(float(loss.detach()))
                opt.zero_grad()
                loss.backward()
                opt.step()
            hist.steps += 1
            if progress is not None:
                progress(hist.steps, steps, {"loss": hist.loss[-1], "d_expert": hist.d_expert[-1],
                                             "d_policy": hist.d_policy[-1], "reward_corr": hist.reward_corr[-1]})
        with torch.no_grad():
            r_f = (g[:, None] if state_only else g) + gamma * P.expect(h) - h[:, None]
            hist.generator, _ = soft_policy(r_f, P, gamma, v_init=v)
    hist.reward, hist.potential = g.detach(), h.detach()
    hist.wall_s = time.perf_counter() - t0
    return optimal_policy(hist.reward, world), hist
