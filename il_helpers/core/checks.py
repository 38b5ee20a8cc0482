"""One set of argument checks for the whole package.

Every public function validates its knobs with these, so a bad value fails at once with a
message that names the argument, what it must be and what it got, instead of deep inside numpy
or torch. Each check returns the value converted to its plain Python type.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Iterable

import numpy as np

_INTS = (int, np.integer)
_NUMBERS = (int, float, np.integer, np.floating)


def _finite(value) -> bool:
    """A finite real number that a float can hold (an int beyond float's range is refused, not a crash)."""
    try:
        return math.isfinite(float(value))
    except (OverflowError, TypeError, ValueError):
        return False


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
    ok = not isinstance(value, bool) and isinstance(value, _NUMBERS) and _finite(value)
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
    ok = not isinstance(value, bool) and isinstance(value, _NUMBERS) and _finite(value) and 0 <= value <= 1
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
        config = _built(cls, where)
    elif not isinstance(config, cls):
        raise TypeError(f"{where}: config must be a {cls.__name__} (or None for the defaults), "
                        f"got {type(config).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"{where}: unknown setting(s) {', '.join(unknown)}; "
                        f"{cls.__name__} has: {', '.join(sorted(names))}")
    config = _built(dataclasses.replace, where, config, **overrides) if overrides else config
    check_fields(config, where)
    return config


def _built(make, where: str, *args, **kwargs):
    """``make(*args, **kwargs)``, a config's ``__post_init__`` errors named for ``where`` (the trainer)."""
    try:
        return make(*args, **kwargs)
    except ValueError as e:
        head, sep, rest = str(e).partition(": ")
        if sep and head.endswith("Config") and " " not in head:
            raise ValueError(f"{where}: {rest}") from None
        raise


# Seeds: numpy's Generators take any non-negative integer and torch's ``manual_seed`` any integer
# below 2**64, so a seed is an integer in [0, 2**64 - 1] (``SEED_MAX``). A trainer adds offsets to
# the seed it is given (``seed + 20_000``, ``seed + i * 100_000``, see :mod:`il_helpers.core.seeding`),
# so a trainer's seed (and a widget's, the bench's) is in [0, 2**63 - 1] (``TRAIN_SEED_MAX``): every
# seed it derives then stays below torch's limit.
SEED_MAX = 2**64 - 1
TRAIN_SEED_MAX = 2**63 - 1


def check_seed(name: str, value, where: str = "", high: int = SEED_MAX) -> int:
    """A seed: an integer (not a bool, not a float) in ``[0, high]`` (default ``SEED_MAX = 2**64 - 1``;
    trainers pass ``TRAIN_SEED_MAX = 2**63 - 1``). Returns it as a plain int."""
    ok = not isinstance(value, bool) and isinstance(value, _INTS) and 0 <= value <= high
    if not ok:
        text = "2**64 - 1" if high == SEED_MAX else "2**63 - 1" if high == TRAIN_SEED_MAX else str(high)
        raise ValueError(
            f"{where + ': ' if where else ''}{name} must be a non-negative integer in [0, {text}], got {value!r}; "
            f"pass a non-negative whole number such as {name}=0")
    return int(value)


def check_training_data(demos, env_id=None, where: str = ""):
    """The environment a trainer trains on: ``demos.env_id`` (``env_id``, if given, must agree).

    Refuses demonstrations without a single step (there is nothing to imitate and the
    normalization statistics would be NaN). ``demos`` may be anything with ``env_id`` and a length
    (a :class:`~il_helpers.core.demonstrations.Demonstrations`); other objects pass unchanged.
    """
    prefix = where + ": " if where else ""
    demo_env = getattr(demos, "env_id", None)
    if demo_env is None:
        return env_id
    if len(demos) == 0:
        raise ValueError(f"{prefix}demos must hold at least one step, got 0 steps "
                         f"({getattr(demos, 'num_episodes', 0)} episodes) on {demo_env!r}; collect some first, "
                         f"e.g. collect_demonstrations({demo_env!r}, n_episodes=10)")
    if env_id is not None and env_id != demo_env:
        raise ValueError(f"{prefix}env_id {env_id!r} does not match the demonstrations: they were collected on "
                         f"{demo_env!r}, not {env_id!r}; pass demonstrations collected on {env_id!r}, or leave "
                         f"env_id=None to train on {demo_env!r}")
    return demo_env


# Config fields whose integer values count something that must happen at least once.
_AT_LEAST_ONE = frozenset({"epochs", "batch_size", "steps", "iteration_episodes", "n_members",
                           "n_envs", "minibatch", "d_steps", "d_batch", "d_replay", "n_components", "n_bins",
                           "latent_dim", "disc_steps", "patience"})
# Float fields with a range narrower than ">= 0": name -> (low, high, low_open, high_open).
_RANGES = {"dropout": (0, 1, False, True), "val_frac": (0, 1, False, True), "nll_beta": (0, 1, False, False)}
_LAYERS = frozenset({"hidden", "d_hidden"})


def check_fields(config, where: str = "") -> None:
    """Every numeric field of a configuration dataclass (nested ones too) against its default.

    A field whose default is a number must hold a finite number of the same kind (an int where
    the default is an int; a bool where it is a bool); one whose default is >= 0 must be >= 0;
    counts (``epochs``, ``steps``, ``iterations``, ...) must be >= 1; learning rates > 0;
    layer widths (``hidden``, ``d_hidden``) positive integers. Fields whose default is None
    (``horizon``, ``eval_seed``, ``lr`` of MaxEnt) are checked when they hold a number.
    The trainers' own checks (ranges such as ``dropout < 1``) come on top of these.
    """
    where = where or type(config).__name__
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if value is None:  # "the default behaviour" (threads=None, horizon=None, ...): the trainer's business
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if type(value).__name__.endswith("Config"):  # a nested config (bc, ppo); not an expert or a model
                check_fields(value, f"{where}.{f.name}")
        elif f.name in _LAYERS and isinstance(default, tuple):
            ok = isinstance(value, (tuple, list)) and all(
                isinstance(h, _INTS) and not isinstance(h, bool) and h >= 1 for h in value)
            check(ok, f.name, "a sequence of positive integers", value, where)
        elif isinstance(default, bool):
            check(isinstance(value, (bool, np.bool_)), f.name, "True or False", value, where)
        elif isinstance(default, _INTS):
            low = 1 if f.name in _AT_LEAST_ONE else (0 if default >= 0 else None)
            check_int(f.name, value, low, where=where)
        elif isinstance(default, float):
            if f.name in _RANGES:
                low, high, low_open, high_open = _RANGES[f.name]
                check_number(f.name, value, low, high, low_open=low_open, high_open=high_open, where=where)
            else:
                lr = f.name.endswith("lr")
                check_number(f.name, value, 0 if lr or default >= 0 else None, low_open=lr, where=where)
        elif default is None and isinstance(value, _NUMBERS):
            if f.name.endswith("seed"):
                check_seed(f.name, value, where)
            elif isinstance(value, (bool, np.bool_)) or not _finite(value) or value <= 0:
                check(False, f.name, "None or a finite number > 0", value, where)
