"""Automatic checks for the notebooks' exercises (one module per notebook registers its own).

A student fills in a function; ``check(name, fn)`` runs it on test cases against the
reference and prints what is right or wrong. An exercise left as ``raise NotImplementedError``
reports "not done yet" and the notebook goes on with the reference implementation, so
"Run All" never breaks. ``check`` returns the function to use next: the student's if it
passed, else the reference.

The check cannot be fooled, hung or escaped: for each test case the reference is computed
first, on its own deep copies of the arguments (with the global random states put back after,
so the notebook's later draws do not move); the answer gets other deep copies, runs under a time
limit (:data:`TIME_LIMIT` s, the ``time_limit`` argument), and every exception it raises
(``SystemExit`` and a ``KeyboardInterrupt`` it raises itself included) is reported as its bug; a
real Ctrl-C still stops the check. An answer that changes its inputs in place is rejected, even
if its result is right. Results are compared as float arrays (torch tensors detached, numpy
scalars and lists converted); a wrong answer's message shows the failing case's inputs.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from .safety import TIME_LIMIT, copies, describe, isolated_rng, run, safe_str, same, to_array

CHECKS: dict[str, tuple[Callable, Callable]] = {}  # name -> (reference, test-case generator)
#: the mark that starts a check's message, by status: plain text (an emoji needs a font that a
#: student's machine may lack, and shows as a box there)
MARKS = {"correct": "[CORRECT]", "wrong": "[WRONG]", "error": "[ERROR]", "todo": "[TO DO]"}
#: what a check that did not pass adds: which function the cells below run
USES_REFERENCE = ("The cells below use the reference solution, not your function, until this check passes "
                  "(their numbers are the reference's).")


def exercise(name: str, cases: Callable):
    """Register ``reference`` (the decorated function) with a generator of test cases."""

    def deco(reference):
        CHECKS[name] = (reference, cases)
        return reference

    return deco


def _inputs(names: list[str], args: tuple) -> str:
    return "; ".join(f"{n} = {describe(a)}" for n, a in zip(names, args))


def _compare(got, want) -> str | None:
    """None if ``got`` matches ``want``, else what is wrong (in words)."""
    try:
        got_arr = to_array(got)
    except (TypeError, ValueError, RuntimeError) as err:  # ragged lists, None, strings...
        return f"returned {type(got).__name__} that is not a numeric array ({safe_str(err)})"
    want_arr = to_array(want)
    if got_arr.shape != want_arr.shape:
        return f"returned shape {got_arr.shape}, expected {want_arr.shape}"
    if np.allclose(got_arr, want_arr, rtol=1e-5, atol=1e-6):
        return None
    bad = ~np.isfinite(got_arr) & np.isfinite(want_arr)
    if bad.any():
        where = np.argwhere(bad)[0] if got_arr.ndim else ()
        value = got_arr[tuple(where)]
        why = "NaN (a 0/0, inf - inf or log of a negative?)" if np.isnan(value) else "an overflow? (compute it stably)"
        return (f"returned {value} where the answer is finite ({want_arr[tuple(where)]:.6g}) "
                f"at index {tuple(int(i) for i in where)}: {why}")
    worst = np.abs(got_arr - want_arr).max()
    return (f"is off by up to {worst:.3g}; "
            f"expected {np.array2string(want_arr.ravel()[:5], precision=4)}..., "
            f"got {np.array2string(got_arr.ravel()[:5], precision=4)}...")


def check(name: str, fn: Callable, verbose: bool = True, time_limit: float | None = TIME_LIMIT) -> Callable:
    """Test ``fn`` against exercise ``name``'s reference; return the function to use next.

    ``time_limit``: seconds per test case (None: no limit). Sets ``check.last_status`` to "correct",
    "todo" (raised NotImplementedError), "error" (raised, or ran out of time) or "wrong" (a wrong
    result, or it changed its inputs), and ``check.last_message`` to the message.
    """
    if not isinstance(name, str) or name not in CHECKS:
        raise ValueError(f"unknown exercise {name!r}; known: {', '.join(sorted(CHECKS))}")
    if not callable(fn):
        raise TypeError(f"check({name!r}, fn): fn must be your function (a callable), got {type(fn).__name__} "
                        f"{describe(fn)}; pass the function itself, e.g. check({name!r}, my_function), not its result")
    if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, (int, float))
                                   or not 0 < time_limit < float("inf")):
        raise ValueError(f"check: time_limit must be a finite number of seconds > 0 (or None for no limit), "
                         f"got {time_limit!r}")
    reference, cases = CHECKS[name]
    names = list(inspect.signature(reference).parameters)
    status, notes = "correct", []
    message = f"{MARKS['correct']} {name}: correct on every test case. Well done! The cells below use your function."
    for i, args in enumerate(cases()):
        with isolated_rng():
            want = reference(*copies(args))       # the reference first, on its own copies
        mine = copies(args)
        outcome = run(fn, mine, time_limit)
        if outcome.note:
            notes.append(outcome.note)
        where = f"test case {i} ({_inputs(names, args)})"
        if outcome.kind == "timeout":
            status = "error"
            message = (f"{MARKS['error']} {name}: {where} ran for more than {time_limit:g} s and was stopped: "
                       f"an infinite loop? (a loop whose condition never changes, or a while without a break)")
            break
        if outcome.kind == "raised":
            err = outcome.error
            if isinstance(err, NotImplementedError):
                status = "todo"
                message = f"{MARKS['todo']} {name}: not done yet."
                break
            status = "error"
            what = (f"called sys.exit({safe_str(err.code, use_repr=True)}): return a value instead"
                    if isinstance(err, SystemExit) else f"raised {type(err).__name__}: {safe_str(err)}")
            message = f"{MARKS['error']} {name}: {where} {what}"
            break
        changed = [j for j, (a, b) in enumerate(zip(mine, args)) if not same(a, b)]
        if changed:
            j = changed[0]
            status = "wrong"
            message = (f"{MARKS['wrong']} {name}: {where}: your function changed its input {j} "
                       f"({names[j] if j < len(names) else j}) in place; work on a copy (e.g. x = x.copy() or "
                       f"x.clone()) and return a new result")
            break
        problem = _compare(outcome.value, want)
        if problem:
            status, message = "wrong", f"{MARKS['wrong']} {name}: {where} {problem}"
            break
    if status != "correct":
        message += " " + USES_REFERENCE
    if verbose:
        for note in notes:
            print(note)
        print(message)
    check.last_status, check.last_message = status, message
    return fn if status == "correct" else reference


# each notebook's exercises register themselves on import
from . import tour  # noqa: E402,F401
from . import distribution_shift  # noqa: E402,F401
from . import behavioral_cloning  # noqa: E402,F401
from . import dagger  # noqa: E402,F401
from . import maxent_irl  # noqa: E402,F401
from . import multimodal  # noqa: E402,F401
from . import gail  # noqa: E402,F401
