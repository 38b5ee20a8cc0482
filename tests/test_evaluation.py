"""Rollouts and evaluation: shapes, the alive mask, labels, noise injection, determinism, scores."""

import math

import numpy as np
import pytest
from gymnasium import spaces

import il_helpers as il
from il_helpers.core.evaluation import EvalResult, summarize
from il_helpers.core.rollout import perturb, rollout

CARTPOLE = "CartPole-v1"
LANE = il.LANE_KEEPING


def random_policy(env_id, seed=0):
    return il.RandomPolicy(il.env_spaces(env_id)[1], seed=seed)


# -- shapes and dtypes -------------------------------------------------------------------------

@pytest.mark.parametrize("env_id", il.ENV_IDS)
def test_rollout_shapes_and_dtypes(env_id):
    obs_space, act_space = il.env_spaces(env_id)
    r = rollout(il.get_expert(env_id), env_id, n_episodes=3, seed=0, horizon=20)
    E, T = 3, r.obs.shape[1]
    assert r.env_id == env_id and r.horizon == 20 and 1 <= T <= 20
    assert r.obs.shape == r.next_obs.shape == (E, T, *obs_space.shape)
    assert r.obs.dtype == r.next_obs.dtype == np.float32
    if isinstance(act_space, spaces.Discrete):
        assert r.actions.shape == (E, T) and r.actions.dtype == np.int64
    else:
        assert r.actions.shape == (E, T, *act_space.shape) and r.actions.dtype == np.float32
    assert r.rewards.shape == (E, T) and r.rewards.dtype == np.float32
    assert r.terminated.shape == r.alive.shape == (E, T)
    assert r.terminated.dtype == r.alive.dtype == bool
    assert r.labels is None
    assert r.lengths.shape == r.returns.shape == (E,)
    # the next observation of step t is the observation of step t + 1
    np.testing.assert_array_equal(r.next_obs[:, :-1], r.obs[:, 1:])


def test_horizon_sets_the_buffer_length():
    r = rollout(il.get_expert(CARTPOLE), CARTPOLE, n_episodes=4, seed=0, horizon=37)
    assert r.obs.shape[:2] == (4, 37) and r.alive.all()
    np.testing.assert_array_equal(r.lengths, 37)
    np.testing.assert_array_equal(r.returns, 37.0)
    assert rollout(il.get_expert(LANE), LANE, 2, seed=0).obs.shape[1] == 200  # the default


def test_lane_keeping_rollout_keeps_the_roads():
    r = rollout(il.get_expert(LANE), LANE, 3, seed=0, horizon=10)
    assert r.roads is not None and r.roads.shape[0] == 3
    assert rollout(il.get_expert(CARTPOLE), CARTPOLE, 3, seed=0, horizon=10).roads is None


# -- the alive mask ----------------------------------------------------------------------------

def test_alive_mask_after_termination_on_cartpole():
    r = rollout(random_policy(CARTPOLE), CARTPOLE, n_episodes=30, seed=0)
    # a random policy drops the pole early; the buffer is cut when the last episode ends
    assert r.lengths.max() < 500
    assert r.obs.shape[1] == r.lengths.max()
    assert r.alive[:, -1].any()
    assert not r.alive.all() and r.alive[:, 0].all()
    for i in range(30):
        n = r.lengths[i]
        # alive is a prefix; termination happens exactly on the last alive step
        assert r.alive[i, :n].all() and not r.alive[i, n:].any()
        assert r.terminated[i, n - 1]
        assert r.terminated[i].sum() == 1
    # CartPole keeps paying +1 after termination: those rewards are padding, not return
    assert r.rewards[~r.alive].sum() > 0
    np.testing.assert_array_equal(r.returns, r.lengths.astype(np.float32))
    res = summarize(r)
    np.testing.assert_array_equal(res.lengths, r.lengths)
    assert res.return_mean == pytest.approx(r.lengths.mean())


def test_buffer_is_not_cut_while_an_episode_lives():
    r = rollout(il.get_expert(CARTPOLE), CARTPOLE, n_episodes=5, seed=0)
    assert r.obs.shape[1] == 500 and r.alive.all() and not r.terminated.any()


# -- labels ------------------------------------------------------------------------------------

@pytest.mark.parametrize("env_id", [CARTPOLE, LANE, "Pendulum-v1"])
def test_labels_are_the_experts_action_at_the_stored_obs(env_id):
    expert = il.get_expert(env_id)
    r = rollout(random_policy(env_id), env_id, n_episodes=4, seed=1, horizon=60, label_policy=expert)
    assert r.labels is not None
    assert r.labels.shape == r.actions.shape and r.labels.dtype == r.actions.dtype
    obs_dim = r.obs.shape[-1]
    expected = expert(r.obs.reshape(-1, obs_dim)).reshape(r.labels.shape)
    np.testing.assert_array_equal(r.labels, expected)
    # the random driver and the expert disagree somewhere: labels are not the executed actions
    assert not np.array_equal(r.labels, r.actions)


