"""Notebook 09's experiments (il_helpers.lessons.beyond_gail) on small budgets, its figures, and the
cross-body data path (bco.states_only for a learner with another body)."""

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.algorithms.bco import states_only  # noqa: E402
from il_helpers.envs.lane_keeping import LANE_KEEPING_DISCRETE_REVERSED as REVERSED  # noqa: E402
from il_helpers.lessons import beyond_gail as L  # noqa: E402

LANE = "il_helpers/LaneKeepingDiscrete-v0"


def test_the_committed_stability_study_is_read_and_summarized():
    study = L.stability_study()
    assert set(study["variants"]) == {"gail", "gail+gp", "gail+sn", "vail"} and study["seeds"] == 10
    for v, s in study["summary"].items():
        rows = [r for r in study["rows"] if r["variant"] == v]
        assert len(rows) == s["seeds"] and len(L.seeds_reaching(study, v)) == s["reached"]
        assert s["worst"] == pytest.approx(min(r["normalized"] for r in rows))
        assert all(len(r["curve"]) == study["iterations"] for r in rows)
    with pytest.raises(ValueError, match="no variant 'nope'"):
        L.seeds_reaching(study, "nope")
    fig = il.plots.plot_stability(study, expert_return=500.0)
    assert len([a for a in fig.axes if a.get_visible()]) == 4
    assert "10 of 10 seeds" in fig.axes[1].get_title()


def test_a_missing_or_broken_study_says_how_to_remake_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="benchmarks/gail_stability.py"):
        L.stability_study(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        L.stability_study(bad)
    bad.write_text(json.dumps({"env": "CartPole-v1"}))
    with pytest.raises(ValueError, match="lacks"):
        L.stability_study(bad)


def test_states_watched_on_another_body_train_the_learners_body():
    demos = il.collect_demonstrations(LANE, 2, seed=0)
    watched = states_only(demos, env_id=REVERSED)
    assert watched.env_id == REVERSED and np.array_equal(watched.obs, demos.obs)
    assert not np.any(watched.rewards) and watched.meta["actions"] == "removed"
    with pytest.raises(ValueError, match="can only watch states it can observe"):
        states_only(demos, env_id="CartPole-v1")


def test_on_the_reversed_car_bc_fails_and_bco_drives():
    """The notebook's cross-body claim on one seed and a small budget: BC on the expert's actions is
    no better than random on the reversed car; BCO, from the same episodes' states, reaches the expert."""
    (row,) = L.cross_body_runs([0], n_demos=5, episodes=10)
    assert row["bc"] < 0.2 and row["expert_on_new_body"] < 0.2
    assert row["bco"] >= 0.9 and row["bco"] - row["bc"] >= 0.2
    assert L.bc_on_another_body(3, seed=0, episodes=5) < 0.2


def test_observation_runs_report_every_method_and_skip_gaifo_where_asked():
    (row,) = L.observation_runs("CartPole-v1", [0], n_demos=3, episodes=5, gaifo_seeds=[])
    assert {"bc", "bco", "bc_s", "bco_s", "idm_accuracy"} <= set(row) and "gaifo" not in row
    assert 0.0 <= row["idm_accuracy"] <= 1.0


def test_plot_seed_scores_draws_one_dot_per_seed():
    rows = [{"bc": 0.1 * i, "bco": 1.0} for i in range(3)]
    ax = il.plots.plot_seed_scores(rows, {"bc": "BC", "bco": "BCO"}, threshold=0.9)
    assert [len(c.get_offsets()) for c in ax.collections[::2]] == [3, 3]  # each method: its dots, then its mean bar
    assert [t.get_text() for t in ax.get_xticklabels()] == ["BC", "BCO"]


def test_train_learner_refuses_what_it_cannot_train():
    demos = il.collect_demonstrations(LANE, 2, seed=0)
    with pytest.raises(ValueError, match="method must be one of"):
        L.train_learner("dagger", demos, REVERSED)
    with pytest.raises(ValueError, match="VAIL learns from the expert's"):
        L.train_learner("vail", demos, REVERSED)


def test_the_committed_infogail_study_is_read_and_its_summary_matches_its_rows(tmp_path):
    study = L.infogail_study()
    rows = study["rows"]
    assert len(rows) == study["seeds"] * study["demo_sets"] == study["summary"]["runs"]
    assert study["summary"]["passed"] == sum(r["passed"] for r in rows)
    for r in rows:      # the bar, recomputed from the row's own figures
        split = len(set(r["code_side"]) - {"none"}) == 2
        assert r["passed"] == (r["success"] >= L.SIDE_BAR and min(r["on_side"]) >= L.SIDE_BAR and split)
    with pytest.raises(FileNotFoundError, match="benchmarks/infogail_study.py"):
        L.infogail_study(tmp_path / "none.json")


def test_infogail_run_reports_each_codes_side_and_the_bar():
    r = L.infogail_run(0, episodes=6, settings=dict(iterations=2, bc_epochs=1, ppo=il.PPOConfig(n_envs=4, epochs=1)))
    assert len(r["rollouts"]) == len(r["code_side"]) == len(r["on_side"]) == 2
    assert all(s in ("left", "right", "none") for s in r["code_side"])
    assert all(0.0 <= o <= c + 1e-9 for o, c in zip(r["on_side"], r["code_success"]))   # on its side ⊆ passed
    assert isinstance(r["passed"], bool) and len(r["history"].info) == 2
