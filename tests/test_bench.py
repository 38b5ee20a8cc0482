"""The benchmark CLI: one JSON line per run, its keys and values, and argument errors (exit 2)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import il_helpers as il
from il_helpers import bench
from il_helpers.bench import methods as bench_methods

LANE = il.LANE_KEEPING
KEYS = {"method", "env", "seed", "demos", "return_mean", "return_std", "expert_return", "random_return",
        "normalized", "wall_s"}


def run_main(capsys, *argv):
    assert bench.main(list(argv)) == 0
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


@pytest.mark.parametrize("env_id", ["CartPole-v1", LANE])
def test_expert(capsys, env_id):
    res = run_main(capsys, "expert", "--env", env_id, "--fast", "--episodes", "5")
    assert KEYS <= set(res)
    assert (res["method"], res["env"], res["seed"], res["demos"], res["episodes"]) == ("expert", env_id, 0, 10, 5)
    assert res["normalized"] == pytest.approx(1.0, abs=0.02)
    ref = il.reference_returns(env_id)
    assert res["expert_return"] == ref["expert"] and res["random_return"] == ref["random"]
    assert res["return_mean"] == pytest.approx(ref["expert"], rel=0.02)
    assert res["return_std"] >= 0 and res["wall_s"] >= 0
    assert ("off_road_rate" in res) == (env_id == LANE)


@pytest.mark.parametrize("env_id", ["CartPole-v1", LANE])
def test_random(capsys, env_id):
    res = run_main(capsys, "random", "--env", env_id, "--fast", "--episodes", "5", "--seed", "3")
    assert KEYS <= set(res) and res["method"] == "random" and res["seed"] == 3
    assert res["normalized"] < 0.3


@pytest.mark.parametrize("env_id", ["CartPole-v1", LANE])
def test_bc(capsys, env_id):
    res = run_main(capsys, "bc", "--env", env_id, "--fast", "--demos", "3", "--episodes", "5")
    assert KEYS <= set(res)
    assert res["method"] == "bc" and res["demos"] == 3
    # --fast: BC_STEPS_FAST minibatch steps, whatever the number of pairs (epochs = steps / minibatches per epoch)
    per_epoch = -(-res["pairs"] // 256)
    assert res["epochs"] == bench_methods.bc_epochs(res["pairs"], bench_methods.BC_STEPS_FAST, 256)
    assert res["steps"] == res["epochs"] * per_epoch >= bench_methods.BC_STEPS_FAST
    assert res["normalized"] > 0.3  # three demos already beat random by far


def test_bc_epochs_give_the_step_budget():
    assert bench_methods.bc_epochs(240, 2000, 256) == 2000          # one minibatch an epoch
    assert bench_methods.bc_epochs(5000, 2000, 256) == 100          # 20 minibatches an epoch
    assert bench_methods.bc_epochs(10**6, 10, 256) == 1             # at least one epoch


def test_same_seed_same_numbers(capsys):
    a = run_main(capsys, "bc", "--env", "CartPole-v1", "--fast", "--demos", "2", "--episodes", "5", "--seed", "1")
    b = run_main(capsys, "bc", "--env", "CartPole-v1", "--fast", "--demos", "2", "--episodes", "5", "--seed", "1")
    for key in ("return_mean", "return_std", "normalized", "pairs", "epochs"):
        assert a[key] == b[key], key


def test_episodes_default(capsys):
    args = bench.parse_args(["expert", "--fast"])
    assert args.episodes == 20 and args.fast


@pytest.mark.parametrize("argv, message", [
    (["nope"], "unknown method 'nope'; choose one of: " + ", ".join(sorted(bench.METHODS))),
    (["expert", "--env", "CartPole-v0"], "unknown environment id 'CartPole-v0'. Did you mean 'CartPole-v1'?"),
    (["expert", "--env", "il_helpers/LaneKeeping-v1"], "Did you mean 'il_helpers/LaneKeeping-v0'?"),
    (["bc", "--demos", "0"], "--demos must be at least 1, got 0"),
    (["expert", "--seed", "-1"], "--seed must be an integer in [0, 2**63 - 1], got -1"),
    (["expert", "--seed", str(2**64)], f"--seed must be an integer in [0, 2**63 - 1], got {2**64}"),
    (["expert", "--episodes", "0"], "--episodes must be at least 1, got 0"),
    (["expert", "--episodes", "-5"], "--episodes must be at least 1, got -5"),
    (["expert", "--demos", "two"], "argument --demos: invalid int value: 'two'"),
    ([], "the following arguments are required: method"),
])
def test_bad_arguments_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as err:
        bench.main(argv)
    assert err.value.code == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.startswith("usage: python -m il_helpers.bench")
    assert captured.out == ""


def test_module_entry_point():
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "IL_FAST": "1"}
    proc = subprocess.run([sys.executable, "-m", "il_helpers.bench", "expert", "--env", "CartPole-v1", "--fast"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert KEYS <= set(res) and res["method"] == "expert" and res["normalized"] == pytest.approx(1.0)
    assert res["episodes"] == 20


def test_every_method_the_course_registers_is_listed():
    assert {"expert", "random", "bc"} <= set(bench.METHODS)


def test_machine_names_cpu_and_cores():
    assert bench.machine().endswith(f", {os.cpu_count()} cores")


def test_timed_warms_up_then_reports_min_and_median():
    calls = []
    lo, med = bench.timed(lambda: calls.append(1), repeats=3)
    assert len(calls) == 4 and 0 <= lo <= med


@pytest.mark.parametrize("name, keys", [
    ("trex", {"best_demonstrator_return", "pairs", "labels_flipped", "pair_accuracy", "ranked_episodes"}),
    ("drex", {"pairs", "labels_flipped", "pair_accuracy", "ranked_episodes", "env_steps"}),
    ("self_improve", {"rounds", "kept_episodes", "attempt_return"}),
])
def test_imperfect_demonstration_methods(capsys, name, keys):
    res = run_main(capsys, name, "--env", LANE, "--fast", "--episodes", "5", "--demos", "4")
    assert KEYS <= set(res) and keys <= set(res) and res["method"] == name
    assert np.isfinite(res["normalized"]) and "history" not in res
    if name == "trex":
        assert res["ranked_episodes"] == 24 and res["best_demonstrator_return"] < res["expert_return"]
    if name == "self_improve":
        assert res["rounds"] == 2


def test_preferences_reports_the_comparisons_it_used(capsys):
    res = run_main(capsys, "preferences", "--env", "CartPole-v1", "--fast", "--episodes", "5")
    assert KEYS <= set(res) and res["method"] == "preferences" and "history" not in res
    assert res["comparisons"] == 100 and res["iterations"] == 8 and 0 <= res["ties"] <= 100
    assert np.isfinite(res["normalized"])
    _, extra = bench.train_method("preferences", None, env_id=LANE, settings={"comparisons": 20, "iterations": 2})
    assert extra["comparisons"] == 20 and extra["history"].labels_used[-1] == 20


@pytest.mark.parametrize("name", ["trex", "drex", "self_improve", "preferences"])
def test_imperfect_demonstration_methods_refuse_gridworlds(name):
    with pytest.raises(ValueError, match="runs on the course's environments"):
        bench.train_method(name, None, env_id="il_helpers/FeatureGrid-v0", fast=True)
