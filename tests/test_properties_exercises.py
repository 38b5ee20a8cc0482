"""Property-based tests (hypothesis) of the exercise checks: random wrong answers (random arrays of random
shapes and dtypes, NaN/inf, None, strings, answers that raise anything, answers that mutate their inputs,
answers slightly off or of the wrong shape) are never reported correct, never escape the check, and never
leave the notebook using them."""

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from il_helpers.exercises import CHECKS, check, safety

NAMES = sorted(CHECKS)
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


class Custom(BaseException):
    pass


EXCEPTIONS = [ValueError, TypeError, RuntimeError, ZeroDivisionError, StopIteration, AssertionError, MemoryError,
              RecursionError, SystemExit, KeyboardInterrupt, GeneratorExit, Custom, torch.cuda.OutOfMemoryError]


def reference_of(name):
    return CHECKS[name][0]


@st.composite
def constant_arrays(draw):
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64, np.bool_]))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    elements = st.floats(allow_nan=True, allow_infinity=True, width=32) if dtype in (np.float64, np.float32) else None
    arr = draw(hnp.arrays(dtype, shape, elements=elements))
    return draw(st.sampled_from(["numpy", "torch", "list"])), arr


def _as(kind, arr):
    if kind == "torch":
        return torch.as_tensor(arr)
    return arr.tolist() if kind == "list" else arr


@st.composite
def wrong_answers(draw):
    """(answer, description): answers that are wrong on at least the first test case."""
    how = draw(st.sampled_from(["constant", "junk", "raise", "mutate", "off", "shape"]))
    if how == "constant":
        kind, arr = draw(constant_arrays())
        return (lambda *a: _as(kind, arr)), f"constant {kind} {arr!r}"
    if how == "junk":
        junk = draw(st.sampled_from([None, "1.0", b"1", {"x": 1}, object(), [[1.0], [1.0, 2.0]], 1 + 2j, print]))
        return (lambda *a: junk), f"junk {junk!r}"
    if how == "raise":
        exc = draw(st.sampled_from(EXCEPTIONS))

        def raiser(*a):
            raise exc("boom")
        return raiser, f"raises {exc.__name__}"
    delta = draw(st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3))
    if how == "mutate":  # the right result, and one array/tensor input changed in place

        def mutating(*a):
            out = reference_of(draw_name[0])(*a)
            for x in a:
                if isinstance(x, np.ndarray) and x.size:
                    x[...] = x + (1 if x.dtype.kind in "iub" else delta)
                    break
                if isinstance(x, torch.Tensor) and x.numel():
                    x.add_(1 if not x.is_floating_point() else delta)
                    break
            return out
        return mutating, f"mutates by {delta}"
    if how == "off":  # the right result moved by more than the tolerance

        def off(*a):
            want = safety.to_array(reference_of(draw_name[0])(*a))
            return want + delta * (1 + np.abs(want))
        return off, f"off by {delta}"

    def reshaped(*a):  # the right values, one too many
        want = safety.to_array(reference_of(draw_name[0])(*a))
        return np.append(want.ravel(), delta)
    return reshaped, "one value too many"


draw_name = [NAMES[0]]  # the exercise the current example checks (the answers above call its reference)


def _has_mutable_input(name):
    args = next(iter(CHECKS[name][1]()))
    return any(isinstance(x, (np.ndarray, torch.Tensor)) and np.size(x) for x in args)


@pytest.mark.parametrize("name", NAMES)
def test_references_differ_between_cases(name):
    """A constant answer can never be right: each exercise's expected outputs vary over its cases."""
    reference, cases = CHECKS[name]
    outs = [safety.to_array(reference(*args)) for args in cases()]
    assert any(o.shape != outs[0].shape or not np.allclose(o, outs[0]) for o in outs[1:])


@SETTINGS
@given(name=st.sampled_from([n for n in NAMES if n != "dart_rollout"]), answer=wrong_answers())
def test_wrong_answers_are_never_correct_and_never_escape(name, answer, capsys):
    draw_name[0] = name
    fn, what = answer
    if what.startswith("mutates") and not _has_mutable_input(name):
        return
    got = check(name, fn, time_limit=5)           # must not raise: every failure is reported
    out = capsys.readouterr().out
    assert check.last_status in ("wrong", "error"), (name, what, out)
    assert got is reference_of(name), (name, what)
    assert out.startswith(("[WRONG]", "[ERROR]")) or "no time limit" in out, (name, what, out)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(answer=wrong_answers())
def test_wrong_answers_to_the_rollout_exercise(answer, capsys):
    """The same for the one exercise whose reference drives an environment (fewer examples: it is slower)."""
    draw_name[0] = "dart_rollout"
    fn, what = answer
    if what.startswith("mutates"):             # its inputs are a string and numbers: nothing to mutate
        return
    got = check("dart_rollout", fn, time_limit=5)
    capsys.readouterr()
    assert check.last_status in ("wrong", "error") and got is reference_of("dart_rollout"), what
