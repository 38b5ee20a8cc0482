"""The one set of argument checks (il_helpers.core.checks): accepted values come back as plain
Python types, everything else raises a ValueError that names the argument, the rule and the value."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from il_helpers.core.checks import check, check_choice, check_int, check_number, check_probability, make_config


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_check_int_accepts_exactly_the_integers_in_range(v):
    if 1 <= v <= 100:
        out = check_int("n", v, 1, 100)
        assert out == v and type(out) is int
        assert check_int("n", np.int64(v), 1, 100) == v
    else:
        with pytest.raises(ValueError, match=rf"n must be an integer in \[1, 100\], got {v}"):
            check_int("n", v, 1, 100)


@given(st.one_of(st.floats(allow_nan=True), st.booleans(), st.text(max_size=3), st.none()))
def test_check_int_refuses_non_integers(v):
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        check_int("n", v)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_check_number_refuses_non_finite_and_out_of_range(v):
    ok = math.isfinite(v) and 0 < v <= 2
    if ok:
        assert check_number("lr", v, 0, 2, low_open=True) == v
    else:
        with pytest.raises(ValueError, match=r"lr must be a finite number in \(0, 2\]"):
            check_number("lr", v, 0, 2, low_open=True)


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3), st.booleans()))
def test_check_probability(v):
    ok = not isinstance(v, bool) and math.isfinite(v) and 0 <= v <= 1
    if ok:
        assert check_probability("noise", v) == float(v)
    else:
        with pytest.raises(ValueError, match=r"noise must be in \[0, 1\], got"):
            check_probability("noise", v)


def test_choice_general_check_and_where_prefix():
    assert check_choice("loss", "mse", ("ce", "mse")) == "mse"
    with pytest.raises(ValueError, match=r"train_bc: loss must be one of \('ce', 'mse'\), got 'l1'"):
        check_choice("loss", "l1", ("ce", "mse"), where="train_bc")
    check(True, "x", "anything", 1)
    with pytest.raises(ValueError, match="x must be a pair, got 3"):
        check(False, "x", "a pair", 3)


@dataclasses.dataclass
class Cfg:
    epochs: int = 50
    lr: float = 3e-3


def test_make_config_defaults_overrides_and_unknown_names():
    assert make_config(Cfg) == Cfg()
    base = Cfg(epochs=10)
    assert make_config(Cfg, base) is base
    assert make_config(Cfg, base, lr=0.1) == Cfg(epochs=10, lr=0.1) and base.lr == 3e-3  # never mutated
    with pytest.raises(TypeError, match="train_x: unknown setting.*epoch; Cfg has: epochs, lr"):
        make_config(Cfg, None, where="train_x", epoch=3)
    with pytest.raises(TypeError, match="config must be a Cfg"):
        make_config(Cfg, {"epochs": 3})
