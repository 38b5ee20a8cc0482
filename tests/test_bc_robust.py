"""BC's robust losses (notebook 08): Huber and trimmed least squares against hand computations,
their settings' errors, the corruption of labels, and a learning test: with 20 % wrong labels the
robust losses drive better than MSE on every seed tried."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.bc import MLPPolicy, bc_loss, trim_weights
from il_helpers.lessons import imperfect_demonstrations as lesson


def test_huber_loss_by_hand():
    pol = MLPPolicy(1, 1, "huber")
    pol.net = torch.nn.Identity()
    obs = torch.tensor([[0.05], [1.0]])                                    # the prediction is the observation
    per = bc_loss(pol, obs, torch.zeros(2, 1), huber_delta=0.1)
    np.testing.assert_allclose(per.numpy(), [0.5 * 0.05 ** 2, 0.1 * (1.0 - 0.05)], rtol=1e-6)


def test_trim_weights_drop_the_largest_losses():
    per = torch.tensor([0.1, 5.0, 0.2, 3.0, 0.3])
    w = trim_weights(per, torch.ones(5), 0.4)
    np.testing.assert_array_equal(w.numpy(), [1, 0, 1, 0, 1])
    np.testing.assert_array_equal(trim_weights(per, torch.ones(5), 0.1).numpy(), np.ones(5))   # 0 of 5 dropped


@pytest.mark.parametrize("settings, message", [
    ({"loss": "huber", "huber_delta": 0.0}, "huber_delta"), ({"loss": "trimmed", "trim_frac": 1.0}, "trim_frac"),
])
def test_bad_robust_settings(settings, message):
    demos = il.collect_demonstrations(il.LANE_KEEPING, 1, seed=0)
    with pytest.raises(ValueError, match=message):
        il.train_bc(demos, **settings)


def test_robust_losses_refuse_discrete_actions():
    with pytest.raises(ValueError, match="'ce' for discrete actions"):
        il.train_bc(il.collect_demonstrations("CartPole-v1", 1, seed=0), loss="huber")


def test_corrupt_labels():
    demos = il.collect_demonstrations(il.LANE_KEEPING, 5, seed=0)
    bad = lesson.corrupt_labels(demos, 0.2, seed=0)
    wrong = np.any(bad.actions != demos.actions, axis=1)
    assert 0.15 < wrong.mean() < 0.25 and np.abs(bad.actions).max() <= 1.0
    np.testing.assert_array_equal(bad.obs, demos.obs)
    np.testing.assert_array_equal(lesson.corrupt_labels(demos, 0.2, seed=0).actions, bad.actions)
    with pytest.raises(ValueError, match="continuous"):
        lesson.corrupt_labels(il.collect_demonstrations("CartPole-v1", 1, seed=0))
    with pytest.raises(ValueError, match="frac"):
        lesson.corrupt_labels(demos, 1.5)


def test_robust_losses_beat_mse_with_wrong_labels():
    """Measured on seeds 0-4 (notebook 08): MSE 0.2-0.3, Huber and trimmed 0.8-1.0 at T = 1000. Here
    two seeds, 20 test drives, each robust loss above MSE by >= 0.2."""
    for row in lesson.robust_runs([0, 1], n_eval=20):
        assert row["huber"] >= row["mse"] + 0.2 and row["trimmed"] >= row["mse"] + 0.2, row
        assert row["huber_error"] < row["mse_error"] and row["trimmed_error"] < row["mse_error"], row
