"""The CVAE policy: its loss is the beta-VAE objective (the negative ELBO at beta = 1), its latent
selects the side (held per episode, or fresh at every step, which zig-zags), and train_cvae (the
trainer contract)."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms import cvae as C
from il_helpers.envs.obstacle_fork import FORK_STATE

ENV = il.OBSTACLE_FORK


@pytest.fixture(scope="module")
def demos():
    return il.collect_demonstrations(ENV, 60, seed=3)


@pytest.fixture(scope="module")
def cvae(demos):
    return C.train_cvae(demos, seed=0)[0]  # the full budget (the defaults): the CVAE needs it


def test_cvae_loss_is_the_beta_vae_objective(demos):
    # beta = 0.5: reconstruction + beta KL, the beta-VAE objective (the negative ELBO only at beta = 1)
    p = C.CVAEPolicy.for_env(ENV, latent_dim=2, beta=0.5, decoder_std=0.2, seed=0)
    obs, a = torch.as_tensor(demos.obs[:16]), torch.as_tensor(demos.actions[:16])
    p.eval()  # deterministic: z = the posterior mean
    mean, log_var = p.encode(obs, a)
    recon = ((a - p.decode(obs, mean)) ** 2).sum(1) / (2 * 0.2**2)
    kl = 0.5 * (mean**2 + log_var.exp() - 1 - log_var).sum(1)
    torch.testing.assert_close(p.loss(obs, a), recon + 0.5 * kl)
    torch.testing.assert_close(C.cvae_loss(a, p.decode(obs, mean), mean, log_var, 0.5, 0.2), recon + 0.5 * kl)
    p.train()
    torch.manual_seed(0)
    first = p.loss(obs, a)
    assert not torch.equal(first, p.loss(obs, a))  # training samples z (reparameterization)
    assert p(obs).shape == (16, 2)
    torch.testing.assert_close(p(obs), p.decode(obs, torch.zeros(16, 2)))
    with pytest.raises(ValueError, match="latent_dim"):
        C.CVAEPolicy(2, 2, latent_dim=0)
    with pytest.raises(ValueError, match="decoder_std"):
        C.CVAEPolicy(2, 2, decoder_std=0.0)
    with pytest.raises(ValueError, match="beta"):
        C.CVAEPolicy(2, 2, beta=-1.0)


def test_cvae_latent_selects_the_side(cvae):
    obs = np.repeat(FORK_STATE[None], 400, axis=0)
    z = np.random.default_rng(0).standard_normal((400, cvae.latent_dim)).astype(np.float32)
    lateral = cvae.decode(torch.as_tensor(obs), torch.as_tensor(z)).detach().numpy()[:, 1]
    # the prior's samples reach both sides (and, the CVAE's weak spot, some decode in between)
    assert (lateral > 0.5).mean() > 0.1 and (lateral < -0.5).mean() > 0.1
    # the side is a function of z: the latent, not chance, decides
    again = cvae.decode(torch.as_tensor(obs), torch.as_tensor(z)).detach().numpy()[:, 1]
    np.testing.assert_array_equal(again, lateral)
    cvae.select, cvae.hold = "sample", True
    cvae.reset(400, seed=1)
    assert cvae.held.shape == (400, cvae.latent_dim)
    a = cvae(obs)
    np.testing.assert_array_equal(a, cvae(obs))  # the episode's latent is held
    _, held = il.evaluate_fork(cvae, 100, seed=7)
    assert held["success_rate"] > 0.45 and 0.2 < held["left_share"] < 0.8 and held["zigzag_rate"] < 0.05
    # a fresh latent at every step makes the CVAE zig-zag: the latent is its plan
    cvae.hold = False
    _, fresh = il.evaluate_fork(cvae, 100, seed=7)
    cvae.hold = True
    assert fresh["zigzag_rate"] > held["zigzag_rate"] + 0.1


def test_train_cvae_follows_the_contract(demos):
    state = torch.get_rng_state()
    p, hist = C.train_cvae(demos, seed=4, epochs=2, latent_dim=3, beta=0.5)
    assert torch.equal(torch.get_rng_state(), state)
    assert isinstance(p, C.CVAEPolicy) and p.latent_dim == 3 and p.beta == 0.5
    assert hist.epochs_run == 2 and hist.config == C.CVAEConfig(epochs=2, latent_dim=3, beta=0.5)
    q, hist2 = C.train_cvae(demos, seed=4, config=hist.config)
    assert hist2.train_loss == hist.train_loss
    assert all(torch.equal(x, y) for x, y in zip(p.state_dict().values(), q.state_dict().values()))
    with pytest.raises(TypeError, match="train_cvae: unknown setting"):
        C.train_cvae(demos, n_components=2)
