"""il_helpers.lessons.choosing_a_method (notebook 07): rows, the generated table and figure, and two honest claims."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.lessons import choosing_a_method as C  # noqa: E402


def test_method_budget():
    assert C.method_budget("gail")["iterations"] > C.method_budget("gail", fast=True)["iterations"]
    # train_bc's defaults (its validation split), both modes: not the bench's step budget on all the data
    assert C.method_budget("bc") == C.method_budget("bc", fast=True) == {"epochs": 50, "val_frac": 0.2}
    with pytest.raises(ValueError, match="unknown method"):
        C.method_budget("dqn")


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "dqn"}, "unknown method"),
    ({"method": "maxent_irl"}, "not run on task"),
    ({"method": "bc", "task": "Atari"}, "unknown task"),
    ({"method": "bc", "seed": -1}, "seed"),
    ({"method": "bc", "seed": True}, "seed"),
    ({"method": "bc", "eval_episodes": 0}, "eval_episodes"),
])
def test_run_method_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        C.run_method(**{"task": "LaneKeeping", **kwargs})


def test_row_keys_and_costs(bc_row):
    assert set(C.ROW_KEYS) <= set(bc_row)
    task = C.TASKS["LaneKeeping"]
    assert bc_row["pairs"] == task.n_demos * 200 and bc_row["demos"] == task.n_demos
    assert set(bc_row["transfer"]) == set(task.changes)
    assert all(np.isfinite(v) for v in bc_row["transfer"].values())
    assert "off_road_rate" in bc_row and bc_row["wall_s"] > 0


def test_bc_takes_no_step_and_dagger_asks_for_more_labels(bc_row, dagger_row):
    """The table's cost columns: BC learns from the demonstrations alone; DAgger's learner drives
    (environment steps) and every state it visits costs one more expert label."""
    assert bc_row["env_steps"] == 0 and bc_row["expert_labels"] == bc_row["pairs"]
    assert dagger_row["env_steps"] > 0
    assert dagger_row["expert_labels"] == dagger_row["pairs"] + dagger_row["env_steps"]


def test_run_method_is_deterministic():
    a, b = (C.run_method("bc", "CartPole", seed=1, eval_episodes=5) for _ in range(2))
    for key in ("return_mean", "normalized", "expert_labels", "env_steps", "transfer"):
        assert a[key] == b[key]


def test_gridworld_row_reoptimizes_the_reward():
    row = C.run_method("maxent_irl", "FeatureGrid", seed=0, budget={"steps": 20}, eval_episodes=5)
    assert row["env_steps"] == 0 and row["needs"].endswith("transition model")
    assert set(row["transfer"]) == {"controls reversed"}


def fake_row(method, seed, normalized, task="T"):
    return {"method": method, "task": task, "env": "E", "seed": seed, "demos": 1, "pairs": 10, "expert_labels": 10,
            "env_steps": 100 * seed, "wall_s": 1.0 + seed, "needs": "demos", "return_mean": 0.0,
            "normalized": normalized, "transfer": {"T=1000": normalized / 2}}


def test_summarize_means_over_seeds():
    s = C.summarize([fake_row("bc", 0, 0.2), fake_row("bc", 1, 0.6), fake_row("gail", 0, 1.0)])
    bc = s[("T", "bc")]
    assert bc["normalized"] == pytest.approx(0.4) and bc["normalized_min"] == 0.2 and bc["normalized_max"] == 0.6
    assert bc["env_steps"] == 50 and bc["seeds"] == [0, 1] and bc["transfer"]["T=1000"] == pytest.approx(0.2)
    assert list(s) == [("T", "bc"), ("T", "gail")]


def test_bc_actor_critic_imitates():
    demos = il.collect_demonstrations(il.LANE_KEEPING, 4, seed=10_000)
    ac = C.bc_actor_critic(demos, epochs=50, seed=0)
    untrained = il.ActorCritic(*il.env_spaces(il.LANE_KEEPING))
    untrained.set_normalization(demos.obs)
    assert il.evaluate(ac, il.LANE_KEEPING, 20, seed=20_000).normalized > 0.6
    assert il.evaluate(untrained, il.LANE_KEEPING, 20, seed=20_000).normalized < 0.3
    with pytest.raises(TypeError):
        C.bc_actor_critic("demos")
    with pytest.raises(ValueError, match="epochs"):
        C.bc_actor_critic(demos, epochs=0)


def test_finetuning_passes_the_demonstrator():
    """The notebook's claim at a small budget: PPO on the true reward, started from BC of the edge
    hugger, ends above both the cloned policy and the demonstrator it imitated."""
    for seed in (0, 1):
        res = C.finetune_experiment(iterations=12, seed=seed, eval_every=12, eval_episodes=50, curve_episodes=10,
                                    scratch=False)
        assert res.final["BC + PPO"] > res.final["BC"] + 0.1, res.final
        assert res.final["BC + PPO"] > res.final["demonstrator"] + 0.05, res.final
    with pytest.raises(ValueError, match="iterations"):
        C.finetune_experiment(iterations=0)


def test_run_comparison_shares_demos_and_reports_progress():
    tiny = C.Task("tiny", "CartPole-v1", 1, ("bc", "dagger"), subsample=10, changes={})
    seen = []
    rows = C.run_comparison([tiny], seeds=(0, 1), seeds_for={"dagger": (1,)}, eval_episodes=5, fast=True,
                            progress=lambda done, total, row: seen.append((done, total, row["method"], row["seed"])))
    assert [(r["method"], r["seed"]) for r in rows] == [("bc", 0), ("bc", 1), ("dagger", 1)]
    assert seen[-1][:2] == (3, 3) and rows[1]["pairs"] == rows[2]["pairs"] == 50
    with pytest.raises(ValueError, match="at least one task"):
        C.run_comparison([])


def test_seed_values_in_seed_order():
    rows = [fake_row("bc", 2, 0.9), fake_row("bc", 0, 0.2), fake_row("gail", 0, 1.0), fake_row("bc", 1, 0.6)]
    np.testing.assert_allclose(C.seed_values(rows, "T", "bc"), [0.2, 0.6, 0.9])
    np.testing.assert_allclose(C.seed_values(rows, "T", "bc", "transfer:T=1000"), [0.1, 0.3, 0.45])
    np.testing.assert_allclose(C.seed_values(rows, "T", "bc", "env_steps"), [0, 100, 200])
    with pytest.raises(ValueError, match="no rows"):
        C.seed_values(rows, "T", "dagger")
    with pytest.raises(ValueError, match="no change"):
        C.seed_values(rows, "T", "bc", "transfer:gusts")
    with pytest.raises(ValueError, match="no 'typo'"):
        C.seed_values(rows, "T", "bc", "typo")


def test_grid_score_is_exact_and_normalized_by_the_soft_expert():
    """Gridworld scores are expected returns under the known model: the soft expert scores 1, the
    uniform random policy 0, the greedy optimal policy above 1; reversed controls are scored
    against the expert planned for them."""
    from il_helpers.envs.gridworlds import changed_dynamics, world_for

    world = world_for("il_helpers/FeatureGrid-v0")
    T, S, A = world.horizon, world.n_states, world.n_actions
    assert C.grid_score(world.soft_plan.policy, world)["normalized"] == pytest.approx(1.0)
    uniform = C.grid_score(torch.full((T, S, A), 1.0 / A, dtype=torch.float64), world)
    assert uniform["normalized"] == pytest.approx(0.0, abs=1e-12)
    assert C.grid_score(world.optimal_plan.policy, world)["normalized"] > 1.0
    P = changed_dynamics(world, "reverse")
    assert C.grid_score(world.soft_plan.policy, world, P)["normalized"] < 0    # the old plan, new controls


PENDULUM_ROW = ("| `Pendulum-v1` | -156.3 ± 2.7 (0.99) | -1240.1 ± 2.3 (-0.01) | -780.2 ± 6.3 (0.42), 0.15 s "
                "| -1173.5 ± 27.7 (0.06), 5.66 s |")
FORK_ROW = ("| `il_helpers/ObstacleFork-v0` | 28.0 ± 0.0 (1.00; worst 1.00) | 0.9 ± 0.2 (0.01; worst -0.01) "
            "| 16.2 ± 3.1 (0.57; worst 0.40), 0.02 s † | — |")
README_SNIPPET = f"""intro
<!-- results:start -->
| environment | expert | random | bc | gail |
|---|---|---|---|---|
| `CartPole-v1` | 500.0 ± 0.0 (1.00) | 22.0 ± 0.8 (0.00) | 500.0 ± 0.0 (1.00), 0.41 s | — |
{PENDULUM_ROW}
{FORK_ROW}

