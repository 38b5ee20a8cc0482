"""Atomic file writes: a file the package writes is either the old one or the new one, never half.

:func:`atomic_write` writes to a temporary file in the target's folder, flushes and fsyncs it, then
``os.replace``-s it over the target (atomic on POSIX and Windows) and fsyncs the folder where the OS
allows, so an exception, a full disk or ``kill -9`` at any moment leaves the old file intact. The
temporary file is removed on any error.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "atomic_open"]


def _fsync_dir(directory: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):  # Windows: folders cannot be opened for fsync
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder; the rename is still atomic
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_open(path, mode: str = "wb", encoding: str | None = None):
    """``with atomic_open(path) as f: f.write(...)``: the target appears (or is replaced) only when
    the block ends without an exception; otherwise the old file stays and the temporary goes."""
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_open: mode must be 'wb' or 'w', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if mode == "wb" else (encoding or "utf-8")) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):  # keep the permissions an existing target had
            os.chmod(tmp, os.stat(path).st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path, data: bytes | str, encoding: str = "utf-8") -> Path:
    """Write ``data`` (bytes, or str encoded with ``encoding``) to ``path`` atomically; return the path."""
    if isinstance(data, str):
        data = data.encode(encoding)
    elif isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    elif not isinstance(data, bytes):
        raise TypeError(f"atomic_write: data must be bytes or str, got {type(data).__name__}")
    with atomic_open(path, "wb") as f:
        f.write(data)
    return Path(path)