def test_labels_are_cut_with_the_buffer():
    r = rollout(random_policy(CARTPOLE), CARTPOLE, 10, seed=0, label_policy=il.get_expert(CARTPOLE))
    assert r.labels.shape == r.actions.shape == r.alive.shape


# -- noise injection ---------------------------------------------------------------------------

def test_perturb_zero_noise_is_the_identity():
    rng = np.random.default_rng(0)
    a = np.array([0, 1, 2])
    assert perturb(a, spaces.Discrete(3), 0.0, rng) is a


def test_perturb_discrete_replaces_with_probability_noise():
    rng = np.random.default_rng(0)
    n, noise = 3, 0.3
    a = np.zeros(30_000, np.int64)
    out = perturb(a, spaces.Discrete(n), noise, rng)
    assert out.shape == a.shape and out.dtype == np.int64
    assert out.min() >= 0 and out.max() < n
    # a replaced action is uniform over all n, so it differs from the original w.p. (n-1)/n
    assert (out != a).mean() == pytest.approx(noise * (n - 1) / n, abs=0.01)
    # the replacements are uniform over the other actions
    changed = out[out != a]
    assert np.bincount(changed, minlength=3)[1:] / len(changed) == pytest.approx([0.5, 0.5], abs=0.03)
    full = perturb(a, spaces.Discrete(n), 1.0, np.random.default_rng(1))
    assert (full != a).mean() == pytest.approx((n - 1) / n, abs=0.01)


def test_perturb_continuous_has_the_right_std_and_stays_in_bounds():
    space = spaces.Box(np.array([-1.0, 0.0], np.float32), np.array([1.0, 10.0], np.float32))
    centre = np.tile([0.0, 5.0], (40_000, 1)).astype(np.float32)
    out = perturb(centre, space, 0.05, np.random.default_rng(0))
    assert out.shape == centre.shape and out.dtype == np.float32
    # std = noise * (high - low) / 2, per dimension
    np.testing.assert_allclose(out.std(axis=0), [0.05, 0.25], rtol=0.03)
    np.testing.assert_allclose(out.mean(axis=0), [0.0, 5.0], atol=0.01)
    big = perturb(centre, space, 1.0, np.random.default_rng(0))
    assert np.all(big >= space.low) and np.all(big <= space.high)
    assert (big[:, 0] == 1.0).any() and (big[:, 0] == -1.0).any()  # clipped, not rejected


def test_rollout_with_noise_perturbs_the_executed_actions_only():
    expert = il.get_expert(LANE)
    r = rollout(expert, LANE, 5, seed=0, horizon=50, noise=0.2, label_policy=expert)
    assert np.all(r.actions >= -1) and np.all(r.actions <= 1)
    diff = (r.actions - r.labels).ravel()
    assert np.abs(diff).max() > 0.1
    assert diff.std() == pytest.approx(0.2, rel=0.25)
    clean = rollout(expert, LANE, 5, seed=0, horizon=50, noise=0.0, label_policy=expert)
    np.testing.assert_array_equal(clean.actions, clean.labels)
    disc = rollout(il.get_expert(CARTPOLE), CARTPOLE, 20, seed=0, horizon=100, noise=0.5,
                   label_policy=il.get_expert(CARTPOLE))
    frac = (disc.actions != disc.labels)[disc.alive].mean()
    assert frac == pytest.approx(0.25, abs=0.05)  # 0.5 * (n - 1) / n with n = 2


# -- determinism -------------------------------------------------------------------------------

def assert_same_rollout(a, b):
    for key in ("obs", "actions", "rewards", "next_obs", "terminated", "alive", "labels"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)
    assert a.infos.keys() == b.infos.keys()
    for key in a.infos:
        np.testing.assert_array_equal(a.infos[key], b.infos[key], err_msg=key)


@pytest.mark.parametrize("env_id", [CARTPOLE, LANE])
def test_same_seed_same_rollout_different_seed_different(env_id):
    def run(seed):
        return rollout(random_policy(env_id, seed=5), env_id, 6, seed=seed, horizon=80, noise=0.3,
                       label_policy=il.get_expert(env_id))

    a, b, c = run(11), run(11), run(12)
    assert_same_rollout(a, b)
    assert not np.array_equal(a.obs[:, 0], c.obs[:, 0])


def test_evaluate_is_deterministic():
    a = il.evaluate(random_policy(LANE), LANE, 10, seed=4)
    b = il.evaluate(random_policy(LANE), LANE, 10, seed=4)
    np.testing.assert_array_equal(a.returns, b.returns)
    np.testing.assert_array_equal(a.cost_curve, b.cost_curve)
    assert a.off_road_rate == b.off_road_rate


# -- evaluate ----------------------------------------------------------------------------------

@pytest.mark.parametrize("env_id", il.ENV_IDS)
def test_normalized_score_expert_one_random_zero(env_id):
    ref = il.reference_returns(env_id)
    assert set(ref) == {"expert", "random"} and ref["expert"] > ref["random"]
    # seed 0, not the reference's 12345: the same policies on other episodes score close to 1 / 0
    expert = il.evaluate(il.get_expert(env_id), env_id, 100, seed=0)
    rand = il.evaluate(random_policy(env_id), env_id, 100, seed=0)
    assert expert.normalized == pytest.approx(1.0, abs=0.05)
    assert rand.normalized == pytest.approx(0.0, abs=0.05)
    assert il.normalized_score(ref["expert"], env_id) == pytest.approx(1.0)
    assert il.normalized_score(ref["random"], env_id) == pytest.approx(0.0)


