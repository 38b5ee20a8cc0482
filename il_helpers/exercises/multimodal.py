"""Notebook 06's exercise: the negative log-likelihood of a Gaussian mixture, computed stably; and the graded
assignment (an MDN policy's loss and mode-holding action on ObstacleFork)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from ..algorithms.mdn import MDNConfig, MDNPolicy
from ..algorithms.mode_holding import BC_FIELDS
from . import exercise
from .grading import Result, attempt


def _mixture_nll_cases():
    rng = np.random.default_rng(0)
    # one component, one dimension: the Gaussian NLL
    yield (np.zeros((1, 1)), np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.array([[1.0]]))
    # two equal components at -1 and +1, target at +1
    yield (np.zeros((1, 2)), np.array([[[-1.0], [1.0]]]), np.full((1, 2, 1), 0.5), np.array([[1.0]]))
    for n, k, d in ((5, 3, 1), (4, 5, 2)):
        yield (rng.normal(size=(n, k)), rng.normal(size=(n, k, d)), rng.uniform(0.1, 1.0, (n, k, d)),
               rng.normal(size=(n, d)))
    # far from every component, with narrow scales: exp(log N) underflows to 0 in float64, so
    # "exp, sum, then log" gives inf here; log-sum-exp does not
    yield (np.array([[0.0, 2.0, -1.0]]), np.array([[[0.0], [0.5], [1.0]]]), np.array([[[0.01], [0.02], [0.01]]]),
           np.array([[100.0]]))
    # very unequal logits (softmax by hand overflows without the max trick)
    yield (np.array([[800.0, -800.0]]), np.array([[[0.0], [3.0]]]), np.ones((1, 2, 1)), np.array([[2.9]]))


@exercise("mixture_nll", _mixture_nll_cases)
def mixture_nll(logits: np.ndarray, means: np.ndarray, scales: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Reference: ``-log sum_k softmax(logits)_k N(targets; means_k, diag scales_k^2)`` per row.

    Shapes: logits (N, K), means and scales (N, K, D), targets (N, D) -> (N,).
    """
    logits, means, scales, targets = (np.asarray(a, dtype=np.float64) for a in (logits, means, scales, targets))
    m = logits.max(axis=1, keepdims=True)
    log_w = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))      # log softmax
    z = (targets[:, None, :] - means) / scales
    log_n = (-0.5 * z**2 - np.log(scales) - 0.5 * np.log(2 * np.pi)).sum(axis=2)     # log N_k
    a = log_w + log_n
    top = a.max(axis=1, keepdims=True)
    return -(top[:, 0] + np.log(np.exp(a - top).sum(axis=1)))                        # -logsumexp_k


# -- the graded assignment: an MDN policy's loss and its mode-holding action on ObstacleFork (nbgrader) ------
# The student writes the mixture NLL in torch (graded on unit cases, the exercise "mdn_nll": far targets, very
# unequal logits) and the action of a mode-holding policy (the component where the episode's held uniform u
# falls in the cumulative weights, then its mean); the course's BC loop trains an MDN with them and the test
# grades the policy on ObstacleFork by its success rate and by the share of the episodes passing on each side.


def _mdn_nll_cases():
    g = torch.Generator().manual_seed(3)
    yield (torch.zeros(1, 1), torch.zeros(1, 1, 1), torch.ones(1, 1, 1), torch.tensor([[1.0]]))
    yield (torch.zeros(1, 2), torch.tensor([[[-1.0], [1.0]]]), torch.full((1, 2, 1), 0.5), torch.tensor([[1.0]]))
    for n, k, d in ((6, 3, 2), (4, 5, 1)):
        yield (torch.randn(n, k, generator=g), torch.randn(n, k, d, generator=g),
               torch.rand(n, k, d, generator=g) * 0.9 + 0.1, torch.randn(n, d, generator=g))
    # far from every component with narrow scales: exp(log N) underflows to 0, so "exp, sum, log" gives inf
    yield (torch.tensor([[0.0, 2.0, -1.0]]), torch.tensor([[[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]]]),
           torch.full((1, 3, 2), 0.02), torch.tensor([[1.0, -1.0]]))
    # very unequal logits: softmax by hand overflows without the max trick
    yield (torch.tensor([[80.0, -80.0], [-90.0, 95.0]]), torch.tensor([[[0.0, 0.0], [0.9, 0.5]]] * 2),
           torch.full((2, 2, 2), 0.3), torch.tensor([[0.8, 0.5], [0.0, 0.1]]))


