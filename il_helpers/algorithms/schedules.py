"""DAgger's beta schedules: ``beta_i``, the probability that the expert acts at a step of
iteration ``i`` (:class:`BetaSchedule`, built and checked by :func:`make_schedule`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BetaSchedule:
    """``beta_i``, the probability that the expert acts at a step of iteration ``i``.

    ``schedule(i)`` gives ``beta_i``; ``beta_0 = 1`` for every schedule (no learner yet).
    """

    kind: str
    param: float | None = None

    def __post_init__(self):
        # built directly, a schedule is checked as make_schedule checks it (BetaSchedule("exponential", 5.0)
        # would give beta = 25 at i = 2); param=None takes the kind's default
        object.__setattr__(self, "param", _checked_param(self.kind, self.param))

    def __call__(self, i: int) -> float:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
            raise ValueError(f"the iteration must be an integer >= 0, got {i!r}")
        if i == 0:
            return 1.0
        if self.kind == "constant":
            return float(self.param)
        if self.kind == "linear":
            return float(max(0.0, 1.0 - i / self.param))
        if self.kind == "exponential":
            return float(self.param ** i)
        return 0.0  # indicator

    def values(self, n: int) -> np.ndarray:
        """``[beta_0, ..., beta_n]``."""
        return np.array([self(i) for i in range(n + 1)])

    def __str__(self) -> str:
        if self.kind == "indicator":
            return "indicator (beta = 1 only at i = 0)"
        return {"constant": f"constant beta = {self.param:g}", "linear": f"linear decay to 0 at i = {self.param:g}",
                "exponential": f"exponential beta = {self.param:g}^i"}[self.kind]


#: schedule kind -> (its parameter's meaning, default value, valid range as text)
SCHEDULES = {
    "constant": ("beta for i >= 1", 0.5, "in [0, 1]"),
    "linear": ("iterations until beta reaches 0", 4.0, "> 0"),
    "exponential": ("p in beta_i = p^i", 0.5, "in [0, 1]"),
    "indicator": ("no parameter", None, "None"),
}


def make_schedule(kind, param=None) -> BetaSchedule:
    """A :class:`BetaSchedule` from a kind (one of :data:`SCHEDULES`) and its parameter.

    Accepts a ready ``BetaSchedule`` or a ``(kind, param)`` tuple too. ``param=None`` takes
    the kind's default (:data:`SCHEDULES`).
    """
    if isinstance(kind, BetaSchedule):
        return kind
    if isinstance(kind, tuple):
        if len(kind) != 2:
            raise ValueError(f"a schedule tuple is (kind, param), got {kind!r}")
        kind, param = kind
    return BetaSchedule(kind, param)


def _checked_param(kind, param) -> float | None:
    """The parameter a schedule of ``kind`` runs with (the kind's default for None), or a ValueError."""
    if not isinstance(kind, str) or kind not in SCHEDULES:
        raise ValueError(f"unknown beta schedule {kind!r}; choose one of {', '.join(SCHEDULES)}")
    meaning, default, valid = SCHEDULES[kind]
    if kind == "indicator":
        if param is not None:
            raise ValueError("the indicator schedule takes no parameter (beta = 1 at i = 0, else 0)")
        return None
    param = default if param is None else param
    if (isinstance(param, bool) or not isinstance(param, (int, float, np.integer, np.floating))
            or not np.isfinite(param)):
        raise ValueError(f"the {kind} schedule's parameter ({meaning}) must be a number {valid}, got {param!r}")
    ok = param > 0 if kind == "linear" else 0.0 <= param <= 1.0
    if not ok:
        raise ValueError(f"the {kind} schedule's parameter ({meaning}) must be {valid}, got {param!r}")
    return float(param)
