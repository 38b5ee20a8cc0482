"""Notebook 08's lesson: the demonstrators without the expert, the held-out set, the runs' rows; and
its figures (drawn from small runs)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.lessons import imperfect_demonstrations as L  # noqa: E402


def test_no_expert_among_the_demonstrators():
    mq = L.suboptimal_demos(0, n=2)
    assert set(mq.sources) == set(L.SUBOPTIMAL) and "expert" not in mq.sources
    assert mq.demos.num_episodes == 2 * len(L.SUBOPTIMAL)
    held = L.held_out_demos(0, n=2)
    assert not np.array_equal(held.demos.obs[:5], mq.demos.obs[:5])      # fresh episodes


def test_demonstrator_levels_are_below_the_expert():
    levels = L.demonstrator_levels(n_episodes=30)
    assert set(levels) == set(L.SUBOPTIMAL)
    assert all(0.4 < v < 0.9 for v in levels.values()), levels


def test_trex_runs_rows_and_figures():
    rows = L.trex_runs([0], n_eval=5, trex=dict(pairs=200, steps=20, iterations=1))
    r = rows[0]
    assert {"seed", "bc", "weighted_bc", "trex", "correlation", "held_out", "history"} <= set(r)
    true, learned = r["held_out"]
    assert len(true) == len(learned) == L.N_HELD_OUT * len(L.SUBOPTIMAL)
    ax, corr = il.plots.plot_reward_scatter(true, learned)
    assert corr == pytest.approx(r["correlation"], abs=1e-6)
    il.plots.plot_reward_profile(r["history"].reward)
    ax = il.plots.plot_headline(rows, {"a": 0.5, "b": 0.7})
    assert ax.get_ylabel() == "normalized score"
    plt.close("all")


def test_self_improve_and_robust_rows_and_figures():
    si = L.self_improve_runs([0], n_eval=5, settings=dict(rounds=1, rollouts=16, bc=il.BCConfig(epochs=2)))
    assert len(si[0]["scores"]) == 2
    il.plots.plot_self_improvement({"loop": [si[0]["scores"]]})
    rob = L.robust_runs([0], n_demos=2, n_eval=2)
    assert {"mse", "huber", "trimmed", "mse_error"} <= set(rob[0])
    il.plots.plot_robust(rob)
    plt.close("all")


def test_wrong_expert_and_dagger_rows():
    expert = il.get_expert(il.LANE_KEEPING)
    obs = il.collect_demonstrations(il.LANE_KEEPING, 2, seed=0).obs
    a = L.WrongExpert(0.2, seed=0)(obs)
    wrong = np.abs(a - expert(obs).reshape(a.shape)).ravel() > 1e-6
    assert a.shape == (len(obs), 1) and 0.12 < wrong.mean() < 0.28
    np.testing.assert_array_equal(L.WrongExpert(0.2, seed=0)(obs), a)          # seeded
    with pytest.raises(ValueError, match="p must be in"):
        L.WrongExpert(1.5)
    rows = L.dagger_wrong_expert_runs([0], n_demos=1, iterations=1, n_eval=2)
    assert {"seed", "mse", "huber"} <= set(rows[0])


def test_preferences_runs_rows_curve_and_figure():
    rows = L.preferences_runs([0], n_eval=3, every=2, curve_episodes=2,
                              settings=dict(comparisons=10, iterations=4, reward_steps=2,
                                            ppo=il.PPOConfig(n_envs=2, epochs=1)))
    r = rows[0]
    assert {"seed", "score", "labels", "ties", "curve", "history", "seconds"} <= set(r)
    assert r["labels"] == 10 and len(r["curve"]) == 2                   # iterations 2 and 4
    assert [n for n, _ in r["curve"]] == [r["history"].labels_used[1], r["history"].labels_used[3]]
    ax = il.plots.plot_preference_curve(rows)
    assert ax.get_xlabel() == "comparisons asked so far" and len(ax.lines) == 2   # the seed, the threshold
    plt.close("all")
