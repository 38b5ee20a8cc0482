"""MaxEnt IRL: the tabular solvers against brute force, the gradient against finite differences,
the evaluation numbers, the trainer, the exercises, and the issue's claims over seeds."""

import itertools

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms import maxent_irl as mi
from il_helpers.envs import gridworlds as gw
from il_helpers.exercises import check
from il_helpers.exercises.maxent_irl import soft_bellman_backup, visitation_forward_pass


def random_mdp(S=3, A=2, seed=0, deterministic=False):
    rng = np.random.default_rng(seed)
    if deterministic:
        P = np.zeros((S, A, S))
        P[np.arange(S)[:, None], np.arange(A)[None, :], rng.integers(0, S, (S, A))] = 1.0
    else:
        P = rng.dirichlet(np.full(S, 0.7), size=(S, A))
    return torch.as_tensor(P), torch.as_tensor(rng.normal(size=(S, A)))


# -- Transitions ---------------------------------------------------------------------------------

def test_transitions_roundtrip_expect_and_push_match_the_dense_model():
    P, _ = random_mdp(5, 3, seed=1)
    T = mi.Transitions.from_dense(P)
    assert (T.n_states, T.n_actions) == (5, 3)
    torch.testing.assert_close(T.dense(), P)
    v = torch.randn(5, dtype=torch.float64)
    torch.testing.assert_close(T.expect(v), torch.einsum("sap,p->sa", P, v))
    V = torch.randn(2, 4, 5, dtype=torch.float64)  # batched values
    torch.testing.assert_close(T.expect(V), torch.einsum("sap,bcp->bcsa", P, V))
    m = torch.rand(5, 3, dtype=torch.float64)
    torch.testing.assert_close(T.push(m), torch.einsum("sa,sap->p", m, P))
    M = torch.rand(2, 5, 3, dtype=torch.float64)
    torch.testing.assert_close(T.push(M), torch.einsum("bsa,sap->bp", M, P))
    # float32 values work too (a float32 copy of the matrix is made once)
    assert T.expect(v.float()).dtype == torch.float32


def test_transitions_are_differentiable():
    P, _ = random_mdp(4, 2, seed=2)
    T = mi.Transitions.from_dense(P)
    v = torch.randn(4, dtype=torch.float64, requires_grad=True)
    T.expect(v).sum().backward()
    torch.testing.assert_close(v.grad, P.sum((0, 1)))


@pytest.mark.parametrize("idx, prob, match", [
    (torch.zeros(2, 2, 1, dtype=torch.int64), torch.ones(2, 2, 2, dtype=torch.float64), "shape"),
    (torch.zeros(2, 2, 1, dtype=torch.int32), torch.ones(2, 2, 1, dtype=torch.float64), "int64"),
    (torch.full((2, 2, 1), 2, dtype=torch.int64), torch.ones(2, 2, 1, dtype=torch.float64), "0..1"),
    (torch.zeros(2, 2, 2, dtype=torch.int64), torch.full((2, 2, 2), 0.7, dtype=torch.float64), "sum to 1"),
    (torch.zeros(2, 2, 2, dtype=torch.int64), torch.tensor([1.5, -0.5]).expand(2, 2, 2).double(), ">= 0"),
])
def test_bad_transitions_are_rejected(idx, prob, match):
    with pytest.raises(ValueError, match=match):
        mi.Transitions(idx=idx, prob=prob)


def test_transitions_from_a_bad_dense_array():
    with pytest.raises(ValueError, match=r"\(S, A, S\)"):
        mi.Transitions.from_dense(np.ones((3, 2, 4)) / 4)
    with pytest.raises(TypeError, match="torch tensors"):
        mi.Transitions(idx=np.zeros((1, 1, 1), np.int64), prob=np.ones((1, 1, 1)))


# -- soft value iteration ------------------------------------------------------------------------

def test_soft_vi_equals_brute_force_enumeration_for_deterministic_dynamics():
    """V_0(s) = log sum over every action sequence of exp(total reward) (a tiny MDP: 2^3 sequences)."""
    S, A, T = 3, 2, 3
    P, r = random_mdp(S, A, seed=3, deterministic=True)
    nxt = P.argmax(-1).numpy()
    plan = mi.soft_value_iteration(r, P, T)
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
    plan = mi.soft_value_iteration(r, P, 5)
    np.testing.assert_allclose(plan.v.numpy(), naive_soft_vi(P, r, 5), rtol=1e-12, atol=1e-12)


