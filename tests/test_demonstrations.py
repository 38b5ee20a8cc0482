"""Demonstrations: collection, the views (first, episodes, split, subsample, concatenate), the
.npz round trip, and every way a bad file or bad arrays must be refused with a clear message."""

import json
import zipfile

import numpy as np
import pytest

import il_helpers as il
from il_helpers.core.demonstrations import (
    ARRAY_FIELDS,
    FORMAT_VERSION,
    DemonstrationError,
    Demonstrations,
    collect_demonstrations,
    load_demonstrations,
)

CARTPOLE = "CartPole-v1"
MCC = "MountainCarContinuous-v0"  # continuous, and its episodes end early with varying lengths
LANE = il.LANE_KEEPING


@pytest.fixture(scope="module")
def cartpole():
    return collect_demonstrations(CARTPOLE, 4, seed=0, noise=0.3, horizon=100)


@pytest.fixture(scope="module")
def mcc():
    return collect_demonstrations(MCC, 5, seed=0, noise=0.3)


@pytest.fixture(scope="module")
def random_cartpole():
    """Short, varied episodes: a random driver labelled by the expert."""
    return collect_demonstrations(CARTPOLE, 12, policy=il.RandomPolicy(il.env_spaces(CARTPOLE)[1], seed=0),
                                  seed=3)


def episode_list(d):
    """Each episode's observations, in order."""
    return [d.obs[s: s + n] for s, n in zip(d.episode_starts, d.episode_lengths)]


# -- collection --------------------------------------------------------------------------------

def test_collect_discrete_shapes_and_dtypes(cartpole):
    d = cartpole
    N = len(d)
    assert N == 400 and d.num_episodes == 4 and d.discrete
    assert d.obs.shape == d.next_obs.shape == (N, 4)
    assert d.obs.dtype == d.next_obs.dtype == np.float32
    assert d.actions.shape == d.taken.shape == (N,)
    assert d.actions.dtype == d.taken.dtype == np.int64
    assert d.rewards.shape == (N,) and d.rewards.dtype == np.float32
    assert d.terminated.shape == (N,) and d.terminated.dtype == bool
    assert d.episode_lengths.dtype == np.int64 and d.episode_lengths.sum() == N
    assert d.env_id == CARTPOLE and d.expert == il.get_expert(CARTPOLE).name


def test_collect_continuous_shapes_and_dtypes(mcc):
    d = mcc
    N = len(d)
    assert not d.discrete and d.num_episodes == 5
    assert d.obs.shape == d.next_obs.shape == (N, 2) and d.obs.dtype == np.float32
    assert d.actions.shape == d.taken.shape == (N, 1)
    assert d.actions.dtype == d.taken.dtype == np.float32
    assert d.episode_lengths.sum() == N
    assert len(set(d.episode_lengths.tolist())) > 1  # episodes end when the goal is reached
    # exactly one terminal step per episode, at its end
    ends = d.episode_starts + d.episode_lengths - 1
    np.testing.assert_array_equal(np.flatnonzero(d.terminated), ends)
    assert np.all(np.abs(d.taken) <= 1.0)


@pytest.mark.parametrize("fixture", ["cartpole", "mcc", "random_cartpole"])
def test_labels_are_the_experts_even_with_noise(fixture, request):
    d = request.getfixturevalue(fixture)
    expert = il.get_expert(d.env_id)
    np.testing.assert_array_equal(d.actions, expert(d.obs))
    differs = np.any((d.taken != d.actions).reshape(len(d), -1), axis=1)
    assert differs.mean() > 0.1  # noise (or the random driver) changed executed actions
    if d.discrete:
        assert differs.mean() < 0.9  # ... but not all of them: a discrete swap may pick the same action
    assert d.meta["noise"] == (0.0 if fixture == "random_cartpole" else 0.3)


def test_no_noise_means_taken_equals_labels():
    for env_id in (CARTPOLE, LANE):
        d = collect_demonstrations(env_id, 2, seed=1, horizon=50)
        np.testing.assert_array_equal(d.taken, d.actions)
        assert d.meta == {"seed": 1, "noise": 0.0, "horizon": 50, "policy": il.get_expert(env_id).name}


def test_next_obs_follows_obs_within_an_episode(random_cartpole):
    d = random_cartpole
    for s, n in zip(d.episode_starts, d.episode_lengths):
        np.testing.assert_array_equal(d.next_obs[s: s + n - 1], d.obs[s + 1: s + n])


