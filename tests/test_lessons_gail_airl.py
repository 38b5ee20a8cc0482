"""Notebook 05's tabular lesson: Fu et al.'s transfer claim (state-only rewards transfer to new
dynamics, state-action rewards do not) over several worlds, and the transfer score's scale."""

import math

import pytest
import torch

from il_helpers.envs import gridworlds as gw
from il_helpers.lessons import gail_airl as ga

FAST = dict(steps=75, disc_steps=2)  # converged on 8x8 worlds (the defaults, 150 rounds x 1 step, give the same scores)
SEEDS = (0, 1, 2, 3, 4)


def world8(seed=0, wind=0.0):
    return gw.make_world("FeatureGrid", size=8, world_seed=seed, wind=wind)


@pytest.fixture(scope="module")
def experiment():
    return ga.transfer_experiment(SEEDS, size=8, change="reverse", **FAST)


def test_state_only_reward_recovers_the_true_reward(experiment):
    """Deterministic training dynamics: g = r + const (correlation 1.000 on every world), and the
    game ends where the discriminator cannot tell (D = 1/2, loss log 4)."""
    for res in experiment.results["state-only"]:
        assert res.reward_corr[-1] > 0.99
        assert res.reward_corr[0] < 0.5                               # it started from (almost) zero
        assert res.d_expert[-1] == pytest.approx(0.5, abs=0.01) and res.d_policy[-1] == pytest.approx(0.5, abs=0.01)
        assert res.loss[-1] == pytest.approx(math.log(4), abs=0.01) and res.loss[0] > res.loss[-1] + 0.3
    for w, res in zip(experiment.worlds, experiment.results["state-only"]):
        # g - r is (nearly) constant: the reward itself, not a shaped one
        assert float((res.g - w.r).std()) < 0.05 * float(w.r.std())


def test_transfer_claim_state_only_transfers_state_action_does_not(experiment):
    """Fu et al. (2018), section 7.1, on 5 worlds: both rewards do as well as the expert on the
    training dynamics; with the controls reversed, the state-only reward still does (it is the
    true reward up to a constant), while the state-action reward, which encodes which *buttons*
    the expert pressed, is near the random policy. (Measured: state-only 0.99-1.00 everywhere;
    state-action 1.00 on training, -0.12 to 0.17 reversed.)"""
    s = experiment.scores
    for i, seed in enumerate(experiment.world_seeds):
        assert s["state-only"]["training"][i] > 0.95, seed
        assert s["state-action"]["training"][i] > 0.95, seed
        assert s["state-only"]["reverse"][i] > 0.95, seed
        assert s["state-action"]["reverse"][i] < 0.4, seed
        assert s["state-only"]["reverse"][i] - s["state-action"]["reverse"][i] > 0.5, seed
    assert s["state-action"]["reverse"].mean() < 0.25
    assert "state-only" in experiment.table() and "reverse" in repr(experiment)


def test_transfer_score_is_0_for_random_and_1_for_the_expert():
    w = world8(seed=1)
    for change in gw.CHANGES:
        P = gw.changed_dynamics(w, change, wind=0.2)
        assert ga.transfer_score(w.r, w, P) == pytest.approx(1.0, abs=1e-9)
        assert ga.transfer_score(torch.zeros(w.n_states), w, P) == pytest.approx(0.0, abs=1e-9)
        assert ga.transfer_score(-w.r, w, P) < 0   # worse than random


def test_bad_arguments():
    w = world8()
    with pytest.raises(ValueError, match=r"reward must have shape \(S,\)"):
        ga.transfer_score(torch.zeros(w.n_states, w.n_actions + 1), w)
    with pytest.raises(ValueError, match="gamma"):
        ga.transfer_score(w.r, w, gamma=1.0)
    with pytest.raises(ValueError, match="at least one world"):
        ga.transfer_experiment(())
    with pytest.raises(TypeError, match="unknown setting"):
        ga.transfer_experiment((0,), epochs=3)



def test_few_demonstrations_scores_one_per_seed_on_the_same_subsampled_pairs():
    """Ho & Ermon's table: every size subsampled with HO_ERMON_SUBSAMPLE (50 pairs per 500-step
    CartPole trajectory), one BC and one GAIL score per seed; a dict gives each size its seeds."""
    import numpy as np

    import il_helpers as il

    full = il.collect_demonstrations("CartPole-v1", 2, seed=10_000)
    out = ga.few_demonstrations(full, [1, 2], {1: [0, 1], 2: [0]}, iterations=1, eval_episodes=2)
    assert out["pairs"] == {1: 500 // il.HO_ERMON_SUBSAMPLE, 2: 2 * 500 // il.HO_ERMON_SUBSAMPLE}
    for method in ("BC", "GAIL"):
        assert out[method][1].shape == (2,) and out[method][2].shape == (1,)
        assert np.isfinite(out[method][1]).all() and (out[method][1] <= 1.0 + 1e-9).all()
    again = ga.few_demonstrations(full, [1], [0], iterations=1, eval_episodes=2)
    assert again["BC"][1][0] == out["BC"][1][0]                       # deterministic given the seed
    with pytest.raises(ValueError, match="at least one number"):
        ga.few_demonstrations(full, [], [0], iterations=1, eval_episodes=2)
    with pytest.raises(ValueError, match="at least one seed"):
        ga.few_demonstrations(full, [1], {1: []}, iterations=1, eval_episodes=2)
