"""il_helpers.algorithms.dagger: the mixture, aggregation sizes, histories, the trainer
contract (config and settings, progress, the initial demonstrations), bad input, every env and the
bench method. The variants are tested in test_dagger_variants.py, the figures in
test_plots_dagger.py, the beta schedules in test_schedules.py, notebook 03's claims in
test_lessons_dagger.py."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il
from il_helpers import bench  # noqa: E402
from il_helpers.algorithms import dagger as dg  # noqa: E402  (the module: il.train_dagger is the function)

LK = il.LANE_KEEPING
TINY = il.BCConfig(epochs=2, hidden=(8,))  # for tests of the mechanics, not of learning


def tiny_run(fn=il.train_dagger, env_id=LK, n_demos=1, seed=0, **kw):
    """``fn`` on ``n_demos`` expert episodes collected with ``seed`` (as the course does): (policy, history)."""
    args = dict(iterations=2, iteration_episodes=2, bc=TINY, eval_episodes=3)
    args.update(kw)
    return fn(il.collect_demonstrations(env_id, n_demos, seed=seed), seed=seed, **args)


# -- drivers -------------------------------------------------------------------------------------

EXPERT = il.FunctionPolicy(lambda obs: np.ones((len(obs), 1), np.float32), "always +1")
LEARNER = il.FunctionPolicy(lambda obs: -np.ones((len(obs), 1), np.float32), "always -1")
OBS = np.zeros((4000, 5), np.float32)


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.8, 1.0])
def test_mixture_per_step_statistics(beta):
    mix = dg.MixturePolicy(EXPERT, LEARNER, beta, seed=1)
    shares = [np.mean(mix(OBS) == 1.0) for _ in range(5)]
    drove = np.stack(mix.expert_drove)
    assert drove.shape == (5, 4000) and np.array_equal(drove.mean(axis=1), shares)
    se = np.sqrt(beta * (1 - beta) / drove.size)
    assert abs(drove.mean() - beta) <= 4 * se + 1e-12
    if 0 < beta < 1:  # per step: the same car gets the expert at some steps and the learner at others
        assert 0 < drove.mean(axis=0).mean() < 1 and np.any(drove[0] != drove[1])


def test_mixture_per_episode_keeps_one_coin_per_car():
    mix = dg.MixturePolicy(EXPERT, LEARNER, 0.3, seed=2, per="episode")
    for _ in range(4):
        mix(OBS)
    drove = np.stack(mix.expert_drove)
    assert np.all(drove == drove[0])  # constant along each episode (row)
    assert abs(drove[0].mean() - 0.3) < 4 * np.sqrt(0.21 / 4000)


def test_mixture_is_seeded_and_validates():
    a, b = dg.MixturePolicy(EXPERT, LEARNER, 0.5, seed=3), dg.MixturePolicy(EXPERT, LEARNER, 0.5, seed=3)
    assert np.array_equal(a(OBS), b(OBS))
    assert dg.MixturePolicy(EXPERT, None, 0.0)(OBS[:3]).tolist() == [[1.0]] * 3  # no learner: the expert
    for bad in (-0.1, 1.1, float("nan"), True, "0.5"):
        with pytest.raises(ValueError, match="beta"):
            dg.MixturePolicy(EXPERT, LEARNER, bad)
    with pytest.raises(ValueError, match="per"):
        dg.MixturePolicy(EXPERT, LEARNER, 0.5, per="iteration")


def test_mixture_discrete_actions():
    mix = dg.MixturePolicy(lambda o: np.zeros(len(o), np.int64), lambda o: np.full(len(o), 2, np.int64), 0.5, seed=0)
    a = mix(np.zeros((1000, 4), np.float32))
    assert a.dtype == np.int64 and a.shape == (1000,) and set(np.unique(a)) == {0, 2}
    assert np.array_equal(a == 0, mix.expert_drove[0])


# -- data and history ------------------------------------------------------------------------------

def test_labelled_steps_keeps_the_chosen_steps_in_order():
    r = il.rollout(il.get_expert(LK), LK, n_episodes=3, seed=0, horizon=10, label_policy=il.get_expert(LK))
    keep = np.zeros((3, 10), bool)
    keep[0, [1, 4]] = True
    keep[2, 9] = True
    d = dg.labelled_steps(r, keep)
    assert len(d) == 3 and d.episode_lengths.tolist() == [2, 1]
    assert np.array_equal(d.obs, r.obs[keep]) and np.array_equal(d.actions, r.labels[keep])
    assert len(dg.labelled_steps(r)) == 30 and len(dg.labelled_steps(r, np.zeros((3, 10), bool))) == 0
    with pytest.raises(ValueError, match="label_policy"):
        dg.labelled_steps(il.rollout(il.get_expert(LK), LK, 1, seed=0, horizon=5))
    with pytest.raises(ValueError, match="shape"):
        dg.labelled_steps(r, np.ones((3, 9), bool))


def test_takeovers_count_switches_to_the_expert():
    mask = np.array([[0, 1, 1, 0, 1], [1, 1, 0, 0, 0]], bool)
    assert dg.count_takeovers(mask) == 3


def test_dagger_aggregation_sizes_and_history():
    policy, h = tiny_run(iterations=3, iteration_episodes=2, schedule=("constant", 0.5))
    assert len(h) == 4 and h["iteration"].tolist() == [0, 1, 2, 3]
    assert h["dataset_size"].tolist() == [200, 600, 1000, 1400]      # LaneKeeping: 200 steps per episode
    assert h["new_labels"].tolist() == [200, 400, 400, 400]
    assert np.array_equal(h["labels_used"], h["dataset_size"])     # DAgger labels every visited state
    assert len(h.data) == 1400 and len(h.initial) == 200 and len(h.policies) == 4 and h.policies[-1] is policy
    assert h.labels_used == 1400
    assert h["beta"].tolist() == [1.0, 0.5, 0.5, 0.5]
    assert h["expert_share"][0] == 1.0 and np.all(np.abs(h["expert_share"][1:] - 0.5) < 0.1)
    assert h["expert_steps"][1:].tolist() == [round(s * 400) for s in h["expert_share"][1:]]
    for col in ("normalized", "off_road_rate", "return_mean", "collect_return"):
        assert np.all(np.isfinite(h[col])), col
    # iteration 0 is the given demonstrations: their off-road steps are not known, later ones are
    assert h.records[0].collect_off_road_steps is None and np.all(np.isfinite(h["collect_off_road_steps"][1:]))
    assert "labels" in h.table() and len(h.table().splitlines()) == 5 and "DAgger" in repr(h)
    assert h.settings["schedule"] == "constant beta = 0.5" and h.settings["per"] == "step"
    assert isinstance(h.config, il.DAggerConfig) and h.config.schedule == ("constant", 0.5)
    with pytest.raises(KeyError, match="columns"):
        h["nope"]


def test_dagger_is_deterministic():
    (_, a), (_, b) = tiny_run(seed=3), tiny_run(seed=3)
    for col in ("normalized", "dataset_size", "expert_share", "collect_return"):
        assert np.array_equal(a[col], b[col])
    assert np.array_equal(a.data.obs, b.data.obs)
    assert not np.array_equal(a.data.obs, tiny_run(seed=4)[1].data.obs)


def test_config_and_settings_are_the_same_call():
    demos = il.collect_demonstrations(LK, 1, seed=0)
    cfg = il.DAggerConfig(iterations=1, iteration_episodes=1, bc=TINY, eval_episodes=2)
    pa, a = il.train_dagger(demos, config=cfg)
    pb, b = il.train_dagger(demos, iterations=1, iteration_episodes=1, bc=TINY, eval_episodes=2)
    pc, c = il.train_dagger(demos, config=il.DAggerConfig(iterations=4, bc=TINY, eval_episodes=2), iterations=1,
                            iteration_episodes=1)  # keyword settings replace the config's fields
    assert np.array_equal(a.data.obs, b.data.obs) and np.array_equal(a.data.obs, c.data.obs)
    assert a.config == b.config == c.config
    np.testing.assert_array_equal(pa(demos.obs[:10]), pb(demos.obs[:10]))
    with pytest.raises(TypeError, match="unknown setting.*train.*DAggerConfig has"):
        il.train_dagger(demos, train={"epochs": 2})
    with pytest.raises(TypeError, match="demos must be the initial expert Demonstrations"):
        il.train_dagger(LK)


def test_progress_after_every_iteration():
    seen = []
    _, h = tiny_run(iterations=2, progress=lambda *a: seen.append(a))
    assert [(d, t) for d, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert [info["iteration"] for _, _, info in seen] == [0, 1, 2]
    assert [info["labels_used"] for _, _, info in seen] == h["labels_used"].tolist()


def test_initial_demonstrations_and_normalization_options():
    demos = il.collect_demonstrations(LK, 2, seed=5)
    _, h = il.train_dagger(demos, iterations=1, iteration_episodes=2, bc=TINY, eval_episodes=3, normalize="data")
    assert h.initial is demos and h.final.dataset_size == 800
    _, h = tiny_run(iterations=1)
    mean, std = h.initial.obs.mean(0), h.initial.obs.std(0)
    for p in h.policies:  # "expert": every learner normalizes with the expert data's statistics
        assert np.allclose(p.obs_mean.numpy(), mean, atol=1e-5) and np.allclose(p.obs_std.numpy(), std, rtol=1e-4)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"iterations": -1}, ValueError, "iterations"), ({"iteration_episodes": 0}, ValueError, "iteration_episodes"),
    ({"eval_episodes": -1}, ValueError, "eval_episodes"), ({"bc": {"epochs": 1}}, TypeError, "bc must be a BCConfig"),
    ({"normalize": "robust"}, ValueError, "normalize"),
    ({"schedule": "cosine"}, ValueError, "schedule"), ({"per": "iteration"}, ValueError, "per"),
    ({"seed": -1}, ValueError, "seed")])
def test_dagger_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        tiny_run(**kwargs) if "seed" not in kwargs else il.train_dagger(
            il.collect_demonstrations(LK, 1, seed=0), bc=TINY, **kwargs)


def test_bad_env_and_initial():
    with pytest.raises(ValueError, match="unknown environment"):
        il.train_dagger(il.collect_demonstrations(LK, 1, seed=0), env_id="LaneKeeping-v9")
    with pytest.raises(ValueError, match="not 'il_helpers/LaneKeeping-v0'"):
        il.train_dagger(il.collect_demonstrations("CartPole-v1", 1, seed=0), env_id=LK)


@pytest.mark.parametrize("env_id", il.ENV_IDS)
def test_every_env_with_a_queryable_expert(env_id):
    policy, h = tiny_run(env_id=env_id, iterations=1, iteration_episodes=1)
    assert len(h) == 2 and h.final.dataset_size == len(h.data) > len(h.initial)
    assert np.isfinite(h.final.return_mean)
    assert (h.final.off_road_rate is None) == (env_id not in (LK, il.LANE_KEEPING_DISCRETE))
    actions = policy(h.data.obs[:5])
    assert actions.shape[0] == 5
    assert np.isfinite(il.evaluate(policy, env_id, n_episodes=2, seed=0).return_mean)


def test_bench_method(capsys):
    # tests run with IL_FAST=1, so this is the --fast budget (3 iterations, 20 epochs); the full
    # `python -m il_helpers.bench dagger --env CartPole-v1 --seed 0` is reported in the notebook's
    # closing note
    assert bench.main(["dagger", "--env", "CartPole-v1", "--seed", "0", "--episodes", "20"]) == 0
    import json
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["method"] == "dagger" and out["return_mean"] >= 475
    assert out["labels_used"] == out["pairs"] > 5000 and out["iterations"] >= 3
