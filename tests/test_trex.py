"""T-REX and D-REX: the ranked pairs, the Bradley-Terry loss against a hand computation, the reward
net, bad input, determinism, and small learning tests (the reward ranks held-out episodes; PPO on it
drives LaneKeeping beyond the best demonstrator)."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.trex import (
    DREXConfig,
    RewardNet,
    TREXConfig,
    TREXHistory,
    fit_reward,
    noise_ranked_rollouts,
    ranked_pairs,
    return_correlation,
    train_drex,
    train_trex,
    trex_loss,
)
from il_helpers.lessons import imperfect_demonstrations as lesson

TINY = dict(pairs=200, steps=20, iterations=1, ppo=il.PPOConfig(n_envs=2, epochs=1))


@pytest.fixture(scope="module")
def pendulum():
    return il.collect_demonstrations("Pendulum-v1", 4, seed=1)  # returns differ from episode to episode


@pytest.fixture(scope="module")
def lane():
    return lesson.suboptimal_demos(0), lesson.held_out_demos(0)


def test_trex_loss_is_the_bradley_terry_cross_entropy():
    net = RewardNet(1, hidden=(4,))
    net.net = torch.nn.Identity()                                           # r(s) = s (obs_mean 0, obs_std 1)
    snippets = torch.tensor([[[[1.0], [2.0]], [[0.5], [0.0]]]])             # R = 3 and 0.5
    for label, better, worse in ((0, 3.0, 0.5), (1, 0.5, 3.0)):
        loss = trex_loss(net, snippets, torch.tensor([label]))
        assert loss.item() == pytest.approx(-np.log(np.exp(better) / (np.exp(3.0) + np.exp(0.5))), rel=1e-6)


def test_ranked_pairs_by_episode_rank_and_by_snippet_return(pendulum):
    gen = np.random.default_rng(0)
    ranks = np.array([0.0, 1.0, 2.0, 3.0])
    idx, labels, flipped, inside = ranked_pairs(pendulum, ranks, 300, 20, 0.0, gen)
    assert idx.shape == (300, 2, 20) and labels.shape == (300,) and not flipped.any()
    assert inside.all()                                                      # Pendulum never terminates
    ep = pendulum.episode_ids[idx[:, :, 0]]
    assert np.all(ep[:, 0] != ep[:, 1])                                     # no pair within one rank
    np.testing.assert_array_equal(labels, (ranks[ep[:, 1]] > ranks[ep[:, 0]]).astype(int))
    assert np.all(pendulum.episode_ids[idx[:, :, -1]] == ep)                 # a snippet stays in its episode
    idx, labels, _, _ = ranked_pairs(pendulum, None, 300, 20, 0.0, np.random.default_rng(0))
    ret = pendulum.rewards[idx].sum(-1)
    np.testing.assert_array_equal(labels, (ret[:, 1] > ret[:, 0]).astype(int))
    _, noisy, flipped, _ = ranked_pairs(pendulum, None, 2000, 20, 0.3, np.random.default_rng(0))
    assert 0.25 < flipped.mean() < 0.35


def test_snippets_of_a_terminated_episode_run_into_the_absorbing_state():
    """CartPole episodes of different lengths: a snippet of one that fell may run past its end (the mask
    is False there and the index repeats its last step); one cut by the time limit stays inside it; the
    snippet's own return (by snippet) counts its steps only."""
    from il_helpers.lessons.behavioral_cloning import Demonstrator, mixed_quality_demos

    mq = mixed_quality_demos("CartPole-v1", 3, seed=0, demonstrators=[Demonstrator("expert"),
                                                                       Demonstrator("noisy", noise=1.0)])
    d = mq.demos
    ends = d.episode_starts + d.episode_lengths - 1
    fell = d.terminated[ends].astype(bool)
    assert fell.any() and (~fell).any()
    idx, labels, _, inside = ranked_pairs(d, d.episode_returns, 2000, 30, 0.0, np.random.default_rng(0))
    ep = d.episode_ids[idx[:, :, 0]]
    assert inside[~fell[ep]].all()                                           # the 500-step ones: inside
    assert (~inside[fell[ep]]).any()                                         # some run past the fall
    past = ~inside
    np.testing.assert_array_equal(idx[past], np.broadcast_to(ends[ep][..., None], idx.shape)[past])
    assert np.all(np.diff(inside.astype(int), axis=-1) <= 0)                 # once out, out for good
    idx, labels, _, inside = ranked_pairs(d, None, 500, 30, 0.0, np.random.default_rng(1))
    own = (d.rewards[idx] * inside).sum(-1)
    np.testing.assert_array_equal(labels, (own[:, 1] > own[:, 0]).astype(int))


def test_ties_everywhere_are_refused():
    expert = il.collect_demonstrations("CartPole-v1", 2, seed=0)            # every snippet earns the same
    with pytest.raises(ValueError, match="tie"):
        ranked_pairs(expert, None, 10, 20, 0.0, np.random.default_rng(0))


@pytest.mark.parametrize("settings, message", [
    ({"snippet": 0}, "snippet"), ({"rank_noise": 1.5}, "rank_noise"), ({"rank_by": "vibes"}, "rank_by"),
    ({"lr": 0.0}, "lr"), ({"ppo": "fast"}, "ppo"),
])
def test_bad_settings_name_the_problem(pendulum, settings, message):
    with pytest.raises(ValueError, match=message):
        train_trex(pendulum, **settings)