def entropy_regularized_return(policy, r, P, d0):
    """E[sum_t r(s_t, a_t) - log pi_t(a_t|s_t)] from d0, by the forward pass."""
    D = mi.state_visitation(policy, P, d0)
    return float((D[..., None] * policy * (r - policy.clamp_min(1e-300).log())).sum())


def test_soft_optimal_policy_maximizes_return_plus_entropy():
    P, r = random_mdp(4, 3, seed=5)
    d0 = torch.full((4,), 0.25, dtype=torch.float64)
    plan = mi.soft_value_iteration(r, P, 6)
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
    plan = mi.value_iteration(r, P, T)
    choices = torch.as_tensor(list(itertools.product(range(A), repeat=S * T))).reshape(-1, T, S)
    policies = torch.nn.functional.one_hot(choices, A).double()  # (A^(S T), T, S, A)
    for s0 in range(S):
        d0 = torch.nn.functional.one_hot(torch.tensor(s0), S).double()
        values = mi.policy_value(policies, r, P, d0)
        assert values.shape == (A ** (S * T),)
        assert float(values.max()) == pytest.approx(float(plan.v[0, s0]), rel=1e-12)
        assert float(mi.policy_value(plan.policy, r, P, d0)) == pytest.approx(float(plan.v[0, s0]), rel=1e-12)
    assert not plan.soft and torch.all(plan.policy.sum(-1) == 1)


def test_temperature_scaling_and_the_hard_limit():
    P, r = random_mdp(4, 3, seed=7)
    hot = mi.soft_value_iteration(r, P, 5, temperature=2.0)
    scaled = mi.soft_value_iteration(r / 2.0, P, 5)
    torch.testing.assert_close(hot.v, 2.0 * scaled.v)
    torch.testing.assert_close(hot.policy, scaled.policy)
    cold = mi.soft_value_iteration(r, P, 5, temperature=1e-3)
    hard = mi.value_iteration(r, P, 5)
    torch.testing.assert_close(cold.v, hard.v, atol=5e-3 * 5 * np.log(3), rtol=0)


def test_discount():
    P, r = random_mdp(3, 2, seed=8)
    plan = mi.soft_value_iteration(r, P, 4, discount=0.5)
    q3 = r
    v3 = torch.logsumexp(q3, -1)
    torch.testing.assert_close(plan.v[3], v3)
    torch.testing.assert_close(plan.q[2], r + 0.5 * torch.einsum("sap,p->sa", P, v3))


def test_state_and_state_action_rewards_and_batches():
    P, _ = random_mdp(4, 3, seed=9)
    r_s = torch.randn(4, dtype=torch.float64)
    a = mi.soft_value_iteration(r_s, P, 5)
    b = mi.soft_value_iteration(r_s[:, None].expand(4, 3), P, 5)
    torch.testing.assert_close(a.v, b.v)
    batch = torch.randn(2, 3, 4, dtype=torch.float64)
    plan = mi.soft_value_iteration(batch, P, 5)
    assert plan.q.shape == (2, 3, 5, 4, 3) and plan.v.shape == (2, 3, 6, 4) and plan.policy.shape == (2, 3, 5, 4, 3)
    torch.testing.assert_close(plan.v[1, 2], mi.soft_value_iteration(batch[1, 2], P, 5).v)
    hard = mi.value_iteration(batch, P, 5)
    torch.testing.assert_close(hard.v[0, 1], mi.value_iteration(batch[0, 1], P, 5).v)
    # float32 in, float32 out
    assert mi.soft_value_iteration(r_s.float(), P, 5).policy.dtype == torch.float32
    # integer rewards are promoted
    assert mi.soft_value_iteration(torch.tensor([1, 0, 0, 2]), P, 2).v.dtype == torch.float64


