"""Fast mode: ``IL_FAST=1`` (set by the tests) shrinks every budget but runs the same code."""

from __future__ import annotations

import os

FAST: bool = os.environ.get("IL_FAST", "0").strip().lower() not in ("", "0", "false", "no")


def budget(full, fast):
    """``fast`` when ``IL_FAST`` is set, else ``full``: ``n_episodes = budget(100, 10)``."""
    return fast if FAST else full
