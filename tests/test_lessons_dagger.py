"""il_helpers.lessons.dagger: the course's settings, pooled J(T), and notebook 03's claims on
LaneKeeping over seeds 0-4 with one set of settings (``lessons.dagger.COURSE``):

* DAgger ends its 5 iterations at expert level (normalized score >= 0.95 and at most 0.5 % of
  steps off the road) in 5 of 5 seeds, while BC trained on the same number of expert labels
  (12 demonstrations, the same learner) is off the road on more than 0.5 % of steps in every seed;
* on the same window T = 200..1000 (``ld.SLOPE_WINDOW``) the log-log slope of DAgger's J(T) is at
  least 0.5 below BC's (J(T) pooled over the 5 seeds, 1000 episodes x 1000 steps each, as in the
  notebook's full mode; measured 1.33 vs 1.88), and per seed DAgger's is the lower one on at least
  4 of 5 seeds (measured: BC 1.23-2.26, DAgger 1.00-2.24);
* selective querying reaches 95 % of full DAgger's final score with at most half of its labels, and
  its final learner is off the road at most as often as BC on at least as many expert labels;
* SafeDAgger drives off the road less than DAgger while collecting (never more in any seed,
  less in total), and its final learner is off the road more often than BC's on the same 2400
  labels on at least 4 of 5 seeds.
"""

import numpy as np
import pytest

import il_helpers as il
from il_helpers.core.seeding import EVAL_SEED_OFFSET
from il_helpers.lessons import dagger as ld
from il_helpers.lessons.distribution_shift import LEARNER, cost_curve

LK = il.LANE_KEEPING
SEEDS = [0, 1, 2, 3, 4]
NEAR_ZERO = 0.005  # "off-road rate near zero": at most 0.5 % of steps (1 step in 200)


def test_course_settings():
    assert ld.COURSE.iterations == 5 and ld.COURSE.iteration_episodes == 2 and ld.COURSE_DEMOS == 2
    assert ld.COURSE.bc.hidden == LEARNER["hidden"] and ld.COURSE.bc.epochs == LEARNER["epochs"]
    safe = ld.course_config(il.SafeDAggerConfig, threshold=0.2)
    assert isinstance(safe, il.SafeDAggerConfig) and safe.threshold == 0.2 and safe.bc == ld.COURSE.bc
    assert not hasattr(safe, "schedule")
    demos = ld.course_demos(3)
    assert demos.num_episodes == 2 and np.array_equal(demos.obs, il.collect_demonstrations(LK, 2, seed=3).obs)


def test_pooled_cost_curve_and_bad_input():
    rs = [il.rollout(il.get_expert(LK), LK, n_episodes=3, seed=s, horizon=50) for s in (0, 1)]
    c = ld.pooled_cost_curve(rs, "expert")
    assert c.n_episodes == 6 and c.label == "expert"
    with pytest.raises(ValueError, match="at least one"):
        ld.pooled_cost_curve([])
    with pytest.raises(ValueError, match="one horizon"):
        ld.pooled_cost_curve([rs[0], il.rollout(il.get_expert(LK), LK, n_episodes=3, seed=0, horizon=40)])


# -- notebook 03's claims over seeds ---------------------------------------------------------------
# Evaluation never feeds back into collecting or training, so runs made with eval_episodes=0 (or
# fewer iterations: a run's first iterations do not depend on how many follow) are exactly the
# notebook's runs, minus the numbers a claim does not read.

def final_eval(policy, seed):
    return il.evaluate(policy, LK, 100, seed=seed + EVAL_SEED_OFFSET)  # what history.final reports


@pytest.fixture(scope="module")
def runs():
    out = {}
    n_labels_eps = ld.COURSE_DEMOS + ld.COURSE.iterations * ld.COURSE.iteration_episodes
    for seed in SEEDS:
        dag_policy, dag = il.train_dagger(ld.course_demos(seed), seed=seed, config=ld.COURSE, eval_episodes=0)
        bc, _ = il.train_bc(il.collect_demonstrations(LK, n_labels_eps, seed=seed), seed=seed, config=ld.COURSE.bc)
        out[seed] = {"dagger": dag, "dagger_policy": dag_policy, "dagger_eval": final_eval(dag_policy, seed),
                     "bc": bc, "bc_eval": final_eval(bc, seed)}
    return out


def test_dagger_reaches_expert_level_in_five_iterations_bc_on_the_same_labels_does_not(runs):
    for seed, r in runs.items():
        h, final = r["dagger"], r["dagger_eval"]
        assert len(h) == 6 and h.final.labels_used == 2400
        assert final.normalized >= 0.95 and final.off_road_rate <= NEAR_ZERO, (seed, final)
        bc = r["bc_eval"]
        assert len(il.collect_demonstrations(LK, 12, seed=seed)) == h.final.labels_used  # the same label budget
        assert bc.off_road_rate > NEAR_ZERO, (seed, bc)  # BC: score ~0.97, but 1.2-3 % of steps off the road


