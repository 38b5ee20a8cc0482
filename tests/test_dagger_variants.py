"""il_helpers.algorithms.dagger_variants: the drivers (SafeDAgger, HG-DAgger's gate), what each
variant labels, and bad input."""

import numpy as np
import pytest

import il_helpers as il
from il_helpers.algorithms import dagger_variants as dv

LK = il.LANE_KEEPING
TINY = il.BCConfig(epochs=2, hidden=(8,))
EXPERT = il.FunctionPolicy(lambda obs: np.ones((len(obs), 1), np.float32), "always +1")
LEARNER = il.FunctionPolicy(lambda obs: -np.ones((len(obs), 1), np.float32), "always -1")


def tiny_run(fn, env_id=LK, n_demos=1, seed=0, **kw):
    args = dict(iterations=2, iteration_episodes=2, bc=TINY, eval_episodes=3)
    args.update(kw)
    return fn(il.collect_demonstrations(env_id, n_demos, seed=seed), seed=seed, **args)


def test_action_distance_in_half_ranges():
    box = il.env_spaces("Pendulum-v1")[1]  # [-2, 2]: half range 2
    d = dv.action_distance(np.array([[0.0], [1.0]]), np.array([[0.2], [-1.0]]), box)
    assert np.allclose(d, [0.1, 1.0])
    disc = il.env_spaces("CartPole-v1")[1]
    assert dv.action_distance(np.array([0, 1, 1]), np.array([0, 0, 1]), disc).tolist() == [0.0, 1.0, 0.0]


def test_safe_dagger_policy_hands_over_exactly_where_the_learner_is_off():
    learner = il.FunctionPolicy(lambda obs: obs[:, :1].copy())  # steers by obs[0]
    safe = dv.SafeDAggerPolicy(il.FunctionPolicy(lambda obs: np.zeros((len(obs), 1), np.float32)), learner, 0.1,
                               il.env_spaces(LK)[1])
    obs = np.zeros((4, 5), np.float32)
    obs[:, 0] = [0.0, 0.05, 0.15, -0.5]
    a = safe(obs)
    assert safe.expert_drove[0].tolist() == [False, False, True, True]
    assert np.allclose(a[:, 0], [0.0, 0.05, 0.0, 0.0])
    with pytest.raises(ValueError, match="threshold"):
        dv.SafeDAggerPolicy(EXPERT, LEARNER, -1, il.env_spaces(LK)[1])


def test_band_gate_hysteresis():
    gate = dv.GatedPolicy(EXPERT, LEARNER, dv.BandGate(0, band=1.0, release=0.5))
    path = [0.2, 0.9, 1.2, 0.8, 0.6, 0.4, 0.7, 1.1]  # e along one episode
    got = [gate(np.array([[e, 0, 0, 0, 0]], np.float32))[0, 0] == 1.0 for e in path]
    assert got == [False, False, True, True, True, False, False, True]
    with pytest.raises(ValueError, match="release"):
        dv.BandGate(0, band=1.0, release=2.0)
    assert isinstance(dv.default_gate(LK), dv.BandGate) and dv.default_gate("CartPole-v1").index == 2
    assert isinstance(dv.default_gate("Acrobot-v1"), dv.ActionGate)


def test_variants_label_what_they_say():
    _, safe = tiny_run(il.train_safe_dagger, threshold=0.1)
    assert np.array_equal(safe["labels_used"], [200, 600, 1000])  # every visited state
    assert np.all(np.isnan(safe["beta"][1:])) and safe.method == "SafeDAgger"
    hg_policy, h = tiny_run(il.train_hg_dagger)
    assert np.array_equal(h["new_labels"][1:], h["expert_steps"][1:])      # only the expert's corrections
    assert h.final.labels_used == 200 + h["expert_steps"][1:].sum() == len(h.data)
    _, hs = tiny_run(il.train_selective_dagger, threshold=0.05, n_members=2)
    assert np.all(hs["new_labels"][1:] >= hs["expert_steps"][1:])           # expert-driven steps are kept
    assert np.all(hs["new_labels"][1:] <= 400)
    scores = hs.settings["disagreement"]
    assert len(scores) == 2 and all(len(s) == 400 for s in scores)
    queried = [int(((s > 0.05)).sum()) for s in scores]
    assert all(q <= n for q, n in zip(queried, hs["new_labels"][1:]))
    _, everything = tiny_run(il.train_selective_dagger, threshold=0.0, n_members=2)
    assert everything.final.labels_used == 1000                             # threshold 0: label every state


def test_configs_and_progress():
    seen = []
    _, h = tiny_run(il.train_safe_dagger, config=il.SafeDAggerConfig(threshold=0.2), bc=TINY, iterations=1,
                    progress=lambda *a: seen.append(a))
    assert isinstance(h.config, il.SafeDAggerConfig) and h.config.threshold == 0.2 and h.settings["threshold"] == 0.2
    assert [(d, t) for d, t, _ in seen] == [(1, 2), (2, 2)]
    with pytest.raises(TypeError, match="unknown setting.*schedule"):
        tiny_run(il.train_hg_dagger, schedule="indicator")  # HG-DAgger drives by a rule, not by beta


def test_bad_threshold_and_gate():
    with pytest.raises(ValueError, match="threshold"):
        tiny_run(il.train_safe_dagger, threshold=-0.1)
    with pytest.raises(ValueError, match="threshold"):
        tiny_run(il.train_selective_dagger, threshold=float("inf"))
    with pytest.raises(ValueError, match="n_members"):
        tiny_run(il.train_selective_dagger, n_members=1)
    with pytest.raises(TypeError, match="gate"):
        tiny_run(il.train_hg_dagger, gate=3)
