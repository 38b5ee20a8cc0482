"""The shipped demonstrations in data/: checksums, contents, regeneration, and the --check CLI."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import il_helpers as il
from il_helpers.core import data
from il_helpers.core.demonstrations import ARRAY_FIELDS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

# The expert's mean episode return on the shipped episodes (collected with seed 2024).
EXPERT_LEVEL = {
    "CartPole-v1": (500.0, 0.0),
    "Acrobot-v1": (-76.0, 6.0),
    "MountainCar-v0": (-108.0, 5.0),
    "MountainCarContinuous-v0": (98.2, 0.5),
    "Pendulum-v1": (-150.0, 30.0),
    il.LANE_KEEPING: (200.0, 0.0),
    il.LANE_KEEPING_DISCRETE: (200.0, 0.0),
    "il_helpers/FeatureGrid-v0": (39.8, 1.0),
    "il_helpers/ObjectWorld-v0": (13.4, 1.5),
    "il_helpers/ObstacleFork-v0": (28.0, 0.0),
}
# Experts that sample their actions (the gridworlds' soft-optimal experts): the label is another
# draw than the executed action, and their 50-episode mean is noisier.
STOCHASTIC = {"il_helpers/FeatureGrid-v0", "il_helpers/ObjectWorld-v0"}


def test_every_env_is_shipped_with_an_expected_level():
    assert set(il.ENV_IDS) <= set(data.SHIPPED)
    assert set(EXPERT_LEVEL) >= set(data.SHIPPED)


def test_manifest_lists_every_shipped_file_and_matches():
    manifest = data.read_manifest(DATA)
    assert set(manifest) == {data.data_path(e, DATA).name for e in data.SHIPPED}
    for name, digest in manifest.items():
        assert (DATA / name).exists(), name
        assert data.sha256(DATA / name) == digest, name
    assert data.check() == []
    assert data.data_dir() == DATA


def test_data_path():
    assert data.data_path("CartPole-v1", Path("/x")) == Path("/x/CartPole-v1.npz")
    assert data.data_path(il.LANE_KEEPING, Path("/x")).name == "il_helpers__LaneKeeping-v0.npz"
    with pytest.raises(ValueError, match="Did you mean 'CartPole-v1'"):
        data.data_path("CartPole-v0")


@pytest.mark.parametrize("env_id", sorted(data.SHIPPED))
def test_shipped_file_loads_with_the_experts_level(env_id):
    demos = data.load_expert_demos(env_id)
    assert demos.env_id == env_id and demos.num_episodes == data.SHIPPED[env_id]["episodes"] == 50
    assert demos.meta["seed"] == data.SHIPPED[env_id]["seed"] and demos.meta["noise"] == 0.0
    assert demos.expert == il.get_expert(env_id).name
    if env_id not in STOCHASTIC:
        np.testing.assert_array_equal(demos.actions, demos.taken)  # no noise
        # the labels are the expert's own actions at the stored states
        np.testing.assert_array_equal(demos.actions, il.get_expert(env_id)(demos.obs))
    level, tol = EXPERT_LEVEL[env_id]
    assert demos.episode_returns.mean() == pytest.approx(level, abs=tol + 1e-9)
    # ... which is the level of the expert's reference (100 other episodes): normalized ~1
    margin = 0.1 if env_id in STOCHASTIC else 0.03
    assert il.normalized_score(demos.episode_returns.mean(), env_id) == pytest.approx(1.0, abs=margin)


@pytest.mark.parametrize("n", [1, 7, 50])
def test_load_expert_demos_first_n(n):
    demos = data.load_expert_demos("Pendulum-v1", n)
    full = data.load_expert_demos("Pendulum-v1")
    assert demos.num_episodes == n
    np.testing.assert_array_equal(demos.obs, full.obs[: full.episode_lengths[:n].sum()])
    with pytest.raises(ValueError, match=r"n_episodes must be an integer in \[1, 50\], got 51"):
        data.load_expert_demos("Pendulum-v1", 51)


@pytest.mark.parametrize("n", [2.5, 0, -1, 51, True, "3", np.float64(3.0)])
def test_load_expert_demos_refuses_a_count_it_cannot_give(n):
    # before: 2.5 gave 3 episodes (silently wrong)
    with pytest.raises(ValueError, match=r"load_expert_demos\('Pendulum-v1'\): 50 episodes are shipped.*"
                                         r"n_episodes must be an integer in \[1, 50\]"):
        data.load_expert_demos("Pendulum-v1", n)
    assert data.load_expert_demos("Pendulum-v1", np.int64(3)).num_episodes == 3


def test_the_manifest_is_written_atomically(tmp_path, monkeypatch):
    """regenerate writes the manifest through the atomic writer (an error leaves the old one)."""
    from il_helpers.core import io
    calls = []
    monkeypatch.setattr(data, "SHIPPED", {"CartPole-v1": {"episodes": 2, "seed": 0}})
    monkeypatch.setattr(data, "atomic_write", lambda path, text: calls.append(path) or io.atomic_write(path, text))
    data.regenerate(tmp_path)
    assert calls == [tmp_path / data.MANIFEST] and data.check(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CartPole-v1.npz", data.MANIFEST]


def test_data_dir_is_overridable(tmp_path, monkeypatch):
    monkeypatch.setenv("IL_DATA_DIR", str(tmp_path))
    assert data.data_dir() == tmp_path
    with pytest.raises(FileNotFoundError, match="CartPole-v1.npz: no such demonstrations file"):
        data.load_expert_demos("CartPole-v1")


def test_regenerate_reproduces_the_files(tmp_path):
    sums = data.regenerate(tmp_path)
    assert set(sums) == set(data.read_manifest(DATA))
    assert data.read_manifest(tmp_path) == sums
    assert data.check(tmp_path) == []
    for env_id in data.SHIPPED:
        new = il.load_demonstrations(data.data_path(env_id, tmp_path), env_id=env_id)
        old = data.load_expert_demos(env_id)
        # Compared with a tolerance, not byte for byte: collection is deterministic, but the
        # simulation's floating point (numpy's sin/cos/exp, summation order with SIMD) may round
        # differently on another CPU, so the shipped bytes need not reproduce on every machine.
        np.testing.assert_array_equal(new.episode_lengths, old.episode_lengths, err_msg=env_id)
        for key in ARRAY_FIELDS:
            a, b = getattr(new, key), getattr(old, key)
            assert a.dtype == b.dtype and a.shape == b.shape, (env_id, key)
            if a.dtype.kind == "f":
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"{env_id} {key}")
            else:
                np.testing.assert_array_equal(a, b, err_msg=f"{env_id} {key}")
        assert (new.expert, new.meta) == (old.expert, old.meta)


def copy_data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def test_check_finds_a_corrupted_byte_from_the_command_line(tmp_path):
    target = copy_data(tmp_path)
    victim = target / "Pendulum-v1.npz"
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    victim.write_bytes(bytes(raw))
    cmd = [sys.executable, "-m", "il_helpers.core.data", "--check", "--dir", str(target)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Pendulum-v1.npz: checksum differs from MANIFEST.sha256" in proc.stdout
    assert "CartPole-v1.npz" not in proc.stdout  # only the damaged file is named
    intact = subprocess.run([sys.executable, "-m", "il_helpers.core.data", "--check", "--dir", str(DATA)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert intact.returncode == 0 and "match the manifest" in intact.stdout


def test_check_finds_missing_and_unlisted_files(tmp_path):
    target = copy_data(tmp_path)
    (target / "Acrobot-v1.npz").unlink()
    assert data.check(target) == ["Acrobot-v1.npz: missing (run `make data`)"]
    lines = (target / data.MANIFEST).read_text().splitlines()
    (target / data.MANIFEST).write_text("\n".join(line for line in lines if "Acrobot" not in line) + "\n")
    assert data.check(target) == ["Acrobot-v1.npz: not listed in MANIFEST.sha256 (run `make data`)"]
    (target / data.MANIFEST).unlink()
    assert data.check(target) == [f"MANIFEST.sha256: missing from {target} (run `make data`)"]
    assert data.main(["--check", "--dir", str(target)]) == 1
