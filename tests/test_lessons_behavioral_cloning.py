"""Mixed-quality demonstrations: who drove, which actions are the labels, the weights and the
filter, bad input, and the claim of notebook 02: return-weighted BC beats plain BC. Pendulum's quiet
top: the demonstrations, the slope at the top, and one run of the clean / noise-injected comparison."""

import numpy as np
import pytest

import il_helpers as il
from il_helpers.core.data import load_expert_demos
from il_helpers.lessons.behavioral_cloning import (
    Demonstrator,
    LaneKeepingDriver,
    MixedQuality,
    degraded_demonstrators,
    early_stopping_runs,
    first_patience_stop,
    mixed_quality_demos,
    return_weights,
    top_k,
    top_k_episodes,
)
from il_helpers.lessons.pendulum_top import pendulum_demos, pendulum_top_runs, still_share, top_pairs, top_slope

LANE = il.LANE_KEEPING


@pytest.fixture(scope="module")
def mixed():
    return mixed_quality_demos(LANE, 3, seed=0)


def test_demonstrators():
    lane = degraded_demonstrators(LANE)
    assert [d.name for d in lane] == ["expert", "noisy expert", "no preview", "edge hugger"]
    assert [d.name for d in degraded_demonstrators("CartPole-v1")] == ["expert", "noisy expert"]
    assert all(d.description for d in lane)
    with pytest.raises(ValueError, match="unknown environment"):
        degraded_demonstrators("CartPole-v0")


def test_driver_with_default_knobs_is_the_expert():
    obs = load_expert_demos(LANE, 3).obs
    rng = np.random.default_rng(0)
    obs = np.concatenate([obs, obs + rng.normal(size=obs.shape).astype(np.float32) * [1, 0.2, 0.01, 0.01, 0.01]])
    np.testing.assert_allclose(LaneKeepingDriver()(obs), il.get_expert(LANE)(obs), atol=1e-6)
    discrete = LaneKeepingDriver(k_e=0.3, k_psi=3.0, discrete=True)
    np.testing.assert_array_equal(discrete(obs), il.get_expert(il.LANE_KEEPING_DISCRETE)(obs))
    # the biased drivers: no curvature feed-forward / a 1.8 m offset target
    straight = np.zeros((1, 5), np.float32)
    curve = np.array([[0, 0, 0.03, 0.03, 0.03]], np.float32)
    assert LaneKeepingDriver(feedforward=0.0)(curve)[0, 0] == 0.0 < il.get_expert(LANE)(curve)[0, 0]
    assert LaneKeepingDriver(offset=1.8)(straight)[0, 0] > 0  # steers left, towards its offset


def test_mixed_dataset_structure(mixed):
    assert isinstance(mixed, MixedQuality)
    d = mixed.demos
    assert d.num_episodes == 12 and len(mixed.sources) == 12 and d.env_id == LANE
    assert sorted(np.unique(mixed.sources, return_counts=True)[1]) == [3, 3, 3, 3]
    order = ["expert", "noisy expert", "no preview", "edge hugger"]
    assert list(mixed.sources) != sorted(mixed.sources, key=order.index)
    np.testing.assert_allclose(mixed.returns, d.episode_returns)
    rows = mixed.table()
    assert [r[0] for r in rows] == ["expert", "noisy expert", "no preview", "edge hugger"]
    assert rows[0][2] == 200.0 and all(r[2] < 200.0 for r in rows[1:])  # the expert is the best


def test_labels_are_each_demonstrators_own_actions(mixed):
    d, src = mixed.demos, mixed.sources
    expert = il.get_expert(LANE)
    for name, policy in (("expert", expert), ("no preview", LaneKeepingDriver(feedforward=0.0)),
                         ("edge hugger", LaneKeepingDriver(offset=1.8))):
        part = d.episodes(np.flatnonzero(src == name))
        np.testing.assert_allclose(part.actions, policy(part.obs), atol=1e-6)
        np.testing.assert_array_equal(part.actions, part.taken)
    noisy = d.episodes(np.flatnonzero(src == "noisy expert"))
    np.testing.assert_array_equal(noisy.actions, noisy.taken)  # the executed, noisy actions are the labels
    assert np.abs(noisy.actions - expert(noisy.obs)).mean() > 0.3


def test_expert_labels_option_is_dart():
    who = Demonstrator("dart", noise=0.5, labels="expert")
    d = mixed_quality_demos(LANE, 2, seed=1, demonstrators=[who]).demos
    np.testing.assert_allclose(d.actions, il.get_expert(LANE)(d.obs), atol=1e-6)
    assert np.abs(d.taken - d.actions).mean() > 0.1
    with pytest.raises(ValueError, match="labels"):
        mixed_quality_demos(LANE, 1, demonstrators=[Demonstrator("x", labels="mine")])


