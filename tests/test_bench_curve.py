"""The bench's learning curve for RL-based methods (bench.curve): evaluated after every iteration,
off the training clock, summarized as held_fraction / held_from_s / held_from_steps."""

import json
import time

import pytest

import il_helpers as il
from il_helpers import bench
from il_helpers.algorithms.ppo import train_ppo
from il_helpers.bench.curve import LearningCurve
from il_helpers.core.seeding import EVAL_SEED_OFFSET


def run_main(capsys, *argv):
    assert bench.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_gail_reports_its_curve_and_whether_it_held(capsys):
    out = run_main(capsys, "gail", "--fast", "--episodes", "2", "--curve-episodes", "2")
    assert len(out["curve"]) == out["iterations"] and out["curve_episodes"] == 2
    assert out["held_threshold"] == "return >= 475"
    assert 0.0 <= out["held_fraction"] <= 1.0
    if out["held_from_s"] is not None:   # it holds from a checkpoint inside the run
        assert 0 < out["held_from_s"] <= out["wall_s"] and 0 < out["held_from_steps"] <= out["env_steps"]
        assert out["curve"][-1] >= 475
    off = run_main(capsys, "gail", "--fast", "--episodes", "2", "--curve-episodes", "0")
    assert "held_fraction" not in off and "curve" not in off


def test_curve_episodes_must_not_be_negative(capsys):
    with pytest.raises(SystemExit) as err:
        bench.main(["gail", "--curve-episodes", "-1"])
    assert err.value.code == 2 and "--curve-episodes must be 0 (off) or more, got -1" in capsys.readouterr().err


def test_the_checkpoint_is_off_the_clock_and_sees_the_current_policy():
    """A checkpoint that sleeps 0.3 s at each of 3 iterations is not in wall_s; the curve's last value
    is the final policy's evaluation on the same seeds."""
    curve = LearningCurve("CartPole-v1", seed=0, episodes=2)

    def slow(policy, info):
        curve(policy, info)
        time.sleep(0.3)

    t0 = time.perf_counter()
    policy, hist = train_ppo(env_id="CartPole-v1", seed=0, iterations=3, n_envs=4, checkpoint=slow)
    elapsed = time.perf_counter() - t0
    assert hist.wall_s[-1] < elapsed - 0.8
    assert curve.steps == list(hist.env_steps) and len(curve.values) == 3
    final = il.evaluate(policy, "CartPole-v1", n_episodes=2, seed=EVAL_SEED_OFFSET)
    assert curve.values[-1] == pytest.approx(final.return_mean)
    assert set(curve.summary()) >= {"held_fraction", "held_from_s", "held_from_steps", "curve"}