@exercise("mdn_nll", _mdn_nll_cases)
def mdn_nll(logits, means, scales, actions):
    """Reference: ``-log sum_k softmax(logits)_k prod_j N(a_j; mu_kj, sigma_kj^2)`` per row, in torch, stably:
    logits (B, K), means and scales (B, K, D), actions (B, D) -> (B,) (the library's
    :func:`il_helpers.algorithms.mdn.mdn_nll`, whose floor on the scales the cases never reach)."""
    from ..algorithms.mdn import mdn_nll as library_nll

    return library_nll(logits, means, scales, actions, min_scale=1e-12)


def mode_action(logits, means, u):
    """Reference: the action of a mode-holding MDN: the component ``k`` where the episode's uniform ``u`` falls
    in the cumulative weights ``cumsum(softmax(logits))`` (component k with probability w_k), then its mean.
    logits (N, K), means (N, K, D), u (N,) -> (N, D)."""
    from ..algorithms.mdn import pick_component

    k = pick_component(torch.softmax(logits, dim=1), u)
    return means[torch.arange(len(means)), k]


@dataclass(frozen=True)
class ForkAssignment:
    """The graded MDN run: ``n_demos`` expert episodes of ObstacleFork (seed ``DEMO_SEED + seed``), an MDN of
    ``n_components`` components trained by ``il.train_bc`` (``epochs``, the course's multimodal budget otherwise)
    with the student's loss, acting with the student's mode-holding action (a uniform held per episode), tested on
    ``eval_episodes`` episodes (seed ``EVAL_SEED + seed``). It passes at a success rate of at least
    ``min_success`` with at least ``min_side`` of the episodes passing on each side. The same in fast and full
    mode (the budget of notebook 06's fast mode, :data:`il_helpers.lessons.multimodal.TRAIN_FAST`)."""

    n_demos: int = 100
    n_components: int = 5
    epochs: int = 60
    eval_episodes: int = 100
    min_success: float = 0.8
    min_side: float = 0.15


FORK_ASSIGNMENT = ForkAssignment()
DEMO_SEED, EVAL_SEED = 10_000, 20_000     # as in notebook 06


