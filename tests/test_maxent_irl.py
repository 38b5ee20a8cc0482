"""MaxEnt IRL: the gradient against finite differences, the objective against the likelihood,
the reward models, the trainer (its contract, determinism, bad settings), and notebook 04's claims over seeds."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers import tabular as tab
from il_helpers.algorithms import maxent_irl as mi
from il_helpers.envs import gridworlds as gw


def tiny_problem(wind, n=12, seed=0):
    env_id = gw.gridworld_id("FeatureGrid", size=4, world_seed=3, wind=wind, horizon=6)
    w = gw.world_for(env_id)
    demos = il.collect_demonstrations(env_id, n, seed=seed)
    states, actions = mi.demo_arrays(demos, w)
    DE = tab.empirical_visitation(states, w.n_states)
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
    plan = tab.soft_value_iteration(w.phi @ theta, w.P, T)
    mu = tab.feature_expectations(tab.state_visitation(plan, w.P, DE[0]), w.phi)
    torch.testing.assert_close(grad, tab.feature_expectations(DE, w.phi) - mu)
    # and autograd through soft value iteration agrees
    r = (w.phi @ theta).requires_grad_(True)
    mi.maxent_objective(r, w.P, DE[0], T, DE).backward()
    torch.testing.assert_close(r.grad, mi.maxent_gradient(w.phi @ theta, w.P, DE[0], T, DE))


def test_without_wind_the_objective_is_the_log_likelihood_of_the_demonstrations():
    w, states, actions, DE = tiny_problem(0.0)
    T = states.shape[1]
    for seed in range(3):
        r = w.phi @ torch.as_tensor(np.random.default_rng(seed).normal(size=w.n_features))
        ll = tab.log_likelihood(tab.soft_value_iteration(r, w.P, T), states, actions)
        assert float(ll) == pytest.approx(float(mi.maxent_objective(r, w.P, DE[0], T, DE)), rel=1e-10)


def test_log_likelihood_and_empirical_visitation_bad_input():
    w, states, actions, DE = tiny_problem(0.1)
    plan = tab.soft_value_iteration(w.r, w.P, 6)
    with pytest.raises(ValueError, match="same shape"):
        tab.log_likelihood(plan, states, actions[:, :-1])
    with pytest.raises(ValueError, match="only 2"):
        tab.log_likelihood(tab.soft_value_iteration(w.r, w.P, 2), states, actions)
    with pytest.raises(ValueError, match="out of range"):
        tab.log_likelihood(plan, states, actions + 5)
    with pytest.raises(ValueError, match="lie in"):
        tab.empirical_visitation(states + 100, w.n_states)
    with pytest.raises(ValueError, match=r"\(E, T\) integer"):
        tab.empirical_visitation(states.astype(float), w.n_states)
    assert DE.shape == (6, 16) and torch.allclose(DE.sum(-1), torch.ones(6, dtype=torch.float64))


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


def test_trainer_contract_history_determinism_and_progress(grid_demos):
    w, demos = grid_demos
    calls = []
    policy, hist = mi.train_maxent_irl(demos, steps=30, eval_every=10,
                                       progress=lambda done, total, info: calls.append((done, total, sorted(info))))
    assert [c[:2] for c in calls] == [(i, 30) for i in range(1, 31)] and hist.steps == 30
    assert calls[-1][2] == ["evd_relative", "feature_gap", "log_likelihood", "reward_corr"]
    assert len(hist.log_likelihood) == len(hist.feature_gap) == len(hist.objective) == 30
    assert hist.eval_steps == [0, 10, 20, 29] and len(hist.evd) == len(hist.reward_corr) == 4
    assert hist.log_likelihood[-1] > hist.log_likelihood[0] + 5          # learning
    assert hist.feature_gap[-1] < 0.2 * hist.feature_gap[0]               # the counts get matched
    assert hist.evd_relative[-1] < hist.evd_relative[0] and hist.wall_s > 0
    # the contract: a policy evaluate() takes as is (optimal for the learned reward), the reward on the history
    assert isinstance(policy, tab.TabularPolicy) and hist.env_id == w.env_id and hist.config.steps == 30
    torch.testing.assert_close(hist.reward, mi.learned_reward(hist.reward_model, w))
    torch.testing.assert_close(tab.policy_table(policy, w), tab.policy_table(tab.optimal_policy(hist.reward, w), w))
    assert il.evaluate(policy, w.env_id, n_episodes=10, seed=1).normalized > 0.5
    _, hist2 = mi.train_maxent_irl(demos, env_id=w.env_id, config=mi.MaxEntConfig(steps=30))
    torch.testing.assert_close(hist.reward_model.theta, hist2.reward_model.theta)   # deterministic; config = settings
    _, deep = mi.train_maxent_irl(demos, reward="deep", steps=3, seed=1, hidden=(4,))
    _, deep2 = mi.train_maxent_irl(demos, reward="deep", steps=3, seed=1, hidden=(4,))
    torch.testing.assert_close(deep.reward, deep2.reward)
    # raw (states, actions) arrays work too (with env_id); the global torch RNG is left alone
    state = torch.random.get_rng_state()
    arrays = mi.demo_arrays(demos, w)
    _, hist3 = mi.train_maxent_irl(arrays, env_id=w.env_id, steps=30)
    torch.testing.assert_close(hist3.reward_model.theta, hist.reward_model.theta)
    assert torch.equal(state, torch.random.get_rng_state())


def test_trainer_bad_arguments(grid_demos):
    w, demos = grid_demos
    for kwargs, match in [({"steps": 0}, "steps"), ({"lr": -1.0}, "lr"), ({"reward": "quadratic"}, "reward must be"),
                          ({"start": "middle"}, "start"), ({"eval_every": 0}, "eval_every")]:
        with pytest.raises(ValueError, match=match):
            mi.train_maxent_irl(demos, **kwargs)
    with pytest.raises(TypeError, match="unknown setting.*MaxEntConfig has"):
        mi.train_maxent_irl(demos, epochs=3)
    with pytest.raises(ValueError, match="env_id must be given"):
        mi.train_maxent_irl(mi.demo_arrays(demos, w))
    with pytest.raises(ValueError, match="not a gridworld id"):
        mi.train_maxent_irl(demos, env_id="CartPole-v1")
    ragged = il.Demonstrations.concatenate([demos, il.collect_demonstrations(w.env_id, 2, seed=1, horizon=7)])
    with pytest.raises(ValueError, match="fixed length"):
        mi.demo_arrays(ragged, w)


def test_reward_l2_shrinks_the_reward(grid_demos):
    w, demos = grid_demos
    _, free = mi.train_maxent_irl(demos, steps=40)
    _, tied = mi.train_maxent_irl(demos, steps=40, reward_l2=1.0)
    assert tied.reward.norm() < free.reward.norm()


@pytest.mark.parametrize("world_seed", [0, 1, 2])
def test_linear_maxent_recovers_the_feature_grid_reward(world_seed):
    """16x16 FeatureGrid, linear true reward, 64 demonstrations, 200 steps: EVD < 5% of the
    optimal value and reward correlation > 0.9 (measured: EVD <= 0.01%, correlation >= 0.97)."""
    env_id = gw.gridworld_id("FeatureGrid", size=16, world_seed=world_seed)
    w = gw.world_for(env_id)
    demos = il.collect_demonstrations(env_id, 64, seed=100 + world_seed)
    _, hist = mi.train_maxent_irl(demos, steps=200, eval_every=1000)
    r = hist.reward
    ev = tab.expected_value_difference(r, w.P, w.d0, w.horizon, w.r)
    assert ev.relative < 0.05
    assert tab.reward_correlation(r, w.r) > 0.9
    # the weights themselves come back (the expert is the MaxEnt model of the true reward)
    assert np.abs(hist.reward_model.theta.detach().numpy() - w.true_weights).max() < 0.35


@pytest.fixture(scope="module")
def object_world_runs():
    """ObjectWorld 16x16 (seeds 0, 1, 2), 64 demonstrations, linear and deep MaxEnt IRL (200 steps),
    trained once and shared by the tests below."""
    runs = {}
    for seed in (0, 1, 2):
        env_id = gw.gridworld_id("ObjectWorld", size=16, world_seed=seed)
        demos = il.collect_demonstrations(env_id, 64, seed=100 + seed)
        w = gw.world_for(env_id)
        models = {kind: mi.train_maxent_irl(demos, reward=kind, steps=200, eval_every=1000)[1].reward_model
                  for kind in ("linear", "deep")}
        runs[seed] = (w, demos, models)
    return runs


@pytest.mark.parametrize("world_seed", [0, 1, 2])
def test_deep_reward_beats_linear_on_object_world(object_world_runs, world_seed):
    """64 demonstrations, 200 steps: the deep reward's EVD is below the linear one's, by a margin."""
    w, _, models = object_world_runs[world_seed]
    evd = {kind: tab.expected_value_difference(mi.learned_reward(m, w), w.P, w.d0, w.horizon, w.r).relative
           for kind, m in models.items()}
    assert evd["deep"] < 0.1
    assert evd["deep"] < 0.5 * evd["linear"], evd


@pytest.mark.parametrize("world_seed", [1, 2])
def test_transferred_irl_reward_beats_transferred_bc_in_a_new_layout(object_world_runs, world_seed):
    """The deep reward, optimized in a new layout (objects moved), beats the BC policy taken there."""
    w, demos, models = object_world_runs[world_seed]
    bc, _ = il.train_bc(demos, seed=0)
    new = gw.make_world("ObjectWorld", size=16, world_seed=world_seed + 100)
    irl_policy = tab.optimal_policy(mi.learned_reward(models["deep"], new), new)
    v_irl = float(tab.policy_value(tab.policy_table(irl_policy, new), new.r, new.P, new.d0))
    v_bc = float(tab.policy_value(tab.policy_table(bc, new), new.r, new.P, new.d0))
    v_opt = float(new.optimal_plan.v[0] @ new.d0)
    assert v_irl > v_bc + 0.2 * abs(v_opt)
    assert v_irl > 0.8 * v_opt
