"""PPO: GAE against hand computation, the actor-critic's shapes and normalization, determinism,
the trainer contract (config, progress, global RNG, BC warm start), bad input, and a small
learning test."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import il_helpers as il
from il_helpers.algorithms.ppo import (
    NORM_CLIP,
    PPO_STD_FLOOR,
    ActorCritic,
    PPOConfig,
    ReturnScale,
    collect,
    gae,
    initial_actor_critic,
    train_ppo,
)


def test_return_scale_divides_by_the_std_of_the_discounted_returns_to_go():
    rewards = torch.tensor([[1.0, 1.0, 1.0], [2.0, 0.0, 0.0]])
    alive = torch.tensor([[True, True, True], [True, False, False]])
    # returns-to-go at gamma 0.5: 1.75, 1.5, 1 (first episode), 2 (second; it ended after one step)
    togo = np.array([1.75, 1.5, 1.0, 2.0])
    out = ReturnScale(0.5)(rewards, alive)
    assert torch.allclose(out, rewards / togo.std(), atol=1e-6)
    # a second batch is scaled by the std over both batches' returns
    scale = ReturnScale(0.5)
    scale(rewards, alive)
    out2 = scale(rewards * 3, alive)
    assert torch.allclose(out2, rewards * 3 / np.concatenate([togo, 3 * togo]).std(), atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.floats(1e-3, 1e3), st.integers(0, 2**16))
def test_return_scale_removes_the_rewards_units(c, seed):
    # the point of the scaling: rewards in any units give the generator the same rewards
    g = torch.Generator().manual_seed(seed)
    rewards = torch.randn(4, 6, generator=g)
    alive = torch.rand(4, 6, generator=g).argsort(1) >= 0      # all alive ...
    alive[:, 4:] = torch.rand(4, 2, generator=g) < 0.5          # ... or ended in the last steps
    alive = alive.cummin(1).values
    a, b = ReturnScale(0.9)(rewards * alive, alive), ReturnScale(0.9)(c * rewards * alive, alive)
    assert torch.allclose(a, b, rtol=1e-4, atol=1e-6)


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


def test_train_ppo_rejects_bad_input():
    with pytest.raises(ValueError, match="iterations"):
        train_ppo(env_id="CartPole-v1", iterations=0)
    with pytest.raises(ValueError, match="env_id"):
        train_ppo()
    with pytest.raises(TypeError, match="n_envs"):     # an unknown setting lists the fields
        train_ppo(env_id="CartPole-v1", n_env=4)
    demos = il.collect_demonstrations("CartPole-v1", 1, seed=1)
    with pytest.raises(ValueError, match="env_id"):
        train_ppo(demos, env_id=il.LANE_KEEPING)


def test_actor_critic_is_a_torch_policy_with_ppos_normalization():
    obs_space, act_space = il.env_spaces(il.LANE_KEEPING)
    ac = ActorCritic(obs_space, act_space)
    assert isinstance(ac, il.TorchPolicy)
    obs = np.zeros((10, 5), np.float32)
    obs[:, 0] = np.arange(10)                        # the other features are constant: std floored at 1e-3
    ac.set_normalization(obs)
    np.testing.assert_allclose(ac.obs_std[1:].numpy(), PPO_STD_FLOOR)
    x = ac.normalize(torch.ones(1, 5))
    assert x.abs().max().item() == NORM_CLIP         # clamped to +-10
    assert ac(obs).shape == (10, 1) and ac(obs[0]).shape == (1,)
    assert np.all(np.abs(ac(obs * 100)) <= act_space.high)   # actions clipped to the bounds


def test_progress_config_and_the_global_rng():
    calls = []
    state = torch.random.get_rng_state()
    _, hist = train_ppo(env_id="CartPole-v1", iterations=2, n_envs=2, epochs=1, seed=3,
                        progress=lambda done, total, info: calls.append((done, total, dict(info))))
    assert torch.equal(state, torch.random.get_rng_state())       # the global RNG is left alone
    assert [(d, t) for d, t, _ in calls] == [(1, 2), (2, 2)]
    assert calls[-1][2]["env_steps"] == hist.env_steps[-1] and calls[-1][2]["episode_return"] == hist.episode_return[-1]
    assert hist.config == PPOConfig(iterations=2, n_envs=2, epochs=1)
    _, again = train_ppo(env_id="CartPole-v1", config=PPOConfig(iterations=2, n_envs=2, epochs=1), seed=3)
    assert again.episode_return == hist.episode_return             # config= and settings are the same call


def test_bc_warm_start_from_demonstrations():
    """``train_ppo(demos, bc_epochs=k)`` is :func:`initial_actor_critic` (normalized to the demos,
    BC-initialized) followed by PPO from that policy (notebook 07's BC, then PPO)."""
    demos = il.collect_demonstrations(il.LANE_KEEPING, 2, seed=10_000)
    cfg = PPOConfig(iterations=2, n_envs=2, epochs=1, bc_epochs=2, init_log_std=-1.0)
    start = initial_actor_critic(demos.env_id, cfg, seed=5, demos=demos)
    torch.testing.assert_close(start.obs_mean, torch.as_tensor(demos.obs).mean(0))
    assert start.log_std.detach().numpy().tolist() == [-1.0]      # BC trains the actor only
    a, h_a = train_ppo(demos, config=cfg, seed=5)
    b, h_b = train_ppo(env_id=demos.env_id, config=cfg, seed=5, policy=start)
    assert b is start and h_a.episode_return == h_b.episode_return
    for (k, v), w in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(v, w), k


def test_ppo_is_deterministic_and_learns_cartpole():
    cfg = PPOConfig(n_envs=8)
    _, h1 = train_ppo(env_id="CartPole-v1", iterations=12, config=cfg, seed=1)
    _, h2 = train_ppo(env_id="CartPole-v1", iterations=12, config=cfg, seed=1)
    assert h1.episode_return == h2.episode_return
    # a random policy lasts about 22 steps; 12 iterations of PPO (about 20k steps) more than triple it
    assert h1.episode_return[0] < 40
    assert max(h1.episode_return[-3:]) > 3 * h1.episode_return[0]