def test_bad_input_errors(pendulum):
    with pytest.raises(TypeError, match="Demonstrations"):
        train_trex(pendulum.obs)
    with pytest.raises(ValueError, match="ranks"):
        train_trex(pendulum, ranks=[1, 2], rank_by="episode", **TINY)
    with pytest.raises(ValueError, match="all equal"):
        train_trex(pendulum, ranks=[1, 1, 1, 1], rank_by="episode", **TINY)
    with pytest.raises(ValueError, match="rank_by"):
        train_trex(pendulum, ranks=[1, 2, 3, 4], **TINY)                     # ranks need rank_by="episode"
    with pytest.raises(ValueError, match="at least 2 episodes"):
        train_trex(pendulum.episodes([0]), **TINY)
    with pytest.raises(ValueError, match="noise_levels"):
        DREXConfig(noise_levels=(0.5,))


def test_determinism_and_the_history(pendulum):
    a, ha = train_trex(pendulum, seed=2, **TINY)
    b, hb = train_trex(pendulum, seed=2, **TINY)
    np.testing.assert_array_equal(a(pendulum.obs[:10]), b(pendulum.obs[:10]))
    assert ha.reward_loss == hb.reward_loss and len(ha.reward_loss) == TINY["steps"]
    assert isinstance(ha.reward, RewardNet) and isinstance(ha.config, TREXConfig)
    r = ha.reward.reward(pendulum.obs)
    assert r.shape == (len(pendulum),)
    assert float(r.mean()) == pytest.approx(0.0, abs=1e-4) and float(r.std()) == pytest.approx(1.0, abs=1e-3)


def test_rank_noise_is_counted(pendulum):
    _, h = train_trex(pendulum, seed=0, rank_noise=0.5, **TINY)
    assert 60 < h.labels_flipped < 140                                         # of 200 pairs


def test_drex_ranks_by_noise(pendulum):
    ranked, ranks = noise_ranked_rollouts(il.get_expert("Pendulum-v1"), "Pendulum-v1", (0.0, 1.0), 2, seed=0)
    assert ranked.num_episodes == 4 and list(ranks) == [0.0, 0.0, -1.0, -1.0]
    _, h = train_drex(pendulum, seed=0, noise_levels=(0.0, 0.5), rollouts=2, bc_epochs_clone=2, rank_by="episode",
                      **TINY)
    assert h.ranked.num_episodes == 4 + pendulum.num_episodes and h.ranks.max() == 1.0


def test_the_reward_ranks_held_out_lanekeeping_episodes(lane):
    """A learning test with margin: the reward fitted to the ranked snippets orders fresh episodes
    of the same demonstrators (the notebook's figure is >= 0.9; here >= 0.75 at half the budget)."""
    mq, held = lane
    cfg = TREXConfig(pairs=2000, steps=800)
    corr = [return_correlation(fit_reward(mq.demos, None, cfg, s, TREXHistory()), held.demos) for s in (0, 1)]
    assert min(corr) >= 0.75, corr


def test_trex_ppo_beats_the_best_demonstrator_on_lanekeeping(lane):
    """T-REX + PPO on the suboptimal demonstrators (best of them 0.78) drives above 0.88 (measured 1.00
    on seeds 0-4 at the full budget; here seeds 0 and 1 at a quarter of the reward budget)."""
    mq, _ = lane
    levels = lesson.demonstrator_levels(n_episodes=50)
    assert max(levels.values()) < 0.85
    for seed, demos in ((0, mq.demos), (1, lesson.suboptimal_demos(1).demos)):
        policy, hist = train_trex(demos, seed=seed, pairs=3000, steps=1000)
        score = il.evaluate(policy, il.LANE_KEEPING, 50, seed=1000 + seed).normalized
        assert score >= max(levels.values()) + 0.1, (seed, score, levels)


def test_a_termination_is_worth_the_absorbing_state_forever(monkeypatch):
    """On CartPole an episode can end early: PPO values its end as the absorbing state's standardized
    reward forever, (0 - mean) / std / (1 - gamma), the 0 where the masked snippets put it (without it,
    measured: T-REX + PPO -0.02 on CartPole seeds 1 and 2, below random)."""
    import il_helpers.algorithms.trex as trex_module

    seen = []
    real = trex_module.advantages

    def spy(ac, batch, rewards, cfg, terminal_value=0.0):
        seen.append((batch, terminal_value))
        return real(ac, batch, rewards, cfg, terminal_value=terminal_value)

    monkeypatch.setattr(trex_module, "advantages", spy)
    demos = il.collect_demonstrations("CartPole-v1", 3, seed=0)
    cfg = TREXConfig(pairs=200, steps=5, iterations=1, rank_by="episode")
    _, hist = train_trex(demos, seed=0, ranks=[1, 2, 3], config=cfg)
    (batch, terminal), = seen
    assert bool(batch.terminated.any())  # a random-ish first policy falls
    net = hist.reward
    expected = (0.0 - net.r_mean) / net.r_std / (1 - cfg.ppo.gamma)
    torch.testing.assert_close(terminal, expected)
    assert float(net.reward(demos.obs).mean()) == pytest.approx(0.0, abs=1e-4)  # the states' mean is 0, not r_abs
