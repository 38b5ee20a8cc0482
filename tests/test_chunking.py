"""Action chunking: the chunk targets (the next k actions, within the episode), open-loop execution
(a chunk is executed whatever the states in between, re-planned every k steps), ACT's temporal
ensembling (by hand on two steps), reset, every base trains and acts, and bad input."""

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.algorithms import chunking as C

ENV = il.OBSTACLE_FORK


@pytest.fixture(scope="module")
def demos():
    return il.collect_demonstrations(ENV, 3, seed=5)


def test_chunk_targets_are_the_next_k_actions_of_the_episode(demos):
    t = C.chunk_targets(demos, 4)
    assert t.shape == (len(demos), 8) and t.dtype == np.float32
    a = demos.actions
    np.testing.assert_array_equal(t[5].reshape(4, 2), a[5:9])
    end = demos.episode_lengths[0] - 1                  # the last step of episode 0: its action repeated
    np.testing.assert_array_equal(t[end].reshape(4, 2), np.repeat(a[end][None], 4, axis=0))
    np.testing.assert_array_equal(t[end - 1].reshape(4, 2)[1:], np.repeat(a[end][None], 3, axis=0))
    np.testing.assert_array_equal(C.chunk_targets(demos, 1), a)
    with pytest.raises(ValueError, match="chunk"):
        C.chunk_targets(demos, 0)
    with pytest.raises(ValueError, match="continuous actions"):
        C.chunk_targets(il.collect_demonstrations("CartPole-v1", 1, seed=0), 2)
    with pytest.raises(TypeError, match="Demonstrations"):
        C.chunk_targets(a, 2)


def _mse_policy(execute, k=3, decay=0.0):
    p = C.ChunkPolicy(2, 2, base="mse", chunk=k, execute=execute, ensemble_decay=decay, hidden=(8,), seed=0)
    p.set_normalization(mean=[1.0, 0.0], std=[2.0, 1.0])
    return p


def test_open_loop_executes_a_chunk_then_replans():
    p = _mse_policy("open_loop")
    A, B = np.array([[0.5, 0.2]], np.float32), np.array([[3.0, -1.0]], np.float32)
    with torch.no_grad():
        ca, cb = p.chunks(torch.as_tensor(A))[0].numpy(), p.chunks(torch.as_tensor(B))[0].numpy()
    p.reset(1)
    got = [p(A), p(B), p(B), p(B)]  # steps 0-2: A's chunk, whatever the state; step 3: B's first action
    np.testing.assert_allclose(np.concatenate(got[:3]), ca, atol=1e-6)
    np.testing.assert_allclose(got[3][0], cb[0], atol=1e-6)
    p.reset(1)
    np.testing.assert_allclose(p(B)[0], cb[0], atol=1e-6)  # reset forgets the chunk in flight


def test_temporal_ensembling_averages_the_predictions_for_a_step():
    A, B = np.array([[0.5, 0.2]], np.float32), np.array([[3.0, -1.0]], np.float32)
    for decay in (0.0, 0.5):
        p = _mse_policy("ensemble", k=2, decay=decay)
        with torch.no_grad():
            ca, cb = p.chunks(torch.as_tensor(A))[0].numpy(), p.chunks(torch.as_tensor(B))[0].numpy()
        p.reset(1)
        np.testing.assert_allclose(p(A)[0], ca[0], atol=1e-6)
        w = np.exp(decay)  # the older prediction (A's, made one step earlier) weighs exp(m) times more
        np.testing.assert_allclose(p(B)[0], (w * ca[1] + cb[0]) / (w + 1), atol=1e-6)


@pytest.mark.parametrize("base", sorted(C.BASES))
def test_every_base_trains_and_acts(base, demos):
    policy, hist = C.train_chunked(demos, base=base, chunk=3, epochs=2, seed=0)
    assert hist.config.chunk == 3 and policy.inner.act_dim == 6 and str(3) in policy.name
    policy.reset(4, seed=0)
    r = il.rollout(policy, ENV, n_episodes=4, seed=0)
    assert r.actions.shape[2] == 2 and np.all(np.abs(r.actions) <= 1.0)
    policy.reset(4, seed=0)
    again = il.rollout(policy, ENV, n_episodes=4, seed=0)
    np.testing.assert_array_equal(r.actions, again.actions)  # reset(n, seed): the same episodes and modes


def test_held_noise_is_reused_at_each_replan(demos):
    policy, _ = C.train_chunked(demos, base="diffusion", chunk=2, epochs=2, seed=0,
                                base_config=il.algorithms.diffusion.DiffusionConfig(hidden=(16,)))
    assert policy.inner.net[0].out_features == 16  # base_config builds the base
    obs = np.repeat(demos.obs[:1], 5, axis=0)
    policy.reset(5, seed=1)
    first = [policy(obs) for _ in range(4)]
    np.testing.assert_array_equal(first[0], first[2])  # same state, same held x_T: the same chunk again
    policy.hold = False
    policy.reset(5, seed=1)
    fresh = [policy(obs) for _ in range(4)]
    assert not np.array_equal(fresh[0], fresh[2])       # a new x_T at the replan


def test_bad_settings_are_refused_by_name(demos):
    for kwargs, name in (({"base": "gail"}, "base"), ({"execute": "closed"}, "execute"), ({"chunk": 0}, "chunk"),
                         ({"ensemble_decay": -1.0}, "ensemble_decay")):
        with pytest.raises(ValueError, match=name):
            C.train_chunked(demos, epochs=1, **kwargs)


def test_train_bc_refuses_targets_it_cannot_fit(demos):
    from il_helpers.algorithms.bc import train_bc
    policy = C.ChunkPolicy.for_env(ENV, chunk=2, base="mse", hidden=(8,), seed=0)
    good = C.chunk_targets(demos, 2)
    with pytest.raises(ValueError, match="targets.*policy="):
        train_bc(demos, targets=good, epochs=1)
    with pytest.raises(ValueError, match=f"one row per step \\({len(demos)} rows\\)"):
        train_bc(demos, policy=policy, targets=good[:-1], epochs=1)
    bad = good.copy()
    bad[3, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        train_bc(demos, policy=policy, targets=bad, epochs=1)
    with pytest.raises(ValueError, match="targets"):
        train_bc(demos, policy=policy, targets="next actions", epochs=1)