def test_soft_vi_bad_input():
    P, _ = random_mdp(3, 3, seed=10)
    with pytest.raises(ValueError, match="ambiguous"):
        mi.soft_value_iteration(torch.zeros(3, 3), P, 2)
    assert mi.soft_value_iteration(torch.zeros(3, 3), P, 2, state_action=True).q.shape == (2, 3, 3)
    with pytest.raises(ValueError, match="reward must have shape"):
        mi.soft_value_iteration(torch.zeros(5), P, 2)
    with pytest.raises(ValueError, match="state-action reward"):
        mi.soft_value_iteration(torch.zeros(3), P, 2, state_action=True)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="horizon"):
            mi.soft_value_iteration(torch.zeros(3), P, bad)
    with pytest.raises(ValueError, match="temperature"):
        mi.soft_value_iteration(torch.zeros(3), P, 2, temperature=0.0)


def test_potential_shaping_leaves_the_optimal_policies_unchanged():
    """r'(s,a) = r(s) + E[Phi(s') | s,a] - Phi(s), ending on V_T = -Phi: the shaping sums to
    -Phi(s_0), so V'_t = V_t - Phi and the soft-optimal and the optimal policies are unchanged."""
    w = gw.make_world("FeatureGrid", size=8, world_seed=1)
    phi = torch.randn(w.n_states, dtype=torch.float64) * 3
    shaped = w.r[:, None] + w.P.expect(phi) - phi[:, None]
    for solve in (mi.soft_value_iteration, mi.value_iteration):
        a = solve(w.r, w.P, w.horizon)
        b = solve(shaped, w.P, w.horizon, terminal_value=-phi)
        torch.testing.assert_close(b.q, a.q - phi[:, None], atol=1e-9, rtol=0)
        torch.testing.assert_close(b.v[:-1], a.v[:-1] - phi, atol=1e-9, rtol=0)
    soft = mi.soft_value_iteration(shaped, w.P, w.horizon, terminal_value=-phi)
    torch.testing.assert_close(soft.policy, w.soft_plan.policy, atol=1e-9, rtol=0)
    # the greedy policy of the shaped reward is optimal for the true one (ties may break differently)
    hard = mi.value_iteration(shaped, w.P, w.horizon, terminal_value=-phi)
    v_star = float(w.optimal_plan.v[0] @ w.d0)
    assert float(mi.policy_value(hard.policy, w.r, w.P, w.d0)) == pytest.approx(v_star, rel=1e-12)
    # without the terminal potential, the last steps see the bonus Phi(s_T) and the policy changes
    c = mi.soft_value_iteration(shaped, w.P, w.horizon)
    assert (c.policy - w.soft_plan.policy).abs().max() > 1e-3
    with pytest.raises(ValueError, match="terminal_value"):
        mi.soft_value_iteration(w.r, w.P, 3, terminal_value=torch.zeros(5))


# -- the forward pass -----------------------------------------------------------------------------

def test_visitation_sums_to_one_and_matches_a_dense_loop():
    P, r = random_mdp(5, 3, seed=11)
    plan = mi.soft_value_iteration(r, P, 7)
    d0 = torch.as_tensor(np.random.default_rng(0).dirichlet(np.ones(5)))
    D = mi.state_visitation(plan, P, d0)
    assert D.shape == (7, 5)
    torch.testing.assert_close(D.sum(-1), torch.ones(7, dtype=torch.float64))
    np.testing.assert_allclose(D.numpy(), visitation_forward_pass(d0.numpy(), plan.policy.numpy(), P.numpy()),
                               rtol=1e-12, atol=1e-14)
    # batched over starts
    starts = torch.eye(5, dtype=torch.float64)
    Db = mi.state_visitation(plan.policy, P, starts)
    assert Db.shape == (5, 7, 5)
    torch.testing.assert_close(torch.einsum("s,stp->tp", d0, Db), D)


