"""The discretized-action and CVAE policies, the shared mode-holding machinery, and the bench
CLI entries mdn / discretized / cvae."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers import bench
from il_helpers.algorithms import multimodal as mm
from il_helpers.envs.obstacle_fork import FORK_STATE

ENV = il.OBSTACLE_FORK


@pytest.fixture(scope="module")
def demos():
    return il.collect_demonstrations(ENV, 60, seed=3)


@pytest.fixture(scope="module")
def discretized(demos):
    return mm.train_multimodal("discretized", demos, seed=0, fast=True)[0]


@pytest.fixture(scope="module")
def cvae(demos):
    return mm.train_multimodal("cvae", demos, seed=0)[0]  # the full budget: the CVAE needs it


# -- discretized ---------------------------------------------------------------------------------

def test_discretized_bins_loss_and_shapes():
    p = mm.DiscretizedPolicy.for_env(ENV, n_bins=5)
    np.testing.assert_allclose(p.centres.numpy(), [[-1, -0.5, 0, 0.5, 1]] * 2)
    a = torch.tensor([[0.9, -0.3], [-1.0, 0.26]])
    assert p.bin_of(a).tolist() == [[4, 1], [0, 3]]
    obs = torch.zeros(2, 2)
    logits = p(obs)
    assert logits.shape == (2, 2, 5)
    expected = -(torch.log_softmax(logits, 2).gather(2, p.bin_of(a)[:, :, None])[:, :, 0]).sum(1)
    torch.testing.assert_close(p.loss(obs, a), expected)
    out = p(np.zeros((3, 2), np.float32))
    assert out.shape == (3, 2) and out.dtype == np.float32
    assert np.all(np.isin(np.round(out, 6), [-1, -0.5, 0, 0.5, 1]))  # always a bin centre
    with pytest.raises(ValueError, match="n_bins"):
        mm.DiscretizedPolicy(2, 2, n_bins=1)


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


# -- CVAE ------------------------------------------------------------------------------------------

def test_cvae_loss_is_the_negative_elbo(demos):
    p = mm.CVAEPolicy.for_env(ENV, latent_dim=2, beta=0.5, decoder_std=0.2, seed=0)
    obs, a = torch.as_tensor(demos.obs[:16]), torch.as_tensor(demos.actions[:16])
    p.eval()  # deterministic: z = the posterior mean
    mean, log_var = p.encode(obs, a)
    recon = ((a - p.decode(obs, mean)) ** 2).sum(1) / (2 * 0.2**2)
    kl = 0.5 * (mean**2 + log_var.exp() - 1 - log_var).sum(1)
    torch.testing.assert_close(p.loss(obs, a), recon + 0.5 * kl)
    p.train()
    torch.manual_seed(0)
    first = p.loss(obs, a)
    assert not torch.equal(first, p.loss(obs, a))  # training samples z (reparameterization)
    assert p(obs).shape == (16, 2)
    torch.testing.assert_close(p(obs), p.decode(obs, torch.zeros(16, 2)))
    with pytest.raises(ValueError, match="latent_dim"):
        mm.CVAEPolicy(2, 2, latent_dim=0)
    with pytest.raises(ValueError, match="beta"):
        mm.CVAEPolicy(2, 2, decoder_std=0.0)


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


# -- shared ------------------------------------------------------------------------------------------

def test_make_policy_and_budgets():
    for kind, cls in mm.POLICIES.items():
        p = mm.make_policy(kind, seed=1)
        assert isinstance(p, cls) and isinstance(p, il.Policy) and p.obs_dim == 2 and p.act_dim == 2
    with pytest.raises(ValueError, match="unknown policy kind"):
        mm.make_policy("gan")
    assert mm.TRAIN["epochs"] > mm.TRAIN_FAST["epochs"]
    # seeded construction: the same seed, the same initial weights
    a, b = mm.make_policy("cvae", seed=4), mm.make_policy("cvae", seed=4)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_policies_work_with_plain_rollout_and_reset_lazily(discretized):
    r1 = il.rollout(discretized, ENV, 5, seed=0)
    assert r1.actions.shape == (5, 30, 2)
    discretized.reset(seed=9)
    a = il.rollout(discretized, ENV, 5, seed=0).actions
    discretized.reset(seed=9)
    np.testing.assert_array_equal(il.rollout(discretized, ENV, 5, seed=0).actions, a)


# -- bench CLI ---------------------------------------------------------------------------------------

def test_bench_methods_are_registered():
    assert {"mdn", "discretized", "cvae"} <= set(bench.METHODS)


def test_bench_reports_the_fork_statistics_consistently():
    args = bench.parse_args(["discretized", "--env", ENV, "--demos", "30", "--seed", "1", "--episodes", "20", "--fast"])
    out = bench.run(args)
    assert out["method"] == "discretized" and out["episodes"] == 20
    for key in ("collision_rate", "left_share", "zigzag_rate", "train_s", "epochs", "pairs"):
        assert key in out
    # the method's own statistics and the bench's evaluation saw the same episodes and modes
    assert out["success_rate"] == pytest.approx(1.0 - out["collision_rate"])


def test_bench_cli_runs_mdn_as_a_subprocess():
    proc = subprocess.run([sys.executable, "-m", "il_helpers.bench", "mdn", "--env", ENV, "--demos", "20",
                           "--episodes", "10", "--fast"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["method"] == "mdn" and 0 <= out["collision_rate"] <= 1 and "left_share" in out


def test_bench_mdn_on_another_continuous_env():
    args = bench.parse_args(["mdn", "--env", "Pendulum-v1", "--demos", "2", "--episodes", "2", "--fast"])
    out = bench.run(args)
    assert "collision_rate" not in out and np.isfinite(out["return_mean"])
