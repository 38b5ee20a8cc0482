"""il.claim: shows the claim and its measured value; fails only under test (IL_CLAIMS=strict)."""

import math

import numpy as np
import pytest

from il_helpers.core import claims as C


@pytest.fixture
def student(monkeypatch):
    monkeypatch.setenv("IL_CLAIMS", "")


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv("IL_CLAIMS", "strict")


def test_a_claim_that_holds_shows_pass_and_its_value(student, capsys):
    c = C.claim("the slope is lower", 0.79, ">=", 0.5)
    assert c and c.holds and c.n_holding == 1
    out = capsys.readouterr().out
    assert "[PASS] the slope is lower: 0.79" in out and ">= 0.5" in out


def test_a_failing_claim_says_what_it_means_and_the_notebook_goes_on(student, capsys):
    c = C.claim("DAgger is better", 0.1, ">=", 0.5, means="Try more iterations.")
    assert not c
    out = capsys.readouterr().out
    assert "[FAIL]" in out and "does not hold" in out and "Try more iterations." in out


def test_under_test_a_failing_claim_raises(strict):
    with pytest.raises(C.ClaimFailed, match="DAgger is better"):
        C.claim("DAgger is better", 0.1, ">=", 0.5)
    assert C.claim("DAgger is better", 0.6, ">=", 0.5)  # a claim that holds passes under test too


@pytest.mark.parametrize("op,value,threshold,holds", [
    (">=", 1.0, 1.0, True), (">", 1.0, 1.0, False), ("<=", 1.0, 1.0, True), ("<", 1.0, 1.0, False),
    ("==", 2.0, 2.0, True), ("==", 2.0, 2.5, False), ("between", 0.5, (0.35, 0.65), True),
    ("between", 0.7, (0.35, 0.65), False)])
def test_each_operator(student, op, value, threshold, holds):
    assert bool(C.claim("x", value, op, threshold)) is holds


def test_per_seed_values_report_how_many_hold_and_the_range(student, capsys):
    c = C.claim("BC drifts", [0.6, 1.2, 0.9, 0.4, 0.8], ">=", 0.5, over="seeds")
    assert not c and c.n_holding == 4 and c.needed == 5
    assert "4 of 5 seeds hold" in c.measured and "range 0.4 to 1.2" in c.measured
    assert C.claim("BC drifts on most seeds", [0.6, 1.2, 0.9, 0.4, 0.8], ">=", 0.5, at_least=4, over="seeds")


def test_nan_never_holds(student):
    assert not C.claim("x", math.nan, "<=", 1.0)
    assert not C.claim("x", [1.0, np.nan], ">=", 0.0, at_least=2)


@pytest.mark.parametrize("args,match", [
    (("", 1.0, ">=", 0.0), "non-empty"), (("x", 1.0, "=>", 0.0), "op must be"),
    (("x", 1.0, ">=", "a"), "threshold"), (("x", 1.0, "between", 1.0), "between"),
    (("x", 1.0, "between", (2, 1)), "low <= high"), (("x", [], ">=", 0.0), "empty"),
    (("x", 1.0, ">=", math.nan), "NaN")])
def test_a_malformed_claim_is_a_clear_error(student, args, match):
    with pytest.raises(ValueError, match=match):
        C.claim(*args)


def test_at_least_out_of_range_is_refused(student):
    with pytest.raises(ValueError, match="at_least"):
        C.claim("x", [1, 2], ">=", 0, at_least=3)


def test_a_non_numeric_value_is_refused(student):
    with pytest.raises(TypeError, match="number"):
        C.claim("x", "high", ">=", 0)


def test_html_view_marks_pass_and_fail_without_an_emoji_font(student):
    ok, bad = C.claim("a <b>", 1, ">=", 0), C.claim("c", 0, ">=", 1)
    assert "PASS" in ok._repr_html_() and "&lt;b&gt;" in ok._repr_html_()
    assert "FAIL" in bad._repr_html_() and "does not hold" in bad._repr_html_()


def test_claims_table_lists_the_claims_made(student):
    made = [C.claim("first", 1, ">=", 0), C.claim("second", 0, ">=", 1)]
    t = C.claims_table(made)
    assert [r[0] for r in t.cells] == ["first", "second"] and [r[-1] for r in t.cells] == ["PASS", "FAIL"]
