"""The gridworlds: generation, the exposed model, the batched twin and the gymnasium env agree with
it, env ids and registration, the soft-optimal expert, changed dynamics, and the bench CLI."""

import json
import warnings

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

import il_helpers as il
from il_helpers import bench
from il_helpers import tabular as tab
from il_helpers.envs import gridworlds as gw
from il_helpers.envs.registry import BATCHED, EXPERTS

FAMILIES = ("FeatureGrid", "ObjectWorld")


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("size", [8, 16, 32])
def test_world_shapes_and_dtypes(family, size):
    w = gw.make_world(family, size=size, world_seed=3)
    S, A, F = size * size, 5, w.n_features
    assert (w.n_states, w.n_actions) == (S, A) and w.size == size and w.family == family
    assert w.features.shape == (S, F) and w.features.dtype == np.float64 and len(w.feature_names) == F
    assert w.reward.shape == w.start.shape == (S,) and w.next_state.shape == (S, A)
    assert w.next_state.dtype == np.int64 and w.next_state.min() >= 0 and w.next_state.max() < S
    assert w.start.sum() == pytest.approx(1.0) and np.all(w.start > 0)  # uniform starts
    assert w.phi.shape == (S, F) and w.r.shape == w.d0.shape == (S,)
    assert w.phi.dtype == w.r.dtype == w.d0.dtype == torch.float64
    assert w.P.idx.shape == w.P.prob.shape == (S, A, A)
    torch.testing.assert_close(w.P.prob.sum(-1), torch.ones(S, A, dtype=torch.float64))
    assert w.horizon == 50 and w.wind == gw.DEFAULTS[family]["wind"]


def test_generation_is_deterministic_and_seeded():
    for family in FAMILIES:
        a = gw._make_world.__wrapped__(family, 16, 5, 0.1, 50)
        b = gw._make_world.__wrapped__(family, 16, 5, 0.1, 50)
        c = gw._make_world.__wrapped__(family, 16, 6, 0.1, 50)
        np.testing.assert_array_equal(a.features, b.features)
        np.testing.assert_array_equal(a.reward, b.reward)
        assert not np.array_equal(a.features, c.features)
        # wind changes the dynamics, never the layout
        d = gw._make_world.__wrapped__(family, 16, 5, 0.4, 50)
        np.testing.assert_array_equal(a.features, d.features)
    # cached
    assert gw.make_world("FeatureGrid", world_seed=2) is gw.make_world("il_helpers/FeatureGrid-v0", world_seed=2)
    with pytest.raises(ValueError, match="read-only"):  # so a shared world cannot be changed by accident
        gw.make_world("FeatureGrid").reward[0] = 5.0


def test_feature_grid_reward_is_linear_in_one_hot_terrain_features():
    w = gw.make_world("FeatureGrid", size=16, world_seed=7)
    assert set(np.unique(w.features)) <= {0.0, 1.0} and w.features.sum(1).max() == 1
    np.testing.assert_allclose(w.reward, w.features @ w.true_weights)
    assert w.true_weights.max() == 1.0 and np.all(np.abs(w.true_weights) <= 1)
    # terrain comes in 2x2 blocks
    terrain = w.grid(w.terrain)
    np.testing.assert_array_equal(terrain[::2, ::2], terrain[1::2, 1::2])
    assert w.reward.max() == 1.0 and w.true_weights is not None and w.objects is None


def test_object_world_features_are_distances_and_the_reward_is_levines():
    w = gw.make_world("ObjectWorld", size=16, world_seed=4)
    assert w.objects.shape == (8, 4) and w.n_features == 4  # size^2 / 32 objects, 2 colours
    rows, cols = np.divmod(np.arange(w.n_states), 16)
    for s in (0, 37, 200, 255):
        for j, (kind, colour) in enumerate([(2, 0), (2, 1), (3, 0), (3, 1)]):
            mine = w.objects[w.objects[:, kind] == colour]
            d = np.hypot(rows[s] - mine[:, 0], cols[s] - mine[:, 1]).min() if len(mine) else 16 * np.sqrt(2)
            assert w.features[s, j] == pytest.approx(d)
    near0, near1 = w.features[:, 2] <= 3, w.features[:, 3] <= 2
    np.testing.assert_array_equal(w.reward, np.where(near0 & near1, 1.0, np.where(near0, -1.0, 0.0)))
    assert (w.reward > 0).any() and set(np.unique(w.reward)) <= {-1.0, 0.0, 1.0}
    assert w.true_weights is None