def test_visitation_matches_monte_carlo():
    w = gw.make_world("ObjectWorld", size=8, world_seed=2, horizon=12)
    D = mi.state_visitation(w.soft_plan, w.P, w.d0).numpy()
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
    plan = mi.soft_value_iteration(r, P, 6)
    d0 = torch.full((4,), 0.25, dtype=torch.float64)
    torch.testing.assert_close(mi.state_visitation(plan, P, d0, horizon=3), mi.state_visitation(plan, P, d0)[:3])
    one = plan.policy[0]                                           # a stationary policy (S, A)
    D = mi.state_visitation(one, P, d0, 5, stationary=True)
    torch.testing.assert_close(D, mi.state_visitation(one.expand(5, 4, 3), P, d0))
    batch = torch.stack([plan.policy[0], plan.policy[1]])          # two stationary policies (2, S, A)
    Db = mi.state_visitation(batch, P, d0, 5, stationary=True)
    assert Db.shape == (2, 5, 4)
    torch.testing.assert_close(Db[1], mi.state_visitation(plan.policy[1], P, d0, 5, stationary=True))
    with pytest.raises(ValueError, match="needs a horizon"):
        mi.state_visitation(one, P, d0, stationary=True)
    with pytest.raises(ValueError, match="longer than"):
        mi.state_visitation(plan, P, d0, horizon=7)
    with pytest.raises(ValueError, match="stationary policy must have shape"):
        mi.state_visitation(torch.ones(3) / 3, P, d0, 2, stationary=True)


def test_visitation_bad_input():
    P, r = random_mdp(3, 2, seed=12)
    with pytest.raises(ValueError, match="policy must have shape"):
        mi.state_visitation(torch.ones(4, 3, 3) / 3, P, torch.ones(3) / 3)
    with pytest.raises(ValueError, match="start must have shape"):
        mi.state_visitation(torch.ones(4, 3, 2) / 2, P, torch.ones(4) / 4)


def test_policy_value_is_the_expected_return():
    P, r = random_mdp(4, 2, seed=13)
    pi = torch.as_tensor(np.random.default_rng(1).dirichlet(np.ones(2), size=(3, 4)))
    d0 = torch.tensor([1.0, 0, 0, 0], dtype=torch.float64)
    # by hand: sum_t sum_s D_t(s) sum_a pi r
    D = mi.state_visitation(pi, P, d0)
    assert float(mi.policy_value(pi, r, P, d0)) == pytest.approx(float((D[..., None] * pi * r).sum()))
    # discounting weights step t by discount^t
    per_t = (D[..., None] * pi * r).sum((-1, -2))
    discounted = float(per_t @ 0.5 ** torch.arange(3.0).double())
    assert float(mi.policy_value(pi, r, P, d0, discount=0.5)) == pytest.approx(discounted)


# -- likelihood and gradient ---------------------------------------------------------------------

def tiny_problem(wind, n=12, seed=0):
    env_id = gw.gridworld_id("FeatureGrid", size=4, world_seed=3, wind=wind, horizon=6)
    w = gw.world_for(env_id)
    demos = il.collect_demonstrations(env_id, n, seed=seed)
    states, actions = mi.demo_arrays(demos, w)
    DE = mi.empirical_visitation(states, w.n_states)
    return w, states, actions, DE


@pytest.mark.parametrize("wind", [0.0, 0.2])
def test_gradient_equals_finite_differences_of_the_objective(wind):
    w, states, actions, DE = tiny_problem(wind)
    theta = torch.as_tensor(np.random.default_rng(0).normal(size=w.n_features))
    T = states.shape[1]

    def L(th):
        return float(mi.maxent_objective(w.phi @ th, w.P, DE[0], T, DE))

    grad = w.phi.T @ mi.maxent_gradient(w.phi @ theta, w.P, DE[0], T, DE)
    eps = 1e-6
    fd = torch.tensor([(L(theta + eps * e) - L(theta - eps * e)) / (2 * eps) for e in torch.eye(w.n_features).double()],
                      dtype=torch.float64)
    torch.testing.assert_close(grad, fd, rtol=1e-6, atol=1e-8)
    # the feature-count form: mu_E - mu_theta
    plan = mi.soft_value_iteration(w.phi @ theta, w.P, T)
    mu = mi.feature_expectations(mi.state_visitation(plan, w.P, DE[0]), w.phi)
    torch.testing.assert_close(grad, mi.feature_expectations(DE, w.phi) - mu)
    # and autograd through soft value iteration agrees
    r = (w.phi @ theta).requires_grad_(True)
    mi.maxent_objective(r, w.P, DE[0], T, DE).backward()
    torch.testing.assert_close(r.grad, mi.maxent_gradient(w.phi @ theta, w.P, DE[0], T, DE))


