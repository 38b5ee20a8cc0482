"""Notebook 02's exercises: the two BC losses, the noise-injection (DART) collector, and the graded
assignment (BC's training loop on LaneKeeping)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..algorithms.bc import MLPPolicy
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.evaluation import evaluate
from ..core.policies import TorchPolicy
from ..envs.registry import LANE_KEEPING, env_spaces
from . import exercise
from .grading import MARKS, Result, attempt


def _cross_entropy_cases():
    g = torch.Generator().manual_seed(0)
    yield (torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([0, 0]))
    for batch, k in ((5, 2), (8, 3), (6, 4)):
        yield (torch.randn(batch, k, generator=g) * 3, torch.randint(0, k, (batch,), generator=g))
    # large logits: exp() overflows in float32, log_softmax / logsumexp does not
    yield (torch.tensor([[100.0, -100.0, 0.0], [-90.0, 95.0, 3.0]]), torch.tensor([1, 1]))
    # a batch of one sample, the label on the last class
    yield (torch.tensor([[0.3, -0.2, 5.0]]), torch.tensor([2]))


@exercise("bc_cross_entropy", _cross_entropy_cases)
def bc_cross_entropy(logits: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Reference: per-sample ``-log softmax(logits)[a*]``, shape (B,)."""
    return -torch.log_softmax(logits, dim=1).gather(1, actions[:, None])[:, 0]


def _gaussian_nll_cases():
    g = torch.Generator().manual_seed(1)
    yield (torch.zeros(3, 1), torch.zeros(3, 1), torch.tensor([[0.0], [1.0], [-2.0]]))
    for batch, k in ((4, 1), (6, 2), (5, 3)):
        yield (torch.randn(batch, k, generator=g), torch.randn(batch, k, generator=g).clamp(-3, 1),
               torch.randn(batch, k, generator=g))
    # a batch of one sample; a narrow and a wide dimension (sigma = exp(log_std), not log_std itself)
    yield (torch.zeros(1, 2), torch.tensor([[-5.0, 2.0]]), torch.tensor([[0.01, -3.0]]))


