"""InfoGAIL (il_helpers.algorithms.infogail): the code appended to the policy's input and hidden from
the discriminator, balanced codes, the posterior's information reward, bad input, determinism, and a
learning test on ObstacleFork (each code passes on its own side)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.adversarial import Inputs
from il_helpers.algorithms.infogail import InfoGAILConfig, InfoGAILPolicy, LatentCode, one_hot_codes, train_infogail
from il_helpers.algorithms.ppo import ActorCritic, collect, with_codes
from il_helpers.core.rollout import rollout
from il_helpers.envs.registry import OBSTACLE_FORK, env_spaces
from il_helpers.lessons.multimodal import fork_stats

TINY = dict(iterations=2, bc_epochs=1, ppo=il.PPOConfig(n_envs=4, epochs=1))


@pytest.fixture(scope="module")
def demos():
    return il.collect_demonstrations(OBSTACLE_FORK, 10, seed=10_000)


def test_with_codes_appends_each_episodes_code_to_every_step():
    obs, codes = torch.zeros(3, 5, 2), one_hot_codes([0, 1, 1], 2)
    out = with_codes(obs, codes)
    assert out.shape == (3, 5, 4)
    assert torch.equal(out[:, :, 2:], codes[:, None, :].expand(3, 5, 2))
    assert torch.equal(with_codes(torch.ones(3, 2), codes), torch.cat([torch.ones(3, 2), codes], 1))


def test_draw_is_balanced_and_seeded():
    latent = LatentCode(InfoGAILConfig(codes=3))
    c = latent.draw(10, seed=4)
    assert c.shape == (10, 3) and torch.equal(c.sum(1), torch.ones(10))
    assert sorted(c.sum(0).tolist()) == [3.0, 3.0, 4.0]           # n / K each, n mod K one more
    assert torch.equal(c, latent.draw(10, seed=4)) and not torch.equal(c, latent.draw(10, seed=5))


def test_the_discriminator_never_sees_the_code():
    obs_space, act_space = env_spaces(OBSTACLE_FORK)
    latent = LatentCode(InfoGAILConfig())
    ac = ActorCritic(latent.space(obs_space), act_space)
    inputs = Inputs(ac, obs_space.shape[0])
    s, a = torch.randn(6, 2), torch.randn(6, 2)
    x0 = inputs(with_codes(s, one_hot_codes([0] * 6, 2)), a)
    x1 = inputs(with_codes(s, one_hot_codes([1] * 6, 2)), a)
    assert x0.shape == (6, 2 + 2 + 1) and torch.equal(x0, x1)


def test_the_information_reward_is_high_where_the_code_is_readable_and_zero_where_not():
    obs_space, act_space = env_spaces(OBSTACLE_FORK)
    latent = LatentCode(InfoGAILConfig(q_steps=300, info_weight=1.0))
    ac = ActorCritic(latent.space(obs_space), act_space)
    inputs, gen = Inputs(ac, 2), torch.Generator().manual_seed(0)
    codes = latent.draw(16, seed=0)
    sign = 1.0 - 2.0 * codes[:, 1]                                  # code 0: y > 0, code 1: y < 0
    batch = collect(ac, OBSTACLE_FORK, 16, seed=0, codes=codes)
    readable = batch.obs.clone()
    readable[..., 1] = sign[:, None] * (1.0 + readable[..., 1].abs())
    batch.obs = readable
    r = latent.reward(batch, inputs, gen)
    assert r.shape == batch.alive.shape
    assert latent.info[-1] > 0.9 * math.log(2)                     # Q reads the side: log Q + log K -> log 2
    assert latent.info[-1] <= math.log(2) + 1e-6
    blind = LatentCode(InfoGAILConfig(q_steps=300))
    batch.obs = with_codes(torch.zeros(16, batch.obs.shape[1], 2), codes)   # the same states under both codes
    blind.reward(batch, inputs, gen)
    assert abs(blind.info[-1]) < 0.05                               # nothing to read: ~0


@pytest.mark.parametrize("field,value", [("codes", 1), ("info_weight", -1.0), ("q_lr", 0.0), ("q_steps", 0),
                                         ("q_hidden", (0,)), ("iterations", 0)])
def test_bad_settings_are_refused_by_name(field, value):
    with pytest.raises(ValueError, match=field):
        InfoGAILConfig(**{field: value})


def test_no_demonstrations_and_bad_codes_are_refused(demos):
    with pytest.raises(ValueError, match="demonstrations"):
        train_infogail(None, env_id=OBSTACLE_FORK)
    policy, _ = train_infogail(demos, seed=0, **TINY)
    with pytest.raises(ValueError, match="code"):
        policy.with_code(2)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        policy.act(np.zeros((3, 4), np.float32))


def test_rows_drive_with_codes_i_mod_k_and_with_code_fixes_one(demos):
    policy, h = train_infogail(demos, seed=0, **TINY)
    assert isinstance(policy, InfoGAILPolicy) and policy.k == 2 and len(h.info) == 2
    obs = np.tile(np.array([[2.5, 0.0]], np.float32), (4, 1))
    a = policy.act(obs)
    assert np.allclose(a[0], a[2]) and np.allclose(a[1], a[3])
    assert np.allclose(policy.with_code(0).act(obs), a[[0, 0, 0, 0]])
    assert np.allclose(policy.with_code(1).act(obs), a[[1, 1, 1, 1]])


def test_same_seed_same_policy(demos):
    (p1, h1), (p2, h2) = (train_infogail(demos, seed=1, **TINY) for _ in range(2))
    for a, b in zip(p1.ac.state_dict().values(), p2.ac.state_dict().values()):
        assert torch.equal(a, b)
    assert h1.info == h2.info


def test_each_code_passes_on_its_own_side(demos):
    """At the defaults (seed 0, the bench's demonstrations): each code passes >= 90 % of its episodes
    on one side, the two codes on opposite sides."""
    policy, h = train_infogail(demos, env_id=OBSTACLE_FORK, seed=0)
    shares = []
    for c in range(2):
        s = fork_stats(rollout(policy.with_code(c), OBSTACLE_FORK, 50, seed=99))
        assert s["success_rate"] >= 0.9, (c, s)
        shares.append(s["left_share"])
    assert sorted(round(x) for x in shares) == [0, 1] and min(max(x, 1 - x) for x in shares) >= 0.9, shares
    assert h.info[-1] > 0.2                                          # the bound: Q reads the code (log 2 = 0.69)


def test_the_bench_method_reports_each_codes_side_and_refuses_other_tasks(demos):
    from il_helpers.bench import train_method

    policy, extra = train_method("infogail", demos, fast=True, episodes=10, settings=dict(TINY))
    assert extra["iterations"] == 2 and extra["codes"] == 2
    assert len(extra["code_success"]) == len(extra["code_left_share"]) == 2
    with pytest.raises(ValueError, match="ObstacleFork"):
        train_method("infogail", il.collect_demonstrations("CartPole-v1", 2, seed=0))
