"""Self-improvement: the filters (pooled and per start), the attempts' labels, bad input,
determinism, and a learning test with margin (the edge hugger's clone improves, and only with the filter)."""

import numpy as np
import pytest

import il_helpers as il
from il_helpers.algorithms.self_improve import (
    SelfImproveConfig,
    attempts,
    best_per_start,
    keep_top,
    train_self_improve,
)
from il_helpers.lessons import imperfect_demonstrations as lesson

TINY = dict(rounds=1, rollouts=4, attempts=2, bc=il.BCConfig(epochs=2))


@pytest.fixture(scope="module")
def pendulum():
    return il.collect_demonstrations("Pendulum-v1", 3, seed=1)


def test_keep_top_keeps_the_best_episodes(pendulum):
    top = keep_top(pendulum, 0.34)
    assert top.num_episodes == 1 and top.episode_returns[0] == pendulum.episode_returns.max()
    assert keep_top(pendulum, 0.01).num_episodes == 1                          # at least one


def test_attempts_on_the_same_starts_differ_only_in_their_noise():
    expert = il.get_expert("Pendulum-v1")
    a = attempts(expert, "Pendulum-v1", 3, 0.3, seed=5, noise_seed=1)
    b = attempts(expert, "Pendulum-v1", 3, 0.3, seed=5, noise_seed=2)
    np.testing.assert_array_equal(a.obs[a.episode_starts], b.obs[b.episode_starts])   # the same starts
    assert not np.array_equal(a.actions, b.actions)
    np.testing.assert_array_equal(a.actions, a.taken)                          # labels: what was executed
    again = attempts(expert, "Pendulum-v1", 3, 0.3, seed=5, noise_seed=1)
    np.testing.assert_array_equal(a.actions, again.actions)
    best = best_per_start([a, b], 0.5)
    assert best.num_episodes == 3
    np.testing.assert_allclose(best.episode_returns, np.maximum(a.episode_returns, b.episode_returns), rtol=1e-6)


@pytest.mark.parametrize("settings, message", [
    ({"rounds": 0}, "rounds"), ({"keep": 0.0}, "keep"), ({"noise": 2.0}, "noise"),
    ({"attempts": 9, "rollouts": 8}, "attempts"), ({"bc": {"epochs": 2}}, "bc"), ({"select": "worst"}, "select"),
])
def test_bad_settings(pendulum, settings, message):
    with pytest.raises(ValueError, match=message):
        train_self_improve(pendulum, **settings)


def test_random_selection_keeps_as_many(pendulum):
    _, h = train_self_improve(pendulum, seed=1, select="random", **TINY)
    _, best = train_self_improve(pendulum, seed=1, **TINY)
    assert h.kept_episodes == best.kept_episodes
    assert h.kept_threshold[1] <= best.kept_threshold[1]


def test_bad_demos():
    with pytest.raises(TypeError, match="Demonstrations"):
        train_self_improve([1, 2, 3])


def test_determinism_and_history(pendulum):
    a, ha = train_self_improve(pendulum, seed=1, **TINY)
    b, hb = train_self_improve(pendulum, seed=1, **TINY)
    np.testing.assert_array_equal(a(pendulum.obs[:8]), b(pendulum.obs[:8]))
    assert len(ha.policies) == 2 and ha.kept_episodes == [3, 2] and isinstance(ha.config, SelfImproveConfig)
    assert np.isnan(ha.attempt_return[0]) and ha.attempt_return[1] == hb.attempt_return[1]
    _, pooled = train_self_improve(pendulum, seed=1, rounds=1, rollouts=4, attempts=1, keep=0.5,
                                   bc=il.BCConfig(epochs=2))
    assert pooled.kept_episodes == [3, 4]                                      # half of 3 demos + 4 attempts


def test_the_filter_improves_the_edge_hugger():
    """Learning test with margin, seeds 0 and 1 at a third of the budget: after 3 rounds the clone is
    better than BC on the demonstrations by >= 0.08 (the notebook's 5 rounds: 0.69-0.79 -> 0.93-0.99), and
    better than the same loop keeping a random attempt of each start."""
    for s in (0, 1):
        filt = lesson.self_improve_runs([s], n_eval=30, settings=dict(rounds=3, rollouts=128, attempts=8))[0]
        assert filt["scores"][-1] >= filt["scores"][0] + 0.08, filt["scores"]
        none = lesson.self_improve_runs([s], n_eval=30, settings=dict(rounds=3, rollouts=128, attempts=8,
                                                                      select="random"))[0]
        assert none["scores"][-1] < filt["scores"][-1], (none["scores"], filt["scores"])
