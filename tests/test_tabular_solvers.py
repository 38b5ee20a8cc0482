"""The exact tabular solvers against brute force, naive loops and Monte Carlo: soft and hard
value iteration, the forward pass, policy values, and the discounted solvers of tabular AIRL."""

import itertools

import numpy as np
import pytest
import torch
from helpers import random_mdp

from il_helpers import tabular as tab
from il_helpers.envs import gridworlds as gw
from il_helpers.exercises.maxent_irl import visitation_forward_pass


def test_soft_vi_equals_brute_force_enumeration_for_deterministic_dynamics():
    """V_0(s) = log sum over every action sequence of exp(total reward) (a tiny MDP: 2^3 sequences)."""
    S, A, T = 3, 2, 3
    P, r = random_mdp(S, A, seed=3, deterministic=True)
    nxt = P.argmax(-1).numpy()
    plan = tab.soft_value_iteration(r, P, T)
    for s0 in range(S):
        totals = []
        for seq in itertools.product(range(A), repeat=T):
            s, total = s0, 0.0
            for a in seq:
                total += float(r[s, a])
                s = nxt[s, a]
            totals.append(total)
        assert float(plan.v[0, s0]) == pytest.approx(float(np.log(np.exp(totals).sum())), rel=1e-12)
    # the policy is exp(Q - V) and sums to one
    torch.testing.assert_close(plan.policy, (plan.q - plan.v[:T, :, None]).exp())
    torch.testing.assert_close(plan.policy.sum(-1), torch.ones(T, S, dtype=torch.float64))
    assert torch.all(plan.v[T] == 0) and plan.horizon == T and plan.soft


def naive_soft_vi(P, r, T):
    """Loops over states and actions: an independent implementation."""
    P, r = P.numpy(), r.numpy()
    S, A = r.shape
    V = np.zeros((T + 1, S))
    for t in reversed(range(T)):
        for s in range(S):
            q = [r[s, a] + sum(P[s, a, s2] * V[t + 1, s2] for s2 in range(S)) for a in range(A)]
            V[t, s] = np.log(np.sum(np.exp(q)))
    return V


def test_soft_vi_with_stochastic_dynamics_matches_a_naive_loop():
    P, r = random_mdp(4, 3, seed=4)
    plan = tab.soft_value_iteration(r, P, 5)
    np.testing.assert_allclose(plan.v.numpy(), naive_soft_vi(P, r, 5), rtol=1e-12, atol=1e-12)


def entropy_regularized_return(policy, r, P, d0):
    """E[sum_t r(s_t, a_t) - log pi_t(a_t|s_t)] from d0, by the forward pass."""
    D = tab.state_visitation(policy, P, d0)
    return float((D[..., None] * policy * (r - policy.clamp_min(1e-300).log())).sum())


def test_soft_optimal_policy_maximizes_return_plus_entropy():
    P, r = random_mdp(4, 3, seed=5)
    d0 = torch.full((4,), 0.25, dtype=torch.float64)
    plan = tab.soft_value_iteration(r, P, 6)
    best = entropy_regularized_return(plan.policy, r, P, d0)
    assert best == pytest.approx(float(d0 @ plan.v[0]), rel=1e-10)
    rng = np.random.default_rng(0)
    for _ in range(20):
        other = torch.as_tensor(rng.dirichlet(np.ones(3), size=(6, 4)))
        assert entropy_regularized_return(other, r, P, d0) < best
    # and a small perturbation of the optimum is (slightly) worse
    nudged = plan.policy * torch.exp(0.01 * torch.randn(6, 4, 3, dtype=torch.float64))
    nudged = nudged / nudged.sum(-1, keepdim=True)
    assert entropy_regularized_return(nudged, r, P, d0) < best


def test_hard_vi_equals_the_best_of_all_deterministic_policies():
    S, A, T = 3, 2, 3
    P, r = random_mdp(S, A, seed=6)
    plan = tab.value_iteration(r, P, T)
    choices = torch.as_tensor(list(itertools.product(range(A), repeat=S * T))).reshape(-1, T, S)
    policies = torch.nn.functional.one_hot(choices, A).double()  # (A^(S T), T, S, A)
    for s0 in range(S):
        d0 = torch.nn.functional.one_hot(torch.tensor(s0), S).double()
        values = tab.policy_value(policies, r, P, d0)
        assert values.shape == (A ** (S * T),)
        assert float(values.max()) == pytest.approx(float(plan.v[0, s0]), rel=1e-12)
        assert float(tab.policy_value(plan.policy, r, P, d0)) == pytest.approx(float(plan.v[0, s0]), rel=1e-12)
    assert not plan.soft and torch.all(plan.policy.sum(-1) == 1)


