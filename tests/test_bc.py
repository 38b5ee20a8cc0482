"""Behavioral cloning: it learns (CartPole, LaneKeeping with both continuous losses), it is
deterministic, early stopping keeps the best weights, and bad arguments are refused clearly."""

import copy

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.bc import LOG_STD_MAX, LOG_STD_MIN, BCConfig, BCHistory, MLPPolicy, bc_loss, train_bc
from il_helpers.core.data import load_expert_demos

LANE = il.LANE_KEEPING


@pytest.fixture(scope="module")
def cartpole():
    return load_expert_demos("CartPole-v1", 5)


@pytest.fixture(scope="module")
def lane():
    return load_expert_demos(LANE, 20)


@pytest.fixture(scope="module")
def lane_small():
    return load_expert_demos(LANE, 4)


def same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# -- it learns ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cartpole_bc_balances(cartpole, seed):
    policy, hist = train_bc(cartpole, epochs=20, seed=seed)
    assert isinstance(policy, MLPPolicy) and isinstance(hist, BCHistory)
    assert policy.loss == "ce"  # "auto" on discrete actions
    res = il.evaluate(policy, "CartPole-v1", n_episodes=20, seed=100 + seed)
    assert res.return_mean >= 475, res


@pytest.fixture(scope="module", params=["mse", "gaussian_nll"])
def lane_trained(request, lane):
    return train_bc(lane, loss=request.param, epochs=20, seed=0)


def test_lane_keeping_learns(lane_trained):
    policy, hist = lane_trained
    assert len(hist.val_loss) == hist.epochs_run == len(hist.train_loss)
    assert min(hist.val_loss) < hist.val_loss[0]  # validation loss went down
    assert hist.val_loss[hist.best_epoch] == min(hist.val_loss)
    res = il.evaluate(policy, LANE, n_episodes=20, seed=7)
    rand = il.evaluate(il.RandomPolicy(il.env_spaces(LANE)[1], seed=0), LANE, n_episodes=20, seed=7)
    assert res.normalized > 0.8 and rand.normalized < 0.2, (res, rand)
    assert hist.wall_s > 0


def test_lane_keeping_actions_stay_in_bounds(lane_trained):
    policy, _ = lane_trained
    obs = np.random.default_rng(0).normal(size=(500, 5)).astype(np.float32) * 50  # far off the data
    a = policy(obs)
    assert a.shape == (500, 1) and a.dtype == np.float32
    assert np.all(a >= -1) and np.all(a <= 1)
    assert (np.abs(a) == 1).any()  # the raw outputs do leave the bounds: clipping is doing work
    single = policy(obs[0])
    assert single.shape == (1,)


def test_gaussian_policy_exposes_distribution_params(lane, lane_small):
    policy, _ = train_bc(lane_small, loss="gaussian_nll", epochs=5, seed=0)
    obs = torch.as_tensor(lane.obs[:64])
    mean, log_std = policy.distribution_params(obs)
    assert mean.shape == log_std.shape == (64, 1)
    assert torch.all(log_std >= LOG_STD_MIN) and torch.all(log_std <= LOG_STD_MAX)
    raw = policy(obs)
    assert raw.shape == (64, 2)  # mean and log-std
    torch.testing.assert_close(mean, raw[:, :1])
    # push the raw log-std (the last layer's second output) out of range: it is clamped
    with torch.no_grad():
        for shift, bound in ((100.0, LOG_STD_MAX), (-100.0, LOG_STD_MIN)):
            shifted = copy.deepcopy(policy)
            shifted.net[-1].bias[1] += shift
            raw_log_std = shifted(obs)[:, 1]
            _, clamped = shifted.distribution_params(obs)
            assert torch.all((raw_log_std > LOG_STD_MAX) | (raw_log_std < LOG_STD_MIN))
            assert torch.all(clamped == bound)