def test_collection_is_deterministic():
    a = collect_demonstrations(MCC, 2, seed=5, noise=0.2)
    b = collect_demonstrations(MCC, 2, seed=5, noise=0.2)
    c = collect_demonstrations(MCC, 2, seed=6, noise=0.2)
    for k in ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k))
    assert not np.array_equal(a.obs[:1], c.obs[:1])


def test_collect_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_episodes must be an integer >= 1"):
        collect_demonstrations(CARTPOLE, 0)
    with pytest.raises(ValueError, match=r"noise must be in \[0, 1\]"):
        collect_demonstrations(CARTPOLE, 1, noise=1.5)
    with pytest.raises(ValueError, match="no expert for 'CartPole-v0'"):
        collect_demonstrations("CartPole-v0", 1)


def test_episode_returns(random_cartpole, mcc):
    d = random_cartpole
    assert d.episode_returns.shape == (12,)
    np.testing.assert_array_equal(d.episode_returns, d.episode_lengths)  # CartPole: +1 per step
    for s, n, ret in zip(mcc.episode_starts, mcc.episode_lengths, mcc.episode_returns):
        assert ret == pytest.approx(mcc.rewards[s: s + n].sum(dtype=np.float64), rel=1e-6)
    assert np.all(mcc.episode_returns > 90)  # the goal bonus


def test_sizes_and_views(random_cartpole):
    d = random_cartpole
    assert len(d) == d.episode_lengths.sum()
    np.testing.assert_array_equal(d.episode_starts, np.concatenate([[0], np.cumsum(d.episode_lengths)[:-1]]))
    np.testing.assert_array_equal(np.bincount(d.episode_ids), d.episode_lengths)
    obs, acts = d.pairs()
    assert obs is d.obs and acts is d.actions
    assert repr(d).startswith(f"Demonstrations({CARTPOLE}: 12 episodes, {len(d)} steps, obs 4-d, discrete")


# -- first / episodes / split ------------------------------------------------------------------

def test_first(random_cartpole):
    d = random_cartpole
    f = d.first(3)
    assert f.num_episodes == 3
    np.testing.assert_array_equal(f.episode_lengths, d.episode_lengths[:3])
    n = d.episode_lengths[:3].sum()
    for k in ARRAY_FIELDS[:-1]:
        np.testing.assert_array_equal(getattr(f, k), getattr(d, k)[:n])
    assert f.meta == d.meta and f.expert == d.expert
    assert d.first(12).num_episodes == 12
    for bad in (0, 13, -1):
        with pytest.raises(ValueError, match=r"n must be between 1 and 12 \(the number of episodes\)"):
            d.first(bad)


def test_episodes_selects_in_the_given_order(random_cartpole):
    d = random_cartpole
    eps = episode_list(d)
    sel = d.episodes([5, 0, -1])
    assert sel.num_episodes == 3
    np.testing.assert_array_equal(sel.episode_lengths, d.episode_lengths[[5, 0, 11]])
    got = episode_list(sel)
    for g, i in zip(got, (5, 0, 11)):
        np.testing.assert_array_equal(g, eps[i])
    empty = d.episodes([])
    assert len(empty) == 0 and empty.num_episodes == 0 and empty.episode_starts.shape == (0,)
    with pytest.raises(IndexError, match="episode index out of range: there are 12 episodes"):
        d.episodes([12])
    with pytest.raises(IndexError, match="out of range"):
        d.episodes([-13])


def test_split_by_whole_episodes(random_cartpole):
    d = random_cartpole
    train, val = d.split(0.25, seed=0)
    assert (train.num_episodes, val.num_episodes) == (9, 3)
    assert len(train) + len(val) == len(d)
    key = lambda ep: ep[0].tobytes()  # noqa: E731 - the first observation identifies an episode
    all_eps = {key(e): e for e in episode_list(d)}
    t_keys, v_keys = {key(e) for e in episode_list(train)}, {key(e) for e in episode_list(val)}
    assert not t_keys & v_keys and t_keys | v_keys == set(all_eps)
    for e in episode_list(train) + episode_list(val):  # whole episodes, unchanged
        np.testing.assert_array_equal(e, all_eps[key(e)])
    again = d.split(0.25, seed=0)[1]
    np.testing.assert_array_equal(again.obs, val.obs)
    assert any(not np.array_equal(d.split(0.25, seed=s)[1].obs, val.obs) for s in range(1, 5))
    # at least one episode on each side
    assert d.split(0.01)[1].num_episodes == 1 and d.split(0.99)[0].num_episodes == 1