def test_deterministic_and_seeded(mixed):
    again = mixed_quality_demos(LANE, 3, seed=0)
    np.testing.assert_array_equal(again.demos.obs, mixed.demos.obs)
    np.testing.assert_array_equal(again.sources, mixed.sources)
    other = mixed_quality_demos(LANE, 3, seed=1)
    assert not np.array_equal(other.demos.obs[:50], mixed.demos.obs[:50])
    # collection seeds are above 2**31: no demonstrator drives the roads of an evaluation seed below it
    first = mixed_quality_demos(LANE, [1, 0, 0, 0], seed=0).demos
    for eval_seed in (0, 1, 5000):
        probe = il.collect_demonstrations(LANE, 1, seed=eval_seed)
        assert not np.array_equal(probe.obs[:5], first.obs[:5])


def test_counts_per_demonstrator_and_other_envs():
    m = mixed_quality_demos(LANE, [2, 0, 1, 0], seed=0)
    assert sorted(m.sources.tolist()) == ["expert", "expert", "no preview"]
    assert [r[0] for r in m.table()] == ["expert", "no preview"]
    cp = mixed_quality_demos("CartPole-v1", 2, seed=0)
    assert cp.demos.num_episodes == 4 and cp.demos.discrete
    assert cp.returns[cp.sources == "expert"].min() > cp.returns[cp.sources == "noisy expert"].max()
    for bad in (-1, [1, 2], [0, 0, 0, 0], 1.5):
        with pytest.raises(ValueError, match="n_per_demonstrator"):
            mixed_quality_demos(LANE, bad)


def test_return_weights(mixed):
    d = mixed.demos
    w = return_weights(d, temperature=0.5)
    assert w.shape == (len(d),) and w.dtype == np.float32
    assert w.mean() == pytest.approx(1.0, rel=1e-5)
    per_episode = w[d.episode_starts]
    np.testing.assert_array_equal(w, per_episode[d.episode_ids])  # constant within an episode
    R = d.episode_returns
    order = np.argsort(R)
    assert np.all(np.diff(per_episode[order]) >= -1e-6)  # higher return, higher weight
    adv = (R - R.mean()) / R.std()
    expected = np.exp(adv / 0.5)
    np.testing.assert_allclose(per_episode / per_episode[0], expected / expected[0], rtol=1e-4)
    hot, cold = return_weights(d, temperature=100.0), return_weights(d, temperature=0.05)
    assert hot.std() < 0.05  # a high temperature is plain BC
    best = R == R.max()
    assert cold[np.isin(d.episode_ids, np.flatnonzero(best))].sum() / cold.sum() > 0.9  # a low one: the best only
    # equal returns: equal weights
    flat = load_expert_demos(LANE, 4)
    np.testing.assert_allclose(return_weights(flat), np.ones(len(flat)))
    for bad in (0, -1, np.inf, np.nan):
        with pytest.raises(ValueError, match="temperature"):
            return_weights(d, temperature=bad)
    with pytest.raises(TypeError):
        return_weights(d.obs)


def test_top_k(mixed):
    d = mixed.demos
    R = d.episode_returns
    idx = top_k_episodes(d, 4)
    assert np.all(np.diff(idx) > 0) and len(idx) == 4
    assert R[idx].min() >= np.sort(R)[-4]
    kept = top_k(d, 4)
    assert kept.num_episodes == 4
    np.testing.assert_allclose(kept.episode_returns, R[idx])
    np.testing.assert_array_equal(top_k(d, d.num_episodes).obs, d.obs)
    # ties are broken by position: earlier first
    flat = load_expert_demos(LANE, 5)
    np.testing.assert_array_equal(top_k_episodes(flat, 2), [0, 1])
    for bad in (0, d.num_episodes + 1, 2.0, True):
        with pytest.raises(ValueError, match="k must be"):
            top_k(d, bad)


def test_weighted_bc_beats_plain_bc():
    """Notebook 02's claim on fresh data (seeds the notebook does not use): averaged over three
    seeds, return-weighted BC scores at least 0.05 more than plain BC (measured: about 0.1; it is
    not true of every single seed)."""
    gaps = []
    for seed in (10, 11, 12):
        d = mixed_quality_demos(LANE, 8, seed=seed).demos
        scores = [il.evaluate(il.train_bc(d, weights=w, seed=seed)[0], LANE, n_episodes=50, seed=5000).normalized
                  for w in (None, return_weights(d, temperature=0.5))]
        gaps.append(scores[1] - scores[0])
    assert np.mean(gaps) >= 0.05, gaps