@pytest.mark.parametrize("kwargs, match", [
    ({"size": 3}, "size must be an integer >= 4"), ({"size": 65}, "at most 64"), ({"size": 8.0}, "size"),
    ({"world_seed": -1}, "world_seed"), ({"wind": 1.5}, "wind"), ({"wind": -0.1}, "wind"), ({"wind": True}, "wind"),
    ({"horizon": 0}, "horizon"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gw.make_world("FeatureGrid", **kwargs)
    with pytest.raises(ValueError, match=match):
        gw.gridworld_id("ObjectWorld", **kwargs)


def test_unknown_family_and_options():
    with pytest.raises(ValueError, match="unknown gridworld family"):
        gw.make_world("LavaWorld")
    with pytest.raises(ValueError, match="at least 2 colours"):
        gw.object_world(n_colours=1)
    with pytest.raises(ValueError, match="n_objects"):
        gw.object_world(size=8, n_objects=1)
    with pytest.raises(TypeError, match="unknown keyword"):
        il.make_batched(gw.FEATURE_GRID, 2, lava=True)


def test_dense_transitions_follow_the_wind_formula():
    w = gw.make_world("FeatureGrid", size=5, world_seed=0, wind=0.2)
    P = w.dense_transitions()
    assert P.shape == (25, 5, 25)
    s = 12  # the centre: every move goes somewhere else
    for a in range(5):
        expected = np.zeros(25)
        expected[w.next_state[s, a]] += 0.8
        for b in range(5):
            expected[w.next_state[s, b]] += 0.2 / 5
        np.testing.assert_allclose(P[s, a], expected)
    # moves: up is row - 1, right is col + 1; the border holds
    assert w.next_state[12, 1] == 7 and w.next_state[12, 4] == 13 and w.next_state[12, 0] == 12
    assert w.next_state[0, 1] == 0 and w.next_state[0, 3] == 0 and w.next_state[24, 2] == 24
    calm = gw.make_world("FeatureGrid", size=5, world_seed=0, wind=0.0).dense_transitions()
    assert set(np.unique(calm)) == {0.0, 1.0}


def test_grid_coords_and_observations_roundtrip():
    w = gw.make_world("ObjectWorld", size=8)
    s = np.array([0, 9, 63])
    np.testing.assert_array_equal(w.coords(s), [[0, 0], [1, 1], [7, 7]])
    obs = w.obs(s, 4)
    assert obs.dtype == np.float32 and obs.shape == (3, 3)
    states, t = w.states_from_obs(obs)
    np.testing.assert_array_equal(states, s)
    np.testing.assert_array_equal(t, 4)
    assert w.grid(np.arange(64)).shape == (8, 8) and w.grid(np.arange(64))[1, 2] == 10
    with pytest.raises(ValueError, match="one per state"):
        w.grid(np.arange(10))
    for bad, match in [(np.zeros((2, 2)), r"\(N, 3\)"), (np.array([[0.5, 0, 0]]), "integers"),
                       (np.array([[8.0, 0, 0]]), "outside"), (np.array([[0.0, 0, -1]]), "negative")]:
        with pytest.raises(ValueError, match=match):
            w.states_from_obs(bad)


def test_batched_twin_steps_the_model():
    w = gw.make_world("FeatureGrid", size=6, world_seed=1, wind=0.3)
    env = gw.GridworldBatched(20_000, world=w)
    obs = env.reset(seed=0)
    assert obs.shape == (20_000, 3) and obs.dtype == np.float32 and np.all(obs[:, 2] == 0)
    s0, _ = w.states_from_obs(obs)
    assert np.abs(np.bincount(s0, minlength=36) / 20_000 - w.start).max() < 0.02
    a = np.full(20_000, 4)  # everybody tries to move right
    nxt, reward, terminated, info = env.step(a)
    np.testing.assert_array_equal(reward, w.reward[s0].astype(np.float32))  # r(s_t)
    assert not terminated.any() and info == {} and np.all(nxt[:, 2] == 1)
    s1, _ = w.states_from_obs(nxt)
    P = w.dense_transitions()
    for s in (0, 14, 35):
        mask = s0 == s
        freq = np.bincount(s1[mask], minlength=36) / mask.sum()
        assert np.abs(freq - P[s, 4]).max() < 0.06
    assert env.horizon == 50 and gw.GridworldBatched(2, horizon=7, world=w).horizon == 7


def test_reset_is_seeded():
    env = il.make_batched(gw.OBJECT_WORLD, 50)
    a, b = env.reset(seed=3), env.reset(seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, env.reset(seed=4))


@pytest.mark.parametrize("env_id", [gw.FEATURE_GRID, gw.OBJECT_WORLD])
def test_gymnasium_env_passes_check_env_and_matches_the_twin(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # check_env's warnings count as failures
        check_env(env.unwrapped)
    assert env.observation_space == il.env_spaces(env_id)[0] and env.action_space == il.env_spaces(env_id)[1]
    obs, info = env.reset(seed=0)
    assert obs.shape == (3,) and obs.dtype == np.float32 and env.observation_space.contains(obs)
    total, steps, truncated = 0.0, 0, False
    while not truncated:
        obs, reward, terminated, truncated, _ = env.step(0)
        assert not terminated and env.observation_space.contains(obs)
        total, steps = total + reward, steps + 1
    assert steps == 50 and obs[2] == 50
    frame = env.render()
    assert frame.shape == (256, 256, 3) and frame.dtype == np.uint8
    with pytest.raises(ValueError, match="render_mode"):
        gw.GridworldEnv(render_mode="human")


def test_gym_make_takes_the_world_parameters():
    env = gym.make(gw.FEATURE_GRID, size=8, world_seed=9, wind=0.0, horizon=10)
    world = env.unwrapped.world
    assert (world.size, world.world_seed, world.wind, world.horizon) == (8, 9, 0.0, 10)
    assert env.observation_space.high.tolist() == [7, 7, 10]


def test_gridworld_ids_register_everywhere_but_not_in_env_ids():
    assert gw.gridworld_id("FeatureGrid") == gw.FEATURE_GRID
    assert gw.gridworld_id(gw.OBJECT_WORLD, wind=0.3) == gw.OBJECT_WORLD  # the defaults give the base id
    env_id = gw.gridworld_id("ObjectWorld", size=12, world_seed=3, wind=0.5)
    assert env_id == "il_helpers/ObjectWorld-12x12-seed3-wind0.5-T50-v0"
    assert gw.gridworld_id("ObjectWorld", size=12, world_seed=3, wind=0.1 * 5) == env_id  # rounding
    for eid in (gw.FEATURE_GRID, gw.OBJECT_WORLD, env_id):
        assert eid in BATCHED and eid in gym.registry and eid in EXPERTS and gw.is_gridworld(eid)
        assert eid not in il.ENV_IDS  # ENV_IDS lists the environments with shipped data
        assert il.check_env_id(eid) == eid
    w = gw.world_for(env_id)
    assert (w.size, w.world_seed, w.wind) == (12, 3, 0.5) and w.env_id == env_id
    assert il.make_batched(env_id, 2).world is w and gym.make(env_id).unwrapped.world is w
    assert not gw.is_gridworld("CartPole-v1")
    with pytest.raises(ValueError, match="not a gridworld id"):
        gw.world_for("CartPole-v1")
    # make_batched's keyword arguments pick another world of the same family
    other = il.make_batched(gw.FEATURE_GRID, 2, size=8, world_seed=1)
    assert other.world.size == 8 and other.env_id == gw.gridworld_id("FeatureGrid", size=8, world_seed=1)


def test_the_toolbox_works_on_a_gridworld_variant():
    env_id = gw.gridworld_id("FeatureGrid", size=32, world_seed=2)
    demos = il.collect_demonstrations(env_id, 5, seed=0)
    assert demos.obs.shape == (250, 3) and demos.obs.dtype == np.float32 and demos.env_id == env_id
    assert demos.actions.dtype == np.int64 and np.all(demos.episode_lengths == 50)
    np.testing.assert_array_equal(demos.obs[1:50, :2], demos.next_obs[:49, :2])
    # validated against the default spaces: same observation shape at every size
    assert il.env_spaces(env_id)[0].shape == il.env_spaces(gw.FEATURE_GRID)[0].shape == (3,)
    res = il.evaluate(il.get_expert(env_id), env_id, 50, seed=1)
    rand = il.evaluate(il.RandomPolicy(il.env_spaces(env_id)[1], seed=0), env_id, 50, seed=1)
    assert res.normalized == pytest.approx(1.0, abs=0.1) and rand.normalized == pytest.approx(0.0, abs=0.1)


def test_expert_samples_the_soft_optimal_policy():
    w = gw.make_world("ObjectWorld", size=8, world_seed=0)
    expert = il.get_expert(gw.gridworld_id("ObjectWorld", size=8))
    assert isinstance(expert, gw.GridworldExpert) and "soft-optimal" in expert.name
    obs = np.repeat(w.obs(np.array([10]), 3), 20_000, axis=0)
    freq = np.bincount(expert(obs), minlength=5) / 20_000
    np.testing.assert_allclose(freq, w.soft_plan.policy[3, 10].numpy(), atol=0.015)
    # the expert's exact value is the soft-optimal policy's, below the optimal value
    v_soft = float(tab.policy_value(w.soft_plan, w.r, w.P, w.d0))
    v_opt = float(w.optimal_plan.v[0] @ w.d0)
    assert 0.7 * v_opt < v_soft < v_opt
    # two experts from the factory draw the same actions (each seeded at 0)
    a, b = il.get_expert(gw.OBJECT_WORLD), il.get_expert(gw.OBJECT_WORLD)
    np.testing.assert_array_equal(a(obs[:100]), b(obs[:100]))


def run_main(capsys, *argv):
    assert bench.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_bench_maxent_irl_reports_evd(capsys):
    res = run_main(capsys, "maxent_irl", "--env", gw.FEATURE_GRID, "--size", "8", "--world-seed", "2",
                   "--demos", "16", "--fast", "--episodes", "20")
    assert res["env"] == "il_helpers/FeatureGrid-8x8-seed2-wind0.1-T50-v0"
    assert res["env_options"] == {"size": 8, "world_seed": 2}
    assert res["method"] == "maxent_irl" and res["reward"] == "linear" and res["steps"] == 60
    assert 0 <= res["evd_relative"] < 0.05 and res["reward_corr"] > 0.8 and res["normalized"] > 0.9
    assert res["evd"] == pytest.approx(res["evd_relative"] * res["v_optimal"], abs=1e-3)


@pytest.mark.parametrize("argv, message", [
    (["maxent_irl", "--env", "CartPole-v1"], "maxent_irl needs a tabular gridworld env"),
    (["bc", "--env", "CartPole-v1", "--size", "8"], "--size/--world-seed/--wind apply only to"),
    (["expert", "--env", gw.OBJECT_WORLD, "--size", "3"], "size must be an integer >= 4"),
    (["expert", "--env", gw.OBJECT_WORLD, "--wind", "2"], "wind must be a probability"),
])
def test_bench_bad_gridworld_arguments_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as err:
        bench.main(argv)
    assert err.value.code == 2 and message in capsys.readouterr().err


def test_bench_other_methods_run_on_gridworlds(capsys):
    res = run_main(capsys, "expert", "--env", gw.OBJECT_WORLD, "--world-seed", "1", "--fast", "--episodes", "10")
    assert res["env"] == gw.gridworld_id("ObjectWorld", world_seed=1) and res["normalized"] == pytest.approx(1, abs=0.2)


# -- changed dynamics ---------------------------------------------------------------------------

def world8(seed=0, wind=0.0):
    return gw.make_world("FeatureGrid", size=8, world_seed=seed, wind=wind)


def test_changed_dynamics_relabel_the_moves_and_keep_the_task():
    w = world8(seed=2)
    up, down, left, right = 1, 2, 3, 4
    s = 3 * 8 + 3                                        # cell (3, 3), far from the border
    rev = gw.changed_dynamics(w, "reverse").dense().numpy()
    rot = gw.changed_dynamics(w, "rotate").dense().numpy()
    assert rev[s, up, w.next_state[s, down]] == 1.0 and rev[s, left, w.next_state[s, right]] == 1.0
    assert rot[s, up, w.next_state[s, right]] == 1.0 and rot[s, right, w.next_state[s, down]] == 1.0
    assert rev[s, 0, s] == rot[s, 0, s] == 1.0           # stay stays
    # "none" with new wind is the world made with that wind
    np.testing.assert_allclose(gw.changed_dynamics(w, "none", wind=0.3).dense().numpy(),
                               world8(seed=2, wind=0.3).dense_transitions())
    # a relabeling keeps the task: the expert re-optimized earns exactly its old value
    v_train = tab.policy_return(tab.soft_policy(w.r, w.P)[0], w.r, w.P, w.d0)
    for change in ("rotate", "reverse", "shuffle"):
        P = gw.changed_dynamics(w, change)
        assert tab.policy_return(tab.soft_policy(w.r, P)[0], w.r, P, w.d0) == pytest.approx(v_train, rel=1e-9)
