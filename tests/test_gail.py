"""GAIL and AIRL: the label convention, reward forms, losses, the termination-bias experiment,
bad input, determinism, and small learning tests."""

import math

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.gail import (
    AIRLDiscriminator,
    GAILDiscriminator,
    Inputs,
    _expert_tensors,
    discriminator_loss,
    gail_reward,
    train_adversarial,
    train_airl,
    train_gail,
)
from il_helpers.algorithms.ppo import ActorCritic, PPOConfig

SMALL = PPOConfig(n_envs=4, epochs=2)


@pytest.fixture(scope="module")
def cartpole_demos():
    return il.collect_demonstrations("CartPole-v1", 3, seed=10_000)


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
    # D = exp f / (exp f + pi)
    D = torch.sigmoid(disc.logit(obs, act, nxt, log_pi))
    torch.testing.assert_close(D, f.exp() / (f.exp() + log_pi.exp()))


def test_gail_discriminator_sees_one_hot_actions_and_an_absorbing_flag():
    obs_space, act_space = il.env_spaces("CartPole-v1")
    ac = ActorCritic(obs_space, act_space)
    inputs = Inputs(ac)
    x = inputs(torch.zeros(2, 4), torch.tensor([0, 1]))
    assert x.shape == (2, 4 + 2 + 1)
    np.testing.assert_array_equal(x[:, 4:].numpy(), [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(inputs.absorbing().numpy(), [[0, 0, 0, 0, 0, 0, 1]])
    assert GAILDiscriminator(inputs).logit(torch.zeros(2, 4), torch.tensor([0, 1])).shape == (2,)


def test_expert_absorbing_steps_survive_subsampling():
    # the CartPole expert never falls: no absorbing steps, subsampled or not
    demos = il.collect_demonstrations("CartPole-v1", 2, seed=1)
    assert _expert_tensors(demos, 500)[-1] == 0.0
    assert _expert_tensors(demos.subsample(10), 500)[-1] == 0.0
    # MountainCar's expert reaches the goal early: H - L absorbing steps per episode
    mc = il.collect_demonstrations("MountainCar-v0", 2, seed=1)
    full = float((200 - mc.episode_lengths).sum())
    assert _expert_tensors(mc, 200)[-1] == full
    assert _expert_tensors(mc.subsample(5), 200)[-1] == pytest.approx(full / 5, abs=2 * 5)


def test_bad_input_is_rejected_with_clear_messages(cartpole_demos):
    with pytest.raises(ValueError, match="reward"):
        train_gail(cartpole_demos, reward="exp D", iterations=1)
    with pytest.raises(ValueError, match="does not match"):
        train_gail(cartpole_demos, env_id=il.LANE_KEEPING, iterations=1)
    with pytest.raises(ValueError, match="iterations"):
        train_gail(cartpole_demos, iterations=0)
    with pytest.raises(ValueError, match="d_steps"):
        train_gail(cartpole_demos, d_steps=0, iterations=1)
    with pytest.raises(ValueError, match="grad_penalty"):
        train_gail(cartpole_demos, grad_penalty=-1.0, iterations=1)
    with pytest.raises(ValueError, match="AIRL"):
        train_airl(None, env_id="CartPole-v1", iterations=1)
    with pytest.raises(TypeError, match="Demonstrations"):
        train_gail({"obs": 1}, iterations=1)
    with pytest.raises(ValueError, match="kind"):
        train_adversarial(cartpole_demos, kind="wgan", iterations=1)


def test_same_seed_same_history(cartpole_demos):
    kw = dict(iterations=3, ppo=SMALL, seed=4)
    h1, h2 = train_gail(cartpole_demos, **kw).history, train_gail(cartpole_demos, **kw).history
    assert h1.episode_return == h2.episode_return and h1.d_expert == h2.d_expert
    h3 = train_gail(cartpole_demos, **{**kw, "seed": 5}).history
    assert h3.episode_return != h1.episode_return


@pytest.mark.parametrize("option", [dict(grad_penalty=1.0), dict(spectral_norm=True), dict(ent_coef=0.01),
                                    dict(bc_epochs=2), dict(reward="log D"), dict(reward="logit")])
def test_every_stabilizer_runs(cartpole_demos, option):
    res = train_gail(cartpole_demos, iterations=2, ppo=SMALL, **option)
    assert len(res.history.d_expert) == 2 and np.isfinite(res.history.d_loss).all()


def test_termination_bias_without_demonstrations():
    """D = 1/2 everywhere (no demonstrations): on variable-horizon CartPole the positive reward
    -log(1-D) = log 2 pays the agent to survive; the absorbing state removes the incentive
    exactly (every reward becomes log 2 - log 2 = 0)."""
    cfg = PPOConfig(n_envs=8)
    biased = train_gail(None, "CartPole-v1", reward="-log(1-D)", absorbing=False, iterations=12, ppo=cfg, seed=0)
    fixed = train_gail(None, "CartPole-v1", reward="-log(1-D)", absorbing=True, iterations=12, ppo=cfg, seed=0)
    h_b, h_f = biased.history, fixed.history
    assert h_b.learned_return[0] == pytest.approx(math.log(2) * h_b.episode_length[0], rel=1e-5)
    assert max(h_b.episode_length[-3:]) > 3 * h_b.episode_length[0]     # it learned to survive
    assert all(r == 0.0 for r in h_f.learned_return)                       # nothing to learn from
    assert max(h_f.episode_length) < 2 * 22.5                              # stays near random (about 22 steps)


def test_log_d_reward_teaches_to_die_on_a_variable_horizon():
    res = train_gail(None, "CartPole-v1", reward="log D", absorbing=False, iterations=8, ppo=PPOConfig(n_envs=8))
    assert res.history.episode_length[-1] < 0.7 * res.history.episode_length[0]


def test_gail_learns_cartpole_from_ten_trajectories():
    demos = il.collect_demonstrations("CartPole-v1", 10, seed=10_000)
    res = train_gail(demos, seed=1, iterations=40)
    assert il.evaluate(res.policy, "CartPole-v1", 50, seed=123).return_mean >= 450


# --- the bench CLI ----------------------------------------------------------------------------

def _bench(capsys, *argv):
    from il_helpers import bench

    assert bench.main(list(argv)) == 0
    import json

    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_bench_gail_with_subsampled_demonstrations(capsys):
    res = _bench(capsys, "gail", "--env", "CartPole-v1", "--demos", "2", "--subsample", "10", "--fast")
    assert res["method"] == "gail" and res["subsample"] == 10
    assert 90 <= res["pairs"] <= 110          # 2 episodes x 500 steps, every 10th pair
    assert 0.0 <= res["d_policy"] <= 1.0 and res["env_steps"] > 0 and np.isfinite(res["normalized"])


def test_bench_airl_continuous_and_tabular(capsys):
    res = _bench(capsys, "airl", "--env", il.LANE_KEEPING, "--demos", "2", "--fast")
    assert res["method"] == "airl" and "d_expert" in res
    res = _bench(capsys, "airl", "--env", "il_helpers/FeatureGrid-v0", "--size", "8", "--demos", "16", "--fast")
    assert res["method"] == "airl" and np.isfinite(res["normalized"])


@pytest.mark.parametrize("argv, message", [
    (["gail", "--env", "il_helpers/FeatureGrid-v0"], "gail runs on the course's environments with an expert"),
    (["bc", "--subsample", "0"], "--subsample must be at least 1, got 0"),
])
def test_bench_rejects_what_it_cannot_run(capsys, argv, message):
    from il_helpers import bench

    with pytest.raises(SystemExit) as err:
        bench.main(argv)
    assert err.value.code == 2 and message in capsys.readouterr().err
