"""The shared torch pieces (il_helpers.core.nets)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from il_helpers.core.nets import STD_FLOOR, cpu_threads, mlp, normalization_stats, one_thread


def test_mlp_layers_and_dropout():
    net = mlp([3, 8, 8, 2])
    kinds = [type(m) for m in net]
    assert kinds == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear]
    assert net(torch.zeros(5, 3)).shape == (5, 2)
    assert nn.Dropout in [type(m) for m in mlp([3, 8, 2], dropout=0.5)]


def test_normalization_stats_floor_and_single_row():
    x = np.array([[1.0, 5.0], [3.0, 5.0]], np.float32)
    mean, std = normalization_stats(x)
    assert torch.allclose(mean, torch.tensor([2.0, 5.0]))
    assert std[0] == torch.tensor(np.std([1.0, 3.0], ddof=1), dtype=torch.float32) and std[1] == STD_FLOOR
    _, std = normalization_stats(x, floor=1e-3)
    assert std[1] == np.float32(1e-3)
    mean, std = normalization_stats(x[:1])
    assert torch.equal(std, torch.ones(2)) and torch.equal(mean, torch.tensor([1.0, 5.0]))


def test_threads_are_restored():
    before = torch.get_num_threads()
    with cpu_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before

    @one_thread
    def inside():
        return torch.get_num_threads()

    assert inside() == 1 and torch.get_num_threads() == before


def test_mlp_takes_its_activation():
    import torch.nn as tnn

    from il_helpers.core.nets import mlp
    net = mlp([3, 8, 8, 2], activation=tnn.SiLU)
    assert [type(m) for m in net] == [tnn.Linear, tnn.SiLU, tnn.Linear, tnn.SiLU, tnn.Linear]
    assert [type(m) for m in mlp([3, 4, 1])] == [tnn.Linear, tnn.Tanh, tnn.Linear]