def test_first_patience_stop():
    # best at epoch 1; patience 2 stops at epoch 3, patience 3 at epoch 4; never with patience 10
    v = [3.0, 1.0, 2.0, 2.0, 2.0, 0.5]
    assert first_patience_stop(v, 2) == 3 and first_patience_stop(v, 3) == 4
    assert first_patience_stop(v, 10) == 5                     # the last epoch
    assert first_patience_stop([1.0, 1.0, 1.0], 1) == 1        # a tie is not an improvement
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="patience"):
            first_patience_stop(v, bad)
    with pytest.raises(ValueError, match="val_loss"):
        first_patience_stop([], 2)


def test_early_stopping_runs_keep_both_candidates_of_one_run():
    demos = load_expert_demos("Pendulum-v1", 5)
    rows = early_stopping_runs(demos, [0, 1], epochs=12, n_eval=3, patience=2)
    assert [r["seed"] for r in rows] == [0, 1]
    for r in rows:
        assert len(r["val_loss"]) == len(r["train_loss"]) == 12
        assert r["held_best"] <= r["held_last"] + 1e-6                       # the best epoch is the minimum
        assert r["held_best"] == pytest.approx(min(r["val_loss"]), rel=1e-4)
        assert r["stop_at"] == first_patience_stop(r["val_loss"], 2)
        assert r["held_at_stop"] == pytest.approx(min(r["val_loss"][: r["stop_at"] + 1]))
        assert np.isfinite(r["score_best"]) and np.isfinite(r["score_last"])
    again = early_stopping_runs(demos, [0], epochs=12, n_eval=3, patience=2)[0]
    assert again["score_last"] == rows[0]["score_last"] and again["held_best"] == rows[0]["held_best"]  # deterministic


# -- Pendulum's quiet top --------------------------------------------------------------------------

def test_pendulum_demonstration_set_0_is_the_benchs():
    from il_helpers.bench.methods import bench_args, expert_demos

    args = bench_args("Pendulum-v1", seed=1)
    args.demos = 3
    bench = expert_demos(args)
    mine = pendulum_demos(1, 0, n_demos=3)
    np.testing.assert_array_equal(mine.obs, bench.obs)
    assert not np.array_equal(pendulum_demos(1, 1, n_demos=3).obs, bench.obs)  # set 1 is another set


def test_top_slope_reads_the_experts_gain_and_its_sign():
    expert = il.get_expert("Pendulum-v1")
    assert top_slope(expert) == pytest.approx(expert.K[0], rel=0.02)  # its LQR gain (unclipped at 0.05 rad)
    assert top_slope(lambda obs: np.zeros((len(obs), 1), np.float32)) == 0.0
    assert top_slope(lambda obs: 3.0 * obs[:, 1:2]) == pytest.approx(-3.0, rel=1e-3)  # pushes the wrong way


def test_clean_demonstrations_stand_still_at_the_top_and_noisy_ones_do_not():
    clean, noisy = pendulum_demos(0, 0, n_demos=3), pendulum_demos(0, 0, n_demos=3, noise=0.05)
    assert still_share(clean) > 0.5 and still_share(noisy) < 0.05
    theta, speed = top_pairs(noisy)
    assert len(theta) == len(speed) > 0 and np.all(np.abs(theta) < 0.03)
    np.testing.assert_array_equal(noisy.actions, il.get_expert("Pendulum-v1")(noisy.obs))  # clean labels
    with pytest.raises(ValueError, match="'CartPole-v1' demonstrations.*pendulum_demos"):
        still_share(load_expert_demos("CartPole-v1", 2))


def test_pendulum_top_runs_one_run():
    """Notebook 02's comparison on the seed where the clean clone falls (seed 1, the bench's set):
    the clean clone's slope at the top is far below the expert's, the noisy clone's near it."""
    expert = top_slope(il.get_expert("Pendulum-v1"))
    (row,) = pendulum_top_runs([1], (0,), n_eval=5)
    assert (row["seed"], row["demo_set"]) == (1, 0)
    assert set(row["clean"]) == set(row["noisy"]) == {"score", "slope", "still", "policy", "demos"}
    assert row["clean"]["slope"] < expert / 2 < 0.75 * expert < row["noisy"]["slope"] < 1.25 * expert
    assert row["noisy"]["score"] > row["clean"]["score"]
