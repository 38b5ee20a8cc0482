"""Notebook 06's experiments: the fork statistics of a rollout, evaluate_fork, Bishop's data, the
shared budget and the comparison over seeds (small here; the claims at full budget are in
tests/test_multimodal_claims.py)."""

import numpy as np
import pytest

import il_helpers as il
from il_helpers.algorithms.chunking import ChunkPolicy
from il_helpers.algorithms.cvae import CVAEPolicy
from il_helpers.algorithms.diffusion import DiffusionPolicy
from il_helpers.algorithms.discretized import DiscretizedPolicy
from il_helpers.algorithms.mdn import MDNConfig, MDNPolicy
from il_helpers.lessons import multimodal as L

ENV = il.OBSTACLE_FORK


def test_fork_stats_and_side_switches():
    r, stats = L.evaluate_fork(il.get_expert(ENV), 20, seed=0)
    assert stats["episodes"] == 20 and stats["n_passed"] == 20
    assert np.all(L.side_switches(r) == 0)
    r.actions[0, 10:14, 1] = [1.0, -1.0, 1.0, 0.0]  # a zig-zag: two reversals
    assert L.side_switches(r)[0] == 2 and L.fork_stats(r)["zigzag_rate"] == pytest.approx(1 / 20)
    lane = il.rollout(il.get_expert(il.LANE_KEEPING), il.LANE_KEEPING, 2, seed=0, horizon=5)
    with pytest.raises(ValueError, match="ObstacleFork"):
        L.fork_stats(lane)
    assert il.evaluate_fork is L.evaluate_fork and il.fork_stats is L.fork_stats


def test_evaluate_fork_resets_policies_that_hold_state():
    class Counter:
        def __init__(self):
            self.resets = []

        def reset(self, n, seed=None):
            self.resets.append((n, seed))

        def __call__(self, obs):
            return np.tile([1.0, 0.0], (len(obs), 1))

    p = Counter()
    L.evaluate_fork(p, 7, seed=11)
    assert p.resets == [(7, 11)]


def test_bishop_data_is_the_inverse_problem():
    x, t = L.bishop_data(500, seed=1)
    assert x.shape == t.shape == (500, 1) and x.dtype == np.float32
    assert np.all(np.abs(x - (t + 0.3 * np.sin(2 * np.pi * t))) <= 0.1 + 1e-6)
    np.testing.assert_array_equal(L.bishop_data(500, seed=1)[0], x)


def test_the_budget_and_the_labels():
    assert L.TRAIN["epochs"] > L.TRAIN_FAST["epochs"]
    cfg = MDNConfig()
    assert {k: getattr(cfg, k) for k in L.TRAIN} == L.TRAIN  # the trainers' defaults are the full budget
    assert L.TRAIN["patience"] == L.TRAIN["epochs"] and L.TRAIN_FAST["patience"] == L.TRAIN_FAST["epochs"]
    assert [il.plots.label(m) for m in L.METHODS] == ["MSE-BC", "MDN", "discretized", "CVAE", "diffusion"]
    assert set(L.TRAINERS) == set(L.METHODS) - {"mse"}
    assert L.CHUNKED == tuple(f"{m}_chunk" for m in L.METHODS)
    from il_helpers.plots.multimodal import method_label

    assert method_label("mdn_chunk") == "MDN +chunks" and method_label("cvae") == "CVAE"


@pytest.fixture(scope="module")
def small_demos():
    return il.collect_demonstrations(ENV, 20, seed=4)


def test_train_method_trains_each_kind_with_the_shared_budget(small_demos):
    for kind, cls in (("mdn", MDNPolicy), ("discretized", DiscretizedPolicy), ("cvae", CVAEPolicy)):
        policy, hist = L.train_method(kind, small_demos, seed=1, fast=True)
        assert isinstance(policy, cls) and policy.seed == 1 and hist.config.epochs == L.TRAIN_FAST["epochs"]
    mse, hist = L.train_method("mse", small_demos, seed=1, fast=True)
    assert isinstance(mse, il.MLPPolicy) and hist.epochs_run <= L.TRAIN_FAST["epochs"]
    diffusion, hist = L.train_method("diffusion", small_demos, seed=1, fast=True)
    assert isinstance(diffusion, DiffusionPolicy) and diffusion.noise_draws == 2  # the comparison's own setting
    assert hist.config.epochs == L.TRAIN_FAST["epochs"]
    for kind in ("mse_chunk", "diffusion_chunk"):
        chunked, hist = L.train_method(kind, small_demos, seed=1, fast=True)
        assert isinstance(chunked, ChunkPolicy) and chunked.k == L.CHUNK and chunked.execute == "open_loop"
        assert chunked.base == kind[:-6] and hist.config.epochs == L.TRAIN_FAST["epochs"]
    assert chunked.inner.noise_draws == 2
    with pytest.raises(ValueError, match="unknown method"):
        L.train_method("gan", small_demos)


