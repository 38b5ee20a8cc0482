"""Notebook 04's transfer lesson: BC on the reward's features, the exact normalized score, and the
transfer experiment (every learner on every target world, one score per seed)."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers import tabular as tab
from il_helpers.envs import gridworlds as gw
from il_helpers.lessons import maxent_irl as L


@pytest.fixture(scope="module")
def small():
    w = gw.make_world("ObjectWorld", size=8, world_seed=1)
    return w, il.collect_demonstrations(w.env_id, 8, seed=0)


def test_normalized_value_is_0_for_random_and_1_for_optimal(small):
    w, _ = small
    T, S, A = w.horizon, w.n_states, w.n_actions
    assert L.normalized_value(w.optimal_plan.policy, w) == pytest.approx(1.0)
    assert L.normalized_value(torch.full((T, S, A), 1 / A, dtype=torch.float64), w) == pytest.approx(0.0, abs=1e-12)
    soft = tab.soft_value_iteration(w.r, w.P, T).policy
    assert L.normalized_value(soft, w) < 1.0          # the soft-optimal expert wanders: below the optimum


def test_feature_inputs_are_phi_of_the_cell_and_t(small):
    w, demos = small
    x = L.feature_inputs(demos, w)
    assert x.shape == (len(demos), w.n_features + 1) and x.dtype == np.float32
    row, col, t = demos.obs[5].astype(int)
    np.testing.assert_allclose(x[5], [*w.features[row * w.size + col], t], rtol=1e-6)


def test_feature_bc_reads_its_world_and_is_deterministic(small):
    w, demos = small
    pol, hist = L.train_feature_bc(demos, w, seed=3, epochs=5)
    pol2, _ = L.train_feature_bc(demos, w, seed=3, epochs=5)
    assert hist.epochs_run >= 1
    for a, b in zip(pol.state_dict().values(), pol2.state_dict().values()):
        assert torch.equal(a, b)
    obs = w.obs(np.arange(w.n_states), np.zeros(w.n_states, np.int64))
    actions = pol(obs)
    assert actions.shape == (w.n_states,) and actions.dtype == np.int64 and actions.max() < w.n_actions
    # the same cell of another layout has other features, so the moved policy reads other inputs
    other = gw.make_world("ObjectWorld", size=8, world_seed=2)
    moved = pol.on_world(other)
    x = torch.as_tensor(obs, dtype=torch.float32)
    np.testing.assert_allclose(moved.inputs(x)[:, :-1].numpy(), other.features, rtol=1e-6)
    np.testing.assert_allclose(pol.inputs(x)[:, :-1].numpy(), w.features, rtol=1e-6)   # the original is unchanged
    assert torch.equal(moved.in_mean, pol.in_mean)       # the training standardization travels with it
    bigger = pol.on_world(gw.make_world("ObjectWorld", size=10, world_seed=2))
    assert bigger.size == 10 and tab.policy_table(bigger, gw.make_world("ObjectWorld", size=10)).shape[1] == 100


def test_feature_bc_refuses_bad_input(small):
    w, demos = small
    with pytest.raises(ValueError, match="features must be"):
        L.FeatureBCPolicy(w.features[:5], w.size, 5, L.feature_inputs(demos, w))
    with pytest.raises(ValueError, match="inputs must be"):
        L.FeatureBCPolicy(w.features, w.size, 5, L.feature_inputs(demos, w)[:, :2])
    pol = L.FeatureBCPolicy(w.features, w.size, 5, L.feature_inputs(demos, w))
    with pytest.raises(ValueError, match="reads 4 features"):
        pol.on_world(SimpleNamespace(features=np.zeros((64, 2)), size=8))
    with pytest.raises(ValueError, match="seed"):
        L.train_feature_bc(demos, w, seed=-1)
    with pytest.raises(ValueError, match="at least one seed"):
        L.transfer_experiment(seeds=())


def test_transfer_experiment_scores_every_learner_on_every_target():
    res = L.transfer_experiment(seeds=(0, 1), world_seed=1, n_demos=4, steps=3, size=8)
    assert list(res.targets) == ["same world", "new layout", "more wind (0.5)"]
    assert set(res.scores) == set(L.LEARNERS)
    for learner in L.LEARNERS:
        for target in res.targets:
            v = res.scores[learner][target]
            assert v.shape == (2,) and np.all(np.isfinite(v)) and np.all(v <= 1 + 1e-9)
    assert all(len(res.rewards[t]) == 2 and res.rewards[t][0].shape == (64,) for t in res.targets)
    assert all(res.reward_corr[t].shape == (2,) and np.all(np.abs(res.reward_corr[t]) <= 1) for t in res.targets)
    expert = res.scores[L.EXPERT]
    assert all(np.ptp(expert[t]) == 0 and 0 < expert[t][0] < 1 for t in res.targets)   # seed-independent
    rows = res.rows()
    assert [r[0] for r in rows] == list(L.LEARNERS) and all(len(r) == 4 for r in rows)
    for row, learner in zip(rows, L.LEARNERS):             # a range where the seeds differ, one number where not
        spread = np.ptp(res.scores[learner]["same world"]) >= 5e-3
        assert (" to " in row[1]) == spread


def test_bc_on_the_reward_features_does_not_transfer_to_a_new_layout():
    """Notebook 04's finding, on 3 seeds: BC on [phi(s), t] is no better than random in the new layout
    (measured on seeds 0 to 4: -0.16 to -0.05) and below BC on [row, col, t] in the training world."""
    targets = L.transfer_targets(world_seed=2)
    train, new = targets["same world"], targets["new layout"]
    for seed in (0, 1, 2):
        demos = il.collect_demonstrations(train.env_id, 64, seed=seed)
        phi_bc, _ = L.train_feature_bc(demos, train, seed=seed)
        raw_bc, _ = il.train_bc(demos, seed=seed)
        assert L.normalized_value(tab.policy_table(phi_bc.on_world(new), new), new) < 0.05
        assert (L.normalized_value(tab.policy_table(raw_bc, train), train)
                > L.normalized_value(tab.policy_table(phi_bc, train), train))
