"""Notebook 03's exercises: a beta schedule and DAgger's aggregation loop on a toy problem."""

import numpy as np
import pytest

from il_helpers.algorithms import schedules
from il_helpers.exercises import check
from il_helpers.exercises import dagger as ex


def test_beta_schedule_exercise_matches_the_module():
    for kind in schedules.SCHEDULES:
        sched = schedules.make_schedule(kind)
        for i in range(7):
            assert ex.beta_schedule(kind, sched.param, i) == pytest.approx(sched(i))


def test_exercises_accept_the_reference_and_reject_wrong_answers(capsys):
    assert check("beta_schedule", ex.beta_schedule) is ex.beta_schedule and check.last_status == "correct"
    check("beta_schedule", lambda kind, p, i: p ** i if kind == "exponential" else 1.0)  # forgets the others
    assert check.last_status == "wrong"
    check("beta_schedule", lambda kind, p, i: ex.beta_schedule(kind, p, i + 1))          # off by one
    assert check.last_status == "wrong"

    def no_aggregation(X0, y0, collect, expert, train, n):
        X, y = X0, y0
        for i in range(1, n + 1):
            X = collect(train(X, y), i)  # trains on the newest batch only: forgets D
            y = expert(X)
        return X, y

    def expert_states_only(X0, y0, collect, expert, train, n):
        X, y = X0, y0
        for i in range(1, n + 1):
            X, y = np.concatenate([X, X0]), np.concatenate([y, y0])  # never visits the learner's states
        return X, y

    assert check("dagger_loop", ex.dagger_loop) is ex.dagger_loop and check.last_status == "correct"
    for wrong in (no_aggregation, expert_states_only):
        assert check("dagger_loop", wrong) is ex.dagger_loop and check.last_status == "wrong"
    assert "[WRONG]" in capsys.readouterr().out


def test_toy_dagger_loop_fits_the_expert():
    X, y = ex.dagger_loop(*ex.toy_expert_data(10), ex.toy_collect, ex.toy_expert, ex.toy_train, 4)
    assert len(X) == 10 + 4 * 30 and np.allclose(ex.toy_train(X, y), (-0.8, 0.3))
