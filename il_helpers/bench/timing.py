"""How every benchmark and timing table of the course names the machine and times a call."""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path

from ..core.checks import check_int


def machine() -> str:
    """``"<CPU model>, <N> cores"``: how every benchmark, timing table and results table of the
    course names the machine it ran on (the model from /proc/cpuinfo where there is one)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def timed(fn, repeats: int = 5) -> tuple[float, float]:
    """``(min, median)`` wall time of ``fn()`` over ``repeats`` calls after one warm-up call
    (imports, caches, torch's one-time optimizer import). On a shared machine the minimum is the
    cost of the code when it gets a core to itself."""
    repeats = check_int("repeats", repeats, 1, where="timed")
    if not callable(fn):
        raise TypeError(f"timed: fn must be a callable taking no arguments, got {type(fn).__name__}")
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)