def test_fork_comparison_rows_table_progress_and_reuse(small_demos):
    calls = []
    rows = L.fork_comparison([0], methods=("mse", "mdn"), n_demos=15, episodes=10, fast=True,
                             progress=lambda done, total, info: calls.append((done, total, info["method"])))
    assert [(r["method"], r["seed"]) for r in rows] == [("mse", 0), ("mdn", 0)]
    assert calls == [(1, 2, "mse"), (2, 2, "mdn")]
    for r in rows:
        assert r["episodes"] == 10 and r["finite"] and r["epochs"] >= 1 and 0 <= r["success_rate"] <= 1
    assert np.isnan(rows[0]["fork_left_prob"]) and 0 <= rows[1]["fork_left_prob"] <= 1
    table = il.plots.fork_comparison_table(rows)
    assert table.splitlines()[2].startswith("MSE-BC") and table.splitlines()[3].startswith("MDN")
    assert "over 1 seed(s), 10 episodes each" in table
    # an already trained policy is reused, not trained again
    demos = il.collect_demonstrations(ENV, 15, seed=il.core.seeding.DEMO_SEED_OFFSET)
    trained = {("mdn", 0): L.train_method("mdn", demos, seed=0, fast=True)}
    again = L.fork_comparison([0], methods=("mdn",), n_demos=15, episodes=10, trained=trained)
    assert again[0]["success_rate"] == rows[1]["success_rate"] and again[0]["epochs"] == rows[1]["epochs"]


def test_minority_side_share():
    base = {"episodes": 100}
    assert L.minority_side_share({**base, "n_passed": 0, "left_share": float("nan")}) == 0.0   # all collide
    assert L.minority_side_share({**base, "n_passed": 100, "left_share": 1.0}) == 0.0          # one side only
    assert L.minority_side_share({**base, "n_passed": 100, "left_share": 0.0}) == 0.0
    assert L.minority_side_share({**base, "n_passed": 80, "left_share": 0.25}) == pytest.approx(0.2)
    _, expert = L.evaluate_fork(il.get_expert(ENV), 100, seed=0)
    assert L.minority_side_share(expert) > 0.3                                               # the expert splits


def test_fork_left_probability():
    mdn = MDNPolicy(2, 2, n_components=3, seed=0)
    w, mu, _ = mdn.mixture(np.asarray(il.envs.obstacle_fork.FORK_STATE, np.float32)[None])
    assert L.fork_left_probability(mdn) == pytest.approx(float(w[0][mu[0, :, 1] > 0].sum()))
    assert 0.0 <= L.fork_left_probability(mdn) <= 1.0
    assert np.isnan(L.fork_left_probability(il.get_expert(ENV)))                             # no mixture


def test_outcomes_by_noise_gives_each_episode_its_held_noise_and_outcome():
    p = DiffusionPolicy.for_env(ENV, hidden=(8,), seed=0)     # untrained: any outcome will do
    out = L.outcomes_by_noise(p, 30, seed=5)
    assert out["noise"].shape == (30, 2) and out["side"].shape == out["collision"].shape == (30,)
    np.testing.assert_array_equal(out["noise"], p.draw_noise(np.random.default_rng(5), 30))  # reset(30, seed=5)
    assert set(np.unique(out["side"])) <= {-1, 0, 1} and out["collision"].dtype == bool
    assert out["stats"]["episodes"] == 30 and out["stats"]["collision_rate"] == pytest.approx(out["collision"].mean())
    p.hold = False
    with pytest.raises(ValueError, match="hold=True"):
        L.outcomes_by_noise(p, 5)


def test_crashes_between_sides():
    noise = np.array([[0.9], [0.7], [-0.8], [-1.0], [0.1], [-0.2], [1.5]])
    side = np.array([1, 1, -1, -1, 0, 0, 0])
    crashed = np.array([False, False, False, False, True, True, True])
    out = {"noise": noise, "side": side, "collision": crashed}
    assert L.crashes_between_sides(out) == pytest.approx(2 / 3)   # 0.1 and -0.2 lie in (-0.9, 0.8); 1.5 does not
    assert np.isnan(L.crashes_between_sides({**out, "collision": np.zeros(7, bool)}))
    assert np.isnan(L.crashes_between_sides({**out, "side": np.where(side == -1, 1, side)}))
