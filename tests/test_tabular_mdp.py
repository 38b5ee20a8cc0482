"""The tabular model: sparse transitions against the dense model, their checks and gradients."""

import numpy as np
import pytest
import torch
from helpers import random_mdp

from il_helpers import tabular as tab


def test_transitions_roundtrip_expect_and_push_match_the_dense_model():
    P, _ = random_mdp(5, 3, seed=1)
    T = tab.Transitions.from_dense(P)
    assert (T.n_states, T.n_actions) == (5, 3)
    torch.testing.assert_close(T.dense(), P)
    v = torch.randn(5, dtype=torch.float64)
    torch.testing.assert_close(T.expect(v), torch.einsum("sap,p->sa", P, v))
    V = torch.randn(2, 4, 5, dtype=torch.float64)  # batched values
    torch.testing.assert_close(T.expect(V), torch.einsum("sap,bcp->bcsa", P, V))
    m = torch.rand(5, 3, dtype=torch.float64)
    torch.testing.assert_close(T.push(m), torch.einsum("sa,sap->p", m, P))
    M = torch.rand(2, 5, 3, dtype=torch.float64)
    torch.testing.assert_close(T.push(M), torch.einsum("bsa,sap->bp", M, P))
    # float32 values work too (a float32 copy of the matrix is made once)
    assert T.expect(v.float()).dtype == torch.float32


def test_transitions_are_differentiable():
    P, _ = random_mdp(4, 2, seed=2)
    T = tab.Transitions.from_dense(P)
    v = torch.randn(4, dtype=torch.float64, requires_grad=True)
    T.expect(v).sum().backward()
    torch.testing.assert_close(v.grad, P.sum((0, 1)))


@pytest.mark.parametrize("idx, prob, match", [
    (torch.zeros(2, 2, 1, dtype=torch.int64), torch.ones(2, 2, 2, dtype=torch.float64), "shape"),
    (torch.zeros(2, 2, 1, dtype=torch.int32), torch.ones(2, 2, 1, dtype=torch.float64), "int64"),
    (torch.full((2, 2, 1), 2, dtype=torch.int64), torch.ones(2, 2, 1, dtype=torch.float64), "0..1"),
    (torch.zeros(2, 2, 2, dtype=torch.int64), torch.full((2, 2, 2), 0.7, dtype=torch.float64), "sum to 1"),
    (torch.zeros(2, 2, 2, dtype=torch.int64), torch.tensor([1.5, -0.5]).expand(2, 2, 2).double(), ">= 0"),
])
def test_bad_transitions_are_rejected(idx, prob, match):
    with pytest.raises(ValueError, match=match):
        tab.Transitions(idx=idx, prob=prob)


def test_transitions_from_a_bad_dense_array():
    with pytest.raises(ValueError, match=r"\(S, A, S\)"):
        tab.Transitions.from_dense(np.ones((3, 2, 4)) / 4)
    with pytest.raises(TypeError, match="torch tensors"):
        tab.Transitions(idx=np.zeros((1, 1, 1), np.int64), prob=np.ones((1, 1, 1)))
