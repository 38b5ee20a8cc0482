"""Claims a notebook makes, checked where the student reads them.

    il.claim("DAgger's cost grows more slowly than BC's", bc_slope - dagger_slope, ">=", 0.5)

shows the claim, the measured value and a PASS / FAIL mark. A claim that does not hold with the
student's settings says so in a sentence and the notebook goes on: a student who changes a seed, a
budget or a knob is running an experiment, not breaking the lesson. Under test (``IL_CLAIMS=strict``,
set by the test suite and by ``make notebooks``) a claim that does not hold raises
:class:`ClaimFailed`, so a notebook whose text no longer matches its numbers fails ``make test``.

A claim over several runs (one value per seed, per demonstration set, ...) passes an array: it
holds when every value holds (or ``at_least`` of them), and the mark says on how many and over
what range, e.g. ``holds on 5 of 5 seeds (0.61 to 1.20)``.

Plain ``assert`` stays for facts that cannot vary: shapes, exact identities, a formula checked by
hand.
"""

from __future__ import annotations

import html
import math
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from .checks import check_choice

OPS = {
    ">=": (lambda v, t: v >= t, "\u2265"),
    ">": (lambda v, t: v > t, ">"),
    "<=": (lambda v, t: v <= t, "\u2264"),
    "<": (lambda v, t: v < t, "<"),
    "==": (lambda v, t: v == t, "="),
    "between": (lambda v, t: t[0] <= v <= t[1], "in"),
}
STRICT_ENV = "IL_CLAIMS"


class ClaimFailed(AssertionError):
    """A claim that does not hold, raised only under test (``IL_CLAIMS=strict``)."""


def strict() -> bool:
    """True under test: a claim that does not hold raises instead of only saying so."""
    return os.environ.get(STRICT_ENV, "").strip().lower() == "strict"


@dataclass
class Claim:
    """One checked claim: what was said, what was measured, and whether it holds."""

    text: str
    values: np.ndarray
    op: str
    threshold: object
    holds: bool
    n_holding: int
    needed: int
    over: str
    fmt: str
    means: str | None = None
    _shown: bool = field(default=False, repr=False)

    def __bool__(self) -> bool:  # truthy when it holds
        return self.holds

    def _num(self, x) -> str:
        x = float(x)
        if math.isnan(x):
            return "nan"
        try:
            return self.fmt.format(x)
        except (ValueError, TypeError):
            return f"{x:.3g}"

    @property
    def measured(self) -> str:
        """The measured value, or for several runs how many hold and over what range."""
        v = self.values
        if v.size == 1:
            return self._num(v.flat[0])
        finite = v[np.isfinite(v)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (np.nan, np.nan)
        return (f"{self.n_holding} of {v.size} {self.over} hold (needed {self.needed}); "
                f"range {self._num(lo)} to {self._num(hi)}")

    @property
    def condition(self) -> str:
        """The condition each value must meet, e.g. '>= 0.5' or 'between 0.35 and 0.65'."""
        if self.op == "between":
            lo, hi = self.threshold
            return f"between {self._num(lo)} and {self._num(hi)}"
        return f"{self.op} {self._num(self.threshold)}"

    @property
    def failure(self) -> str:
        """The sentence a student reads when the claim does not hold with their settings."""
        said = f" {self.means}" if self.means else ""
        return ("With these settings the claim does not hold: measured "
                f"{self.measured}, it needs {self.condition}.{said} The text around this cell describes the "
                "committed run; your run is an experiment of its own.")

    def __repr__(self) -> str:
        mark = "PASS" if self.holds else "FAIL"
        line = f"[{mark}] {self.text}: {self.measured} (claim: {self.condition})"
        return line if self.holds else f"{line}\n       {self.failure}"

    def _repr_html_(self) -> str:
        color = "#2ca02c" if self.holds else "#d62728"
        mark = "PASS" if self.holds else "FAIL"
        body = (f"<b>{html.escape(self.text)}</b>: measured {html.escape(self.measured)} "
                f"<span style='opacity:0.7'>(claim: {html.escape(self.condition)})</span>")
        if not self.holds:
            body += f"<br><i>{html.escape(self.failure)}</i>"
        return (f"<div class='il-claim' style='border-left:4px solid {color};padding:2px 8px;margin:2px 0'>"
                f"<span style='background:{color};color:white;font-weight:bold;padding:0 4px;"
                f"border-radius:3px;font-size:85%'>{mark}</span> {body}</div>")

    def _ipython_display_(self):
        if not self._shown:  # claim() shows itself; as a cell's last value it is not shown twice
            _show(self)


CLAIMS: list[Claim] = []  # every claim made in this process, in order (for a notebook's summary)


def _show(c: Claim) -> None:
    c._shown = True
    try:
        from IPython import get_ipython
        from IPython.display import display
        if get_ipython() is not None:
            display({"text/plain": repr(c), "text/html": c._repr_html_()}, raw=True)
            return
    except ImportError:
        pass
    print(repr(c), file=sys.stdout)


def _as_values(value) -> np.ndarray:
    try:
        v = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError) as err:
        raise TypeError(f"claim: the measured value must be a number or an array of numbers, got "
                        f"{type(value).__name__}") from err
    if v.size == 0:
        raise ValueError("claim: the measured value is empty; pass at least one number")
    return v


