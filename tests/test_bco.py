"""BCO (il_helpers.algorithms.bco): the inverse model's shapes and calibration, bad input, the
no-actions property, determinism, and a small learning test over two seeds."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from helpers import without_actions

import il_helpers as il
from il_helpers.algorithms.bco import BCOConfig, InverseDynamics, fit_inverse_dynamics, train_bco
from il_helpers.bench import train_method

TINY = dict(pre_episodes=3, alpha_rounds=1, alpha_episodes=2, idm_steps=50, bc=il.BCConfig(epochs=2, val_frac=0.0))


@pytest.fixture(scope="module")
def demos():
    return il.collect_demonstrations("CartPole-v1", 3, seed=3)



def test_inverse_model_shapes_discrete_and_continuous():
    m = InverseDynamics(4, 2, True)
    out = m.label(np.zeros((7, 4), np.float32), np.ones((7, 4), np.float32))
    assert out.shape == (7,) and out.dtype == np.int64
    m = InverseDynamics(5, 1, False, low=np.array([-1.0]), high=np.array([1.0]))
    with torch.no_grad():
        m.net[-1].bias.fill_(5.0)                                 # far outside the bounds
    out = m.label(np.zeros((3, 5), np.float32), np.zeros((3, 5), np.float32))
    assert out.shape == (3, 1) and out.dtype == np.float32 and np.all(out == 1.0)


def test_calibration_undoes_a_shrunk_fit():
    # a_hat = 0.5 a + 0.1 exactly (a linear model that shrinks): the calibrated label is a itself
    gen = torch.Generator().manual_seed(0)
    obs = torch.zeros(200, 1)
    a = torch.rand(200, 1, generator=gen) * 2 - 1
    nxt = a.clone()                                               # s' - s = a
    m = InverseDynamics(1, 1, False, hidden=(), low=np.array([-1.0]), high=np.array([1.0]))
    fit_inverse_dynamics(m, obs.numpy(), a.numpy(), nxt.numpy(), BCOConfig(idm_steps=1), gen, calibrate=False)
    with torch.no_grad():
        m.net[0].weight.zero_()
        m.net[0].weight[0, 1] = 0.5 * m.d_std[0]                # 0.5 (s' - s - m_d) / sd_d * sd_d
        m.net[0].bias.fill_(0.1 + 0.5 * float(m.d_mean[0]))
    from il_helpers.algorithms.bco import calibrate_labels
    calibrate_labels(m, obs, nxt, a)
    np.testing.assert_allclose(m.label(obs.numpy(), nxt.numpy()), a.numpy(), atol=1e-4)


@pytest.mark.parametrize("field,value", [("pre_episodes", 0), ("alpha_rounds", -1), ("alpha_episodes", 0),
                                         ("noise", 1.5), ("idm_steps", 0), ("idm_lr", 0.0), ("idm_hidden", (0,)),
                                         ("bc", "fast")])
def test_bad_settings_are_refused_by_name(field, value):
    with pytest.raises(ValueError, match=field):
        BCOConfig(**{field: value})


def test_bad_input_is_refused(demos):
    with pytest.raises(TypeError, match="Demonstrations"):
        train_bco(demos.obs)
    with pytest.raises(ValueError, match="env_id"):
        train_bco(demos, env_id="il_helpers/LaneKeeping-v0", **TINY)
    with pytest.raises(ValueError, match="seed"):
        train_bco(demos, seed=-1, **TINY)
    bad = copy.copy(demos)
    bad.next_obs = np.full(demos.next_obs.shape, np.nan, np.float32)
    with pytest.raises(ValueError, match="next_obs"):
        train_bco(bad, **TINY)


def test_the_demonstrations_actions_are_never_read(demos):
    p1, h1 = train_bco(demos, seed=2, **TINY)
    p2, h2 = train_bco(without_actions(demos), seed=2, **TINY)
    for a, b in zip(p1.state_dict().values(), p2.state_dict().values()):
        assert torch.equal(a, b)
    np.testing.assert_array_equal(h1.labels, h2.labels)


def test_same_seed_same_policy_and_another_seed_another(demos):
    p1, h1 = train_bco(demos, seed=1, **TINY)
    p2, h2 = train_bco(demos, seed=1, **TINY)
    p3, _ = train_bco(demos, seed=2, **TINY)
    np.testing.assert_array_equal(p1(demos.obs), p2(demos.obs))
    assert h1.idm_loss == h2.idm_loss and h1.env_steps == h2.env_steps
    assert not all(torch.equal(a, b) for a, b in zip(p1.state_dict().values(), p3.state_dict().values()))
    assert len(h1.env_steps) == 2 and h1.labels.shape == demos.actions.shape


@pytest.mark.parametrize("env_id,seed", [("CartPole-v1", 0), ("il_helpers/LaneKeeping-v0", 1)])
def test_bco_learns_from_states_alone(env_id, seed):
    demos = without_actions(il.collect_demonstrations(env_id, 5, seed=10_000 + seed))
    policy, h = train_bco(demos, seed=seed, alpha_rounds=1, idm_steps=500)
    # random scores 0 and the expert 1; this budget reaches >= 0.95 on seeds 0-4, 0.7 leaves a margin
    assert il.evaluate(policy, env_id, n_episodes=20, seed=20_000 + seed).normalized > 0.7


def test_bench_method_bco_runs():
    demos = il.collect_demonstrations("CartPole-v1", 3, seed=10_000)
    policy, extra = train_method("bco", demos, fast=True, settings=TINY)
    assert extra["rounds"] == 1 and extra["env_steps"] > 0 and isinstance(policy, il.Policy)
    with pytest.raises(ValueError, match="bco"):
        train_method("bco", demos, env_id="il_helpers/FeatureGrid-v0")


@pytest.mark.parametrize("env_id", ["CartPole-v1", "il_helpers/LaneKeeping-v0"])
def test_states_only_keeps_the_states_and_drops_what_the_expert_did(env_id):
    from il_helpers.algorithms.bco import states_only

    d = il.collect_demonstrations(env_id, 2, seed=0)
    s = states_only(without_actions(d))                               # a valid Demonstrations again
    assert np.array_equal(s.obs, d.obs) and np.array_equal(s.next_obs, d.next_obs)
    assert np.array_equal(s.terminated, d.terminated) and np.array_equal(s.episode_lengths, d.episode_lengths)
    assert not s.actions.any() and not s.rewards.any() and s.actions.shape == d.actions.shape
    assert s.meta["actions"] == "removed"