def test_gaussian_policy_samples_when_asked(lane_small):
    policy, _ = train_bc(lane_small, loss="gaussian_nll", epochs=3, seed=0)
    obs = lane_small.obs[:200]
    mean_actions = policy(obs)
    np.testing.assert_array_equal(mean_actions, policy(obs))  # the mean: deterministic
    policy.sample = True
    try:
        sampled = policy(obs)
    finally:
        policy.sample = False
    assert sampled.shape == (200, 1) and np.all(np.abs(sampled) <= 1)
    assert not np.array_equal(sampled, mean_actions)


def test_bc_loss_per_sample(lane_small, cartpole):
    obs = torch.as_tensor(lane_small.obs[:32])
    acts = torch.as_tensor(lane_small.actions[:32])
    for loss in ("mse", "gaussian_nll"):
        policy, _ = train_bc(lane_small, loss=loss, epochs=1, seed=0)
        per = bc_loss(policy, obs, acts)
        assert per.shape == (32,)
        if loss == "mse":
            torch.testing.assert_close(per, ((policy(obs) - acts) ** 2).sum(1))
        else:
            mean, log_std = policy.distribution_params(obs)
            expected = (acts - mean) ** 2 / (2 * torch.exp(2 * log_std)) + log_std
            torch.testing.assert_close(per, expected.sum(1))
    policy, _ = train_bc(cartpole, epochs=1, seed=0)
    o, a = torch.as_tensor(cartpole.obs[:16]), torch.as_tensor(cartpole.actions[:16])
    torch.testing.assert_close(bc_loss(policy, o, a),
                               torch.nn.functional.cross_entropy(policy(o), a, reduction="none"))


# -- the returned policy -----------------------------------------------------------------------

def test_policy_works_with_evaluate_and_as_a_module(cartpole):
    policy, _ = train_bc(cartpole, epochs=3, seed=0)
    assert isinstance(policy, torch.nn.Module) and isinstance(policy, il.Policy)
    assert il.as_policy(policy) is policy
    logits = policy(torch.as_tensor(cartpole.obs[:10]))
    assert isinstance(logits, torch.Tensor) and logits.shape == (10, 2)
    actions = policy(cartpole.obs[:10])
    assert isinstance(actions, np.ndarray) and actions.dtype == np.int64 and actions.shape == (10,)
    np.testing.assert_array_equal(actions, logits.argmax(1).numpy())
    res = il.evaluate(policy, "CartPole-v1", n_episodes=3, seed=0)
    assert res.returns.shape == (3,)
    assert not policy.training  # returned in eval mode
    policy.train()
    policy(cartpole.obs[:4])
    assert policy.training  # acting does not change the mode