def test_without_wind_the_objective_is_the_log_likelihood_of_the_demonstrations():
    w, states, actions, DE = tiny_problem(0.0)
    T = states.shape[1]
    for seed in range(3):
        r = w.phi @ torch.as_tensor(np.random.default_rng(seed).normal(size=w.n_features))
        ll = mi.log_likelihood(mi.soft_value_iteration(r, w.P, T), states, actions)
        assert float(ll) == pytest.approx(float(mi.maxent_objective(r, w.P, DE[0], T, DE)), rel=1e-10)


def test_log_likelihood_and_empirical_visitation_bad_input():
    w, states, actions, DE = tiny_problem(0.1)
    plan = mi.soft_value_iteration(w.r, w.P, 6)
    with pytest.raises(ValueError, match="same shape"):
        mi.log_likelihood(plan, states, actions[:, :-1])
    with pytest.raises(ValueError, match="only 2"):
        mi.log_likelihood(mi.soft_value_iteration(w.r, w.P, 2), states, actions)
    with pytest.raises(ValueError, match="out of range"):
        mi.log_likelihood(plan, states, actions + 5)
    with pytest.raises(ValueError, match="lie in"):
        mi.empirical_visitation(states + 100, w.n_states)
    with pytest.raises(ValueError, match=r"\(E, T\) integer"):
        mi.empirical_visitation(states.astype(float), w.n_states)
    assert DE.shape == (6, 16) and torch.allclose(DE.sum(-1), torch.ones(6, dtype=torch.float64))


# -- evaluation ---------------------------------------------------------------------------------

def test_evd_and_reward_correlation():
    w = gw.make_world("FeatureGrid", size=8, world_seed=2)
    ev = mi.expected_value_difference(w.r, w.P, w.d0, w.horizon, w.r)
    assert ev.evd == pytest.approx(0.0, abs=1e-9) and ev.v_optimal > 0 and ev.relative == pytest.approx(0.0, abs=1e-9)
    # an affine transform of the true reward has the same optimal policy (EVD 0) and correlation 1
    assert mi.expected_value_difference(3 * w.r + 1, w.P, w.d0, w.horizon, w.r).evd == pytest.approx(0.0, abs=1e-9)
    assert mi.reward_correlation(3 * w.r + 1, w.r) == pytest.approx(1.0)
    bad = mi.expected_value_difference(-w.r, w.P, w.d0, w.horizon, w.r)
    assert bad.evd > 0.5 * bad.v_optimal and bad.relative == pytest.approx(bad.evd / bad.v_optimal)
    assert bad.v_learned == pytest.approx(bad.v_optimal - bad.evd) and "EVD(" in repr(bad)
    assert mi.reward_correlation(-w.r, w.r) == pytest.approx(-1.0)
    assert mi.reward_correlation(torch.zeros(w.n_states), w.r) == 0.0
    with pytest.raises(ValueError, match="same number"):
        mi.reward_correlation(torch.zeros(3), w.r)
    with pytest.raises(ValueError, match="differs"):
        mi.expected_value_difference(torch.zeros(3), w.P, w.d0, w.horizon, w.r)


def test_feature_count_error():
    w = gw.make_world("FeatureGrid", size=8, world_seed=2)
    D = mi.state_visitation(w.soft_plan, w.P, w.d0)
    assert mi.feature_count_error(D, D, w.features) == 0.0
    D2 = mi.state_visitation(mi.soft_value_iteration(torch.zeros(w.n_states), w.P, w.horizon), w.P, w.d0)
    gap = mi.feature_expectations(D, w.phi) - mi.feature_expectations(D2, w.phi)
    assert mi.feature_count_error(D, D2, w.features) == pytest.approx(float(gap.norm()))
    assert float(gap.norm()) > 0


# -- reward models and the trainer ----------------------------------------------------------------

def test_reward_models():
    w = gw.make_world("ObjectWorld", size=8, world_seed=1)
    lin = mi.LinearReward(w.n_features)
    assert lin(w.phi).shape == (w.n_states,) and torch.all(lin(w.phi) == 0)
    torch.manual_seed(0)
    deep = mi.DeepReward(w.features, hidden=(8,))
    assert deep(w.phi).shape == (w.n_states,) and deep(w.phi).dtype == torch.float64
    torch.testing.assert_close(deep.mean, w.phi.mean(0))
    with pytest.raises(ValueError, match=r"\(S, F\)"):
        mi.DeepReward(np.zeros(5))
    with pytest.raises(ValueError, match="hidden"):
        mi.DeepReward(w.features, hidden=())


