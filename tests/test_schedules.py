"""il_helpers.algorithms.schedules: DAgger's beta schedules (values, the course's defaults, bad input)."""

import numpy as np
import pytest

from il_helpers.algorithms import schedules


def test_schedules_values():
    assert schedules.make_schedule("constant", 0.3).values(3).tolist() == [1.0, 0.3, 0.3, 0.3]
    assert schedules.make_schedule("linear", 4).values(5).tolist() == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    assert np.allclose(schedules.make_schedule("exponential", 0.5).values(3), [1, 0.5, 0.25, 0.125])
    assert schedules.make_schedule("indicator").values(3).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert schedules.make_schedule(("exponential", 0.9))(2) == pytest.approx(0.81)
    sched = schedules.make_schedule("linear")
    assert sched is schedules.make_schedule(sched) and sched.param == schedules.SCHEDULES["linear"][1]
    for kind in schedules.SCHEDULES:
        assert schedules.make_schedule(kind)(0) == 1.0  # iteration 0 is the expert's data
        assert kind in str(schedules.make_schedule(kind)).split()[0]


@pytest.mark.parametrize("kind, param, match", [
    ("cosine", None, "unknown beta schedule"), ("constant", 1.5, "in \\[0, 1\\]"),
    ("exponential", -0.1, "in \\[0, 1\\]"),
    ("linear", 0, "> 0"), ("constant", float("nan"), "number"), ("constant", "0.5", "number"),
    ("indicator", 0.5, "no parameter"), ("constant", True, "number")])
def test_schedule_bad_input(kind, param, match):
    with pytest.raises(ValueError, match=match):
        schedules.make_schedule(kind, param)


def test_schedule_bad_iteration_and_tuple():
    with pytest.raises(ValueError, match="iteration"):
        schedules.make_schedule("indicator")(-1)
    with pytest.raises(ValueError, match="kind, param"):
        schedules.make_schedule(("constant", 0.5, 1))
