"""The exercise checker: correct answers pass, wrong ones are explained, unanswered ones don't break Run All."""

import numpy as np
import pytest

from il_helpers.exercises import CHECKS, check
from il_helpers.exercises.tour import episode_returns


def todo(*args):
    raise NotImplementedError


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_reference_passes_its_own_check(name, capsys):
    reference, _ = CHECKS[name]
    assert check(name, reference) is reference
    assert check.last_status == "correct"
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_unanswered_exercise_reports_todo_and_returns_the_reference(name, capsys):
    assert check(name, todo) is CHECKS[name][0]
    assert check.last_status == "todo"
    assert "not done yet" in capsys.readouterr().out


def test_wrong_answer_is_explained(capsys):
    fn = check("episode_returns", lambda r, lengths: np.zeros(len(lengths)))
    assert fn is episode_returns and check.last_status == "wrong"
    assert "off by up to 3" in capsys.readouterr().out


def test_wrong_shape_and_crash_are_reported(capsys):
    check("episode_returns", lambda r, lengths: np.zeros(len(lengths) + 1))
    assert check.last_status == "wrong" and "shape" in capsys.readouterr().out
    check("episode_returns", lambda r, lengths: 1 / 0)
    assert check.last_status == "error" and "ZeroDivisionError" in capsys.readouterr().out


def test_unknown_exercise():
    with pytest.raises(ValueError, match="unknown exercise"):
        check("nope", todo)


def test_non_numeric_or_ragged_answers_are_reported_not_raised(capsys):
    check("episode_returns", lambda r, lengths: [[1.0], [1.0, 2.0]])
    assert check.last_status == "wrong" and "not a numeric array" in capsys.readouterr().out
    check("episode_returns", lambda r, lengths: None)
    assert check.last_status == "wrong"


def test_messages_are_marked_in_plain_text_and_say_which_function_runs_next(capsys):
    """No emoji (a box without the font); a check that did not pass says the cells below use the reference."""
    from il_helpers.exercises import CHECKS, MARKS, USES_REFERENCE, check

    name = sorted(CHECKS)[0]
    reference = CHECKS[name][0]

    def todo(*args):
        raise NotImplementedError

    check(name, todo)
    out = capsys.readouterr().out
    assert out.startswith(MARKS["todo"]) and USES_REFERENCE in out
    check(name, reference)
    out = capsys.readouterr().out
    assert out.startswith(MARKS["correct"]) and USES_REFERENCE not in out
    assert all(ch.isascii() for ch in "".join(MARKS.values()))