class AssignmentMDN(MDNPolicy):
    """An :class:`~il_helpers.algorithms.mdn.MDNPolicy` whose loss is ``nll(logits, means, scales, actions)`` and
    whose action is ``act(logits, means, u)`` (u: the uniforms the policy holds per episode)."""

    def __init__(self, *args, nll=None, act=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.nll, self.act_fn = nll or mdn_nll, act or mode_action

    def loss(self, obs, actions):
        if self.needs_init and self.training:
            self.init_components(actions)
        return self.nll(*self(obs), actions)

    def act_with_noise(self, x, noise):
        logits, means, _ = self(x)
        u = torch.as_tensor(self.draw_noise(self.rng, len(x)) if noise is None else noise, dtype=logits.dtype)
        out = self.act_fn(logits, means, u)
        if not isinstance(out, torch.Tensor) or out.shape != (len(x), self.act_dim):
            raise ValueError(f"the action must be a tensor of shape {(len(x), self.act_dim)}, got "
                             f"{tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__}")
        return out


def fork_demos(seed: int = 0):
    """The graded run's demonstrations for ``seed``."""
    from ..core.demonstrations import collect_demonstrations
    from ..envs.registry import OBSTACLE_FORK

    return collect_demonstrations(OBSTACLE_FORK, FORK_ASSIGNMENT.n_demos, seed=DEMO_SEED + int(seed))


def train_fork_mdn(nll, act, seed: int = 0):
    """Train the graded MDN with ``nll`` and ``act`` (None: the references'): the trained policy."""
    from ..algorithms.bc import train_bc
    from ..envs.registry import OBSTACLE_FORK

    a = FORK_ASSIGNMENT
    policy = AssignmentMDN.for_env(OBSTACLE_FORK, n_components=a.n_components, seed=seed, nll=nll, act=act)
    cfg = MDNConfig(epochs=a.epochs, patience=a.epochs)
    bc = {k: v for k, v in dataclasses.asdict(cfg).items() if k in BC_FIELDS}
    return train_bc(fork_demos(seed), policy=policy, seed=seed, **bc)[0]


def fork_run(nll, act, seed: int = 0):
    """Train the graded MDN with ``nll`` and ``act`` and drive it on the test episodes: ``(policy, stats)``, the
    stats of :func:`il_helpers.lessons.multimodal.fork_stats` plus ``left`` / ``right`` (shares of the episodes)."""
    from ..lessons.multimodal import evaluate_fork

    K = FORK_ASSIGNMENT.n_components
    act(torch.zeros(1, K), torch.zeros(1, K, 2), torch.tensor([0.5]))   # an unanswered action stops here, untrained
    policy = train_fork_mdn(nll, act, seed)
    r, stats = evaluate_fork(policy, FORK_ASSIGNMENT.eval_episodes, seed=EVAL_SEED + seed)
    side = r.infos["side"][:, -1]
    return policy, {**stats, "left": float((side == 1).mean()), "right": float((side == -1).mean())}


def fork_outcome(nll, act, seed: int = 0, verbose: bool = True) -> Result:
    """Grade ``nll`` and ``act`` by the MDN they train and drive (:data:`FORK_ASSIGNMENT`) on ObstacleFork.
    ``result.use`` is the ``(policy, stats)`` the cells below use (:func:`fork_run`), ``result.score`` the success
    rate, ``result.stats`` the stats of the answer's run (None unless it ran)."""
    for what, fn in (("nll", nll), ("act", act)):
        if not callable(fn):
            raise TypeError(f"fork_outcome: pass your function itself as {what} (a callable), got {type(fn).__name__}")
    a = FORK_ASSIGNMENT

    def judge(value):
        _, stats = value
        problems = []
        if stats["success_rate"] < a.min_success:
            problems.append(f"it passes the obstacle in {100 * stats['success_rate']:.0f}% of the {a.eval_episodes} "
                            f"episodes (it needs {100 * a.min_success:.0f}%)")
        if min(stats["left"], stats["right"]) < a.min_side:
            problems.append(f"it passes on the left in {100 * stats['left']:.0f}% and on the right in "
                            f"{100 * stats['right']:.0f}% of the episodes (each side needs {100 * a.min_side:.0f}%: "
                            "the expert splits about evenly)")
        if not problems:
            return None
        return (f"the MDN trained with your loss and driven by your action (seed {seed}): " + "; ".join(problems)
                + ". Is the loss -log sum_k w_k N_k, computed with log-sum-exp? Does the action pick the component "
                  "where u falls in cumsum(softmax(logits)) (not the most likely one), and return its mean?")

    def praise(value):
        s = value[1]
        return (f"it passes in {100 * s['success_rate']:.0f}% of the episodes, {100 * s['left']:.0f}% on the left and "
                f"{100 * s['right']:.0f}% on the right (seed {seed}).")

    result = attempt("fork_outcome", fork_run, (nll, act, seed), judge,
                     reference=lambda: fork_run(mdn_nll, mode_action, seed), verbose=verbose, praise=praise)
    result.stats = result.value[1] if isinstance(result.value, tuple) else None
    result.score = None if result.stats is None else result.stats["success_rate"]
    return result