def test_temperature_scaling_and_the_hard_limit():
    P, r = random_mdp(4, 3, seed=7)
    hot = tab.soft_value_iteration(r, P, 5, temperature=2.0)
    scaled = tab.soft_value_iteration(r / 2.0, P, 5)
    torch.testing.assert_close(hot.v, 2.0 * scaled.v)
    torch.testing.assert_close(hot.policy, scaled.policy)
    cold = tab.soft_value_iteration(r, P, 5, temperature=1e-3)
    hard = tab.value_iteration(r, P, 5)
    torch.testing.assert_close(cold.v, hard.v, atol=5e-3 * 5 * np.log(3), rtol=0)


def test_discount():
    P, r = random_mdp(3, 2, seed=8)
    plan = tab.soft_value_iteration(r, P, 4, discount=0.5)
    q3 = r
    v3 = torch.logsumexp(q3, -1)
    torch.testing.assert_close(plan.v[3], v3)
    torch.testing.assert_close(plan.q[2], r + 0.5 * torch.einsum("sap,p->sa", P, v3))


def test_state_and_state_action_rewards_and_batches():
    P, _ = random_mdp(4, 3, seed=9)
    r_s = torch.randn(4, dtype=torch.float64)
    a = tab.soft_value_iteration(r_s, P, 5)
    b = tab.soft_value_iteration(r_s[:, None].expand(4, 3), P, 5)
    torch.testing.assert_close(a.v, b.v)
    batch = torch.randn(2, 3, 4, dtype=torch.float64)
    plan = tab.soft_value_iteration(batch, P, 5)
    assert plan.q.shape == (2, 3, 5, 4, 3) and plan.v.shape == (2, 3, 6, 4) and plan.policy.shape == (2, 3, 5, 4, 3)
    torch.testing.assert_close(plan.v[1, 2], tab.soft_value_iteration(batch[1, 2], P, 5).v)
    hard = tab.value_iteration(batch, P, 5)
    torch.testing.assert_close(hard.v[0, 1], tab.value_iteration(batch[0, 1], P, 5).v)
    # float32 in, float32 out
    assert tab.soft_value_iteration(r_s.float(), P, 5).policy.dtype == torch.float32
    # integer rewards are promoted
    assert tab.soft_value_iteration(torch.tensor([1, 0, 0, 2]), P, 2).v.dtype == torch.float64


def test_soft_vi_bad_input():
    P, _ = random_mdp(3, 3, seed=10)
    with pytest.raises(ValueError, match="ambiguous"):
        tab.soft_value_iteration(torch.zeros(3, 3), P, 2)
    assert tab.soft_value_iteration(torch.zeros(3, 3), P, 2, state_action=True).q.shape == (2, 3, 3)
    with pytest.raises(ValueError, match="reward must have shape"):
        tab.soft_value_iteration(torch.zeros(5), P, 2)
    with pytest.raises(ValueError, match="state-action reward"):
        tab.soft_value_iteration(torch.zeros(3), P, 2, state_action=True)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="horizon"):
            tab.soft_value_iteration(torch.zeros(3), P, bad)
    with pytest.raises(ValueError, match="temperature"):
        tab.soft_value_iteration(torch.zeros(3), P, 2, temperature=0.0)


