"""Running a student's answer safely: a time limit, every exception caught, inputs compared, outputs as arrays.

Used by :func:`il_helpers.exercises.check` and by the hints of :mod:`il_helpers.exercises.gail`.

The time limit uses ``signal.setitimer(ITIMER_REAL)`` with a handler that raises a private
``BaseException`` subclass, so an answer's ``except Exception:`` cannot swallow it; the timer
repeats every :data:`_REPEAT` s until the call ends, so an answer that swallows it once (a bare
``except:``) is interrupted again. The old handler and timer are restored afterwards. Where
signals are unavailable (Windows, or a thread other than the main one) answers run without a
limit and :func:`run` says so once.

Ctrl-C: while the answer runs, SIGINT goes through a wrapper that notes that a *real* interrupt
arrived before handing it to the previous handler. A ``KeyboardInterrupt`` the answer raises
itself is its bug (reported like any other exception); a real Ctrl-C propagates, so the user can
always stop a check.
"""

from __future__ import annotations

import copy
import random
import signal
import threading
import time
from typing import Any, Callable

import numpy as np

#: seconds one test case of an exercise may run before it is stopped as an infinite loop
TIME_LIMIT = 10.0
_REPEAT = 0.25  # once the limit is hit, the timer fires again every _REPEAT s until the answer lets go

_state = {"armed": False, "interrupted": False, "warned": False}


class _TimeUp(BaseException):
    """Raised inside the student's code when its time is up (BaseException: ``except Exception`` can't catch it)."""


def _on_alarm(signum, frame):
    if _state["armed"]:
        raise _TimeUp