def test_evaluation_does_not_change_a_run(runs):
    _, a = il.train_dagger(ld.course_demos(0), seed=0, config=ld.COURSE, iterations=2)
    b = runs[0]["dagger"]  # eval_episodes=0, 5 iterations
    assert np.array_equal(a.data.obs, b.data.obs[: len(a.data)])
    assert a.final.normalized == final_eval(b.policies[2], 0).normalized
    assert b.final.normalized is None and np.isnan(b["normalized"]).all()


def test_dagger_slope_is_at_least_half_a_unit_below_bc(runs):
    rollouts = {"DAgger": [], "BC": []}
    for seed, r in runs.items():
        for label, policy in (("DAgger", r["dagger_policy"]), ("BC", r["bc"])):
            rollouts[label].append(il.rollout(policy, LK, n_episodes=1000, seed=10_000 + seed, horizon=1000))
        j_dagger, j_bc = (cost_curve(rollouts[k][-1]).cost_at(1000) for k in ("DAgger", "BC"))
        assert j_dagger < j_bc / 3, seed  # every seed: far fewer steps off the road over T = 1000
    fits = {k: ld.window_slope(ld.pooled_cost_curve(v, k)) for k, v in rollouts.items()}
    assert (fits["BC"].t_min, fits["BC"].t_max) == (fits["DAgger"].t_min, fits["DAgger"].t_max)  # the same window
    assert fits["DAgger"].slope <= fits["BC"].slope - 0.5, fits
    per_seed = [ld.window_slope(cost_curve(b)).slope - ld.window_slope(cost_curve(d)).slope
                for b, d in zip(rollouts["BC"], rollouts["DAgger"])]
    assert sum(g > 0 for g in per_seed) >= len(SEEDS) - 1, per_seed


def test_selective_querying_reaches_95_percent_with_half_the_labels(runs):
    # measured at full budget (5 iterations, notebook): first reached at iteration 1 or 2 in every
    # seed, so the first 2 iterations of the same run decide the claim
    for seed, r in runs.items():
        full_score, full_labels = r["dagger_eval"].normalized, r["dagger"].final.labels_used
        _, h = il.train_selective_dagger(ld.course_demos(seed), seed=seed,
                                         config=ld.course_config(il.SelectiveDAggerConfig, iterations=2))
        ok = (h["normalized"] >= 0.95 * full_score) & (h["labels_used"] <= full_labels / 2)
        assert ok.any(), (seed, h)


def test_selective_querying_beats_bc_on_as_many_labels():
    for seed in SEEDS:
        _, h = il.train_selective_dagger(ld.course_demos(seed), seed=seed,
                                         config=ld.course_config(il.SelectiveDAggerConfig, threshold=0.05, n_members=5))
        demos = il.collect_demonstrations(LK, ld.episodes_for_labels(h.final.labels_used), seed=seed)
        assert len(demos) >= h.final.labels_used
        bc, _ = il.train_bc(demos, seed=seed, config=ld.COURSE.bc)
        assert h.final.off_road_rate <= final_eval(bc, seed).off_road_rate, seed


def test_safe_dagger_leaves_the_road_less_while_collecting(runs):
    total_safe = total_dagger = 0
    for seed, r in runs.items():
        _, safe_run = il.train_safe_dagger(ld.course_demos(seed), seed=seed,
                                           config=ld.course_config(il.SafeDAggerConfig, eval_episodes=0))
        safe = safe_run["collect_off_road_steps"][1:].sum()
        plain = r["dagger"]["collect_off_road_steps"][1:].sum()
        assert safe <= plain, seed
        total_safe, total_dagger = total_safe + safe, total_dagger + plain
    assert total_safe < total_dagger


def test_safe_dagger_final_learner_is_worse_than_bc_on_the_same_labels(runs):
    worse = 0
    for seed, r in runs.items():
        _, safe_run = il.train_safe_dagger(ld.course_demos(seed), seed=seed,
                                           config=ld.course_config(il.SafeDAggerConfig, threshold=0.1))
        worse += safe_run.final.off_road_rate > r["bc_eval"].off_road_rate
    assert worse >= len(SEEDS) - 1, worse


def test_window_slope_and_episodes_for_labels():
    H = np.array([100, 200, 400, 800, 1000])
    c = cost_curve(il.rollout(il.get_expert(LK), LK, n_episodes=2, seed=0, horizon=50))
    assert ld.window_slope(c, (10, 50)) is None  # the expert: J = 0, no slope
    c.horizons, c.cost = H, 1e-3 * H.astype(float) ** 1.5
    f = ld.window_slope(c)
    assert np.isclose(f.slope, 1.5) and (f.t_min, f.t_max) == (200, 1000) and f.n_points == 4
    with pytest.raises(ValueError):
        ld.window_slope(c, (300, 200))
    assert ld.episodes_for_labels(1200) == 6 and ld.episodes_for_labels(1201) == 7 and ld.episodes_for_labels(1) == 1
    with pytest.raises(ValueError):
        ld.episodes_for_labels(0)
