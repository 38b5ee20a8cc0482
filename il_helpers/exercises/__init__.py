"""Automatic checks for the notebooks' exercises (one module per notebook registers its own).

A student fills in a function; ``check(name, fn)`` runs it on test cases against the
reference and prints what is right or wrong. An exercise left as ``raise NotImplementedError``
reports "not done yet" and the notebook goes on with the reference implementation, so
"Run All" never breaks. ``check`` returns the function to use next: the student's if it
passed, else the reference.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

CHECKS: dict[str, tuple[Callable, Callable]] = {}  # name -> (reference, test-case generator)


def exercise(name: str, cases: Callable):
    """Register ``reference`` (the decorated function) with a generator of test cases."""

    def deco(reference):
        CHECKS[name] = (reference, cases)
        return reference

    return deco


def check(name: str, fn: Callable, verbose: bool = True) -> Callable:
    """Test ``fn`` against exercise ``name``'s reference; return the function to use next."""
    if name not in CHECKS:
        raise ValueError(f"unknown exercise {name!r}; known: {', '.join(sorted(CHECKS))}")
    reference, cases = CHECKS[name]
    status, message = "correct", f"✅ {name}: correct on every test case. Well done!"
    for i, args in enumerate(cases()):
        try:
            got = fn(*args)
        except NotImplementedError:
            status, message = "todo", f"⏳ {name}: not done yet; the notebook continues with the reference solution."
            break
        except Exception as err:  # the student's bug, reported rather than raised
            status, message = "error", f"❌ {name}: test case {i} raised {type(err).__name__}: {err}"
            break
        want = reference(*args)
        try:
            got_arr, want_arr = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        except (TypeError, ValueError) as err:  # ragged lists, None, strings...
            status = "wrong"
            message = f"❌ {name}: test case {i} returned {type(got).__name__} that is not a numeric array ({err})"
            break
        if got_arr.shape != want_arr.shape:
            status = "wrong"
            message = f"❌ {name}: test case {i} returned shape {got_arr.shape}, expected {want_arr.shape}"
            break
        if not np.allclose(got_arr, want_arr, rtol=1e-5, atol=1e-6):
            worst = np.abs(got_arr - want_arr).max()
            status, message = "wrong", (f"❌ {name}: test case {i} is off by up to {worst:.3g}; "
                                        f"expected {np.array2string(want_arr.ravel()[:5], precision=4)}..., "
                                        f"got {np.array2string(got_arr.ravel()[:5], precision=4)}...")
            break
    if verbose:
        print(message)
    check.last_status = status
    return fn if status == "correct" else reference


# each notebook's exercises register themselves on import
from . import tour  # noqa: E402,F401
from . import distribution_shift  # noqa: E402,F401
from . import behavioral_cloning  # noqa: E402,F401
from . import dagger  # noqa: E402,F401
from . import maxent_irl  # noqa: E402,F401
from . import multimodal  # noqa: E402,F401
from . import gail  # noqa: E402,F401
