"""Notebook 00's measurement: noise injection widens the spread of LaneKeeping's lateral offset."""

import numpy as np
import pytest

import il_helpers as il
from il_helpers.lessons import tour


def test_noise_spread_widens_the_lateral_offset_on_every_seed():
    """Measured on seeds 0-4: the ratio noisy / clean standard deviation of e is 1.23 to 1.52."""
    r = tour.noise_spread(il.LANE_KEEPING, seeds=range(5), n_episodes=5, noise=0.3)
    assert set(r) == {"clean_std", "noisy_std", "clean_gap", "noisy_gap"}
    assert all(v.shape == (5,) for v in r.values())
    assert (r["noisy_std"] > 1.1 * r["clean_std"]).all()
    assert (r["clean_gap"] == 0).all() and (r["noisy_gap"] > 0.1).all()
    again = tour.noise_spread(il.LANE_KEEPING, seeds=[0], n_episodes=5, noise=0.3)
    assert again["noisy_std"][0] == pytest.approx(r["noisy_std"][0])    # deterministic given the seed
    assert np.isfinite(r["clean_std"]).all()


def test_noise_spread_needs_a_seed():
    with pytest.raises(ValueError, match="at least one seed"):
        tour.noise_spread(il.LANE_KEEPING, seeds=[])