def claim(text: str, value, op: str, threshold, *, at_least: int | None = None, over: str = "runs",
          fmt: str = "{:.3g}", means: str | None = None) -> Claim:
    """Check and show one claim: ``value`` (a number, or one per run) ``op`` ``threshold``.

    ``op`` is one of ``>=``, ``>``, ``<=``, ``<``, ``==`` or ``between`` (``threshold = (low, high)``).
    With several values the claim holds when ``at_least`` of them hold (default: all); ``over`` names
    them in the message ("seeds", "demonstration sets"). ``fmt`` formats the numbers; ``means`` is the
    sentence added when the claim fails (what it means, what to try). A NaN never holds.

    Returns the :class:`Claim` (truthy when it holds). Raises :class:`ClaimFailed` when it does not hold
    and ``IL_CLAIMS=strict`` (under test); otherwise only shows the failure.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("claim: the first argument is the claim in words, a non-empty string")
    check_choice("op", op, OPS, where="claim")
    if op == "between":
        try:
            lo, hi = (float(t) for t in threshold)
        except (TypeError, ValueError) as err:
            raise ValueError(f"claim: 'between' needs threshold=(low, high), got {threshold!r}") from err
        if not lo <= hi:
            raise ValueError(f"claim: 'between' needs low <= high, got {threshold!r}")
        threshold = (lo, hi)
    else:
        try:
            threshold = float(threshold)
        except (TypeError, ValueError) as err:
            raise ValueError(f"claim: threshold must be a number, got {threshold!r}") from err
        if math.isnan(threshold):
            raise ValueError("claim: threshold is NaN; a claim needs a number to compare with")
    values = _as_values(value)
    needed = values.size if at_least is None else int(at_least)
    if not 1 <= needed <= values.size:
        raise ValueError(f"claim: at_least must be between 1 and the number of values ({values.size}), "
                         f"got {at_least!r}")
    check = OPS[op][0]
    n_holding = int(sum(bool(np.isfinite(v) and check(float(v), threshold)) for v in values))
    c = Claim(text=text.strip(), values=values, op=op, threshold=threshold, holds=n_holding >= needed,
              n_holding=n_holding, needed=needed, over=over, fmt=fmt, means=means)
    CLAIMS.append(c)
    _show(c)
    if not c.holds and strict():
        raise ClaimFailed(repr(c))
    return c


def claims_table(claims: list[Claim] | None = None, *, title: str = "The claims of this notebook"):
    """The claims made so far in this process (or ``claims``) as a table: claim, measured, condition, mark."""
    from .tables import table
    rows = [[c.text, c.measured, c.condition, "PASS" if c.holds else "FAIL"]
            for c in (CLAIMS if claims is None else claims)]
    return table(rows, ["claim", "measured", "claim holds when", ""], title=title)
