"""The exact measures: expected value difference, reward correlation, feature-count error."""

import pytest
import torch

from il_helpers import tabular as tab
from il_helpers.envs import gridworlds as gw


def test_evd_and_reward_correlation():
    w = gw.make_world("FeatureGrid", size=8, world_seed=2)
    ev = tab.expected_value_difference(w.r, w.P, w.d0, w.horizon, w.r)
    assert ev.evd == pytest.approx(0.0, abs=1e-9) and ev.v_optimal > 0 and ev.relative == pytest.approx(0.0, abs=1e-9)
    # an affine transform of the true reward has the same optimal policy (EVD 0) and correlation 1
    assert tab.expected_value_difference(3 * w.r + 1, w.P, w.d0, w.horizon, w.r).evd == pytest.approx(0.0, abs=1e-9)
    assert tab.reward_correlation(3 * w.r + 1, w.r) == pytest.approx(1.0)
    bad = tab.expected_value_difference(-w.r, w.P, w.d0, w.horizon, w.r)
    assert bad.evd > 0.5 * bad.v_optimal and bad.relative == pytest.approx(bad.evd / bad.v_optimal)
    assert bad.v_learned == pytest.approx(bad.v_optimal - bad.evd) and "EVD(" in repr(bad)
    assert tab.reward_correlation(-w.r, w.r) == pytest.approx(-1.0)
    assert tab.reward_correlation(torch.zeros(w.n_states), w.r) == 0.0
    with pytest.raises(ValueError, match="same number"):
        tab.reward_correlation(torch.zeros(3), w.r)
    with pytest.raises(ValueError, match="differs"):
        tab.expected_value_difference(torch.zeros(3), w.P, w.d0, w.horizon, w.r)


def test_feature_count_error():
    w = gw.make_world("FeatureGrid", size=8, world_seed=2)
    D = tab.state_visitation(w.soft_plan, w.P, w.d0)
    assert tab.feature_count_error(D, D, w.features) == 0.0
    D2 = tab.state_visitation(tab.soft_value_iteration(torch.zeros(w.n_states), w.P, w.horizon), w.P, w.d0)
    gap = tab.feature_expectations(D, w.phi) - tab.feature_expectations(D2, w.phi)
    assert tab.feature_count_error(D, D2, w.features) == pytest.approx(float(gap.norm()))
    assert float(gap.norm()) > 0
