"""Test-wide settings: fast mode for every notebook and test, and a non-interactive plot backend.

nbval's kernels inherit this process's environment, so setting IL_FAST here reaches them too.
"""

import os

os.environ.setdefault("IL_FAST", "1")
os.environ.setdefault("IL_CLAIMS", "strict")  # a notebook claim that does not hold fails the run (il.claim)
os.environ.setdefault("MPLBACKEND", "Agg")
