"""Preference comparisons (il_helpers.algorithms.preferences): the query schedule, the clips, the
oracle's answers, the masked Bradley-Terry loss, bad input, determinism and a small learning test."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.ppo import ActorCritic, PPOConfig, collect
from il_helpers.algorithms.preferences import (
    PreferencesConfig,
    oracle_labels,
    query_schedule,
    sample_clips,
    train_preferences,
)
from il_helpers.algorithms.trex import RewardNet, trex_loss
from il_helpers.envs.registry import env_spaces

TINY = dict(comparisons=12, iterations=2, reward_steps=3, ppo=PPOConfig(n_envs=2, epochs=1))


@pytest.mark.parametrize("total, iterations, first, decay", [(500, 40, 0.25, 5.0), (7, 3, 0.0, 1.0), (100, 1, 0.5, 2)])
def test_query_schedule_spends_the_budget_and_decays(total, iterations, first, decay):
    counts = query_schedule(total, iterations, first, decay)
    assert counts.shape == (iterations,) and counts.sum() == total and counts.min() >= 0
    assert counts[0] >= round(first * total)
    assert np.all(np.diff(counts[1:]) <= 1)                     # non-increasing, up to the rounding


def test_the_oracle_names_the_better_clip_and_splits_ties():
    ret = np.array([[3.0, 5.0], [5.0, 3.0], [4.0, 4.0]])
    target, flipped = oracle_labels(ret, np.random.default_rng(0))
    np.testing.assert_array_equal(target, [[0, 1], [1, 0], [0.5, 0.5]])
    assert not flipped.any()
    target, flipped = oracle_labels(ret, np.random.default_rng(0), label_noise=1.0)
    np.testing.assert_array_equal(target, [[1, 0], [0, 1], [0.5, 0.5]])   # every answer flipped; a tie stays one
    np.testing.assert_array_equal(flipped, [True, True, False])


def test_a_boltzmann_oracle_errs_more_on_close_pairs():
    gen = np.random.default_rng(0)
    n = 4000
    close = oracle_labels(np.tile([[0.0, 0.5]], (n, 1)), gen, rationality=1.0)[0][:, 1].mean()
    far = oracle_labels(np.tile([[0.0, 5.0]], (n, 1)), gen, rationality=1.0)[0][:, 1].mean()
    assert abs(close - 1 / (1 + np.exp(-0.5))) < 0.03 and abs(far - 1 / (1 + np.exp(-5.0))) < 0.02


def test_clips_on_cartpole_count_the_steps_alive():
    obs_space, act_space = env_spaces("CartPole-v1")
    ac = ActorCritic(obs_space, act_space)
    batch = collect(ac, "CartPole-v1", 6, seed=0)                # a random-ish policy: episodes end early
    obs, mask, ret = sample_clips(batch, 50, 25, np.random.default_rng(0))
    assert obs.shape == (50, 2, 25, 4) and mask.shape == (50, 2, 25) and ret.shape == (50, 2)
    assert torch.all(mask[..., 0] == 1)                          # a clip starts while its episode runs
    np.testing.assert_array_equal(ret, mask.sum(-1).numpy())     # CartPole pays 1 per step alive
    assert torch.all(mask[..., 1:] <= mask[..., :-1])            # once over, over
    assert (ret < 25).any()                                       # some clips run past the episode's end


def test_the_masked_loss_leaves_out_the_steps_after_the_end():
    net = RewardNet(1, hidden=(4,))
    net.net = torch.nn.Identity()                                 # r(s) = s
    clips = torch.tensor([[[[1.0], [2.0]], [[0.5], [9.0]]]])      # R = 3, and 0.5 once the 9 is masked
    mask = torch.tensor([[[1.0, 1.0], [1.0, 0.0]]])
    soft = torch.tensor([[0.5, 0.5]])
    z = np.exp(3.0) + np.exp(0.5)
    expected = -0.5 * (np.log(np.exp(3.0) / z) + np.log(np.exp(0.5) / z))
    assert trex_loss(net, clips, soft, mask).item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("settings, message", [
    ({"comparisons": 0}, "comparisons"), ({"label_noise": 1.5}, "label_noise"), ({"rationality": -1.0}, "rationality"),
    ({"initial_fraction": 2.0}, "initial_fraction"), ({"clip": 0}, "clip"), ({"ppo": "fast"}, "ppo"),
    ({"decay": 0.0}, "decay"),
])
def test_bad_settings_name_the_problem(settings, message):
    with pytest.raises(ValueError, match=message):
        train_preferences(env_id="CartPole-v1", **settings)


def test_bad_input_errors():
    with pytest.raises(ValueError, match="env_id"):
        train_preferences()
    with pytest.raises(TypeError, match="Demonstrations"):
        train_preferences([1, 2, 3])
    demos = il.collect_demonstrations("CartPole-v1", 1, seed=0)
    with pytest.raises(ValueError, match="env_id"):
        train_preferences(demos, env_id="Pendulum-v1")
    with pytest.raises(TypeError, match="unknown setting"):
        train_preferences(env_id="CartPole-v1", pairs=10)
    assert isinstance(PreferencesConfig().ppo, PPOConfig)


def test_determinism_and_the_history():
    a, ha = train_preferences(env_id="CartPole-v1", seed=2, **TINY)
    b, hb = train_preferences(env_id="CartPole-v1", seed=2, **TINY)
    obs = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
    np.testing.assert_array_equal(a(obs), b(obs))
    assert ha.reward_loss == hb.reward_loss and ha.labels_used == hb.labels_used
    assert ha.labels_used[-1] == 12 and len(ha.labels_used) == 2 and ha.labels_used[0] >= 3
    assert isinstance(ha.reward, RewardNet) and len(ha.reward_loss) == 3 * sum(np.diff([0, *ha.labels_used]) > 0)


def test_label_noise_is_counted():
    _, hist = train_preferences(env_id="CartPole-v1", seed=0, **{**TINY, "label_noise": 0.5})
    assert 0 < hist.labels_flipped <= 12 - hist.ties


def test_preferences_learn_cartpole_and_random_answers_do_not():
    """100 comparisons and 20 iterations: the oracle's answers drive CartPole to >= 0.45 normalized
    (measured 0.59, 1.00, 1.00, 1.00, 0.73 on seeds 0-4, 50 test episodes; here seeds 0 and 1), while
    answers at random (label noise 0.5) teach it to fall (seed 0, 40 iterations: -0.03)."""
    budget = dict(comparisons=100, iterations=20)
    scores = []
    for seed in (0, 1):
        policy, hist = train_preferences(env_id="CartPole-v1", seed=seed, **budget)
        scores.append(il.evaluate(policy, "CartPole-v1", 30, seed=1000 + seed).normalized)
        assert hist.labels_used[-1] == 100
    policy, _ = train_preferences(env_id="CartPole-v1", seed=0, label_noise=0.5, **budget)
    noise = il.evaluate(policy, "CartPole-v1", 30, seed=1000).normalized
    assert min(scores) >= 0.45 and noise < 0.2, (scores, noise)
