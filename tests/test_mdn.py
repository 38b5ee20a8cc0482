"""The MDN policy: its likelihood (stable, floored, correct), its mode choice (most likely, sampled,
held per episode), training through train_bc and train_mdn (the trainer contract), and the array
loop fit on Bishop's toy problem."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms import mdn as M
from il_helpers.algorithms.mode_holding import seeded
from il_helpers.core.nets import mlp
from il_helpers.envs import obstacle_fork as of
from il_helpers.exercises.multimodal import mixture_nll
from il_helpers.lessons.multimodal import TRAIN_FAST, bishop_data

ENV = il.OBSTACLE_FORK


def random_mixture(n=6, k=3, d=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, k, generator=g), torch.randn(n, k, d, generator=g),
            0.1 + torch.rand(n, k, d, generator=g), torch.randn(n, d, generator=g))


# -- the likelihood ----------------------------------------------------------------------------

def test_nll_matches_torch_distributions_and_the_exercise_reference():
    logits, means, scales, a = random_mixture()
    mix = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=logits),
        torch.distributions.Independent(torch.distributions.Normal(means, scales), 1))
    torch.testing.assert_close(M.mdn_nll(logits, means, scales, a), -mix.log_prob(a))
    ref = mixture_nll(*(x.double().numpy() for x in (logits, means, scales, a)))
    np.testing.assert_allclose(M.mdn_nll(logits, means, scales, a).numpy(), ref, rtol=1e-5)


def test_one_component_is_the_gaussian_nll():
    a = torch.tensor([[0.3]])
    nll = M.mdn_nll(torch.zeros(1, 1), torch.zeros(1, 1, 1), torch.full((1, 1, 1), 0.5), a)
    expected = 0.5 * (0.3 / 0.5) ** 2 + np.log(0.5) + 0.5 * np.log(2 * np.pi)
    assert nll.item() == pytest.approx(expected, rel=1e-6)


def test_scales_are_floored():
    logits, means, _, a = random_mixture()
    tiny = torch.full_like(means, 1e-30)
    torch.testing.assert_close(M.mdn_nll(logits, means, tiny, a, min_scale=0.05),
                               M.mdn_nll(logits, means, torch.full_like(means, 0.05), a, min_scale=0.05))
    policy = M.MDNPolicy(2, 2, n_components=4, min_scale=0.03)
    _, _, scales = policy(torch.randn(50, 2) * 100)
    assert torch.all(scales >= 0.03)


@pytest.mark.parametrize("target", [1e3, 1e6, -1e6])
def test_extreme_inputs_give_finite_loss_and_gradients(target):
    """Tiny scales, far-away targets and huge logits: log-sum-exp keeps everything finite,
    where exponentiating first gives exp(-1e15) = 0 and log(0) = -inf."""
    policy = M.MDNPolicy(2, 2, n_components=3, seed=0)
    policy.needs_init = False  # keep these weights (the first training batch would re-place the means)
    with torch.no_grad():  # push every scale to the floor and the logits far apart
        last = policy.net[-1]
        last.bias[3 + 6:] = -1e4
        last.bias[:3] = torch.tensor([1e3, -1e3, 0.0])
    obs = torch.tensor([[0.0, 0.0], [1e4, -1e4]])
    actions = torch.full((2, 2), target)
    loss = policy.loss(obs, actions)
    assert torch.all(torch.isfinite(loss)) and torch.all(loss > 1e5)
    loss.sum().backward()
    grads = [p.grad for p in policy.parameters() if p.grad is not None]
    assert grads and all(torch.all(torch.isfinite(g)) for g in grads)
    # the naive computation (exp, sum, log) overflows to inf on the same numbers
    logits, means, scales = (t.detach() for t in policy(obs))
    w = torch.softmax(logits, 1)
    dens = torch.exp(-0.5 * ((actions[:, None] - means) / scales) ** 2) / (scales * np.sqrt(2 * np.pi))
    naive = -torch.log((w * dens.prod(2)).sum(1))
    assert torch.isinf(naive).all()


# -- the network and its mode choice -----------------------------------------------------------

def test_shapes_bounds_and_single_observations():
    policy = M.MDNPolicy.for_env(ENV, n_components=4)
    obs = np.random.default_rng(0).normal(size=(7, 2)).astype(np.float32) * 10
    logits, means, scales = policy(torch.as_tensor(obs))
    assert logits.shape == (7, 4) and means.shape == scales.shape == (7, 4, 2)
    a = policy(obs)
    assert a.shape == (7, 2) and a.dtype == np.float32 and np.all(np.abs(a) <= 1)
    assert policy(obs[0]).shape == (2,)
    w, mu, sd = policy.mixture(obs)
    np.testing.assert_allclose(w.sum(1), 1, rtol=1e-5)
    assert policy.sample(obs, 9).shape == (7, 9, 2)
    assert policy.log_prob(obs, a).shape == (7,)
    with pytest.raises(ValueError, match="n_components"):
        M.MDNPolicy(2, 2, n_components=0)
    with pytest.raises(ValueError, match="select"):
        M.MDNPolicy(2, 2, select="mean")
    with pytest.raises(ValueError, match="continuous"):
        M.MDNPolicy.for_env("CartPole-v1")


def two_mode_policy():
    """A hand-set MDN whose components mean +0.8 and -0.8 (lateral), with weights 0.25 / 0.75."""
    policy = M.MDNPolicy(2, 2, n_components=2, seed=0)
    with torch.no_grad():
        last = policy.net[-1]
        last.weight.zero_()
        last.bias[:2] = torch.log(torch.tensor([0.25, 0.75]))
        last.bias[2:6] = torch.tensor([1.0, 0.8, 1.0, -0.8])
        last.bias[6:] = -10.0  # scales at the floor (0.02)
    policy.needs_init = False
    return policy


def test_pick_component_follows_the_weights():
    w = torch.tensor([[0.2, 0.5, 0.3]]).repeat(20_000, 1)
    k = M.pick_component(w, torch.as_tensor(np.random.default_rng(0).random(20_000), dtype=torch.float32))
    freq = np.bincount(k.numpy(), minlength=3) / 20_000
    np.testing.assert_allclose(freq, [0.2, 0.5, 0.3], atol=0.015)
    assert M.pick_component(torch.tensor([[0.5, 0.5]]), torch.tensor([0.999999])).item() == 1


def test_most_likely_sample_and_hold():
    policy = two_mode_policy()
    obs = np.zeros((4000, 2), np.float32)
    policy.select = "most_likely"
    np.testing.assert_allclose(policy(obs)[:, 1], -0.8)  # the heavier component, every time
    policy.select, policy.hold = "sample", False
    first, second = policy(obs)[:, 1], policy(obs)[:, 1]
    np.testing.assert_allclose(np.unique(first), [-0.8, 0.8], rtol=1e-6)
    assert abs((first > 0).mean() - 0.25) < 0.03  # sampled with the weights
    assert (first != second).mean() > 0.2  # a fresh draw at every call: copies switch sides
    policy.hold = True
    policy.reset(4000, seed=1)
    a, b = policy(obs)[:, 1], policy(obs)[:, 1]
    np.testing.assert_array_equal(a, b)  # held: the same mode for each copy, call after call
    assert abs((a > 0).mean() - 0.25) < 0.03
    policy.reset(seed=1)  # same seed, drawn lazily at the next call: the same modes
    np.testing.assert_array_equal(policy(obs)[:, 1], a)
    policy.reset(seed=2)
    assert not np.array_equal(policy(obs)[:, 1], a)
    c = policy(obs[:10])  # a new batch size means new episodes: fresh draws for 10 copies
    assert c.shape == (10, 2) and len(policy.held) == 10
    assert "once per episode" in policy.describe()


def test_sample_draws_from_the_full_mixture():
    policy = two_mode_policy()
    s = policy.sample(np.zeros((1, 2), np.float32), 20_000, rng=np.random.default_rng(0))[0]
    assert abs((s[:, 1] > 0).mean() - 0.25) < 0.02
    assert abs(np.median(s[s[:, 1] > 0, 1]) - 0.8) < 0.02  # around each component's mean


def test_init_components_spreads_the_means_over_the_data():
    policy = M.MDNPolicy(2, 2, n_components=3, seed=0)
    actions = torch.tensor([[1.0, 0.0]] * 50 + [[1.0, 1.0]] * 5 + [[1.0, -1.0]] * 5)
    policy.train()
    policy.loss(torch.zeros(60, 2), actions)
    assert not policy.needs_init
    _, means, scales = policy(torch.zeros(1, 2))
    got = sorted(means[0, :, 1].tolist())
    np.testing.assert_allclose(got, [-1.0, 0.0, 1.0], atol=0.2)
    np.testing.assert_allclose(scales.detach().numpy(), M.INIT_SCALE, atol=0.05)


# -- training through train_bc -----------------------------------------------------------------

@pytest.fixture(scope="module")
def fork_demos():
    return il.collect_demonstrations(ENV, 40, seed=5)


def test_train_bc_trains_an_mdn_deterministically(fork_demos):
    state = torch.get_rng_state()
    a, ha = il.train_bc(fork_demos, policy=M.MDNPolicy.for_env(ENV, seed=0), epochs=4, batch_size=64, seed=1)
    assert torch.equal(torch.get_rng_state(), state)
    b, hb = il.train_bc(fork_demos, policy=M.MDNPolicy.for_env(ENV, seed=0), epochs=4, batch_size=64, seed=1)
    assert isinstance(a, M.MDNPolicy) and not a.training
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert ha.train_loss == hb.train_loss and ha.train_loss[-1] < ha.train_loss[0]
    assert len(ha.val_loss) == ha.epochs_run and np.all(np.isfinite(ha.val_loss))
    held_out = np.random.default_rng(1).permutation(40)[:8]
    np.testing.assert_allclose(a.obs_mean.numpy(), fork_demos.obs[~np.isin(fork_demos.episode_ids, held_out)].mean(0),
                               rtol=1e-4, atol=1e-5)


def test_train_bc_refuses_a_loss_for_a_given_policy(fork_demos):
    with pytest.raises(ValueError, match="'auto' when a policy is given"):
        il.train_bc(fork_demos, loss="mse", policy=M.MDNPolicy.for_env(ENV))
    with pytest.raises(ValueError, match="loss\\(obs, actions\\)"):
        il.train_bc(fork_demos, policy=mlp([2, 4, 2]))


def test_an_mdn_learns_both_sides_at_the_fork(fork_demos):
    policy, hist = il.train_bc(fork_demos, policy=M.MDNPolicy.for_env(ENV, n_components=3, seed=0),
                               epochs=60, batch_size=64, lr=3e-3, seed=0)
    w, mu, _ = policy.mixture(of.FORK_STATE[None])
    big = w[0] > 0.15
    lateral = mu[0, big, 1]
    assert big.sum() >= 2 and lateral.max() > 0.8 and lateral.min() < -0.8  # two peaks, left and right
    assert 0.25 < w[0][mu[0, :, 1] > 0.5].sum() < 0.75


# -- train_mdn: the trainer contract ------------------------------------------------------------

def test_train_mdn_is_train_bc_of_a_seeded_mdn(fork_demos):
    state = torch.get_rng_state()
    policy, hist = M.train_mdn(fork_demos, seed=1, epochs=3, n_components=3)
    assert torch.equal(torch.get_rng_state(), state)  # the global RNG is left alone
    assert isinstance(policy, M.MDNPolicy) and isinstance(policy, il.Policy) and policy.n_components == 3
    assert hist.epochs_run == 3 and hist.config == M.MDNConfig(epochs=3, n_components=3)
    ref, ref_hist = il.train_bc(fork_demos, policy=M.MDNPolicy.for_env(ENV, n_components=3, seed=1), seed=1, epochs=3,
                                batch_size=64, lr=3e-3, patience=20)
    assert ref_hist.train_loss == hist.train_loss and ref_hist.val_loss == hist.val_loss
    assert all(torch.equal(x, y) for x, y in zip(ref.state_dict().values(), policy.state_dict().values()))
    # a config and keyword settings are the same call; a keyword overrides the config
    again, hist2 = M.train_mdn(fork_demos, seed=1, config=M.MDNConfig(epochs=5, n_components=3), epochs=3)
    assert hist2.train_loss == hist.train_loss
    assert all(torch.equal(x, y) for x, y in zip(again.state_dict().values(), policy.state_dict().values()))
    assert il.evaluate(policy, ENV, 5, seed=0).success_rate is not None  # evaluate accepts it as it is


def test_train_mdn_refuses_unknown_settings_and_configs(fork_demos):
    with pytest.raises(TypeError, match="train_mdn: unknown setting.*n_bins.*n_components"):
        M.train_mdn(fork_demos, n_bins=3)
    with pytest.raises(TypeError, match="MDNConfig"):
        M.train_mdn(fork_demos, config={"epochs": 3})


def test_the_config_defaults_are_the_lessons_full_budget():
    cfg = M.MDNConfig()
    assert (cfg.n_components, cfg.select, cfg.hold, cfg.min_scale) == (5, "sample", True, M.SCALE_FLOOR)
    assert {k: getattr(cfg, k) for k in TRAIN_FAST} == {**TRAIN_FAST, "epochs": 150, "patience": 150}


# -- fit, on Bishop's toy problem -----------------------------------------------------------------

def test_bishop_mdn_finds_branches_the_mse_net_averages():
    x, t = bishop_data(600, seed=0)
    with seeded(0):
        mse = mlp([1, 32, 32, 1])
    M.fit(mse, x, t, loss=lambda m, a, b: ((m(a) - b) ** 2).sum(1), epochs=120, batch_size=100)
    mdn = M.MDNPolicy(1, 1, n_components=3, hidden=(32, 32), seed=0)
    hist = M.fit(mdn, x, t, epochs=120, batch_size=100)
    assert np.all(np.isfinite(hist)) and hist[-1] < hist[0]
    x0 = np.array([[0.5]], np.float32)  # three answers: t near 0.13, 0.5 and 0.87
    w, mu, _ = mdn.mixture(x0)
    assert mu[0, w[0] > 0.1, 0].max() > 0.75 and mu[0, w[0] > 0.1, 0].min() < 0.25  # the outer branches
    mse_t = mse(torch.as_tensor(x0)).item()
    assert 0.3 < mse_t < 0.7  # least squares: the average, between the branches
    # the MDN's most likely branch has a much smaller error on the data than the MSE fit
    near = np.abs(x[:, 0] - 0.5) < 0.05
    mdn.select = "most_likely"
    err_mdn = np.abs(mdn(x[near]) - t[near])
    err_mse = np.abs(mse(torch.as_tensor(x[near])).detach().numpy() - t[near])
    assert np.median(err_mse) > np.median(np.min(np.abs(mu[0, :, 0][None] - t[near]), axis=1)) + 0.1
    assert err_mdn.shape == err_mse.shape


def test_the_exercise_check_rejects_exp_then_log(capsys):
    """The notebook's exercise: the reference passes, and the naive "exp, sum, log" formula is
    refused (it returns inf on the far-away test case)."""
    from il_helpers.exercises import check

    def naive(logits, means, scales, targets):
        w = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        dens = np.exp(-0.5 * ((targets[:, None, :] - means) / scales) ** 2) / (scales * np.sqrt(2 * np.pi))
        return -np.log((w * dens.prod(2)).sum(1))

    with np.errstate(all="ignore"):
        assert check("mixture_nll", naive) is mixture_nll and check.last_status == "wrong"
    assert "inf" in capsys.readouterr().out
    assert check("mixture_nll", mixture_nll) is mixture_nll and check.last_status == "correct"
