"""One set of argument checks for the whole package.

Every public function validates its knobs with these, so a bad value fails at once with a
message that names the argument, what it must be and what it got, instead of deep inside numpy
or torch. Each check returns the value converted to its plain Python type.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

import numpy as np

_INTS = (int, np.integer)
_NUMBERS = (int, float, np.integer, np.floating)


def check_int(name: str, value, low: int | None = 1, high: int | None = None, where: str = "") -> int:
    """An integer (not a bool) in ``[low, high]`` (either bound may be None)."""
    ok = not isinstance(value, bool) and isinstance(value, _INTS)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        raise ValueError(f"{where + ': ' if where else ''}{name} must be an integer{_bounds(low, high)}, got {value!r}")
    return int(value)


def check_number(name: str, value, low: float | None = None, high: float | None = None, *,
                 low_open: bool = False, high_open: bool = False, where: str = "") -> float:
    """A finite real number (not a bool) in the given range; ``*_open`` excludes that bound."""
    ok = not isinstance(value, bool) and isinstance(value, _NUMBERS) and bool(np.isfinite(value))
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        rng = _bounds(low, high, low_open, high_open)
        raise ValueError(f"{where + ': ' if where else ''}{name} must be a finite number{rng}, got {value!r}")
    return float(value)


def check_probability(name: str, value, where: str = "") -> float:
    """A finite number in ``[0, 1]``."""
    ok = not isinstance(value, bool) and isinstance(value, _NUMBERS) and bool(np.isfinite(value)) and 0 <= value <= 1
    if not ok:
        raise ValueError(f"{where + ': ' if where else ''}{name} must be in [0, 1], got {value!r}")
    return float(value)


def check_choice(name: str, value, choices: Iterable, where: str = ""):
    """One of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{where + ': ' if where else ''}{name} must be one of {choices}, got {value!r}")
    return value


def check(ok: bool, name: str, expected: str, value, where: str = "") -> None:
    """The general form: raise ``ValueError("<name> must be <expected>, got <value>")`` unless ``ok``."""
    if not ok:
        raise ValueError(f"{where + ': ' if where else ''}{name} must be {expected}, got {value!r}")


def _bounds(low, high, low_open: bool = False, high_open: bool = False) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def make_config(cls, config=None, where: str = "", **overrides):
    """The configuration a trainer runs with: ``config`` (an instance of the dataclass ``cls``, or
    None for its defaults) with the keyword ``overrides`` replaced.

    ``train_bc(demos, epochs=20)`` and ``train_bc(demos, config=BCConfig(epochs=20))`` are the
    same call. An unknown keyword fails with the list of the ones that exist.
    """
    where = where or cls.__name__
    if config is None:
        config = cls()
    elif not isinstance(config, cls):
        raise TypeError(f"{where}: config must be a {cls.__name__} (or None for the defaults), "
                        f"got {type(config).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"{where}: unknown setting(s) {', '.join(unknown)}; "
                        f"{cls.__name__} has: {', '.join(sorted(names))}")
    return dataclasses.replace(config, **overrides) if overrides else config
