"""Small torch helpers shared by the trainers."""

from __future__ import annotations

import contextlib

import torch


@contextlib.contextmanager
def cpu_threads(n: int | None):
    """Run a block with ``torch.set_num_threads(n)`` and restore the old value after.

    The course's networks are tiny (a few thousand weights): on a CPU, splitting each small
    matrix product across threads costs more than it saves, and one thread is both faster and
    steadier (measured in benchmarks/speed.py). ``n=None`` leaves the setting alone.
    """
    old = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)