@pytest.fixture(scope="module")
def grid_demos():
    env_id = gw.gridworld_id("FeatureGrid", size=8, world_seed=4)
    return gw.world_for(env_id), il.collect_demonstrations(env_id, 32, seed=0)


def test_trainer_history_determinism_and_callback(grid_demos):
    w, demos = grid_demos
    calls = []
    model, hist = mi.train_maxent_irl(demos, steps=30, eval_every=10, callback=lambda step, m, h: calls.append(step))
    assert calls == list(range(30)) and hist.steps == 30
    assert len(hist.log_likelihood) == len(hist.feature_gap) == len(hist.objective) == 30
    assert hist.eval_steps == [0, 10, 20, 29] and len(hist.evd) == len(hist.reward_corr) == 4
    assert hist.log_likelihood[-1] > hist.log_likelihood[0] + 5          # learning
    assert hist.feature_gap[-1] < 0.2 * hist.feature_gap[0]               # the counts get matched
    assert hist.evd_relative[-1] < hist.evd_relative[0] and hist.wall_s > 0
    model2, _ = mi.train_maxent_irl(demos, w, steps=30)
    torch.testing.assert_close(model.theta, model2.theta)                 # deterministic
    deep, _ = mi.train_maxent_irl(demos, w, reward="deep", steps=3, seed=1, hidden=(4,))
    deep2, _ = mi.train_maxent_irl(demos, w, reward="deep", steps=3, seed=1, hidden=(4,))
    torch.testing.assert_close(mi.learned_reward(deep, w), mi.learned_reward(deep2, w))
    # raw (states, actions) arrays work too; the global torch RNG is left alone
    state = torch.random.get_rng_state()
    arrays = mi.demo_arrays(demos, w)
    model3, _ = mi.train_maxent_irl(arrays, w, steps=30)
    torch.testing.assert_close(model3.theta, model.theta)
    assert torch.equal(state, torch.random.get_rng_state())


def test_trainer_bad_arguments(grid_demos):
    w, demos = grid_demos
    for kwargs, match in [({"steps": 0}, "steps"), ({"lr": -1.0}, "lr"), ({"reward": "quadratic"}, "reward must be"),
                          ({"start": "middle"}, "start"), ({"eval_every": 0}, "eval_every")]:
        with pytest.raises(ValueError, match=match):
            mi.train_maxent_irl(demos, w, **kwargs)
    with pytest.raises(ValueError, match="pass world="):
        mi.train_maxent_irl(mi.demo_arrays(demos, w))
    ragged = il.Demonstrations.concatenate([demos, il.collect_demonstrations(w.env_id, 2, seed=1, horizon=7)])
    with pytest.raises(ValueError, match="fixed length"):
        mi.demo_arrays(ragged, w)


def test_reward_l2_shrinks_the_reward(grid_demos):
    w, demos = grid_demos
    free, _ = mi.train_maxent_irl(demos, steps=40)
    tied, _ = mi.train_maxent_irl(demos, steps=40, reward_l2=1.0)
    assert mi.learned_reward(tied, w).norm() < mi.learned_reward(free, w).norm()


# -- the claims, over seeds ---------------------------------------------------------------

@pytest.mark.parametrize("world_seed", [0, 1, 2])
def test_linear_maxent_recovers_the_feature_grid_reward(world_seed):
    """16x16 FeatureGrid, linear true reward, 64 demonstrations, 200 steps: EVD < 5% of the
    optimal value and reward correlation > 0.9 (measured: EVD <= 0.01%, correlation >= 0.97)."""
    env_id = gw.gridworld_id("FeatureGrid", size=16, world_seed=world_seed)
    w = gw.world_for(env_id)
    demos = il.collect_demonstrations(env_id, 64, seed=100 + world_seed)
    model, hist = mi.train_maxent_irl(demos, steps=200, eval_every=1000)
    r = mi.learned_reward(model, w)
    ev = mi.expected_value_difference(r, w.P, w.d0, w.horizon, w.r)
    assert ev.relative < 0.05
    assert mi.reward_correlation(r, w.r) > 0.9
    # the weights themselves come back (the expert is the MaxEnt model of the true reward)
    assert np.abs(model.theta.detach().numpy() - w.true_weights).max() < 0.35