def test_normalization_uses_the_training_data(cartpole):
    policy, _ = train_bc(cartpole, epochs=1, val_frac=0, seed=0)
    np.testing.assert_allclose(policy.obs_mean.numpy(), cartpole.obs.mean(0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(policy.obs_std.numpy(), cartpole.obs.std(0, ddof=1), rtol=1e-3)
    raw, _ = train_bc(cartpole, epochs=1, val_frac=0, normalize=False, seed=0)
    assert torch.all(raw.obs_mean == 0) and torch.all(raw.obs_std == 1)


# -- determinism -------------------------------------------------------------------------------

def test_same_seed_same_weights_and_history(lane_small):
    state = torch.get_rng_state()
    a, ha = train_bc(lane_small, epochs=4, seed=3, dropout=0.1, state_noise=0.1)
    assert torch.equal(torch.get_rng_state(), state)  # the global torch RNG is untouched
    b, hb = train_bc(lane_small, epochs=4, seed=3, dropout=0.1, state_noise=0.1)
    c, hc = train_bc(lane_small, epochs=4, seed=4, dropout=0.1, state_noise=0.1)
    assert same_weights(a, b)
    fields = ("train_loss", "val_loss", "best_epoch", "epochs_run")
    assert [getattr(ha, f) for f in fields] == [getattr(hb, f) for f in fields]
    assert not same_weights(a, c) and ha.train_loss != hc.train_loss


def test_threads_setting_is_restored(lane_small):
    before = torch.get_num_threads()
    train_bc(lane_small, epochs=1, threads=1)
    assert torch.get_num_threads() == before


# -- early stopping and validation -------------------------------------------------------------

def test_early_stopping_keeps_the_best_weights(cartpole):
    epochs, patience = 200, 3
    policy, hist = train_bc(cartpole, epochs=epochs, patience=patience, lr=1e-2, val_frac=0.2, seed=0)
    assert hist.epochs_run < epochs
    assert hist.epochs_run == hist.best_epoch + 1 + patience
    assert len(hist.val_loss) == hist.epochs_run
    assert hist.val_loss[hist.best_epoch] == min(hist.val_loss)
    assert hist.val_loss[-1] > min(hist.val_loss)  # the last epoch was worse: the best was restored
    # recompute the validation loss of the returned weights on the same held-out episodes
    _, val = cartpole.split(0.2, seed=0)
    with torch.no_grad():
        loss = bc_loss(policy, torch.as_tensor(val.obs), torch.as_tensor(val.actions)).mean().item()
    assert loss == pytest.approx(min(hist.val_loss), rel=1e-5)


def test_val_frac_zero_trains_every_epoch(cartpole):
    _, hist = train_bc(cartpole, epochs=7, val_frac=0, patience=1, seed=0)
    assert hist.epochs_run == 7 and hist.val_loss == [] and hist.best_epoch == 6
    assert len(hist.train_loss) == 7
    assert hist.train_loss[-1] < hist.train_loss[0]


def test_one_episode_trains_without_validation(cartpole):
    _, hist = train_bc(cartpole.first(1), epochs=3, val_frac=0.5, seed=0)
    assert hist.epochs_run == 3 and hist.val_loss == []


# -- options that change the result -------------------------------------------------------------

def test_state_noise_and_weights_change_the_result(lane_small):
    base, hb = train_bc(lane_small, epochs=3, seed=0)
    noisy, hn = train_bc(lane_small, epochs=3, seed=0, state_noise=0.5)
    assert not same_weights(base, noisy) and hb.train_loss != hn.train_loss
    ones, ho = train_bc(lane_small, epochs=3, seed=0, weights=np.ones(len(lane_small)))
    assert same_weights(base, ones)  # uniform weights are no weights
    w = np.random.default_rng(0).uniform(0, 1, len(lane_small))
    weighted, hw = train_bc(lane_small, epochs=3, seed=0, weights=w)
    assert not same_weights(base, weighted) and hw.train_loss != hb.train_loss


def test_zero_weight_steps_are_ignored(cartpole):
    """Weighting half the episodes by zero trains as if they were not there."""
    n0 = int(cartpole.episode_lengths[:2].sum())
    w = np.zeros(len(cartpole), np.float32)
    w[:n0] = 1.0
    a, _ = train_bc(cartpole, epochs=2, val_frac=0, normalize=False, batch_size=len(cartpole), weights=w, seed=0)
    b, _ = train_bc(cartpole.first(2), epochs=2, val_frac=0, normalize=False, batch_size=len(cartpole), seed=0)
    for (k, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        torch.testing.assert_close(x, y, rtol=1e-4, atol=1e-5, msg=k)


# -- bad arguments -----------------------------------------------------------------------------

@pytest.mark.parametrize("weights, match", [
    (lambda n: np.zeros(n), r"weights must be finite, >= 0 and not all zero"),
    (lambda n: -np.ones(n), r"weights must be finite, >= 0 and not all zero"),
    (lambda n: np.full(n, np.nan), r"weights must be finite, >= 0 and not all zero"),
    (lambda n: np.ones(n + 1), r"weights must be one weight per step, shape \(\d+,\)"),
    (lambda n: np.ones((n, 1)), r"weights must be one weight per step"),
])
def test_bad_weights(cartpole, weights, match):
    with pytest.raises(ValueError, match="train_bc: " + match):
        train_bc(cartpole, epochs=1, weights=weights(len(cartpole)))


@pytest.mark.parametrize("which, kwargs, match", [
    ("lane", {"loss": "ce"},
     r"loss must be 'ce' for discrete actions and 'mse', 'gaussian_nll', 'huber' or 'trimmed' for continuous ones, "
     r"got 'ce'"),
    ("cartpole", {"loss": "mse"}, r"loss must be 'ce' for discrete actions .* got 'mse'"),
    ("cartpole", {"loss": "gaussian_nll"}, r"loss must be 'ce' for discrete actions .* got 'gaussian_nll'"),
    ("cartpole", {"loss": "hinge"},
     r"loss must be one of \('ce', 'mse', 'gaussian_nll', 'huber', 'trimmed'\) or 'auto', got 'hinge'"),
    ("cartpole", {"epochs": 0}, r"epochs must be an integer >= 1, got 0"),
    ("cartpole", {"epochs": 2.0}, r"epochs must be an integer >= 1, got 2.0"),
    ("cartpole", {"batch_size": 0}, r"batch_size must be an integer >= 1, got 0"),
    ("cartpole", {"patience": True}, r"patience must be an integer >= 1, got True"),
    ("cartpole", {"lr": -1}, r"lr must be a finite number > 0, got -1"),
    ("cartpole", {"lr": float("nan")}, r"lr must be a finite number > 0, got nan"),
    ("cartpole", {"weight_decay": -0.1}, r"weight_decay must be a finite number >= 0, got -0.1"),
    ("cartpole", {"dropout": 1.0}, r"dropout must be a finite number in \[0, 1\), got 1.0"),
    ("cartpole", {"dropout": -0.2}, r"dropout must be a finite number in \[0, 1\), got -0.2"),
    ("cartpole", {"val_frac": 1.0}, r"val_frac must be a finite number in \[0, 1\), got 1.0"),
    ("cartpole", {"state_noise": -1.0}, r"state_noise must be a finite number >= 0, got -1.0"),
    ("cartpole", {"hidden": (64, 0)}, r"hidden must be a sequence of positive integers, got \(64, 0\)"),
])
def test_bad_arguments(cartpole, lane_small, which, kwargs, match):
    demos = cartpole if which == "cartpole" else lane_small
    with pytest.raises(ValueError, match="^train_bc: " + match):
        train_bc(demos, **kwargs)


def test_not_demonstrations(cartpole):
    for junk in (cartpole.pairs(), {"obs": cartpole.obs}, None):
        with pytest.raises(TypeError, match="train_bc: demos must be Demonstrations, got " + type(junk).__name__):
            train_bc(junk)


# -- the trainer contract ------------------------------------------------------------------------

def test_config_and_settings_are_the_same_call(lane_small):
    a, ha = train_bc(lane_small, epochs=3, hidden=(16,), seed=2)
    b, hb = train_bc(lane_small, config=BCConfig(epochs=3, hidden=(16,)), seed=2)
    c, _ = train_bc(lane_small, config=BCConfig(epochs=9, hidden=(16,)), epochs=3, seed=2)  # settings win
    assert same_weights(a, b) and same_weights(a, c) and ha.train_loss == hb.train_loss
    assert ha.config == hb.config and ha.config.loss == "mse"  # "auto" resolved
    with pytest.raises(TypeError, match="train_bc: unknown setting.*epoch.*BCConfig has: .*epochs"):
        train_bc(lane_small, epoch=3)
    with pytest.raises(TypeError, match="config must be a BCConfig"):
        train_bc(lane_small, config={"epochs": 3})


def test_progress_once_per_epoch(cartpole):
    seen = []
    _, hist = train_bc(cartpole, epochs=4, seed=0, progress=lambda *a: seen.append(a))
    assert [(d, t) for d, t, _ in seen] == [(k, 4) for k in range(1, hist.epochs_run + 1)]
    assert [info["train_loss"] for _, _, info in seen] == hist.train_loss
    assert [info["val_loss"] for _, _, info in seen] == hist.val_loss


def test_mlp_policy_is_a_torch_policy(lane_small):
    policy, _ = train_bc(lane_small, epochs=1, seed=0)
    assert isinstance(policy, il.TorchPolicy) and isinstance(policy, il.Policy)
    assert np.isfinite(il.evaluate(policy, LANE, n_episodes=2, seed=0).return_mean)


def test_global_rng_untouched(cartpole):
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    train_bc(cartpole, epochs=1, seed=5)
    assert torch.equal(state, torch.random.get_rng_state())
    assert np.array_equal(np_state, np.random.get_state()[1])