Measured ...
<!-- results:end -->
"""


def test_readme_results_parses_the_table():
    r = C.readme_results(README_SNIPPET)
    assert list(r) == ["CartPole-v1", "Pendulum-v1", "il_helpers/ObstacleFork-v0"] and "gail" not in r["CartPole-v1"]
    assert r["Pendulum-v1"]["gail"] == {"return_mean": -1173.5, "return_std": 27.7, "normalized": 0.06, "worst": None,
                                        "wall_s": 5.66, "taught_failure": False}
    fork = r["il_helpers/ObstacleFork-v0"]
    assert fork["bc"] == {"return_mean": 16.2, "return_std": 3.1, "normalized": 0.57, "worst": 0.40, "wall_s": 0.02,
                          "taught_failure": True}
    assert fork["random"]["worst"] == -0.01 and not fork["random"]["taught_failure"]
    assert r["Pendulum-v1"]["random"]["normalized"] == -0.01 and r["CartPole-v1"]["expert"]["wall_s"] is None
    assert C.bench_failures(r, methods=("gail",)) == [("Pendulum-v1", "gail", 0.06, 0.42, None)]
    with pytest.raises(ValueError, match="markers"):
        C.readme_results("no table here")
    with pytest.raises(ValueError, match="cannot read"):
        C.readme_results(README_SNIPPET.replace("0.41 s", "fast"))


def test_readme_results_reads_the_repository_readme():
    """The README's own table (made by make results) parses, and every cell has a normalized score."""
    r = C.readme_results()
    assert "MountainCar-v0" in r and "gail" in r["MountainCar-v0"]
    assert all(np.isfinite(c["normalized"]) for cells in r.values() for c in cells.values())


def test_cartpole_uses_ho_ermon_subsampling():
    assert C.TASKS["CartPole"].subsample == il.HO_ERMON_SUBSAMPLE


def test_gridworld_rows_are_exact():
    """On a gridworld the scores are expected returns, not sample means: the number of evaluation
    episodes does not change them."""
    a, b = (C.run_method("bc", "FeatureGrid", seed=0, eval_episodes=n) for n in (1, 7))
    assert a["normalized"] == b["normalized"] and a["return_mean"] == b["return_mean"]
    assert a["transfer"] == b["transfer"]


def test_readme_results_without_a_readme_says_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.setattr(C, "README", tmp_path / "README.md")
    with pytest.raises(FileNotFoundError, match="no README.md at .*pass the README's text"):
        C.readme_results()
