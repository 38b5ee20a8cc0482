"""The atomic writer: a file is either the old one or the new one, never half; no temporary is left."""

import os

import pytest

from il_helpers.core.io import atomic_open, atomic_write


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_bytes_and_text(tmp_path):
    assert atomic_write(tmp_path / "a.bin", b"\x00\x01") == tmp_path / "a.bin"
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    atomic_write(tmp_path / "sub" / "b.txt", "héllo\n")  # the folder is made
    assert (tmp_path / "sub" / "b.txt").read_text(encoding="utf-8") == "héllo\n"
    assert leftovers(tmp_path) == []


def test_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    atomic_write(path, "new")
    assert path.read_text() == "new" and (os.stat(path).st_mode & 0o777) == 0o640


def test_an_error_mid_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_open(path, "w") as f:
            f.write("half of the new")
            raise RuntimeError("disk full")
    assert path.read_text() == "old" and leftovers(tmp_path) == []
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(tmp_path / "new.txt", "wb") as f:
            raise KeyboardInterrupt
    assert not (tmp_path / "new.txt").exists() and leftovers(tmp_path) == []


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="data must be bytes or str, got int"):
        atomic_write(tmp_path / "a", 5)
    with pytest.raises(ValueError, match="mode must be 'wb' or 'w'"):
        with atomic_open(tmp_path / "a", "a"):
            pass
    assert not (tmp_path / "a").exists()
