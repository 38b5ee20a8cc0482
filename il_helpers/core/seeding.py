"""One call to make a notebook's numbers reproducible."""

from __future__ import annotations

import random

import numpy as np
import torch

from .checks import check_seed

# Seed offsets: every part of an experiment draws from its own stream, so changing one budget
# never changes another part's numbers, and training data never shares an initial state (or a
# road) with the test episodes. A trainer run with ``seed=s`` collects what it needs with
# ``s + OFFSET``.
DEMO_SEED_OFFSET = 10_000  # the expert demonstrations a benchmark or lesson collects
EVAL_SEED_OFFSET = 20_000  # the test episodes a policy is scored on
ITERATION_SEED_STRIDE = 100_000  # iteration i of an interactive trainer rolls out with seed + i * stride


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python's ``random``, numpy's global RNG and torch; return a fresh numpy Generator.

    ``seed``: an integer in [0, 2**63 - 1] (:func:`~il_helpers.core.checks.check_seed`).

    Environments are seeded per call (``rollout(..., seed=...)``, ``env.reset(seed=...)``), so
    this call covers everything else (network initialisation, minibatch order, sampling).
    """
    seed = check_seed("seed", seed, "seed_everything")  # a plain int: random.seed rejects numpy integers
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)