def test_potential_shaping_leaves_the_optimal_policies_unchanged():
    """r'(s,a) = r(s) + E[Phi(s') | s,a] - Phi(s), ending on V_T = -Phi: the shaping sums to
    -Phi(s_0), so V'_t = V_t - Phi and the soft-optimal and the optimal policies are unchanged."""
    w = gw.make_world("FeatureGrid", size=8, world_seed=1)
    phi = torch.randn(w.n_states, dtype=torch.float64) * 3
    shaped = w.r[:, None] + w.P.expect(phi) - phi[:, None]
    for solve in (tab.soft_value_iteration, tab.value_iteration):
        a = solve(w.r, w.P, w.horizon)
        b = solve(shaped, w.P, w.horizon, terminal_value=-phi)
        torch.testing.assert_close(b.q, a.q - phi[:, None], atol=1e-9, rtol=0)
        torch.testing.assert_close(b.v[:-1], a.v[:-1] - phi, atol=1e-9, rtol=0)
    soft = tab.soft_value_iteration(shaped, w.P, w.horizon, terminal_value=-phi)
    torch.testing.assert_close(soft.policy, w.soft_plan.policy, atol=1e-9, rtol=0)
    # the greedy policy of the shaped reward is optimal for the true one (ties may break differently)
    hard = tab.value_iteration(shaped, w.P, w.horizon, terminal_value=-phi)
    v_star = float(w.optimal_plan.v[0] @ w.d0)
    assert float(tab.policy_value(hard.policy, w.r, w.P, w.d0)) == pytest.approx(v_star, rel=1e-12)
    # without the terminal potential, the last steps see the bonus Phi(s_T) and the policy changes
    c = tab.soft_value_iteration(shaped, w.P, w.horizon)
    assert (c.policy - w.soft_plan.policy).abs().max() > 1e-3
    with pytest.raises(ValueError, match="terminal_value"):
        tab.soft_value_iteration(w.r, w.P, 3, terminal_value=torch.zeros(5))


def test_visitation_sums_to_one_and_matches_a_dense_loop():
    P, r = random_mdp(5, 3, seed=11)
    plan = tab.soft_value_iteration(r, P, 7)
    d0 = torch.as_tensor(np.random.default_rng(0).dirichlet(np.ones(5)))
    D = tab.state_visitation(plan, P, d0)
    assert D.shape == (7, 5)
    torch.testing.assert_close(D.sum(-1), torch.ones(7, dtype=torch.float64))
    np.testing.assert_allclose(D.numpy(), visitation_forward_pass(d0.numpy(), plan.policy.numpy(), P.numpy()),
                               rtol=1e-12, atol=1e-14)
    # batched over starts
    starts = torch.eye(5, dtype=torch.float64)
    Db = tab.state_visitation(plan.policy, P, starts)
    assert Db.shape == (5, 7, 5)
    torch.testing.assert_close(torch.einsum("s,stp->tp", d0, Db), D)


def test_visitation_matches_monte_carlo():
    w = gw.make_world("ObjectWorld", size=8, world_seed=2, horizon=12)
    D = tab.state_visitation(w.soft_plan, w.P, w.d0).numpy()
    pol = w.soft_plan.policy.numpy()
    rng = np.random.default_rng(0)
    n = 40_000
    s = rng.choice(w.n_states, size=n, p=w.start)
    counts = np.zeros_like(D)
    for t in range(w.horizon):
        counts[t] = np.bincount(s, minlength=w.n_states)
        cdf = pol[t, s].cumsum(-1)
        a = np.minimum((rng.random(n)[:, None] > cdf).sum(-1), 4)
        gust = rng.random(n) < w.wind
        a = np.where(gust, rng.integers(0, 5, n), a)
        s = w.next_state[s, a]
    assert np.abs(counts / n - D).max() < 0.01


def test_visitation_horizon_and_stationary_policies():
    P, r = random_mdp(4, 3, seed=15)
    plan = tab.soft_value_iteration(r, P, 6)
    d0 = torch.full((4,), 0.25, dtype=torch.float64)
    torch.testing.assert_close(tab.state_visitation(plan, P, d0, horizon=3), tab.state_visitation(plan, P, d0)[:3])
    one = plan.policy[0]                                           # a stationary policy (S, A)
    D = tab.state_visitation(one, P, d0, 5, stationary=True)
    torch.testing.assert_close(D, tab.state_visitation(one.expand(5, 4, 3), P, d0))
    batch = torch.stack([plan.policy[0], plan.policy[1]])          # two stationary policies (2, S, A)
    Db = tab.state_visitation(batch, P, d0, 5, stationary=True)
    assert Db.shape == (2, 5, 4)
    torch.testing.assert_close(Db[1], tab.state_visitation(plan.policy[1], P, d0, 5, stationary=True))
    with pytest.raises(ValueError, match="needs a horizon"):
        tab.state_visitation(one, P, d0, stationary=True)
    with pytest.raises(ValueError, match="longer than"):
        tab.state_visitation(plan, P, d0, horizon=7)
    with pytest.raises(ValueError, match="stationary policy must have shape"):
        tab.state_visitation(torch.ones(3) / 3, P, d0, 2, stationary=True)


