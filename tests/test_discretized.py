"""The discretized-action policy: its bins and loss, what it learns on ObstacleFork, its held
per-copy quantiles, and train_discretized (the trainer contract)."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms import discretized as D
from il_helpers.envs.obstacle_fork import FORK_STATE
from il_helpers.lessons.multimodal import TRAIN_FAST

ENV = il.OBSTACLE_FORK


@pytest.fixture(scope="module")
def demos():
    return il.collect_demonstrations(ENV, 60, seed=3)


@pytest.fixture(scope="module")
def discretized(demos):
    return D.train_discretized(demos, seed=0, **TRAIN_FAST)[0]


def test_discretized_bins_loss_and_shapes():
    p = D.DiscretizedPolicy.for_env(ENV, n_bins=5)
    np.testing.assert_allclose(p.centres.numpy(), [[-1, -0.5, 0, 0.5, 1]] * 2)
    a = torch.tensor([[0.9, -0.3], [-1.0, 0.26]])
    assert p.bin_of(a).tolist() == [[4, 1], [0, 3]]
    obs = torch.zeros(2, 2)
    logits = p(obs)
    assert logits.shape == (2, 2, 5)
    expected = -(torch.log_softmax(logits, 2).gather(2, p.bin_of(a)[:, :, None])[:, :, 0]).sum(1)
    torch.testing.assert_close(p.loss(obs, a), expected)
    torch.testing.assert_close(D.discretized_loss(logits, p.bin_of(a)), expected)
    out = p(np.zeros((3, 2), np.float32))
    assert out.shape == (3, 2) and out.dtype == np.float32
    assert np.all(np.isin(np.round(out, 6), [-1, -0.5, 0, 0.5, 1]))  # always a bin centre
    with pytest.raises(ValueError, match="n_bins"):
        D.DiscretizedPolicy(2, 2, n_bins=1)


def test_discretized_learns_both_sides_and_passes(discretized):
    probs = discretized.probabilities(FORK_STATE[None])[0, 1]  # lateral bins at the fork
    assert probs[0] > 0.2 and probs[-1] > 0.2  # full right and full left both likely
    _, stats = il.evaluate_fork(discretized, 100, seed=7)
    assert stats["success_rate"] >= 0.9 and 0.25 < stats["left_share"] < 0.75


def test_discretized_hold_keeps_one_quantile_per_copy(discretized):
    obs = np.repeat(FORK_STATE[None], 2000, axis=0)
    discretized.select, discretized.hold = "sample", True
    discretized.reset(2000, seed=0)
    a = discretized(obs)
    np.testing.assert_array_equal(a, discretized(obs))
    assert discretized.held.shape == (2000, 2)
    discretized.hold = False
    assert (discretized(obs)[:, 1] != a[:, 1]).mean() > 0.2
    discretized.select = "most_likely"
    b = discretized(obs)
    assert np.unique(b, axis=0).shape[0] == 1
    discretized.select, discretized.hold = "sample", True


def test_policies_work_with_plain_rollout_and_reset_lazily(discretized):
    r1 = il.rollout(discretized, ENV, 5, seed=0)
    assert r1.actions.shape == (5, 30, 2)
    discretized.reset(seed=9)
    a = il.rollout(discretized, ENV, 5, seed=0).actions
    discretized.reset(seed=9)
    np.testing.assert_array_equal(il.rollout(discretized, ENV, 5, seed=0).actions, a)


def test_train_discretized_follows_the_contract(demos):
    state = torch.get_rng_state()
    p, hist = D.train_discretized(demos, seed=2, epochs=2, n_bins=7, select="most_likely")
    assert torch.equal(torch.get_rng_state(), state)
    assert isinstance(p, D.DiscretizedPolicy) and p.n_bins == 7 and p.select == "most_likely"
    assert hist.epochs_run == 2 and hist.config == D.DiscretizedConfig(epochs=2, n_bins=7, select="most_likely")
    q, hist2 = D.train_discretized(demos, seed=2, config=hist.config)
    assert hist2.train_loss == hist.train_loss
    assert all(torch.equal(x, y) for x, y in zip(p.state_dict().values(), q.state_dict().values()))
    with pytest.raises(TypeError, match="train_discretized: unknown setting"):
        D.train_discretized(demos, latent_dim=2)
