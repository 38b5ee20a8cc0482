"""Table policies on a grid: acting and sampling, any policy as a table, the optimal policy of a reward."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers import tabular as tab
from il_helpers.envs import gridworlds as gw


def test_tabular_policy():
    w = gw.make_world("FeatureGrid", size=4, world_seed=0, horizon=3)
    table = np.zeros((3, 16, 5))
    table[..., 2] = 1.0
    table[1, 5] = [0.0, 0.5, 0.5, 0.0, 0.0]
    pol = tab.TabularPolicy(table, 4)
    obs = w.obs(np.array([5, 5, 5]), np.array([0, 1, 9]))  # t = 9 uses the last row
    np.testing.assert_array_equal(pol(obs), [2, 1, 2])
    sampler = tab.TabularPolicy(table, 4, sample=True, seed=0)
    draws = sampler(np.repeat(obs[1:2], 4000, axis=0))
    assert set(np.unique(draws)) == {1, 2} and abs((draws == 1).mean() - 0.5) < 0.04
    torch.testing.assert_close(tab.policy_table(pol, w), torch.as_tensor(table))
    fn = il.FunctionPolicy(lambda o: np.full(len(o), 3))
    table_fn = tab.policy_table(fn, w)
    assert table_fn.shape == (3, 16, 5) and torch.all(table_fn[..., 3] == 1)
    with pytest.raises(ValueError, match="table must have shape"):
        tab.TabularPolicy(table[:, :8], 4)
    with pytest.raises(ValueError, match="probability distributions"):
        tab.TabularPolicy(table * 2, 4)


def test_optimal_policy_for_the_true_reward_is_optimal():
    w = gw.make_world("FeatureGrid", size=8, world_seed=3)
    pol = tab.optimal_policy(w.reward, w)
    v = float(tab.policy_value(tab.policy_table(pol, w), w.r, w.P, w.d0))
    assert v == pytest.approx(float(w.optimal_plan.v[0] @ w.d0))
    soft = tab.optimal_policy(w.reward, w, soft=True)
    assert soft.sample and torch.allclose(tab.policy_table(soft, w), w.soft_plan.policy)
