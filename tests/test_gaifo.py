"""GAIfO (il_helpers.algorithms.gaifo): the discriminator on (s, s'), bad input, the no-actions
property, determinism, and a small learning test."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from helpers import without_actions

import il_helpers as il
from il_helpers.algorithms.adversarial import Inputs
from il_helpers.algorithms.gaifo import GAIfOConfig, GAIfODiscriminator, train_gaifo
from il_helpers.algorithms.ppo import ActorCritic
from il_helpers.bench import train_method
from il_helpers.envs.registry import env_spaces

TINY_PPO = il.PPOConfig(n_envs=2, epochs=1)


@pytest.fixture(scope="module")
def demos():
    return il.collect_demonstrations("CartPole-v1", 3, seed=3)



def test_the_discriminator_reads_transitions_not_actions():
    ac = ActorCritic(*env_spaces("CartPole-v1"))
    disc = GAIfODiscriminator(Inputs(ac))
    s, s2 = torch.randn(6, 4), torch.randn(6, 4)
    a = disc.logits(s, torch.zeros(6, dtype=torch.long), s2)
    b = disc.logits(s, torch.ones(6, dtype=torch.long), s2)
    assert a.shape == (6,) and torch.equal(a, b)                 # actions ignored
    assert not torch.equal(a, disc.logits(s, None, s2 + 1.0))    # s' matters
    assert disc.features(s, s2).shape == (6, 9) and disc.absorbing_logit().shape == ()


@pytest.mark.parametrize("field,value", [("reward", "exp"), ("bc_epochs", 3), ("iterations", 0)])
def test_bad_settings_are_refused_by_name(field, value):
    with pytest.raises(ValueError, match=field):
        GAIfOConfig(**{field: value})


def test_bad_input_is_refused(demos):
    with pytest.raises(TypeError, match="Demonstrations"):
        train_gaifo(None, env_id="CartPole-v1")
    with pytest.raises(ValueError, match="env_id"):
        train_gaifo(demos, env_id="Acrobot-v1", iterations=1, ppo=TINY_PPO)
    bad = copy.copy(demos)
    bad.obs = np.full(demos.obs.shape, np.inf, np.float32)
    with pytest.raises(ValueError, match="finite obs"):
        train_gaifo(bad, iterations=1, ppo=TINY_PPO)


def test_the_demonstrations_actions_are_never_read(demos):
    p1, h1 = train_gaifo(demos, seed=2, iterations=2, ppo=TINY_PPO)
    p2, h2 = train_gaifo(without_actions(demos), seed=2, iterations=2, ppo=TINY_PPO)
    for a, b in zip(p1.state_dict().values(), p2.state_dict().values()):
        assert torch.equal(a, b)
    assert h1.d_expert == h2.d_expert and h1.d_loss == h2.d_loss


def test_same_seed_same_policy(demos):
    p1, h1 = train_gaifo(demos, seed=1, iterations=2, ppo=TINY_PPO)
    p2, h2 = train_gaifo(demos, seed=1, iterations=2, ppo=TINY_PPO)
    np.testing.assert_array_equal(p1(demos.obs), p2(demos.obs))
    assert h1.episode_return == h2.episode_return
    _, h3 = train_gaifo(demos, seed=2, iterations=2, ppo=TINY_PPO)
    assert h3.episode_return != h1.episode_return


@pytest.mark.parametrize("seed", [0, 1])
def test_gaifo_learns_cartpole_from_states_alone(seed):
    demos = without_actions(il.collect_demonstrations("CartPole-v1", 10, seed=10_000 + seed))
    policy, _ = train_gaifo(demos, seed=seed, iterations=25)
    # random scores 0 and the expert 1; 25 iterations reach >= 0.9 on these seeds, 0.5 leaves a margin
    assert il.evaluate(policy, "CartPole-v1", n_episodes=20, seed=20_000 + seed).normalized > 0.5


def test_bench_method_gaifo_runs():
    demos = il.collect_demonstrations("CartPole-v1", 3, seed=10_000)
    policy, extra = train_method("gaifo", demos, fast=True, settings={"iterations": 2, "ppo": TINY_PPO})
    assert extra["iterations"] == 2 and 0 <= extra["d_expert"] <= 1
    with pytest.raises(ValueError, match="gaifo"):
        train_method("gaifo", demos, env_id="il_helpers/FeatureGrid-v0")