def test_visitation_bad_input():
    P, r = random_mdp(3, 2, seed=12)
    with pytest.raises(ValueError, match="policy must have shape"):
        tab.state_visitation(torch.ones(4, 3, 3) / 3, P, torch.ones(3) / 3)
    with pytest.raises(ValueError, match="start must have shape"):
        tab.state_visitation(torch.ones(4, 3, 2) / 2, P, torch.ones(4) / 4)


def test_policy_value_is_the_expected_return():
    P, r = random_mdp(4, 2, seed=13)
    pi = torch.as_tensor(np.random.default_rng(1).dirichlet(np.ones(2), size=(3, 4)))
    d0 = torch.tensor([1.0, 0, 0, 0], dtype=torch.float64)
    # by hand: sum_t sum_s D_t(s) sum_a pi r
    D = tab.state_visitation(pi, P, d0)
    assert float(tab.policy_value(pi, r, P, d0)) == pytest.approx(float((D[..., None] * pi * r).sum()))
    # discounting weights step t by discount^t
    per_t = (D[..., None] * pi * r).sum((-1, -2))
    discounted = float(per_t @ 0.5 ** torch.arange(3.0).double())
    assert float(tab.policy_value(pi, r, P, d0, discount=0.5)) == pytest.approx(discounted)


# -- the discounted solvers (tabular AIRL's) -----------------------------------------------------

def world8(seed=0, wind=0.0):
    return gw.make_world("FeatureGrid", size=8, world_seed=seed, wind=wind)


def test_soft_policy_is_the_fixed_point_of_the_discounted_soft_bellman_equation():
    w = world8(seed=1, wind=0.2)
    gamma = 0.8
    pi, v = tab.soft_policy(w.r, w.P, gamma)
    q = w.r[:, None] + gamma * w.P.expect(v)
    torch.testing.assert_close(v, torch.logsumexp(q, -1), atol=1e-7, rtol=0)
    torch.testing.assert_close(pi, torch.softmax(q, -1), atol=1e-7, rtol=0)
    # and it is the first step of a long finite-horizon discounted plan (maxent_irl's solver)
    plan = tab.soft_value_iteration(w.r, w.P, 200, discount=gamma)
    torch.testing.assert_close(pi, plan.policy[0], atol=1e-8, rtol=0)
    # Newton (soft policy iteration) and plain value iteration find the same fixed point
    r_sa = torch.as_tensor(np.random.default_rng(0).normal(size=(w.n_states, w.n_actions)))
    pi_n, v_n = tab.soft_policy(r_sa, w.P, gamma, solver="newton")
    pi_v, v_v = tab.soft_policy(r_sa, w.P, gamma, solver="vi")
    torch.testing.assert_close(v_n, v_v, atol=1e-8, rtol=0)
    torch.testing.assert_close(pi_n, pi_v, atol=1e-9, rtol=0)
    with pytest.raises(ValueError, match="solver must be"):
        tab.soft_policy(w.r, w.P, solver="policy-gradient")


def test_discounted_occupancy_equals_the_discounted_sum_of_the_forward_pass():
    w = world8(seed=2, wind=0.1)
    gamma = 0.9
    pi, _ = tab.soft_policy(w.r, w.P, gamma)
    d = tab.discounted_occupancy(pi, w.P, w.d0, gamma)
    H = 400
    D = tab.state_visitation(pi, w.P, w.d0, H, stationary=True)                       # (H, S)
    by_sum = (1 - gamma) * (gamma ** torch.arange(H, dtype=torch.float64))[:, None] * D
    torch.testing.assert_close(d, by_sum.sum(0), atol=1e-12, rtol=0)
    assert float(d.sum()) == pytest.approx(1.0) and float(d.min()) > 0
    rho = tab.occupancy_sas(pi, w.P, w.d0, gamma)
    assert rho.shape == w.P.idx.shape and float(rho.sum()) == pytest.approx(1.0)
    # the discounted return, two ways
    j = tab.policy_return(pi, w.r, w.P, w.d0, gamma)
    assert j == pytest.approx(float((by_sum.sum(0) * w.r).sum()) / (1 - gamma), rel=1e-9)
