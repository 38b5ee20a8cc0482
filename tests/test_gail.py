"""GAIL: the discriminator, the trainer contract, bad input, determinism, every stabilizer, the
termination-bias experiment without demonstrations, a small learning test, and the bench."""

import json
import math

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms.adversarial import Inputs
from il_helpers.algorithms.gail import GAILConfig, GAILDiscriminator, gradient_penalty, train_gail
from il_helpers.algorithms.ppo import ActorCritic, PPOConfig

SMALL = PPOConfig(n_envs=4, epochs=2)


@pytest.fixture(scope="module")
def cartpole_demos():
    return il.collect_demonstrations("CartPole-v1", 3, seed=10_000)


def test_gail_discriminator_scores_inputs_and_the_absorbing_state():
    obs_space, act_space = il.env_spaces("CartPole-v1")
    inputs = Inputs(ActorCritic(obs_space, act_space))
    disc = GAILDiscriminator(inputs)
    obs, act = torch.zeros(2, 4), torch.tensor([0, 1])
    assert disc.logit(obs, act).shape == (2,)
    torch.testing.assert_close(disc.logits(obs, act, obs, torch.zeros(2, dtype=torch.bool), True),
                               disc.logit(obs, act))
    torch.testing.assert_close(disc.absorbing_logit(), disc.logit_features(inputs.absorbing())[0])
    assert disc.penalty((obs, act), (obs, act), torch.Generator()) is None          # off by default
    with_gp = GAILDiscriminator(inputs, grad_penalty=2.0)
    g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    torch.testing.assert_close(with_gp.penalty((obs, act), (obs, act), g1),
                               2.0 * gradient_penalty(with_gp, inputs(obs, act), inputs(obs, act), g2))


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
    with pytest.raises(ValueError, match="env_id"):
        train_gail(None, iterations=1)
    with pytest.raises(TypeError, match="Demonstrations"):
        train_gail({"obs": 1}, iterations=1)
    with pytest.raises(TypeError, match="grad_penalty"):     # an unknown setting lists the fields
        train_gail(cartpole_demos, callback=print)
    with pytest.raises(TypeError, match="GAILConfig"):
        train_gail(cartpole_demos, config=PPOConfig())


