"""Fixtures several test files share."""

import pytest

from il_helpers.lessons import choosing_a_method as C

TINY_DAGGER = {"iterations": 1, "iteration_episodes": 1}


@pytest.fixture(scope="module")
def bc_row():
    """Notebook 07's BC row on LaneKeeping (seed 0, 10 test episodes)."""
    return C.run_method("bc", "LaneKeeping", seed=0, eval_episodes=10)


@pytest.fixture(scope="module")
def dagger_row():
    """Notebook 07's DAgger row on CartPole with a tiny budget."""
    return C.run_method("dagger", "CartPole", seed=0, budget=TINY_DAGGER, eval_episodes=10)
