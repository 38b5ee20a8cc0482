"""The adversarial core shared by GAIL and AIRL: the label convention, reward forms, the loss,
the discriminator's inputs and absorbing state, the expert's absorbing steps, and the config."""

import dataclasses

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.adversarial import (
    AdversarialConfig,
    AdversarialHistory,
    Inputs,
    discriminator_loss,
    expert_tensors,
    gail_reward,
)
from il_helpers.algorithms.ppo import ActorCritic, PPOConfig


def test_reward_forms_are_the_formulas_of_D():
    logit = torch.tensor([-3.0, -0.5, 0.0, 0.7, 4.0])
    D = torch.sigmoid(logit)
    torch.testing.assert_close(gail_reward(logit, "-log(1-D)"), -torch.log(1 - D))
    torch.testing.assert_close(gail_reward(logit, "log D"), torch.log(D))
    torch.testing.assert_close(gail_reward(logit, "logit"), torch.log(D) - torch.log(1 - D))
    assert (gail_reward(logit, "-log(1-D)") > 0).all() and (gail_reward(logit, "log D") < 0).all()


def test_reward_form_errors_name_the_choices():
    with pytest.raises(ValueError, match="log D"):
        gail_reward(torch.zeros(2), "log(D)")


def test_discriminator_loss_is_binary_cross_entropy_with_expert_label_one():
    le, lp = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    expected = -(torch.log(torch.sigmoid(le)).mean() + torch.log(1 - torch.sigmoid(lp)).mean())
    torch.testing.assert_close(discriminator_loss(le, lp), expected)
    # weights give weighted means
    w = torch.tensor([3.0, 1.0])
    expected_w = -((torch.log(torch.sigmoid(le)) * w).sum() / 4 + torch.log(1 - torch.sigmoid(lp)).mean())
    torch.testing.assert_close(discriminator_loss(le, lp, weight_expert=w), expected_w)


def test_optimal_discriminator_is_the_occupancy_ratio():
    # one input, expert share rho_E, policy share rho_pi: minimizing the loss over a free logit
    # gives D* = rho_E / (rho_E + rho_pi) (with equal-size expert and policy samples)
    x = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([x], lr=0.05)
    rho_e, rho_p = 0.3, 0.1   # the input's frequency in each sample set (the rest is elsewhere)
    for _ in range(2000):
        loss = -(rho_e * torch.nn.functional.logsigmoid(x) + rho_p * torch.nn.functional.logsigmoid(-x)).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert torch.sigmoid(x).item() == pytest.approx(rho_e / (rho_e + rho_p), abs=1e-3)


def test_inputs_one_hot_actions_and_an_absorbing_flag():
    obs_space, act_space = il.env_spaces("CartPole-v1")
    inputs = Inputs(ActorCritic(obs_space, act_space))
    x = inputs(torch.zeros(2, 4), torch.tensor([0, 1]))
    assert x.shape == (2, 4 + 2 + 1)
    np.testing.assert_array_equal(x[:, 4:].numpy(), [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(inputs.absorbing().numpy(), [[0, 0, 0, 0, 0, 0, 1]])
    np.testing.assert_array_equal(inputs.absorbing_state().numpy(), [[0, 0, 0, 0, 1]])
    assert inputs.state(torch.zeros(3, 4)).shape == (3, 5)


def test_expert_absorbing_steps_survive_subsampling():
    # the CartPole expert never falls: no absorbing steps, subsampled or not
    demos = il.collect_demonstrations("CartPole-v1", 2, seed=1)
    assert expert_tensors(demos, 500)[-1] == 0.0
    assert expert_tensors(demos.subsample(10), 500)[-1] == 0.0
    # MountainCar's expert reaches the goal early: H - L absorbing steps per episode
    mc = il.collect_demonstrations("MountainCar-v0", 2, seed=1)
    full = float((200 - mc.episode_lengths).sum())
    assert expert_tensors(mc, 200)[-1] == full
    assert expert_tensors(mc.subsample(5), 200)[-1] == pytest.approx(full / 5, abs=2 * 5)


@pytest.mark.parametrize("bad", [dict(iterations=0), dict(d_steps=0), dict(d_batch=0), dict(d_replay=0),
                                 dict(bc_epochs=-1), dict(d_lr=0.0), dict(ent_coef=-0.1), dict(horizon=0),
                                 dict(ppo={"n_envs": 4})])
def test_config_rejects_out_of_range_values(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        AdversarialConfig(**bad)


def test_the_generator_config_takes_the_entropy_bonus():
    cfg = AdversarialConfig(ppo=PPOConfig(n_envs=4, ent_coef=0.02))
    assert cfg.generator() is cfg.ppo                          # 0: the PPO config's own
    assert dataclasses.replace(cfg, ent_coef=0.01).generator() == PPOConfig(n_envs=4, ent_coef=0.01)


def test_history_curves_are_its_list_fields():
    lists = [f.name for f in dataclasses.fields(AdversarialHistory) if f.default_factory is list]
    assert list(AdversarialHistory.CURVES) == lists
