"""The exercise checks cannot be fooled, hung or escaped (issue 14): one test per escape route.

An answer that changes its inputs, loops forever, calls sys.exit, raises KeyboardInterrupt or returns a
tensor that requires grad is reported (never raised, never used afterwards); a real Ctrl-C still stops the
check; the reference is computed first and leaves the global random states as they were."""

import os
import signal
import sys
import threading
import time

import numpy as np
import pytest
import torch

from il_helpers.exercises import CHECKS, TIME_LIMIT, check, safety
from il_helpers.exercises import behavioral_cloning as bc
from il_helpers.exercises import dagger as dg
from il_helpers.exercises import gail as ex_gail
from il_helpers.exercises.tour import episode_returns

POSIX = hasattr(signal, "setitimer")


def todo(*args):
    raise NotImplementedError


def run_check(name, fn, capsys, **kw):
    out_fn = check(name, fn, **kw)
    return out_fn, check.last_status, capsys.readouterr().out


# -- inputs changed in place ---------------------------------------------------------------------


def test_an_answer_that_zeroes_its_inputs_is_not_reported_correct(capsys):
    """Before: the reference ran after the answer, on the same (now zeroed) arrays, and agreed with it."""
    def sneaky(rewards, lengths):
        rewards[:] = 0.0
        return np.zeros(len(lengths))

    fn, st, out = run_check("episode_returns", sneaky, capsys)
    assert fn is episode_returns and st == "wrong"
    assert "changed its input 0 (rewards)" in out, out


def test_a_right_answer_that_also_mutates_is_rejected(capsys):
    def right_but_mutating(logits, actions):
        result = bc.bc_cross_entropy(logits, actions)
        logits.mul_(0)                        # torch, in place
        return result

    fn, st, out = run_check("bc_cross_entropy", right_but_mutating, capsys)
    assert fn is bc.bc_cross_entropy and st == "wrong" and "changed its input 0 (logits)" in out


def test_the_dagger_loop_that_extends_its_data_in_place_is_rejected(capsys):
    def in_place(X0, y0, collect, expert, train, n):
        X, y = dg.dagger_loop(X0, y0, collect, expert, train, n)
        X0 += 1.0                              # aliasing: the student "aggregates" into the expert data
        return X, y

    fn, st, out = run_check("dagger_loop", in_place, capsys)
    assert fn is dg.dagger_loop and st == "wrong" and "changed its input 0 (X0)" in out


# -- loops, exits, interrupts ----------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="the time limit needs signal.setitimer")
def test_an_infinite_loop_is_stopped_and_the_signals_are_restored(capsys):
    def forever(rewards, lengths):
        while True:
            pass

    def stubborn(rewards, lengths):           # swallows the first stop, then loops again
        try:
            while True:
                pass
        except BaseException:  # noqa: BLE001
            pass
        while True:
            time.sleep(0.01)

    old_int, old_alarm = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGALRM)
    for answer in (forever, stubborn):
        fn, st, out = run_check("episode_returns", answer, capsys, time_limit=0.2)
        assert fn is episode_returns and st == "error"
        assert "more than 0.2 s" in out and "infinite loop" in out, out
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGINT) is old_int and signal.getsignal(signal.SIGALRM) is old_alarm
    assert TIME_LIMIT == 10.0


