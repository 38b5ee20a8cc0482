"""core.stability: held_fraction and held_from of a learning curve."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from il_helpers.core.stability import held, held_threshold


def test_a_curve_that_dips_after_reaching_the_threshold():
    r = held([100, 480, 350, 490, 500, 500], 475, wall_s=[1, 2, 3, 4, 5, 6], steps=[10, 20, 30, 40, 50, 60])
    assert r["held_fraction"] == pytest.approx(4 / 5) and r["held_from"] == 3
    assert r["held_from_s"] == 4 and r["held_from_steps"] == 40 and r["checkpoints"] == 6


def test_never_reached_and_lost_at_the_end():
    assert held([1, 2, 3], 5) == {"checkpoints": 3, "threshold": 5.0, "held_fraction": 0.0, "held_from": None}
    r = held([5, 6, 4], 5, wall_s=[1, 2, 3])
    assert r["held_fraction"] == pytest.approx(2 / 3) and r["held_from"] is None and r["held_from_s"] is None
    assert held([9, 9], 5)["held_from"] == 0


def test_thresholds():
    assert held_threshold("CartPole-v1") == ("return", 475.0)
    assert held_threshold("Acrobot-v1") == ("normalized", 0.9)


@pytest.mark.parametrize("bad", [[], [1.0, np.nan], [[1, 2]]])
def test_bad_curves_are_refused(bad):
    with pytest.raises(ValueError, match="values"):
        held(bad, 1.0)
    with pytest.raises(ValueError, match="wall_s"):
        held([1.0, 2.0], 1.0, wall_s=[1.0])


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=40), st.floats(-10, 10))
def test_held_from_is_where_the_tail_above_the_threshold_starts(values, threshold):
    r = held(values, threshold)
    v = np.array(values)
    assert 0.0 <= r["held_fraction"] <= 1.0
    if r["held_from"] is None:
        assert v[-1] < threshold
    else:
        i = r["held_from"]
        assert (v[i:] >= threshold).all() and (i == 0 or v[i - 1] < threshold)
        assert r["held_fraction"] > 0