@pytest.fixture(scope="module")
def object_world_runs():
    """ObjectWorld 16x16 (seeds 0, 1, 2), 64 demonstrations, linear and deep MaxEnt IRL (200 steps),
    trained once and shared by the tests below."""
    runs = {}
    for seed in (0, 1, 2):
        env_id = gw.gridworld_id("ObjectWorld", size=16, world_seed=seed)
        demos = il.collect_demonstrations(env_id, 64, seed=100 + seed)
        w = gw.world_for(env_id)
        models = {kind: mi.train_maxent_irl(demos, w, reward=kind, steps=200, eval_every=1000)[0]
                  for kind in ("linear", "deep")}
        runs[seed] = (w, demos, models)
    return runs


@pytest.mark.parametrize("world_seed", [0, 1, 2])
def test_deep_reward_beats_linear_on_object_world(object_world_runs, world_seed):
    """64 demonstrations, 200 steps: the deep reward's EVD is below the linear one's, by a margin."""
    w, _, models = object_world_runs[world_seed]
    evd = {kind: mi.expected_value_difference(mi.learned_reward(m, w), w.P, w.d0, w.horizon, w.r).relative
           for kind, m in models.items()}
    assert evd["deep"] < 0.1
    assert evd["deep"] < 0.5 * evd["linear"], evd


@pytest.mark.parametrize("world_seed", [1, 2])
def test_transferred_irl_reward_beats_transferred_bc_in_a_new_layout(object_world_runs, world_seed):
    """The deep reward, optimized in a new layout (objects moved), beats the BC policy taken there."""
    w, demos, models = object_world_runs[world_seed]
    bc, _ = il.train_bc(demos, seed=0)
    new = gw.make_world("ObjectWorld", size=16, world_seed=world_seed + 100)
    irl_policy = gw.optimal_policy(mi.learned_reward(models["deep"], new), new)
    v_irl = float(mi.policy_value(gw.policy_table(irl_policy, new), new.r, new.P, new.d0))
    v_bc = float(mi.policy_value(gw.policy_table(bc, new), new.r, new.P, new.d0))
    v_opt = float(new.optimal_plan.v[0] @ new.d0)
    assert v_irl > v_bc + 0.2 * abs(v_opt)
    assert v_irl > 0.8 * v_opt


# -- the exercises --------------------------------------------------------------------------------

def test_exercise_checks_accept_the_reference_and_reject_wrong_answers(capsys):
    assert check("soft_bellman_backup", soft_bellman_backup) is soft_bellman_backup
    assert check.last_status == "correct"
    naive = lambda r, P, v: np.log(np.exp(r[:, None] + P @ v).sum(1))  # noqa: E731 - overflows on big values
    with np.errstate(over="ignore", divide="ignore"):
        assert check("soft_bellman_backup", naive) is soft_bellman_backup
    assert check.last_status == "wrong"
    hard = lambda r, P, v: (r[:, None] + P @ v).max(1)  # noqa: E731 - the hard backup is not the soft one
    check("soft_bellman_backup", hard)
    assert check.last_status == "wrong"
    assert check("visitation_forward_pass", visitation_forward_pass) is visitation_forward_pass
    assert check.last_status == "correct"
    # forgetting the policy (a uniform action) is caught
    uniform = lambda d, pi, P: visitation_forward_pass(d, np.ones_like(pi) / pi.shape[-1], P)  # noqa: E731
    check("visitation_forward_pass", uniform)
    assert check.last_status == "wrong"
    out = capsys.readouterr().out
    assert "correct on every test case" in out and "off by" in out


def test_exercise_references_agree_with_the_package():
    P, r = random_mdp(5, 3, seed=14)
    r_s = r[:, 0]
    plan = mi.soft_value_iteration(r_s, P, 4)
    for t in range(4):
        np.testing.assert_allclose(soft_bellman_backup(r_s.numpy(), P.numpy(), plan.v[t + 1].numpy()),
                                   plan.v[t].numpy(), rtol=1e-12)