def signals_available() -> bool:
    """Whether a time limit can be enforced here (POSIX, main thread)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class Outcome:
    """What a call of the student's function did: ``kind`` is "ok" (``value`` holds the result),
    "raised" (``error`` holds the exception) or "timeout"."""

    def __init__(self, kind: str, value: Any = None, error: BaseException | None = None, note: str = ""):
        self.kind, self.value, self.error, self.note = kind, value, error, note


def _arm(time_limit: float):
    """Install the alarm and the Ctrl-C wrapper; return what :func:`_disarm` needs to restore."""
    _state["interrupted"] = False
    old_int = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum, frame):
        _state["interrupted"] = True
        if callable(old_int):
            old_int(signum, frame)
        elif old_int != signal.SIG_IGN:
            raise KeyboardInterrupt
    signal.signal(signal.SIGINT, on_interrupt)
    old_alarm = signal.signal(signal.SIGALRM, _on_alarm)
    _state["armed"] = True
    old_timer = signal.setitimer(signal.ITIMER_REAL, time_limit, _REPEAT)
    return old_int, old_alarm, old_timer, time.monotonic()


def _disarm(saved) -> None:
    """Stop the alarm and restore the previous handlers and timer (idempotent)."""
    _state["armed"] = False
    old_int, old_alarm, old_timer, started = saved
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old_alarm if old_alarm is not None else signal.SIG_DFL)
    signal.signal(signal.SIGINT, old_int if old_int is not None else signal.default_int_handler)
    if old_timer[0] > 0:  # someone else's timer was running: give it back what it had left
        signal.setitimer(signal.ITIMER_REAL, max(old_timer[0] - (time.monotonic() - started), 1e-3), old_timer[1])


def run(fn: Callable, args: tuple, time_limit: float | None = TIME_LIMIT) -> Outcome:
    """Call ``fn(*args)`` with a time limit; every exception it raises, ``BaseException`` included,
    comes back as an :class:`Outcome` (a real Ctrl-C is the one thing that propagates)."""
    note = ""
    if not signals_available():
        if time_limit is not None and not _state["warned"]:
            _state["warned"] = True
            note = ("(no time limit here: signals are unavailable on this platform or outside the main thread, "
                    "so an answer that loops forever would hang this check; interrupt the kernel to stop it)")
        try:
            return Outcome("ok", fn(*args), note=note)
        except KeyboardInterrupt as err:
            if threading.current_thread() is threading.main_thread():
                raise  # a real Ctrl-C cannot be told from a raised one here: let it stop the check
            return Outcome("raised", error=err, note=note)
        except BaseException as err:  # noqa: BLE001 (the student's bug, SystemExit included)
            return Outcome("raised", error=err, note=note)
    saved = _arm(time_limit or 0.0)  # 0: no limit, but still the Ctrl-C wrapper
    try:
        try:
            value = fn(*args)
        finally:
            _disarm(saved)
    except _TimeUp:
        _disarm(saved)
        return Outcome("timeout")
    except BaseException as err:  # noqa: BLE001 (the student's bug, SystemExit and KeyboardInterrupt included)
        _disarm(saved)
        if _state["interrupted"]:
            raise  # a real Ctrl-C: stop the check (and the cell), as the user asked
        return Outcome("raised", error=err)
    return Outcome("ok", value)


class isolated_rng:
    """Context manager: the global random states (python, numpy, torch) are the same after as before.

    The references run inside it, so computing them first (before the student's answer) leaves
    every later random draw of the notebook where it was."""

    def __enter__(self):
        import torch

        self._states = (random.getstate(), np.random.get_state(), torch.get_rng_state())
        return self

    def __exit__(self, *exc):
        import torch

        py, npy, th = self._states
        random.setstate(py)
        np.random.set_state(npy)
        torch.set_rng_state(th)
        return False


# -- comparing ------------------------------------------------------------------------------------


def _is_tensor(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def to_array(x) -> np.ndarray:
    """A float array from a number, numpy array or scalar, torch tensor (detached, on the CPU) or a
    (nested) list/tuple of them; ``TypeError``/``ValueError`` for anything else (None, strings, dicts,
    complex numbers, ragged lists, objects of other types); ``RecursionError`` for a list that contains itself."""
    if x is None:
        raise TypeError("None (did you forget the return?)")
    if _is_tensor(x):
        x = x.detach().cpu()
        if x.is_complex():
            raise TypeError("a complex tensor")
        x = x.double().numpy() if x.is_floating_point() else x.numpy()
    elif isinstance(x, (list, tuple)):
        x = [to_array(e) for e in x]
    elif not isinstance(x, (int, float, np.ndarray, np.generic)):
        # never np.asarray() an unknown object: its __array__ / __len__ / __float__ would be the student's
        # code running outside the time limit
        raise TypeError(f"a {type(x).__name__}")
    arr = np.asarray(x)
    if arr.dtype.kind == "O":  # only plain numbers may hide in an object array (astype would turn None into nan)
        if not all(isinstance(e, (int, float, np.integer, np.floating)) for e in arr.ravel()):
            raise TypeError("values that are not all numbers")
        arr = arr.astype(float)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"values of dtype {arr.dtype}")
    return arr.astype(float)


def same(a, b) -> bool:
    """Whether ``a`` (the student's copy of an input, after the call) still equals the original ``b``."""
    if _is_tensor(b):
        return _is_tensor(a) and a.shape == b.shape and a.dtype == b.dtype and bool(
            ((a == b) | (a.isnan() & b.isnan()) if b.is_floating_point() else (a == b)).all())
    if isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=b.dtype.kind in "fc"))
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in b)
    if callable(b):
        return a is b
    try:
        return bool(a == b) or (a != a and b != b)  # NaN == NaN here
    except Exception:  # noqa: BLE001
        return False


def copies(args: tuple) -> tuple:
    """Deep copies of a test case's arguments (functions are shared, as ``copy.deepcopy`` does)."""
    return copy.deepcopy(args)


def safe_str(x, use_repr: bool = False) -> str:
    """``str(x)`` (or ``repr``) of something the student's code made, never raising (its __str__ is its code)."""
    try:
        text = repr(x) if use_repr else str(x)
    except BaseException:  # noqa: BLE001
        return f"<a {type(x).__name__} that cannot be printed>"
    return text if len(text) <= 300 else text[:297] + "..."


def describe(x, width: int = 4) -> str:
    """A compact description of one input: type, dtype, shape and a few values."""
    if _is_tensor(x) or isinstance(x, np.ndarray):
        kind = "tensor" if _is_tensor(x) else "array"
        dtype = str(x.dtype).replace("torch.", "")
        try:
            flat = to_array(x).ravel()
        except (TypeError, ValueError):
            return f"{kind} {dtype} shape {tuple(x.shape)}"
        vals = ", ".join(f"{v:.4g}" for v in flat[:width]) + (", ..." if flat.size > width else "")
        return f"{kind} {dtype} shape {tuple(x.shape)} [{vals}]"
    if callable(x):
        return getattr(x, "__name__", type(x).__name__)
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."