@pytest.mark.skipif(not POSIX, reason="the time limit needs signal.setitimer")
def test_someone_elses_timer_is_given_back():
    hits = []
    old = signal.signal(signal.SIGALRM, lambda *a: hits.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        check("episode_returns", episode_returns, verbose=False, time_limit=5)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 30.0 and not hits
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("raiser, words", [
    (lambda r, n: sys.exit(3), "called sys.exit(3)"),
    (lambda r, n: (_ for _ in ()).throw(KeyboardInterrupt("raised by the answer")), "raised KeyboardInterrupt"),
    (lambda r, n: (_ for _ in ()).throw(GeneratorExit()), "raised GeneratorExit"),
    (lambda r, n: os.sys.exit(), "called sys.exit(None)"),
])
def test_exits_and_raised_interrupts_are_the_answers_bug(raiser, words, capsys):
    fn, st, out = run_check("episode_returns", raiser, capsys)
    assert fn is episode_returns and st == "error" and words in out, out
    assert "test case 0 (rewards = array float64 shape (3,)" in out      # the failing case's inputs


@pytest.mark.skipif(not POSIX, reason="SIGINT is delivered to the main thread on POSIX")
def test_a_real_ctrl_c_still_stops_the_check():
    def slow(rewards, lengths):
        os.kill(os.getpid(), signal.SIGINT)   # what Ctrl-C / "interrupt the kernel" sends
        time.sleep(5)
        return episode_returns(rewards, lengths)

    old_int = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        check("episode_returns", slow, verbose=False)
    assert signal.getsignal(signal.SIGINT) is old_int and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_the_main_thread_the_check_runs_without_a_limit_and_says_so_once(monkeypatch):
    monkeypatch.setitem(safety._state, "warned", False)
    outputs = []

    def in_thread():
        import contextlib
        import io

        for _ in range(2):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                fn = check("episode_returns", episode_returns)
            outputs.append((fn is episode_returns, check.last_status, buf.getvalue()))

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join(60)
    assert [o[:2] for o in outputs] == [(True, "correct")] * 2
    assert "no time limit here" in outputs[0][2] and "no time limit here" not in outputs[1][2]


# -- results that need converting ------------------------------------------------------------------


def test_a_tensor_that_requires_grad_is_detached_not_raised(capsys):
    def with_grad(logits, actions):
        return bc.bc_cross_entropy(logits.clone().requires_grad_(), actions)

    fn, st, _ = run_check("bc_cross_entropy", with_grad, capsys)
    assert fn is with_grad and st == "correct"
    # a wrong answer with grad: the hint (which runs the answer again) must not crash either
    st = ex_gail.check_with_hint("gail_reward", lambda x: -torch.nn.functional.softplus(x.clone().requires_grad_()))
    out = capsys.readouterr().out
    assert check.last_status == "wrong" and "the sign is flipped" in out


def test_numpy_scalars_lists_and_tuples_are_compared_as_arrays(capsys):
    assert run_check("beta_schedule", lambda *a: np.float32(dg.beta_schedule(*a)), capsys)[1] == "correct"
    assert run_check("episode_returns", lambda r, n: list(episode_returns(r, n)), capsys)[1] == "correct"
    as_tensor = lambda r, n: torch.as_tensor(episode_returns(r, n))  # noqa: E731
    assert run_check("episode_returns", as_tensor, capsys)[1] == "correct"


@pytest.mark.parametrize("answer", [
    lambda *a: str(dg.beta_schedule(*a)),                  # "1.0": np.asarray(..., dtype=float) accepted it
    lambda *a: complex(dg.beta_schedule(*a), 1.0),         # the imaginary part was dropped with a warning
    lambda *a: None,
    lambda *a: {"beta": 1.0},
])
def test_strings_complex_and_objects_are_not_numbers(answer, capsys):
    fn, st, out = run_check("beta_schedule", answer, capsys)
    assert fn is dg.beta_schedule and st == "wrong" and "not a numeric array" in out, out


def test_nan_and_inf_are_named(capsys):
    fn, st, out = run_check("episode_returns", lambda r, n: np.full(len(n), np.nan), capsys)
    assert st == "wrong" and "nan" in out and "finite" in out


# -- the reference first, the notebook's random draws untouched ------------------------------------


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_checking_leaves_the_global_random_states_alone(name):
    np.random.seed(123)
    torch.manual_seed(123)
    want = (np.random.random(), torch.rand(1).item())
    np.random.seed(123)
    torch.manual_seed(123)
    for answer in (todo, CHECKS[name][0]):
        check(name, answer, verbose=False)
    assert (np.random.random(), torch.rand(1).item()) == want


def test_bad_arguments_of_check_itself():
    with pytest.raises(TypeError, match="fn must be your function"):
        check("episode_returns", episode_returns(np.ones(2), np.array([2])))
    with pytest.raises(ValueError, match="time_limit must be"):
        check("episode_returns", episode_returns, time_limit=0)
    with pytest.raises(ValueError, match="unknown exercise"):
        check(["episode_returns"], episode_returns)


def test_returned_objects_are_never_converted_by_their_own_code(capsys):
    """An object's __array__ / __float__ would be the answer's code running outside the time limit."""
    class Sneaky:
        def __array__(self, *a, **k):
            while True:
                pass

        def __float__(self):
            raise SystemExit(1)

    looped = []
    looped.append(looped)
    for answer in (lambda *a: Sneaky(), lambda *a: [Sneaky()], lambda *a: looped):
        fn, st, out = run_check("beta_schedule", answer, capsys)
        assert fn is dg.beta_schedule and st == "wrong" and "not a numeric array" in out, out


@pytest.mark.skipif(not POSIX, reason="the time limit needs signal.setitimer")
def test_the_hint_cannot_be_hung_either(capsys):
    """check_with_hint runs a wrong answer again on its own inputs: a loop there is stopped too."""
    def loops_on_the_hint_inputs(x):
        if len(x) == 9:                            # the hint's input, not a test case's
            while True:
                pass
        return -torch.nn.functional.softplus(x)

    ex_gail.check_with_hint("gail_reward", loops_on_the_hint_inputs, time_limit=0.2)
    out = capsys.readouterr().out
    assert check.last_status == "wrong" and "hint:" not in out


def test_an_exception_that_cannot_be_printed_is_still_reported(capsys):
    class Unprintable(Exception):
        def __str__(self):
            raise SystemExit("from __str__")

    class Code:
        def __repr__(self):
            raise KeyboardInterrupt

    def raises_unprintable(r, n):
        raise Unprintable()

    fn, st, out = run_check("episode_returns", raises_unprintable, capsys)
    assert st == "error" and "Unprintable: <a Unprintable that cannot be printed>" in out
    fn, st, out = run_check("episode_returns", lambda r, n: sys.exit(Code()), capsys)
    assert st == "error" and "sys.exit(<a Code that cannot be printed>)" in out
