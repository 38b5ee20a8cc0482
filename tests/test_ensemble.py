"""Ensembles of BC policies: shapes, determinism, the batched forward pass against the members'
own outputs, bootstrap, bad input, and the claim of notebook 02: the members disagree more on
states off the expert's distribution than on it."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.bc import BCConfig
from il_helpers.algorithms.ensemble import EnsembleConfig, EnsembleHistory, EnsemblePolicy, train_bc_ensemble
from il_helpers.core.data import load_expert_demos
from il_helpers.lessons.distribution_shift import LEARNER

LANE = il.LANE_KEEPING
NO_VAL = BCConfig(hidden=LEARNER["hidden"], epochs=LEARNER["epochs"], val_frac=0)
SMALL = BCConfig(hidden=LEARNER["hidden"], epochs=LEARNER["epochs"])


@pytest.fixture(scope="module")
def lane():
    return load_expert_demos(LANE, 10)


@pytest.fixture(scope="module")
def lane_ensemble(lane):
    return train_bc_ensemble(lane, n_members=4, seed=0, bc=SMALL)


@pytest.fixture(scope="module")
def cartpole_ensemble():
    return train_bc_ensemble(load_expert_demos("CartPole-v1", 3), n_members=3, seed=0, bc=BCConfig(epochs=5))


def far_states(n=200, seed=0):
    """LaneKeeping observations 2.5-4 m off the centre line with large heading errors: no
    demonstration comes near them (the expert stays within about 0.6 m)."""
    rng = np.random.default_rng(seed)
    obs = np.zeros((n, 5), np.float32)
    obs[:, 0] = rng.choice([-1, 1], n) * rng.uniform(2.5, 4.0, n)
    obs[:, 1] = rng.uniform(-0.4, 0.4, n)
    obs[:, 2:] = rng.uniform(-0.04, 0.04, (n, 1))
    return obs


def test_shapes_and_types(lane, lane_ensemble):
    ens, hist = lane_ensemble
    assert isinstance(ens, EnsemblePolicy) and isinstance(ens, il.Policy) and len(ens) == 4
    assert isinstance(hist, EnsembleHistory) and len(hist.members) == 4 and hist.wall_s > 0
    obs = lane.obs[:50]
    a = ens(obs)
    assert a.shape == (50, 1) and a.dtype == np.float32 and np.all(np.abs(a) <= 1)
    assert ens.member_actions(obs).shape == (4, 50, 1)
    u = ens.disagreement(obs)
    assert u.shape == (50,) and u.dtype == np.float32 and np.all(u >= 0)
    assert ens(obs[0]).shape == (1,) and isinstance(ens.disagreement(obs[0]), float)
    assert ens.member_actions(obs[0]).shape == (4, 1)
    res = il.evaluate(ens, LANE, n_episodes=3, seed=0)
    assert res.returns.shape == (3,)


def test_mean_action_is_the_members_mean(lane, lane_ensemble):
    ens, _ = lane_ensemble
    obs = np.concatenate([lane.obs[:100], far_states(50)])
    own = np.stack([m(obs) for m in ens.members])  # each member's own (clipped) action
    np.testing.assert_allclose(ens.member_actions(obs), own, atol=1e-6)  # the batched pass matches
    np.testing.assert_allclose(ens(obs), own.mean(0), atol=1e-6)


def test_disagreement_uses_the_unclipped_means(lane_ensemble):
    ens, _ = lane_ensemble
    obs = far_states(300) * np.float32(20)  # absurdly far: the members' outputs leave [-1, 1]
    with torch.no_grad():
        raw = np.stack([m(torch.as_tensor(obs)).numpy() for m in ens.members])
    np.testing.assert_allclose(ens.disagreement(obs), raw.std(0)[:, 0], rtol=1e-4, atol=1e-6)
    clipped = ens.member_actions(obs)
    assert (np.abs(clipped) == 1).any()  # clipping did happen


def test_gaussian_members_use_their_means(lane):
    nll = BCConfig(hidden=LEARNER["hidden"], epochs=LEARNER["epochs"], loss="gaussian_nll")
    ens, _ = train_bc_ensemble(lane.first(4), n_members=3, seed=0, bc=nll)
    obs = lane.obs[:40]
    with torch.no_grad():
        means = np.stack([m.distribution_params(torch.as_tensor(obs))[0].numpy() for m in ens.members])
    np.testing.assert_allclose(ens.member_actions(obs), np.clip(means, -1, 1), atol=1e-6)
    np.testing.assert_allclose(ens.disagreement(obs), means.std(0)[:, 0], rtol=1e-4, atol=1e-6)


def test_discrete_ensemble_votes_with_mean_probabilities(cartpole_ensemble):
    ens, _ = cartpole_ensemble
    obs = load_expert_demos("CartPole-v1", 1).obs[:80]
    with torch.no_grad():
        probs = np.stack([torch.softmax(m(torch.as_tensor(obs)), 1).numpy() for m in ens.members])
    a = ens(obs)
    assert a.dtype == np.int64 and a.shape == (80,)
    np.testing.assert_array_equal(a, probs.mean(0).argmax(1))
    np.testing.assert_array_equal(ens.member_actions(obs), probs.argmax(2))
    np.testing.assert_allclose(ens.disagreement(obs), probs.std(0).mean(1), rtol=1e-5, atol=1e-7)


def test_members_in_training_mode_fall_back_and_are_restored(lane, lane_ensemble):
    ens, _ = lane_ensemble
    obs = lane.obs[:30]
    before = ens(obs)
    ens.members[1].train()
    try:
        np.testing.assert_allclose(ens(obs), before, atol=1e-6)  # no dropout here: same answer, loop path
        assert ens.members[1].training  # the member's mode is left as it was
    finally:
        ens.members[1].eval()


def test_deterministic_and_members_differ(lane):
    a, ha = train_bc_ensemble(lane.first(4), n_members=3, seed=5, bc=SMALL)
    b, hb = train_bc_ensemble(lane.first(4), n_members=3, seed=5, bc=SMALL)
    c, hc = train_bc_ensemble(lane.first(4), n_members=3, seed=6, bc=SMALL)
    obs = far_states(40)
    np.testing.assert_array_equal(a.member_actions(obs), b.member_actions(obs))
    assert ha.seeds == [15, 16, 17] and hc.seeds == [18, 19, 20]  # no member seed shared across ensembles
    assert not np.allclose(a.member_actions(obs)[0], a.member_actions(obs)[1])
    assert not np.allclose(a(obs), c(obs))


def test_bootstrap_resamples_episodes(lane):
    ens, hist = train_bc_ensemble(lane, n_members=3, bootstrap=True, seed=0, bc=NO_VAL)
    assert hist.bootstrap
    for eps in hist.episodes:
        assert len(eps) == lane.num_episodes and eps.min() >= 0 and eps.max() < lane.num_episodes
    assert any(len(np.unique(eps)) < lane.num_episodes for eps in hist.episodes)  # with replacement
    again, hist2 = train_bc_ensemble(lane, n_members=3, bootstrap=True, seed=0, bc=NO_VAL)
    for e1, e2 in zip(hist.episodes, hist2.episodes):
        np.testing.assert_array_equal(e1, e2)
    plain, hp = train_bc_ensemble(lane, n_members=3, seed=0, bc=NO_VAL)
    np.testing.assert_array_equal(hp.episodes[0], np.arange(lane.num_episodes))
    assert not np.allclose(ens(lane.obs[:50]), plain(lane.obs[:50]))


def test_progress_callback(lane):
    seen = []
    train_bc_ensemble(lane.first(3), n_members=2, seed=0, progress=lambda *a: seen.append(a), bc=BCConfig(epochs=1))
    assert [(done, total) for done, total, _ in seen] == [(1, 2), (2, 2)]
    assert [info["seed"] for _, _, info in seen] == [0, 1] and all(info["train_loss"] > 0 for _, _, info in seen)


def test_config_and_settings_are_the_same_call(lane):
    a, ha = train_bc_ensemble(lane.first(3), seed=1, n_members=2, bc=BCConfig(epochs=2))
    b, hb = train_bc_ensemble(lane.first(3), seed=1, config=EnsembleConfig(n_members=2, bc=BCConfig(epochs=2)))
    np.testing.assert_array_equal(a(lane.obs[:20]), b(lane.obs[:20]))
    assert ha.config == hb.config and len(ha.members) == 2
    with pytest.raises(TypeError, match="unknown setting.*epochs.*EnsembleConfig has: bc, bootstrap, n_members"):
        train_bc_ensemble(lane, epochs=3)


def test_bad_input(lane, lane_ensemble):
    with pytest.raises(TypeError, match="Demonstrations"):
        train_bc_ensemble(lane.obs)
    for n in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_members"):
            train_bc_ensemble(lane, n_members=n)
    with pytest.raises(ValueError, match="at least one"):
        EnsemblePolicy([])
    mse, _ = lane_ensemble
    nll, _ = train_bc_ensemble(lane.first(3), n_members=1, bc=BCConfig(loss="gaussian_nll", epochs=1))
    with pytest.raises(ValueError, match="same loss"):
        EnsemblePolicy([mse.members[0], nll.members[0]])
    with pytest.raises(ValueError, match="observations"):
        mse.disagreement(np.zeros((2, 3, 5), np.float32))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_disagreement_grows_off_the_expert_distribution(seed):
    """Notebook 02's claim, on fresh demonstrations: states far from the road make the members
    disagree much more than the demonstrated states do."""
    demos = il.collect_demonstrations(LANE, 10, seed=300 + seed)
    ens, _ = train_bc_ensemble(demos, n_members=5, seed=seed, bc=SMALL)
    on = ens.disagreement(demos.obs).mean()
    off = ens.disagreement(far_states(300, seed)).mean()
    assert off > 3 * on, (on, off)