def test_reference_uses_the_given_horizon():
    short = il.reference_returns(CARTPOLE, horizon=50)
    assert short["expert"] == 50.0
    res = il.evaluate(il.get_expert(CARTPOLE), CARTPOLE, 10, seed=0, horizon=50)
    assert res.return_mean == 50.0 and res.normalized == pytest.approx(1.0)


def test_lane_keeping_reports_off_road_and_cost_curve():
    res = il.evaluate(random_policy(LANE), LANE, 20, seed=0)
    assert 0.5 < res.off_road_rate <= 1.0
    assert res.cost_curve.shape == (200,)
    assert np.all((res.cost_curve >= 0) & (res.cost_curve <= 1))
    # the cost curve is the per-step fraction of cars off the road; it sums to the mean cost
    assert res.cost_curve.sum() == pytest.approx(200 - res.return_mean)
    assert res.success_rate is None
    expert = il.evaluate(il.get_expert(LANE), LANE, 20, seed=0)
    assert expert.off_road_rate == 0.0 and not expert.cost_curve.any()


def test_cartpole_has_no_off_road_or_cost_curve():
    res = il.evaluate(il.get_expert(CARTPOLE), CARTPOLE, 5, seed=0)
    assert res.off_road_rate is None and res.cost_curve is None and res.success_rate is None


def test_mountain_car_reports_success_rate():
    expert = il.evaluate(il.get_expert("MountainCar-v0"), "MountainCar-v0", 20, seed=0)
    assert expert.success_rate == 1.0
    rand = il.evaluate(random_policy("MountainCar-v0"), "MountainCar-v0", 20, seed=0)
    assert rand.success_rate == 0.0
    assert expert.off_road_rate is None and expert.cost_curve is None


def test_env_kwargs_turn_off_normalization():
    res = il.evaluate(il.get_expert(LANE), LANE, 5, seed=0, env_kwargs={"heading_noise": 0.0})
    assert res.normalized is None and res.return_mean == 200.0
    assert "normalized" not in res.summary()


def test_summary_keys_and_repr():
    lane = il.evaluate(il.get_expert(LANE), LANE, 5, seed=0)
    s = lane.summary()
    assert set(s) == {"env", "return_mean", "return_std", "episodes", "normalized", "off_road_rate"}
    assert s["env"] == LANE and s["episodes"] == 5 and s["return_mean"] == 200.0
    assert all(isinstance(s[k], float) for k in ("return_mean", "return_std", "normalized", "off_road_rate"))
    mc = il.evaluate(il.get_expert("MountainCar-v0"), "MountainCar-v0", 5, seed=0).summary()
    assert set(mc) == {"env", "return_mean", "return_std", "episodes", "normalized", "success_rate"}
    assert isinstance(lane, EvalResult)
    assert repr(lane).startswith(f"EvalResult({LANE}: return 200.0")
    assert "off-road 0.00% of steps" in repr(lane)


def test_return_std_and_mean_match_the_returns():
    res = il.evaluate(random_policy(CARTPOLE), CARTPOLE, 20, seed=0)
    assert res.returns.dtype == np.float64 and res.returns.shape == (20,)
    assert res.return_mean == pytest.approx(res.returns.mean())
    assert res.return_std == pytest.approx(res.returns.std()) and res.return_std > 0


# -- bad arguments -----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    ({"n_episodes": 0}, r"n_episodes must be an integer >= 1, got 0"),
    ({"n_episodes": 2.5}, r"n_episodes must be an integer >= 1, got 2.5"),
    ({"n_episodes": True}, r"n_episodes must be an integer >= 1, got True"),
    ({"horizon": -1}, r"horizon must be an integer >= 1, got -1"),
    ({"horizon": 0}, r"horizon must be an integer >= 1, got 0"),
    ({"noise": 2}, r"noise must be in \[0, 1\], got 2"),
    ({"noise": -0.1}, r"noise must be in \[0, 1\], got -0.1"),
    ({"noise": math.nan}, r"noise must be in \[0, 1\], got nan"),
    ({"noise": math.inf}, r"noise must be in \[0, 1\], got inf"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rollout(il.get_expert(CARTPOLE), CARTPOLE, **{"n_episodes": 2, **kwargs})
    if "noise" not in kwargs:
        with pytest.raises(ValueError, match=match):
            il.evaluate(il.get_expert(CARTPOLE), CARTPOLE, **{"n_episodes": 2, **kwargs})


def test_unknown_env_and_bad_policy():
    with pytest.raises(ValueError, match="Did you mean 'CartPole-v1'"):
        rollout(il.get_expert(CARTPOLE), "CartPole-v0", 2)
    with pytest.raises(TypeError, match="expected a policy"):
        rollout(123, CARTPOLE, 2)
