"""The bench CLI's multimodal entries (mdn, discretized, cvae, diffusion; --chunk): registered, consistent statistics
on ObstacleFork, runnable as a subprocess and on another continuous env."""

import json
import subprocess
import sys

import numpy as np
import pytest

import il_helpers as il
from il_helpers import bench

ENV = il.OBSTACLE_FORK


def test_bench_methods_are_registered():
    assert {"mdn", "discretized", "cvae", "diffusion"} <= set(bench.METHODS)


def test_bench_reports_the_fork_statistics_consistently():
    args = bench.parse_args(["discretized", "--env", ENV, "--demos", "30", "--seed", "1", "--episodes", "20", "--fast"])
    out = bench.run(args)
    assert out["method"] == "discretized" and out["episodes"] == 20
    for key in ("collision_rate", "left_share", "zigzag_rate", "epochs", "pairs"):
        assert key in out
    # the method's own statistics and the bench's evaluation saw the same episodes and modes
    assert out["success_rate"] == pytest.approx(1.0 - out["collision_rate"])


def test_bench_cli_runs_mdn_as_a_subprocess():
    proc = subprocess.run([sys.executable, "-m", "il_helpers.bench", "mdn", "--env", ENV, "--demos", "20",
                           "--episodes", "10", "--fast"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["method"] == "mdn" and 0 <= out["collision_rate"] <= 1 and "left_share" in out


def test_bench_mdn_on_another_continuous_env():
    args = bench.parse_args(["mdn", "--env", "Pendulum-v1", "--demos", "2", "--episodes", "2", "--fast"])
    out = bench.run(args)
    assert "collision_rate" not in out and np.isfinite(out["return_mean"])


def test_bench_refuses_discrete_envs():
    from il_helpers.bench.methods import ENV_CHECKS

    for name in ("mdn", "discretized", "cvae", "diffusion"):
        assert "continuous actions" in ENV_CHECKS[name]("CartPole-v1")
        assert ENV_CHECKS[name](ENV) is None


def test_bench_diffusion_with_chunks_on_the_fork():
    args = bench.parse_args(["diffusion", "--env", ENV, "--demos", "5", "--episodes", "10", "--fast",
                             "--chunk", "2", "--execute", "ensemble"])
    out = bench.run(args)
    assert out["method"] == "diffusion" and out["chunk"] == 2 and out["execute"] == "ensemble"
    assert out["success_rate"] == pytest.approx(1.0 - out["collision_rate"]) and "zigzag_rate" in out
    plain = bench.run(bench.parse_args(["diffusion", "--env", ENV, "--demos", "5", "--episodes", "10", "--fast"]))
    assert "chunk" not in plain and plain["epochs"] == bench.methods.DIFFUSION_EPOCHS_FAST


@pytest.mark.parametrize("method", ["bc", "mdn", "discretized", "cvae"])
def test_bench_chunks_every_method_on_pendulum(method):
    out = bench.run(bench.parse_args([method, "--env", "Pendulum-v1", "--demos", "2", "--episodes", "2", "--fast",
                                      "--chunk", "3"]))
    assert out["chunk"] == 3 and out["execute"] == "open_loop" and np.isfinite(out["return_mean"])


@pytest.mark.parametrize("argv, message", [
    (["gail", "--chunk", "2"], "--chunk applies to"),
    (["bc", "--env", "CartPole-v1", "--chunk", "2"], "continuous actions"),
    (["diffusion", "--env", ENV, "--chunk", "0"], "at least 1"),
])
def test_bench_refuses_a_chunk_it_cannot_run(argv, message, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert message in capsys.readouterr().err
