"""Graded assignments (nbgrader): a whole piece of an algorithm, run end to end on a course task.

An assignment's answer is a function the student writes in a solution region of the notebook
(``### BEGIN SOLUTION`` / ``### END SOLUTION``; the student release replaces it with
``raise NotImplementedError()``). Its test cells call a *trial* (:func:`attempt`: the answer run
safely, under a time limit, then judged on the task) and hand the result to :func:`award`:

* in a notebook a student runs (JupyterLab, nbval), :func:`award` only prints: an unanswered or
  wrong answer says what is wrong, and the lesson goes on with the reference (``result.use``);
* under nbgrader (``nbgrader autograde`` or ``validate``, which set ``NBGRADER_EXECUTION``), an
  answer that did not pass raises ``AssertionError`` with the same message, so the cell scores 0
  and the grade report names the test and says why.

The judgement is the same in both cases; only the way a failure is reported differs (an error
would stop a student's "Run All" at the first unanswered assignment).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

from ..core.nets import cpu_threads
from .safety import isolated_rng, run, safe_str

#: seconds an assignment's answer may run (a whole training loop, not one test case)
LOOP_TIME_LIMIT = 120.0
MARKS = {"correct": "[CORRECT]", "wrong": "[WRONG]", "error": "[ERROR]", "todo": "[TO DO]"}


def grading() -> bool:
    """Whether nbgrader is running this notebook (``nbgrader autograde`` or ``nbgrader validate``)."""
    return os.environ.get("NBGRADER_EXECUTION", "") in ("autograde", "validate")


@dataclass
class Result:
    """One graded test: ``status`` ("correct", "wrong", "error", "todo"), the ``message`` shown, the
    answer's return ``value`` (None unless it returned) and ``use``: what the cells below use (the
    answer's value if it passed, else the reference's, computed when first asked for); ``score``: the measured
    outcome (a normalized score, an off-road rate) where the test measures one."""

    name: str
    status: str
    message: str
    value: Any = None
    reference: Callable[[], Any] | None = field(default=None, repr=False)
    score: float | None = None   # the measured outcome, where the test measures one
    threads: int | None = field(default=1, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    @property
    def use(self) -> Any:
        """The answer's value if it passed, else the reference's (computed once, on first use: a graded
        test that only grades never pays for the reference)."""
        if self.passed:
            return self.value
        if self.reference is None:
            return None
        if not hasattr(self, "_use"):
            with isolated_rng(), cpu_threads(self.threads):
                self._use = self.reference()
        return self._use


def attempt(name: str, fn: Callable, args: tuple, judge: Callable[[Any], str | None], *,
            reference: Callable[[], Any] | None = None, time_limit: float | None = LOOP_TIME_LIMIT,
            praise: str | Callable[[Any], str] = "", threads: int | None = 1, verbose: bool = True) -> Result:
    """Run ``fn(*args)`` safely and judge what it returned.

    ``judge(value)`` returns None when the value passes, else what is wrong (a sentence). The
    answer runs under ``time_limit`` seconds with every exception caught (``safety.run``), and
    with the global random states put back afterwards, so the notebook's later draws do not
    move. ``reference()`` gives what the cells below use when the answer did not pass
    (``result.use``, computed then). ``praise``: what a passing answer is told (a string, or a
    function of the value, called after ``judge``).
    ``threads``: torch's CPU threads while the answer, the judge and the reference run (1, as
    ``train_bc`` uses: the fastest for the course's small networks, and steady on a busy machine).
    """
    if not callable(fn):
        raise TypeError(f"{name}: pass your function itself (a callable), got {type(fn).__name__}")
    with isolated_rng(), cpu_threads(threads):
        outcome = run(fn, args, time_limit)
    value = outcome.value if outcome.kind == "ok" else None
    if outcome.kind == "timeout":
        status = "error"
        why = (f"ran for more than {time_limit:g} s and was stopped: an infinite loop, or far more epochs "
               f"or episodes than asked?")
    elif outcome.kind == "raised":
        err = outcome.error
        status = "todo" if isinstance(err, NotImplementedError) else "error"
        why = "not done yet." if status == "todo" else f"raised {type(err).__name__}: {safe_str(err)}"
    else:
        with isolated_rng(), cpu_threads(threads):
            try:
                problem = judge(value)
            except Exception as err:  # noqa: BLE001 (a value the judge cannot use is the answer's bug)
                problem = f"returned something the test cannot use ({type(err).__name__}: {safe_str(err)})"
        if problem is None:
            status, why = "correct", (praise(value) if callable(praise) else praise) or "passes."
        else:
            status, why = "wrong", problem
    message = f"{MARKS[status]} {name}: {why}"
    if status == "correct":
        message += " The cells below use your answer."
    elif reference is not None:
        message += " The cells below use the reference solution until this test passes."
    result = Result(name, status, message, value, reference, threads=threads)
    if verbose:
        print(message)
    return result


def award(result: Result | str, message: str = "") -> None:
    """Under nbgrader, fail this cell (0 points) unless ``result`` passed; elsewhere do nothing.

    ``result``: a :class:`Result`, or a status string with its ``message`` (e.g.
    ``check.last_status, check.last_message`` after :func:`il_helpers.exercises.check`).
    """
    status, text = (result.status, result.message) if isinstance(result, Result) else (result, message)
    if status not in MARKS:
        raise ValueError(f"award: unknown status {status!r}; expected one of {sorted(MARKS)}")
    if grading() and status != "correct":
        raise AssertionError(text or f"{status}: did not pass")