def test_contract_and_same_seed_same_history(cartpole_demos):
    calls = []
    state = torch.random.get_rng_state()
    cfg = GAILConfig(iterations=3, ppo=SMALL)
    p1, h1 = train_gail(cartpole_demos, config=cfg, seed=4, progress=lambda *a: calls.append(a))
    assert torch.equal(state, torch.random.get_rng_state())          # the global RNG is left alone
    assert isinstance(p1, il.Policy) and p1.name == "GAIL policy"
    assert isinstance(h1.discriminator, GAILDiscriminator) and h1.config == cfg and h1.seed == 4
    assert h1.demo_episodes == 3 and h1.reward is None
    assert [(d, t) for d, t, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert calls[-1][2]["d_expert"] == h1.d_expert[-1] and calls[-1][2]["env_steps"] == h1.env_steps[-1]
    _, h2 = train_gail(cartpole_demos, iterations=3, ppo=SMALL, seed=4)    # settings = the same config
    assert h1.episode_return == h2.episode_return and h1.d_expert == h2.d_expert
    _, h3 = train_gail(cartpole_demos, config=cfg, seed=5)
    assert h3.episode_return != h1.episode_return


@pytest.mark.parametrize("option", [dict(grad_penalty=1.0), dict(spectral_norm=True), dict(ent_coef=0.01),
                                    dict(bc_epochs=2), dict(reward="log D"), dict(reward="logit")])
def test_every_stabilizer_runs(cartpole_demos, option):
    _, hist = train_gail(cartpole_demos, iterations=2, ppo=SMALL, **option)
    assert len(hist.d_expert) == 2 and np.isfinite(hist.d_loss).all()
    if "ent_coef" in option:
        assert hist.config.ppo.ent_coef == 0.01                 # the generator's effective config


def test_termination_bias_without_demonstrations():
    """D = 1/2 everywhere (no demonstrations): on variable-horizon CartPole the positive reward
    -log(1-D) = log 2 pays the agent to survive; the absorbing state removes the incentive
    exactly (every reward becomes log 2 - log 2 = 0)."""
    cfg = PPOConfig(n_envs=8)
    _, h_b = train_gail(None, env_id="CartPole-v1", reward="-log(1-D)", absorbing=False, iterations=12, ppo=cfg)
    _, h_f = train_gail(None, env_id="CartPole-v1", reward="-log(1-D)", absorbing=True, iterations=12, ppo=cfg)
    assert h_b.discriminator is None and h_b.demo_episodes is None
    assert h_b.learned_return[0] == pytest.approx(math.log(2) * h_b.episode_length[0], rel=1e-5)
    assert max(h_b.episode_length[-3:]) > 3 * h_b.episode_length[0]     # it learned to survive
    assert all(r == 0.0 for r in h_f.learned_return)                       # nothing to learn from
    assert max(h_f.episode_length) < 2 * 22.5                              # stays near random (about 22 steps)


def test_log_d_reward_teaches_to_die_on_a_variable_horizon():
    _, hist = train_gail(None, env_id="CartPole-v1", reward="log D", absorbing=False, iterations=8,
                         ppo=PPOConfig(n_envs=8))
    assert hist.episode_length[-1] < 0.7 * hist.episode_length[0]


def test_gail_learns_cartpole_from_ten_trajectories():
    demos = il.collect_demonstrations("CartPole-v1", 10, seed=10_000)
    policy, _ = train_gail(demos, seed=1, iterations=40)
    assert il.evaluate(policy, "CartPole-v1", 50, seed=123).return_mean >= 450


# --- the bench CLI ----------------------------------------------------------------------------

def _bench(capsys, *argv):
    from il_helpers import bench

    assert bench.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_bench_gail_with_subsampled_demonstrations(capsys):
    res = _bench(capsys, "gail", "--env", "CartPole-v1", "--demos", "2", "--subsample", "10", "--fast")
    assert res["method"] == "gail" and res["subsample"] == 10
    assert 90 <= res["pairs"] <= 110          # 2 episodes x 500 steps, every 10th pair
    assert 0.0 <= res["d_policy"] <= 1.0 and res["env_steps"] > 0 and np.isfinite(res["normalized"])


@pytest.mark.parametrize("argv, message", [
    (["gail", "--env", "il_helpers/FeatureGrid-v0"], "gail runs on the course's environments with an expert"),
    (["bc", "--subsample", "0"], "--subsample must be at least 1, got 0"),
])
def test_bench_rejects_what_it_cannot_run(capsys, argv, message):
    from il_helpers import bench

    with pytest.raises(SystemExit) as err:
        bench.main(argv)
    assert err.value.code == 2 and message in capsys.readouterr().err


def test_hooks_default_unchanged_and_the_library_functions_reproduce_it(cartpole_demos):
    """d_loss= / reward_fn= (notebook 05's assignment): the library's own functions through the hooks give the
    very same run as no hooks; a bad hook fails with a clear message."""
    from il_helpers.algorithms.adversarial import discriminator_loss, gail_reward

    form = "-log(1-D)"
    _, plain = train_gail(cartpole_demos, iterations=2, ppo=SMALL, reward=form, seed=3)
    _, hooked = train_gail(cartpole_demos, iterations=2, ppo=SMALL, reward=form, seed=3, d_loss=discriminator_loss,
                           reward_fn=lambda x, l_abs: gail_reward(x, form) - gail_reward(l_abs, form))
    assert plain.episode_return == hooked.episode_return and plain.d_loss == hooked.d_loss
    seen = []
    _, _ = train_gail(cartpole_demos, iterations=1, ppo=SMALL, absorbing=False,
                      reward_fn=lambda x, l_abs: seen.append(l_abs) or torch.zeros_like(x))
    assert seen == [None]                                          # no absorbing state: no absorbing logit
    with pytest.raises(ValueError, match="d_loss must be a function"):
        train_gail(cartpole_demos, iterations=1, d_loss=3.0)
    with pytest.raises(ValueError, match="NaN or infinite rewards"):
        train_gail(cartpole_demos, iterations=1, ppo=SMALL, reward_fn=lambda x, a: x * float("nan"))
    with pytest.raises(ValueError, match="of the logits' shape"):
        train_gail(cartpole_demos, iterations=1, ppo=SMALL, reward_fn=lambda x, a: x.sum())
