"""Property-based and fault tests of the files the package writes and reads (issue 14).

Random bytes, mutated archives, random members, NaN/inf/empty/single-step data: each gives a
DemonstrationError (or ValueError) or round-trips exactly; a save killed at any moment leaves a file
that loads (the old one or the new one)."""

import io
import json
import os
import random
import signal
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from il_helpers.core.demonstrations import (
    ARRAY_FIELDS,
    DemonstrationError,
    Demonstrations,
    collect_demonstrations,
    load_demonstrations,
)

CARTPOLE = "CartPole-v1"
FAST = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
TMP = Path(tempfile.mkdtemp(prefix="il_properties_files_"))


@pytest.fixture(scope="module")
def small():
    return collect_demonstrations(CARTPOLE, 2, seed=0, horizon=12)


@pytest.fixture(scope="module")
def good_bytes(small):
    return small.save(TMP / "good.npz").read_bytes()


def same(a, b):
    for k in ARRAY_FIELDS:
        x, y = getattr(a, k), getattr(b, k)
        assert x.dtype == y.dtype and x.shape == y.shape, k
        np.testing.assert_array_equal(x, y, err_msg=k)
    assert (a.env_id, a.expert, a.meta) == (b.env_id, b.expert, b.meta)


def load_bytes(data: bytes, name="f.npz"):
    path = TMP / name
    path.write_bytes(data)
    return load_demonstrations(path)


# -- random and mutated files ---------------------------------------------------------------------

@FAST
@given(st.binary(max_size=2048))
def test_random_bytes_are_refused(data):
    with pytest.raises(DemonstrationError):
        load_bytes(data)


@FAST
@given(st.data())
def test_mutated_or_truncated_archives_are_refused_or_load_the_same_data(small, good_bytes, data):
    raw = bytearray(good_bytes)
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[:data.draw(st.integers(0, len(raw) - 1), label="keep")]
    else:
        for _ in range(data.draw(st.integers(1, 8), label="flips")):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        back = load_bytes(bytes(raw))
    except DemonstrationError:
        return
    same(back, small)  # a mutation of a field nothing reads (e.g. a date) changes nothing


DTYPES = st.sampled_from(["<f4", "<f8", "<i8", "<i4", "|b1", "<U3", "|u1", "<f2", "<c8"])


@FAST
@given(name=st.sampled_from([*ARRAY_FIELDS, "header"]), dtype=DTYPES,
       shape=st.lists(st.integers(0, 30), max_size=3), fill=st.sampled_from([0, 1, -1, np.nan, np.inf, 1e30]))
def test_a_random_member_gives_a_demonstration_error_or_valid_data(small, good_bytes, name, dtype, shape, fill):
    with np.errstate(over="ignore"):  # 1e30 as float16 is inf: one more bad value
        arr = np.full(shape, fill if np.dtype(dtype).kind in "fc" else 0).astype(dtype) \
            if np.dtype(dtype).kind != "U" else np.full(shape, "ab", dtype=dtype)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good_bytes)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, buf.getvalue() if item.filename == f"{name}.npy" else zin.read(item))
    try:
        back = load_bytes(out.getvalue())
    except DemonstrationError:
        return
    assert len(back) == int(back.episode_lengths.sum())  # whatever loads is consistent


# -- data to save ---------------------------------------------------------------------------------

def arrays(d):
    return {k: getattr(d, k).copy() for k in ARRAY_FIELDS}


@FAST
@given(field=st.sampled_from(["obs", "next_obs", "rewards"]), bad=st.sampled_from([np.nan, np.inf, -np.inf]),
       where=st.integers(0, 23))
def test_nan_or_inf_edited_in_is_never_saved(small, field, bad, where):
    d = Demonstrations(**arrays(small), env_id=CARTPOLE, expert=small.expert, meta=dict(small.meta))
    target = TMP / "target.npz"
    d.save(target)
    before = target.read_bytes()
    getattr(d, field).reshape(len(d), -1)[where % len(d), 0] = bad
    with pytest.raises(DemonstrationError, match=f"{field} contains NaN or inf"):
        d.save(target)
    assert target.read_bytes() == before


@FAST
@given(lengths=st.lists(st.integers(1, 5), min_size=0, max_size=4), seed=st.integers(0, 2 ** 32 - 1),
       scale=st.sampled_from([0.0, 1.0, 1e-30, 1e37]),
       meta=st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.booleans(), st.integers(-2 ** 63, 2 ** 63),
                                                           st.floats(allow_nan=False), st.text(max_size=5)),
                            max_size=4))
def test_valid_data_of_any_size_round_trips_exactly(lengths, seed, scale, meta):
    # empty (no episode), single-step episodes, extreme finite values, any JSON meta
    rng = np.random.default_rng(seed)
    n = sum(lengths)
    obs = (rng.standard_normal((n, 4)) * scale).astype(np.float32)
    acts = rng.integers(0, 2, n)
    d = Demonstrations(obs=obs, actions=acts, taken=acts.copy(), rewards=np.ones(n, np.float32),
                       next_obs=obs[::-1].copy(), terminated=rng.random(n) < 0.5,
                       episode_lengths=np.array(lengths, dtype=np.int64), env_id=CARTPOLE, meta=meta)
    same(load_demonstrations(d.save(TMP / "rt.npz")), d)


@FAST
@given(value=st.one_of(st.integers(-5, 5).map(np.int16), st.floats(-1e6, 1e6, width=32).map(np.float32),
                       st.booleans().map(np.bool_), st.integers(0, 9).map(np.uint64)))
def test_numpy_numbers_in_meta_are_saved_as_python_numbers(small, value):
    d = Demonstrations(**arrays(small), env_id=CARTPOLE, meta={"v": value, "l": [value]})
    back = load_demonstrations(d.save(TMP / "meta.npz")).meta
    assert back == json.loads(json.dumps({"v": value.item(), "l": [value.item()]}))


# -- fault test: a save killed at random moments --------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_file(small, tmp_path):
    old = small
    new = Demonstrations(**arrays(small), env_id=CARTPOLE, expert="other", meta={"new": True})
    path = old.save(tmp_path / "d.npz")
    rnd = random.Random(14)
    t_end = time.monotonic() + 8
    runs = 0
    while runs < 20 and time.monotonic() < t_end:
        pid = os.fork()
        if pid == 0:  # the child: saves over the file, old and new in turn, until it is killed
            try:
                for i in range(10 ** 6):
                    (new if i % 2 == 0 else old).save(path)
            finally:
                os._exit(0)
        time.sleep(rnd.uniform(0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        runs += 1
        back = load_demonstrations(path)
        same(back, new if back.expert == "other" else old)
    assert runs >= 10
