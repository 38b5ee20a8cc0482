"""PPO: GAE against hand computation, the actor-critic's shapes, determinism, bad input, and a
small learning test."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.ppo import ActorCritic, PPOConfig, collect, gae, train_ppo


def test_gae_matches_a_hand_computation():
    gamma, lam = 0.9, 0.8
    rewards = torch.tensor([[1.0, 2.0, 3.0]])
    values = torch.tensor([[0.5, 0.4, 0.3]])
    next_values = torch.tensor([[0.4, 0.3, 0.2]])   # V(s_t+1); the last one is a bootstrap at the horizon
    alive = torch.tensor([[True, True, True]])
    adv, ret = gae(rewards, values, next_values, alive, gamma, lam)
    d = [1 + 0.9 * 0.4 - 0.5, 2 + 0.9 * 0.3 - 0.4, 3 + 0.9 * 0.2 - 0.3]
    a2 = d[2]
    a1 = d[1] + gamma * lam * a2
    a0 = d[0] + gamma * lam * a1
    np.testing.assert_allclose(adv[0].numpy(), [a0, a1, a2], rtol=1e-6)
    np.testing.assert_allclose(ret.numpy(), (adv + values).numpy())


def test_gae_stops_at_a_termination_and_ignores_padding():
    rewards = torch.tensor([[1.0, 1.0, 0.0]])
    values = torch.zeros(1, 3)
    next_values = torch.tensor([[5.0, 0.0, 7.0]])   # step 1 terminated: its next value is the terminal value 0
    alive = torch.tensor([[True, True, False]])
    adv, _ = gae(rewards, values, next_values, alive, 1.0, 1.0)
    np.testing.assert_allclose(adv[0].numpy(), [1 + 5 + 1, 1, 0])


@pytest.mark.parametrize("env_id", ["CartPole-v1", il.LANE_KEEPING])
def test_actor_critic_shapes_and_deterministic_action(env_id):
    obs_space, act_space = il.env_spaces(env_id)
    torch.manual_seed(0)
    ac = ActorCritic(obs_space, act_space)
    obs = np.stack([obs_space.sample() * 0 for _ in range(7)]).astype(np.float32)
    a = ac(obs)
    assert a.shape == ((7,) if ac.discrete else (7, 1))
    np.testing.assert_array_equal(a, ac(obs))           # acting is deterministic
    assert ac.value(torch.as_tensor(obs)).shape == (7,)


def test_collect_is_reproducible_and_log_probs_match():
    obs_space, act_space = il.env_spaces(il.LANE_KEEPING)
    torch.manual_seed(0)
    ac = ActorCritic(obs_space, act_space)
    b1 = collect(ac, il.LANE_KEEPING, 4, seed=3)
    b2 = collect(ac, il.LANE_KEEPING, 4, seed=3)
    assert torch.equal(b1.actions, b2.actions) and torch.equal(b1.obs, b2.obs)
    assert b1.obs.shape == (4, 200, 5) and b1.actions.shape == (4, 200, 1)
    with torch.no_grad():
        np.testing.assert_allclose(b1.log_probs.numpy(), ac.log_prob(b1.obs, b1.actions).numpy(), rtol=1e-6)


@pytest.mark.parametrize("bad", [dict(gamma=0.0), dict(gamma=1.5), dict(clip=0.0), dict(lr=-1.0),
                                 dict(n_envs=0), dict(epochs=0), dict(gae_lambda=2.0), dict(ent_coef=-0.1)])
def test_ppo_config_rejects_out_of_range_values(bad):
    key = next(iter(bad))
    with pytest.raises(ValueError, match=key):
        PPOConfig(**bad)


def test_train_ppo_rejects_bad_iterations():
    with pytest.raises(ValueError, match="iterations"):
        train_ppo("CartPole-v1", iterations=0)


def test_ppo_is_deterministic_and_learns_cartpole():
    cfg = PPOConfig(n_envs=8)
    _, h1 = train_ppo("CartPole-v1", iterations=12, cfg=cfg, seed=1)
    _, h2 = train_ppo("CartPole-v1", iterations=12, cfg=cfg, seed=1)
    assert h1.episode_return == h2.episode_return
    # a random policy lasts about 22 steps; 12 iterations of PPO (about 20k steps) more than triple it
    assert h1.episode_return[0] < 40
    assert max(h1.episode_return[-3:]) > 3 * h1.episode_return[0]
