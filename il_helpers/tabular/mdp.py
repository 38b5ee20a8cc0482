"""The exact tabular MDP model: sparse transitions ``P(s' | s, a)`` and the reward shapes.

A :class:`Transitions` holds, for every ``(s, a)``, ``K`` possible successors ``idx[s, a, k]``
with probabilities ``prob[s, a, k]``; its products with values and state-action mass are sparse
(CSR) matrix products. :func:`state_action_reward` and :func:`reward_table` bring a state reward
``r(s)`` or a state-action reward ``r(s, a)`` to one shape for the solvers (:mod:`.solvers`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch


def as_tensor(x, dtype: torch.dtype | None = None) -> torch.Tensor:
    """``torch.as_tensor``, copying read-only numpy arrays (a gridworld's arrays are read-only and
    torch warns about sharing memory it may not write)."""
    if isinstance(x, np.ndarray) and not x.flags.writeable:
        x = x.copy()
    return torch.as_tensor(x, dtype=dtype)


@dataclass(frozen=True, eq=False)
class Transitions:
    """``P(s' | s, a)`` stored sparsely: ``idx`` (S, A, K) successor states, ``prob`` (S, A, K).

    A gridworld move has at most 5 successors, so ``K`` is tiny and one backup costs
    ``O(S A K)`` instead of the ``O(S^2 A)`` of a dense tensor: :meth:`expect` and :meth:`push` are
    sparse (CSR) matrix products, the matrices built once per dtype. Repeated successors are
    allowed (their probabilities add up), as are padding entries with probability 0.
    """

    idx: torch.Tensor
    prob: torch.Tensor

    def __post_init__(self):
        idx, prob = self.idx, self.prob
        if not isinstance(idx, torch.Tensor) or not isinstance(prob, torch.Tensor):
            raise TypeError("Transitions: idx and prob must be torch tensors (use Transitions.from_dense for arrays)")
        if idx.dim() != 3 or idx.shape != prob.shape:
            raise ValueError("Transitions: idx and prob must both have shape (S, A, K), "
                             f"got {tuple(idx.shape)} and {tuple(prob.shape)}")
        if idx.dtype != torch.int64 or not prob.is_floating_point():
            raise ValueError(f"Transitions: idx must be int64 and prob floating, got {idx.dtype} and {prob.dtype}")
        S = idx.shape[0]
        if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= S):
            raise ValueError(f"Transitions: successor indices must lie in 0..{S - 1}")
        if bool((prob < 0).any()) or not torch.allclose(prob.sum(-1), torch.ones((), dtype=prob.dtype), atol=1e-6):
            raise ValueError("Transitions: probabilities must be >= 0 and sum to 1 over the successors of each (s, a)")
        object.__setattr__(self, "_flat", idx.reshape(-1))

    @property
    def n_states(self) -> int:
        return int(self.idx.shape[0])

    @property
    def n_actions(self) -> int:
        return int(self.idx.shape[1])

    def csr(self, dtype: torch.dtype, transpose: bool) -> torch.Tensor:
        """The model as a sparse CSR matrix, (S*A, S) (or its transpose), built once per dtype."""
        key = (dtype, transpose)
        cache = self.__dict__.setdefault("_csr_cache", {})
        if key not in cache:
            S, A, K = self.idx.shape
            rows = torch.arange(S * A).repeat_interleave(K)
            ij = torch.stack([self._flat, rows] if transpose else [rows, self._flat])
            shape = (S, S * A) if transpose else (S * A, S)
            with warnings.catch_warnings():  # "sparse CSR support is in beta": matrix-vector products are stable
                warnings.simplefilter("ignore")
                csr = torch.sparse_coo_tensor(ij, self.prob.reshape(-1).to(dtype), shape,
                                              check_invariants=True).coalesce().to_sparse_csr()
                # int32 indices: the CPU kernel's own type, so no conversion on every product
                cache[key] = torch.sparse_csr_tensor(csr.crow_indices().int(), csr.col_indices().int(),
                                                     csr.values(), shape)
        return cache[key]

    def expect(self, v: torch.Tensor) -> torch.Tensor:
        """``E[v(s') | s, a]`` for values ``v`` of shape (..., S): returns (..., S, A)."""
        S, A = self.n_states, self.n_actions
        if v.dim() == 1:
            return (self.csr(v.dtype, False) @ v).reshape(S, A)
        cols = v.reshape(-1, S).T
        return (self.csr(v.dtype, False) @ cols).T.reshape(*v.shape[:-1], S, A)

    def push(self, mass: torch.Tensor) -> torch.Tensor:
        """Where state-action mass (..., S, A) goes: ``sum_{s,a} mass(s,a) P(s'|s,a)``, shape (..., S)."""
        S, A = self.n_states, self.n_actions
        if mass.dim() == 2:
            return self.csr(mass.dtype, True) @ mass.reshape(S * A)
        cols = mass.reshape(-1, S * A).T
        return (self.csr(mass.dtype, True) @ cols).T.reshape(*mass.shape[:-2], S)

    def dense(self) -> torch.Tensor:
        """The dense (S, A, S) tensor (for small models, tests and teaching)."""
        S = self.n_states
        return torch.zeros(*self.idx.shape[:2], S, dtype=self.prob.dtype).scatter_add_(-1, self.idx, self.prob)

    @staticmethod
    def from_dense(P) -> "Transitions":
        """Build from a dense (S, A, S) array or tensor of probabilities."""
        P = as_tensor(P)
        if not P.is_floating_point():
            P = P.to(torch.float64)
        if P.dim() != 3 or P.shape[0] != P.shape[2]:
            raise ValueError(f"a dense transition model must have shape (S, A, S), got {tuple(P.shape)}")
        K = max(1, int((P > 0).sum(-1).max()))
        prob, idx = P.topk(K, dim=-1)
        return Transitions(idx=idx.contiguous(), prob=prob.contiguous())


def as_transitions(P) -> Transitions:
    """``P`` as :class:`Transitions` (accepts Transitions or a dense (S, A, S) array/tensor)."""
    return P if isinstance(P, Transitions) else Transitions.from_dense(P)


def state_action_reward(reward, P: Transitions, state_action: bool | None) -> torch.Tensor:
    """``reward`` (..., S) or (..., S, A) as a state-action reward (..., S, A) (a state reward is the
    same for every action); ``state_action`` resolves the shape when S == A."""
    r = as_tensor(reward)
    if not r.is_floating_point():
        r = r.to(torch.float64)
    S, A = P.n_states, P.n_actions
    if state_action is None:
        sa = r.dim() >= 2 and tuple(r.shape[-2:]) == (S, A)
        if sa and r.shape[-1] == S:
            raise ValueError("reward shape is ambiguous (S == A): pass state_action=True or False")
        state_action = sa
    if state_action:
        if r.dim() < 2 or tuple(r.shape[-2:]) != (S, A):
            raise ValueError(f"a state-action reward must have shape (..., {S}, {A}), got {tuple(r.shape)}")
        return r
    if r.dim() < 1 or r.shape[-1] != S:
        raise ValueError(f"reward must have shape (..., S={S}) or (..., S, A=({S}, {A})), got {tuple(r.shape)}")
    return r[..., None].expand(*r.shape, A)


def reward_table(reward, S: int, A: int, name: str = "reward") -> torch.Tensor:
    """A reward as an (S, A) float64 table: (S,) is a state-only reward (the same for every action)."""
    r = as_tensor(reward).detach().to(torch.float64)
    if tuple(r.shape) == (S,):
        return r[:, None].expand(S, A)
    if tuple(r.shape) == (S, A):
        return r
    raise ValueError(f"{name} must have shape (S,) = ({S},) or (S, A) = ({S}, {A}), got {tuple(r.shape)}")
