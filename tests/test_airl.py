"""Deep AIRL: the discriminator's structure, the contract of train_airl (the recovered reward on
the history), bad input, and the bench adapter (continuous and tabular)."""

import json

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.adversarial import Inputs
from il_helpers.algorithms.airl import AIRLConfig, AIRLDiscriminator, train_airl
from il_helpers.algorithms.ppo import ActorCritic, PPOConfig

SMALL = PPOConfig(n_envs=4, epochs=2)


def test_airl_logit_is_f_minus_log_pi():
    obs_space, act_space = il.env_spaces("CartPole-v1")
    torch.manual_seed(0)
    ac = ActorCritic(obs_space, act_space)
    disc = AIRLDiscriminator(Inputs(ac), gamma=0.9)
    obs, nxt = torch.randn(5, 4), torch.randn(5, 4)
    act = torch.tensor([0, 1, 1, 0, 1])
    log_pi = ac.log_prob(obs, act).detach()
    f = disc.reward(obs) + 0.9 * disc.h(disc.inputs.state(nxt)).squeeze(-1) - disc.h(disc.inputs.state(obs)).squeeze(-1)
    torch.testing.assert_close(disc.logit(obs, act, nxt, log_pi), f - log_pi)
    torch.testing.assert_close(disc.logits(obs, act, nxt, torch.zeros(5, dtype=torch.bool), False), f - log_pi)
    # D = exp f / (exp f + pi)
    D = torch.sigmoid(disc.logit(obs, act, nxt, log_pi))
    torch.testing.assert_close(D, f.exp() / (f.exp() + log_pi.exp()))


def test_train_airl_keeps_the_recovered_reward_on_the_history():
    demos = il.collect_demonstrations(il.LANE_KEEPING, 2, seed=10_000)
    policy, hist = train_airl(demos, iterations=2, ppo=SMALL, seed=3)
    assert isinstance(policy, il.Policy) and policy.name == "AIRL policy"
    assert isinstance(hist.discriminator, AIRLDiscriminator) and isinstance(hist.config, AIRLConfig)
    obs = torch.as_tensor(demos.obs[:7])
    torch.testing.assert_close(hist.reward(obs), hist.discriminator.reward(obs))
    assert hist.reward(obs).shape == (7,) and len(hist.d_expert) == 2
    assert il.evaluate(policy, il.LANE_KEEPING, 2, seed=1).returns.shape == (2,)


def test_bad_input():
    demos = il.collect_demonstrations("CartPole-v1", 1, seed=1)
    with pytest.raises(ValueError, match="AIRL"):
        train_airl(None, env_id="CartPole-v1", iterations=1)
    with pytest.raises(TypeError, match="state_only"):       # AIRL's reward is always its logit
        train_airl(demos, reward="log D")
    with pytest.raises(ValueError, match="d_steps"):
        train_airl(demos, d_steps=0)


def _bench(capsys, *argv):
    from il_helpers import bench

    assert bench.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_bench_airl_continuous_and_tabular(capsys):
    res = _bench(capsys, "airl", "--env", il.LANE_KEEPING, "--demos", "2", "--fast")
    assert res["method"] == "airl" and "d_expert" in res
    res = _bench(capsys, "airl", "--env", "il_helpers/FeatureGrid-v0", "--size", "8", "--demos", "16", "--fast")
    assert res["method"] == "airl" and np.isfinite(res["normalized"])
