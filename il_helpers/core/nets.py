"""The small torch pieces every trainer shares: the MLP, observation statistics, CPU threads."""

from __future__ import annotations

import contextlib
import functools

import numpy as np
import torch
from torch import nn

#: The floor under a feature's standard deviation when inputs are normalized: a feature that is
#: (nearly) constant in the training data is scaled by at most 1 / STD_FLOOR instead of exploding.
STD_FLOOR = 1e-6


def mlp(sizes: list[int], dropout: float = 0.0, activation: type[nn.Module] = nn.Tanh) -> nn.Sequential:
    """A multilayer perceptron, ``tanh`` between layers unless ``activation`` (a module class such
    as ``nn.SiLU``) says otherwise; ``sizes = [in, hidden..., out]``."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(activation())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def normalization_stats(x, floor: float = STD_FLOOR) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-feature mean and standard deviation of ``x`` (N, d) as float32 tensors, the std
    floored at ``floor`` (and 1 when there is a single row: no spread to measure)."""
    x = torch.as_tensor(np.asarray(x, np.float32)).reshape(len(x), -1)
    std = x.std(0).clamp_min(floor) if len(x) > 1 else torch.ones(x.shape[1])
    return x.mean(0), std


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


def one_thread(fn):
    """Decorator: run ``fn`` with one torch thread. Its products are small (a few thousand
    entries), so splitting them across threads costs more than it saves, and on a shared machine
    a second thread that waits for a busy core makes every step slower (measured: 2x to 5x on 2
    cores)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with cpu_threads(1):
            return fn(*args, **kwargs)

    return wrapper
