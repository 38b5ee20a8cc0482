"""The mode-holding base of the multimodal policies: a TorchPolicy with select / hold / reset,
seeded construction, and the shared configuration."""

import dataclasses

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms import mode_holding as H
from il_helpers.algorithms.cvae import CVAEConfig, CVAEPolicy
from il_helpers.algorithms.discretized import DiscretizedConfig, DiscretizedPolicy
from il_helpers.algorithms.mdn import MDNConfig, MDNPolicy

ENV = il.OBSTACLE_FORK
POLICIES = (MDNPolicy, DiscretizedPolicy, CVAEPolicy)


@pytest.mark.parametrize("cls", POLICIES)
def test_every_multimodal_policy_is_a_seeded_torch_policy(cls):
    p = cls.for_env(ENV, seed=1)
    assert isinstance(p, H.ModeHoldingPolicy) and isinstance(p, il.TorchPolicy) and isinstance(p, il.Policy)
    assert p.obs_dim == 2 and p.act_dim == 2 and p.select == "sample" and p.hold
    # seeded construction: the same seed, the same initial weights; the global RNG untouched
    state = torch.get_rng_state()
    q = cls.for_env(ENV, seed=1)
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(x, y) for x, y in zip(p.state_dict().values(), q.state_dict().values()))
    # numpy in: actions within the bounds, float32; one observation in, one action out
    obs = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32) * 5
    a = p(obs)
    assert a.shape == (6, 2) and a.dtype == np.float32 and np.all(np.abs(a) <= 1)
    assert p(obs[0]).shape == (2,)
    p.set_normalization(obs)
    np.testing.assert_allclose(p.obs_mean.numpy(), obs.mean(0), rtol=1e-5)
    with pytest.raises(ValueError, match="select"):
        cls(2, 2, select="mean")
    with pytest.raises(ValueError, match="continuous"):
        cls.for_env("CartPole-v1")


def test_configs_share_the_mode_holding_fields():
    shared = {f.name for f in dataclasses.fields(H.ModeHoldingConfig)}
    assert set(H.BC_FIELDS) < shared
    for cfg, own in ((MDNConfig, {"n_components", "min_scale"}), (DiscretizedConfig, {"n_bins"}),
                     (CVAEConfig, {"latent_dim", "beta", "decoder_std"})):
        assert {f.name for f in dataclasses.fields(cfg)} == shared | own


def test_seeded_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    with H.seeded(3):
        a = torch.rand(3)
    assert torch.equal(torch.get_rng_state(), state)
    with H.seeded(3):
        assert torch.equal(torch.rand(3), a)
    with H.seeded(None):
        torch.rand(1)
    assert not torch.equal(torch.get_rng_state(), state)