def test_split_rejects_bad_arguments(random_cartpole):
    for bad in (0.0, 1.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="val_frac must be strictly between 0 and 1"):
            random_cartpole.split(bad)
    with pytest.raises(ValueError, match="at least 2 episodes"):
        random_cartpole.first(1).split(0.5)


# -- subsample ---------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [2, 3, 7, 50])
def test_subsample_keeps_every_kth_step_per_episode(random_cartpole, k):
    d = random_cartpole
    s = d.subsample(k, seed=1)
    assert s.num_episodes == d.num_episodes and s.meta["subsample"] == k
    lengths = d.episode_lengths
    assert np.all(s.episode_lengths >= np.maximum(1, lengths // k))
    assert np.all(s.episode_lengths <= -(-lengths // k))  # ceil(len / k)
    for orig, sub in zip(episode_list(d), episode_list(s)):
        offset = int(np.flatnonzero((orig == sub[0]).all(axis=1))[0])
        assert offset < k
        np.testing.assert_array_equal(sub, orig[offset::k])
    for kk in ARRAY_FIELDS[:-1]:
        assert getattr(s, kk).shape[0] == len(s)


def test_subsample_identity_and_errors(random_cartpole):
    d = random_cartpole
    one = d.subsample(1)
    for k in ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(one, k), getattr(d, k))
    a, b = d.subsample(4, seed=2), d.subsample(4, seed=2)
    np.testing.assert_array_equal(a.obs, b.obs)
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match=f"every must be an integer >= 1, got {bad!r}"):
            d.subsample(bad)


# -- concatenate -------------------------------------------------------------------------------

def test_concatenate(random_cartpole, cartpole):
    both = Demonstrations.concatenate([random_cartpole, cartpole])
    assert both.num_episodes == 16 and len(both) == len(random_cartpole) + len(cartpole)
    np.testing.assert_array_equal(both.obs[len(random_cartpole):], cartpole.obs)
    np.testing.assert_array_equal(both.episode_lengths,
                                  np.concatenate([random_cartpole.episode_lengths, cartpole.episode_lengths]))
    assert both.meta == {"parts": 2}
    assert Demonstrations.concatenate([cartpole]).num_episodes == 4


def test_concatenate_errors(cartpole, mcc):
    with pytest.raises(DemonstrationError,
                       match=r"different environments: \['CartPole-v1', 'MountainCarContinuous-v0'\]"):
        Demonstrations.concatenate([cartpole, mcc])
    with pytest.raises(ValueError, match="at least one Demonstrations"):
        Demonstrations.concatenate([])


# -- files: the round trip ---------------------------------------------------------------------

def assert_same_demos(a, b):
    for k in ARRAY_FIELDS:
        x, y = getattr(a, k), getattr(b, k)
        assert x.dtype == y.dtype and x.shape == y.shape, k
        np.testing.assert_array_equal(x, y, err_msg=k)
    assert (a.env_id, a.expert, a.meta) == (b.env_id, b.expert, b.meta)


@pytest.mark.parametrize("fixture", ["cartpole", "mcc"])
def test_save_load_round_trip(fixture, request, tmp_path):
    d = request.getfixturevalue(fixture)
    path = d.save(tmp_path / "sub" / "demos.npz")
    assert path.exists()
    back = load_demonstrations(path)
    assert_same_demos(d, back)
    assert_same_demos(d, load_demonstrations(str(path), env_id=d.env_id))


def test_save_is_byte_stable(cartpole, tmp_path):
    a = cartpole.save(tmp_path / "a.npz").read_bytes()
    b = cartpole.save(tmp_path / "b.npz").read_bytes()
    assert a == b
    again = load_demonstrations(tmp_path / "a.npz").save(tmp_path / "c.npz").read_bytes()
    assert again == a
    with zipfile.ZipFile(tmp_path / "a.npz") as zf:
        assert sorted(zf.namelist()) == sorted(f"{k}.npy" for k in (*ARRAY_FIELDS, "header"))


# -- files: every way to be bad ----------------------------------------------------------------

def read_back(path):
    """(arrays, header) of a demonstrations file, fresh copies ready to be altered."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    return arrays, json.loads(str(arrays.pop("header")))


@pytest.fixture
def good(tmp_path, cartpole):
    """A function giving fresh (arrays, header) of a good CartPole file each call."""
    path = cartpole.save(tmp_path / "good.npz")
    return lambda: read_back(path)


def write(tmp_path, arrays, header, name="bad.npz"):
    path = tmp_path / name
    h = header if isinstance(header, str) else json.dumps(header)
    np.savez(path, **arrays, header=np.array(h))
    return path


def test_the_fixture_file_is_good(good, tmp_path):
    arrays, header = good()
    assert load_demonstrations(write(tmp_path, arrays, header)).num_episodes == 4


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such demonstrations file"):
        load_demonstrations(tmp_path / "nope.npz")


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("these are not demonstrations\n")
    with pytest.raises(DemonstrationError, match=r"text.npz: not a readable .npz archive"):
        load_demonstrations(path)
    np.save(tmp_path / "bare.npy", np.zeros(3))  # an .npy, not an .npz
    with pytest.raises(DemonstrationError, match="not a readable .npz archive"):
        load_demonstrations(tmp_path / "bare.npy")
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(DemonstrationError, match="not a readable .npz archive"):
        load_demonstrations(tmp_path / "empty.npz")


def test_truncated_file(cartpole, tmp_path):
    raw = cartpole.save(tmp_path / "good.npz").read_bytes()
    for cut in (len(raw) // 2, len(raw) - 10, 100):
        (tmp_path / "cut.npz").write_bytes(raw[:cut])
        with pytest.raises(DemonstrationError, match="not a readable .npz archive"):
            load_demonstrations(tmp_path / "cut.npz")


def test_corrupted_compressed_data(cartpole, tmp_path):
    raw = bytearray(cartpole.save(tmp_path / "good.npz").read_bytes())
    with zipfile.ZipFile(tmp_path / "good.npz") as zf:
        info = zf.getinfo("obs.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for off in (start + 5, start + info.compress_size // 2):
        bad = bytearray(raw)
        bad[off] ^= 0xFF
        (tmp_path / "flip.npz").write_bytes(bytes(bad))
        with pytest.raises(DemonstrationError, match="not a readable .npz archive"):
            load_demonstrations(tmp_path / "flip.npz")


def test_zip_features_numpy_cannot_read(cartpole, tmp_path):
    """A zip whose central directory claims an unknown compression method or encryption."""
    raw = cartpole.save(tmp_path / "good.npz").read_bytes()
    entry = raw.index(b"PK\x01\x02")  # the first central-directory entry
    for offset, value, what in ((10, 99, "compression method"), (8, 1, "encrypted")):
        bad = bytearray(raw)
        bad[entry + offset] = value
        (tmp_path / "odd.npz").write_bytes(bytes(bad))
        with pytest.raises(DemonstrationError, match=f"not a readable .npz archive .*{what}"):
            load_demonstrations(tmp_path / "odd.npz")


def test_missing_key(good, tmp_path):
    arrays, header = good()
    del arrays["rewards"]
    with pytest.raises(DemonstrationError, match=r"missing key\(s\) \['rewards'\]"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    path = tmp_path / "noheader.npz"
    np.savez(path, **arrays)
    with pytest.raises(DemonstrationError, match=r"missing key\(s\) \['header'\]"):
        load_demonstrations(path)


def test_wrong_dtype(good, tmp_path):
    arrays, header = good()
    arrays["obs"] = arrays["obs"].astype(np.float64)
    with pytest.raises(DemonstrationError, match="obs has dtype float64, expected float32"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    arrays["actions"] = arrays["actions"].astype(np.int32)
    with pytest.raises(DemonstrationError, match="actions has dtype int32, expected int64"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    arrays["episode_lengths"] = arrays["episode_lengths"].astype(np.int32)
    with pytest.raises(DemonstrationError, match="episode_lengths must be a 1-d int64 array"):
        load_demonstrations(write(tmp_path, arrays, header))


def test_wrong_shape(good, tmp_path, mcc):
    arrays, header = good()
    n = len(arrays["obs"])
    arrays["actions"] = arrays["actions"][:, None]  # an extra column
    with pytest.raises(DemonstrationError,
                       match=rf"actions has shape \({n}, 1\) but CartPole-v1 with {n} steps needs \({n},\)"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    arrays["obs"] = np.zeros((n, 5), np.float32)  # LaneKeeping-sized observations
    with pytest.raises(DemonstrationError, match=rf"obs has shape \({n}, 5\) but CartPole-v1 .* needs \({n}, 4\)"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    arrays["rewards"] = arrays["rewards"][:-1]
    with pytest.raises(DemonstrationError, match="rewards has shape"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    arrays["obs"] = np.array(1.0, np.float32)  # 0-d
    with pytest.raises(DemonstrationError, match=r"obs has shape \(\)"):
        load_demonstrations(write(tmp_path, arrays, header))
    # continuous: an extra action column
    marrays, mheader = read_back(mcc.save(tmp_path / "mcc.npz"))
    m = len(marrays["obs"])
    marrays["taken"] = np.concatenate([marrays["taken"], marrays["taken"]], axis=1)
    with pytest.raises(DemonstrationError, match=rf"taken has shape \({m}, 2\) .* needs \({m}, 1\)"):
        load_demonstrations(write(tmp_path, marrays, mheader))


def test_nan_and_inf(good, tmp_path):
    arrays, header = good()
    arrays["obs"][3, 1] = np.nan
    with pytest.raises(DemonstrationError, match=r"obs contains NaN or inf in 1 step\(s\)"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    arrays["rewards"][[0, 5]] = np.inf
    with pytest.raises(DemonstrationError, match=r"rewards contains NaN or inf in 2 step\(s\)"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    arrays["next_obs"][-1, 0] = -np.inf
    with pytest.raises(DemonstrationError, match="next_obs contains NaN or inf"):
        load_demonstrations(write(tmp_path, arrays, header))


def test_episode_lengths_must_sum_to_the_steps(good, tmp_path):
    arrays, header = good()
    n = len(arrays["obs"])
    arrays["episode_lengths"] = arrays["episode_lengths"].copy()
    arrays["episode_lengths"][0] += 1
    with pytest.raises(DemonstrationError, match=f"episode_lengths sum to {n + 1} but there are {n} steps"):
        load_demonstrations(write(tmp_path, arrays, header))


def test_zero_length_episode(good, tmp_path):
    arrays, header = good()
    arrays["episode_lengths"] = np.insert(arrays["episode_lengths"], 1, 0)  # same sum
    with pytest.raises(DemonstrationError, match="episode_lengths contains an episode of length < 1"):
        load_demonstrations(write(tmp_path, arrays, header))


def test_discrete_action_out_of_range(good, tmp_path):
    arrays, header = good()
    arrays["actions"][7] = 2
    with pytest.raises(DemonstrationError,
                       match=r"actions has values outside 0..1. Is this file from another environment"):
        load_demonstrations(write(tmp_path, arrays, header))
    arrays, _ = good()
    arrays["taken"][0] = -1
    with pytest.raises(DemonstrationError, match=r"taken has values outside 0..1"):
        load_demonstrations(write(tmp_path, arrays, header))


def test_continuous_action_outside_bounds(mcc, tmp_path):
    arrays, header = read_back(mcc.save(tmp_path / "mcc.npz"))
    arrays["actions"][10, 0] = 1.5
    with pytest.raises(DemonstrationError, match=r"actions leave the action bounds \[-1.0, 1.0\]"):
        load_demonstrations(write(tmp_path, arrays, header))


def test_unknown_env_id(good, tmp_path):
    arrays, header = good()
    with pytest.raises(DemonstrationError,
                       match=r"env_id 'CartPole-v0' is not a course environment.*Did you mean 'CartPole-v1'"):
        load_demonstrations(write(tmp_path, arrays, {**header, "env_id": "CartPole-v0"}))
    with pytest.raises(DemonstrationError, match="is not a course environment"):
        load_demonstrations(write(tmp_path, arrays, {**header, "env_id": ["CartPole-v1"]}))


def test_env_id_mismatch(cartpole, tmp_path):
    path = cartpole.save(tmp_path / "cp.npz")
    with pytest.raises(DemonstrationError,
                       match=r"holds demonstrations for 'CartPole-v1', not 'il_helpers/LaneKeeping-v0'"):
        load_demonstrations(path, env_id=LANE)


_unpickled = []


def _record_unpickling():
    _unpickled.append(True)
    return "boom"


class Trap:
    """Unpickling a Trap calls _record_unpickling: proof that the loader unpickled it."""

    def __reduce__(self):
        return (_record_unpickling, ())


def test_pickled_object_array_is_refused_unopened(good, tmp_path):
    arrays, header = good()
    arrays["obs"] = np.array([Trap()] * len(arrays["obs"]), dtype=object)
    path = write(tmp_path, arrays, header)  # np.savez pickles object arrays
    _unpickled.clear()
    with pytest.raises(DemonstrationError, match="the file holds pickled objects, which are never loaded"):
        load_demonstrations(path)
    assert _unpickled == []


def test_header_not_json(good, tmp_path):
    arrays, _ = good()
    with pytest.raises(DemonstrationError, match="the header is not valid"):
        load_demonstrations(write(tmp_path, arrays, "{not json"))
    with pytest.raises(DemonstrationError, match="the header is not valid .*env_id"):
        load_demonstrations(write(tmp_path, arrays, {"format_version": 1, "expert": "x", "meta": {}}))
    with pytest.raises(DemonstrationError, match="the header is not valid"):
        load_demonstrations(write(tmp_path, arrays, "[1, 2]"))


def test_meta_must_be_a_dict(good, tmp_path):
    arrays, header = good()
    with pytest.raises(DemonstrationError, match="meta must be a dict, got list"):
        load_demonstrations(write(tmp_path, arrays, {**header, "meta": [1]}))


def test_unsupported_format_version(good, tmp_path):
    arrays, header = good()
    assert header["format_version"] == FORMAT_VERSION
    with pytest.raises(DemonstrationError,
                       match=rf"format version 2 is not supported \(this code reads {FORMAT_VERSION}\)"):
        load_demonstrations(write(tmp_path, arrays, {**header, "format_version": 2}))


# -- building a Demonstrations from arrays -----------------------------------------------------

def arrays_of(d):
    return {k: getattr(d, k).copy() for k in ARRAY_FIELDS}


def test_constructor_accepts_good_arrays(cartpole):
    d = Demonstrations(**arrays_of(cartpole), env_id=CARTPOLE, expert="me", meta={"a": 1})
    assert d.num_episodes == 4 and d.expert == "me"


@pytest.mark.parametrize("change, match", [
    (lambda a: a.update(obs=a["obs"].tolist()), "obs is a list, not a numpy array"),
    (lambda a: a.update(obs=a["obs"].astype(np.float64)), "obs has dtype float64, expected float32"),
    (lambda a: a.update(actions=a["actions"][:-1]), "actions has shape"),
    (lambda a: a.update(terminated=a["terminated"].astype(np.int64)), "terminated has dtype int64, expected bool"),
    (lambda a: a["obs"].__setitem__((0, 0), np.nan), "obs contains NaN or inf"),
    (lambda a: a["actions"].__setitem__(0, 5), r"actions has values outside 0..1"),
    (lambda a: a.update(episode_lengths=np.array([1, 2, 3])), "episode_lengths sum to 6 but there are 400 steps"),
    (lambda a: a.update(episode_lengths=np.array([400.0])), "episode_lengths must be a 1-d int64 array"),
])
def test_constructor_rejects_bad_arrays(cartpole, change, match):
    arrays = arrays_of(cartpole)
    change(arrays)
    with pytest.raises(DemonstrationError, match=r"^demonstrations: " + match):
        Demonstrations(**arrays, env_id=CARTPOLE)


def test_constructor_rejects_bad_env_and_meta(cartpole):
    with pytest.raises(DemonstrationError, match="env_id 'Nope-v0' is not a course environment"):
        Demonstrations(**arrays_of(cartpole), env_id="Nope-v0")
    with pytest.raises(DemonstrationError, match="obs has shape .* needs"):
        Demonstrations(**arrays_of(cartpole), env_id=LANE)  # 4-d obs for a 5-d env
    with pytest.raises(DemonstrationError, match="meta must be a dict, got str"):
        Demonstrations(**arrays_of(cartpole), env_id=CARTPOLE, meta="seed 0")
    assert issubclass(DemonstrationError, ValueError)


# -- issue 14: saves that are validated and atomic, loads that are safe against hostile files ---

def test_save_refuses_data_edited_after_collection_and_writes_nothing(cartpole, tmp_path):
    d = Demonstrations(**arrays_of(cartpole), env_id=CARTPOLE, expert="e", meta={})
    path = d.save(tmp_path / "d.npz")
    old = path.read_bytes()
    d.obs = d.obs.copy()
    d.obs[3, 1] = np.nan  # edited in after collection
    with pytest.raises(DemonstrationError, match="obs contains NaN or inf in 1 step"):
        d.save(path)
    with pytest.raises(DemonstrationError, match="obs contains NaN"):
        d.save(tmp_path / "new.npz")
    assert path.read_bytes() == old and not (tmp_path / "new.npz").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.npz"]  # no temporary left behind


def test_save_converts_numpy_numbers_in_meta_and_refuses_what_json_cannot_keep(cartpole, tmp_path):
    meta = {"seed": np.int64(3), "noise": np.float32(0.5), "flag": np.bool_(True), "nested": {"k": [np.int32(1), 2.5]},
            "pair": (1, 2)}
    d = Demonstrations(**arrays_of(cartpole), env_id=CARTPOLE, expert="e", meta=meta)
    back = load_demonstrations(d.save(tmp_path / "d.npz"))
    assert back.meta == {"seed": 3, "noise": 0.5, "flag": True, "nested": {"k": [1, 2.5]}, "pair": [1, 2]}
    assert type(back.meta["seed"]) is int and type(back.meta["noise"]) is float
    for bad, match in (({"w": np.zeros(3)}, r"meta\['w'\] is a ndarray .*\.tolist\(\)"),
                       ({"n": {"f": object()}}, r"meta\['n'\]\['f'\] is a object"),
                       ({1: "x"}, "non-string key 1")):
        d.meta = bad
        with pytest.raises(DemonstrationError, match=match):
            d.save(tmp_path / "bad.npz")
    d.meta, d.expert = {}, 5
    with pytest.raises(DemonstrationError, match="expert must be a str, got int"):
        d.save(tmp_path / "bad.npz")
    assert not (tmp_path / "bad.npz").exists()


def raw_npy(header: str, data: bytes = b"", version=(2, 0)) -> bytes:
    """A .npy member with a hand-written header (padded so the data start 64-byte aligned)."""
    pre = len(b"\x93NUMPY") + 2 + (2 if version == (1, 0) else 4)
    text = header.encode("latin1")
    text += b" " * (-(pre + len(text) + 1) % 64) + b"\n"
    size = len(text).to_bytes(2 if version == (1, 0) else 4, "little")
    return b"\x93NUMPY" + bytes(version) + size + text + data


def replace_member(src, dst, name, data: bytes, extra: dict | None = None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, data if item.filename == f"{name}.npy" else zin.read(item))
        for extra_name, extra_data in (extra or {}).items():
            zout.writestr(extra_name, extra_data)
    return dst


def test_an_unused_member_is_never_read(cartpole, tmp_path, monkeypatch):
    src = cartpole.save(tmp_path / "good.npz")
    path = replace_member(src, tmp_path / "extra.npz", "none", b"", {"junk.npy": b"\0" * (20 << 20)})
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: (
        opened.append(getattr(name, "filename", name)), real_open(self, name, *a, **k))[1])
    assert load_demonstrations(path).num_episodes == 4
    assert "junk.npy" not in opened and len(opened) == 8


def test_a_member_larger_than_its_data_can_need_is_not_decompressed(cartpole, tmp_path):
    src = cartpole.save(tmp_path / "good.npz")
    head = raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (400, 26214), }")
    bomb = head + b"\0" * ((40 << 20) - len(head))  # 40 MiB of zeros: 40 kB compressed
    path = replace_member(src, tmp_path / "bomb.npz", "obs", bomb)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(DemonstrationError, match="member obs.npy declares 41943040 bytes, more than the .* it was "
                                                 "not decompressed"):
        load_demonstrations(path)


def test_npy_headers_that_lie_or_are_hostile(cartpole, tmp_path):
    src = cartpole.save(tmp_path / "good.npz")
    cases = [
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (400, 4), " + " " * 20000 + "}",
         "header longer than 10000 bytes"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': " + "(" * 3000 + ")" * 3000 + "}",
         "obs.npy (is not a valid .npy array|has a too deeply nested header)"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (10000000000000, 4), }",
         r"declares shape \(10000000000000, 4\) .* but holds 0 bytes"),
        ("not a dict at all", "obs.npy is not a valid .npy array"),
    ]
    for header, match in cases:
        path = replace_member(src, tmp_path / "h.npz", "obs", raw_npy(header))
        with pytest.raises(DemonstrationError, match=match):
            load_demonstrations(path)
        if "header longer" in match:  # not the "pickled objects" message of numpy's own refusal
            with pytest.raises(DemonstrationError) as info:
                load_demonstrations(path)
            assert "pickle" not in str(info.value)


def test_json_headers_that_are_hostile(good, tmp_path):
    arrays, header = good()
    with pytest.raises(DemonstrationError, match="the header is nested more than 32 levels deep"):
        load_demonstrations(write(tmp_path, arrays, {**header, "meta": {"x": json.loads("[" * 50 + "]" * 50)}}))
    with pytest.raises(DemonstrationError, match="the header is nested more than 32 levels deep"):
        load_demonstrations(write(tmp_path, arrays, "[" * 100000 + "]" * 100000))
    with pytest.raises(DemonstrationError, match=r"format_version is '1' \(a str\), but this code reads "
                                                 "format_version 1, an integer"):
        load_demonstrations(write(tmp_path, arrays, {**header, "format_version": "1"}))
    with pytest.raises(DemonstrationError, match=r"format_version is True \(a bool\)"):
        load_demonstrations(write(tmp_path, arrays, {**header, "format_version": True}))
    with pytest.raises(DemonstrationError, match="the header's expert must be a str, got int"):
        load_demonstrations(write(tmp_path, arrays, {**header, "expert": 3}))
    with pytest.raises(DemonstrationError, match="the header must be a single string"):
        np.savez(tmp_path / "h.npz", **arrays, header=np.arange(3))
        load_demonstrations(tmp_path / "h.npz")


def test_lengths_that_overflow_their_sum_are_refused(good, tmp_path):
    arrays, header = good()
    for k in ARRAY_FIELDS:
        arrays[k] = arrays[k][:0]
    arrays["episode_lengths"] = np.array([2 ** 62] * 4, dtype=np.int64)  # sums to 0 in int64
    with pytest.raises(DemonstrationError, match="an episode of 4611686018427387904 steps but there are only 0"):
        load_demonstrations(write(tmp_path, arrays, header))


def test_a_folder_or_a_bad_path_type(tmp_path):
    with pytest.raises(DemonstrationError, match="is a folder, not a demonstrations file"):
        load_demonstrations(tmp_path)
    with pytest.raises(TypeError, match="path must be a str or a pathlib.Path, got int"):
        load_demonstrations(3)


def test_brackets_and_quotes_inside_header_strings_are_not_nesting(cartpole, tmp_path):
    meta = {"s": '"\\' + "[" * 40 + '{"', "t": "]" * 40}
    d = Demonstrations(**arrays_of(cartpole), env_id=CARTPOLE, expert='a "quoted" [expert]', meta=meta)
    back = load_demonstrations(d.save(tmp_path / "q.npz"))
    assert back.meta == meta and back.expert == 'a "quoted" [expert]'


def test_views_refuse_counts_and_indices_they_would_cast(random_cartpole):
    d = random_cartpole
    for bad in (2.5, True, "3"):  # before: first(2.5) gave 3 episodes
        with pytest.raises(ValueError, match=r"n must be between 1 and 12 \(the number of episodes\) and a whole"):
            d.first(bad)
    assert d.first(np.int64(2)).num_episodes == 2
    for bad in ([0.5, 1.7], np.ones(12, bool)):  # before: cast to [0, 1] / [1, 1, ...] silently
        with pytest.raises(ValueError, match="indices must be whole numbers"):
            d.episodes(bad)
    assert d.episodes([]).num_episodes == 0
    for call in (lambda: d.split(0.5, seed=-1), lambda: d.subsample(2, seed=-1), lambda: d.split(0.5, seed=2 ** 70),
                 lambda: d.split(0.5, seed=1.5)):  # before: numpy's "expected non-negative integer" / overflow
        with pytest.raises(ValueError, match=r"(split|subsample): seed must be an integer in \[0, "):
            call()



def test_collect_refuses_a_seed_numpy_would_refuse_deep_inside():
    for bad in (-1, 1.5, True, "0"):  # before: numpy's "expected non-negative integer" / "seed must be integer"
        with pytest.raises(ValueError, match=r"collect_demonstrations: seed must be an integer >= 0"):
            collect_demonstrations(CARTPOLE, 1, seed=bad, horizon=5)
    assert collect_demonstrations(CARTPOLE, 1, seed=np.int64(3), horizon=5).meta["seed"] == 3