@exercise("bc_gaussian_nll", _gaussian_nll_cases)
def gaussian_nll(mean: torch.Tensor, log_std: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Reference: per-sample ``sum_j (a_j - mu_j)^2 / (2 sigma_j^2) + log sigma_j``, shape (B,)
    (the constant ``log sqrt(2 pi)`` per dimension dropped, as in :func:`il_helpers.algorithms.bc.bc_loss`)."""
    return (0.5 * ((actions - mean) / log_std.exp()) ** 2 + log_std).sum(dim=1)


def _dart_cases():
    from ..envs.registry import LANE_KEEPING

    yield (LANE_KEEPING, 3, 20, 0.3, 0)
    yield (LANE_KEEPING, 2, 12, 0.0, 1)
    yield ("Pendulum-v1", 2, 15, 0.2, 2)


@exercise("dart_rollout", _dart_cases)
def dart_rollout(env_id: str, n_episodes: int, horizon: int, noise: float, seed: int) -> np.ndarray:
    """Reference: drive the expert with Gaussian action noise, DART-style.

    At every step: ``label = expert(obs)``; ``executed = clip(label + noise * (high - low) / 2 *
    rng.normal(size=label.shape), low, high)`` with ``rng = np.random.default_rng(seed)``;
    step the env (``env.reset(seed=seed)`` first) with ``executed``. Returns
    ``np.stack([executed, labels])``, shape (2, E, T, act_dim).
    """
    from ..envs.registry import get_expert, make_batched

    env = make_batched(env_id, n_episodes, horizon=horizon)
    expert = get_expert(env_id)
    low, high = env.action_space.low, env.action_space.high
    rng = np.random.default_rng(seed)
    obs = env.reset(seed=seed)
    executed, labels = [], []
    for _ in range(horizon):
        label = expert(obs)
        action = np.clip(label + noise * (high - low) / 2 * rng.normal(size=label.shape), low, high)
        obs, _, _, _ = env.step(action)
        executed.append(action)
        labels.append(label)
    return np.stack([np.stack(executed, axis=1), np.stack(labels, axis=1)])


# -- the graded assignment: BC's training loop on LaneKeeping (nbgrader) ---------------------------
# The student writes the per-sample loss and the loop (normalization, minibatches, Adam); the
# tests grade the loss on unit cases (the exercise "bc_mse_loss"), the loop by the normalized score
# of the policy it trains, and its normalization against the training data's statistics.


def _mse_cases():
    g = torch.Generator().manual_seed(2)
    yield (torch.tensor([[0.5], [-1.0], [2.0]]), torch.tensor([[0.0], [1.0], [2.0]]))
    for batch, k in ((6, 1), (5, 2), (4, 3)):   # k > 1: sum over the action dimensions, not their mean
        yield (torch.randn(batch, k, generator=g), torch.randn(batch, k, generator=g))
    yield (torch.tensor([[3.0, -4.0]]), torch.zeros(1, 2))   # a batch of one sample: shape (1,), not a scalar


@exercise("bc_mse_loss", _mse_cases)
def bc_mse_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Reference: per-sample squared error summed over the action dimensions, shape (B,)."""
    return ((pred - target) ** 2).sum(dim=1)


@dataclass(frozen=True)
class BCAssignment:
    """The graded BC run: ``n_demos`` expert episodes of LaneKeeping collected with ``DEMO_SEED + seed``,
    an MLP of ``hidden`` widths trained for ``epochs`` in minibatches of ``batch_size`` with Adam (``lr``),
    tested on ``eval_episodes`` roads (seed ``EVAL_SEED + seed``); it passes at a normalized score of at
    least ``threshold`` (0: the random policy, 1: the expert). The same in fast and full mode."""

    n_demos: int = 10
    hidden: tuple = (32, 32)
    epochs: int = 30
    batch_size: int = 128
    lr: float = 3e-3
    eval_episodes: int = 50
    threshold: float = 0.9


BC_ASSIGNMENT = BCAssignment()
DEMO_SEED, EVAL_SEED = 100, 5000  # as in the notebook's long-horizon sections (widgets.behavioral_cloning)


def assignment_demos(seed: int = 0) -> Demonstrations:
    """The graded run's demonstrations for ``seed``."""
    return collect_demonstrations(LANE_KEEPING, BC_ASSIGNMENT.n_demos, seed=DEMO_SEED + int(seed))


def new_bc_policy(demos: Demonstrations, seed: int = 0) -> MLPPolicy:
    """A fresh MSE policy for ``demos`` (weights drawn from ``seed``; the global RNG left as it was),
    with identity normalization until ``policy.set_normalization`` is called."""
    _, act_space = env_spaces(demos.env_id)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MLPPolicy(demos.obs.shape[1], demos.actions.shape[1], "mse", BC_ASSIGNMENT.hidden,
                         action_low=act_space.low, action_high=act_space.high)


def reference_bc_loop(demos, new_policy, epochs, batch_size, lr, seed, loss=bc_mse_loss):
    """Reference: BC's loop, the one the notebook's solution region holds."""
    obs, acts = torch.as_tensor(demos.obs), torch.as_tensor(demos.actions)
    policy = new_policy()
    policy.set_normalization(mean=obs.mean(0), std=obs.std(0).clamp_min(1e-6))
    opt = torch.optim.Adam(policy.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(obs), generator=gen)
        for start in range(0, len(obs), batch_size):
            idx = perm[start:start + batch_size]
            batch_loss = loss(policy(obs[idx]), acts[idx]).mean()
            opt.zero_grad()
            batch_loss.backward()
            opt.step()
    return policy.eval()


def _loop_args(demos, seed):
    a = BC_ASSIGNMENT
    return (demos, lambda: new_bc_policy(demos, seed), a.epochs, a.batch_size, a.lr, seed)


def bc_loop(fn, seed: int = 0, verbose: bool = True) -> Result:
    """Grade ``fn(demos, new_policy, epochs, batch_size, lr, seed) -> policy`` by the normalized score
    of the policy it trains (:data:`BC_ASSIGNMENT`). ``result.use`` is the policy the cells below use;
    ``result.score`` its score (None unless the answer returned a policy)."""
    a = BC_ASSIGNMENT
    demos = assignment_demos(seed)
    measured = {}

    def judge(policy):
        if not isinstance(policy, TorchPolicy):
            return (f"returned {type(policy).__name__}, not the policy: return the network new_policy() "
                    "gave you, trained")
        res = evaluate(policy, LANE_KEEPING, n_episodes=a.eval_episodes, seed=EVAL_SEED + seed)
        measured["score"] = res.normalized
        if res.normalized >= a.threshold:
            return None
        return (f"your policy scores {res.normalized:.3f} on {a.eval_episodes} test roads (seed {seed}); it needs "
                f"{a.threshold} (il.train_bc reaches about 1.0 here). Is the loss averaged over the minibatch and "
                f"minimized (opt.zero_grad(), loss.backward(), opt.step() for every minibatch)? Does every epoch "
                f"visit all {len(demos)} samples in a new random order? Are the states normalized?")

    result = attempt("bc_loop", fn, _loop_args(demos, seed), judge,
                     reference=lambda: reference_bc_loop(*_loop_args(demos, seed)), verbose=verbose,
                     praise=lambda _: f"your policy scores {measured['score']:.3f} on {a.eval_episodes} test roads "
                                      f"(seed {seed}; it needs {a.threshold}).")
    result.score = measured.get("score")
    return result


def bc_normalization(loop: Result, seed: int = 0, verbose: bool = True) -> Result:
    """Grade the normalization of the policy ``loop`` (a :func:`bc_loop` result) returned: its
    ``obs_mean`` / ``obs_std`` must be the training data's mean and standard deviation."""
    if loop.value is None or not isinstance(loop.value, TorchPolicy):
        status = loop.status if loop.status in ("todo", "error") else "wrong"
        why = "not done yet." if status == "todo" else "the loop did not return a policy (see the test above)."
        result = Result("bc_normalization", status, f"{MARKS[status]} bc_normalization: {why}")
    else:
        obs = torch.as_tensor(assignment_demos(seed).obs)
        mean, std = loop.value.obs_mean.detach().cpu(), loop.value.obs_std.detach().cpu()
        want_mean, want_std = obs.mean(0), obs.std(0)
        if torch.allclose(mean, want_mean, rtol=1e-3, atol=1e-5) and torch.allclose(std, want_std, rtol=1e-3,
                                                                                  atol=1e-5):
            result = Result("bc_normalization", "correct",
                            f"{MARKS['correct']} bc_normalization: the policy standardizes its input with the "
                            "training data's mean and standard deviation.")
        else:
            result = Result("bc_normalization", "wrong",
                            f"{MARKS['wrong']} bc_normalization: the policy normalizes with mean "
                            f"{np.round(mean.numpy(), 3).tolist()} and std {np.round(std.numpy(), 3).tolist()}; the "
                            f"training data's are {np.round(want_mean.numpy(), 3).tolist()} and "
                            f"{np.round(want_std.numpy(), 3).tolist()}: call policy.set_normalization(mean=..., "
                            "std=...) with the statistics of demos.obs (per feature: .mean(0), .std(0)).")
    if verbose:
        print(result.message)
    return result
