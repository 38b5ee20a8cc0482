"""Notebook 04's exercises: the soft Bellman backup and the visitation forward pass (numpy, dense P), and the
graded assignment (MaxEnt IRL's gradient step on FeatureGrid)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import exercise
from .grading import Result, attempt
from .safety import to_array


def _random_mdp(rng, S, A):
    P = rng.dirichlet(np.full(S, 0.5), size=(S, A))  # (S, A, S), rows sum to 1
    return P


def _backup_cases():
    rng = np.random.default_rng(4)
    # one state, two actions that both stay: V = r + log 2 + v_next
    yield (np.array([1.0]), np.ones((1, 2, 1)), np.array([0.5]))
    for S, A in ((3, 2), (5, 4), (8, 5)):
        yield (rng.normal(size=S), _random_mdp(rng, S, A), rng.normal(size=S) * 3)
    # large values: exp(800) overflows, so this case needs the log-sum-exp trick
    yield (np.array([800.0, -800.0, 0.0]), _random_mdp(rng, 3, 2), np.array([10.0, 900.0, -5.0]))


@exercise("soft_bellman_backup", _backup_cases)
def soft_bellman_backup(reward: np.ndarray, P: np.ndarray, v_next: np.ndarray) -> np.ndarray:
    """Reference: ``V_t(s) = log sum_a exp(Q_t(s,a))`` with ``Q_t(s,a) = r(s) + sum_s' P(s'|s,a) V_{t+1}(s')``.

    ``reward`` (S,), ``P`` (S, A, S) with ``P[s, a, s'] = P(s'|s,a)``, ``v_next`` (S,); returns (S,).
    """
    q = reward[:, None] + P @ v_next                     # (S, A)
    m = q.max(axis=1, keepdims=True)                     # subtract the max: exp never overflows
    return (m + np.log(np.exp(q - m).sum(axis=1, keepdims=True)))[:, 0]


def _forward_cases():
    rng = np.random.default_rng(5)
    # a deterministic 2-state swap: the mass alternates
    swap = np.zeros((2, 1, 2))
    swap[0, 0, 1] = swap[1, 0, 0] = 1.0
    yield (np.array([1.0, 0.0]), np.ones((4, 2, 1)), swap)
    for S, A, T in ((3, 2, 4), (6, 3, 7), (10, 5, 12)):
        policy = rng.dirichlet(np.ones(A), size=(T, S))  # (T, S, A)
        yield (rng.dirichlet(np.ones(S)), policy, _random_mdp(rng, S, A))
    # a horizon of one step: D is the start distribution alone
    yield (np.array([0.2, 0.8]), np.full((1, 2, 3), 1 / 3), _random_mdp(rng, 2, 3))


@exercise("visitation_forward_pass", _forward_cases)
def visitation_forward_pass(start: np.ndarray, policy: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Reference: ``D_0 = start``, ``D_{t+1}(s') = sum_{s,a} D_t(s) pi_t(a|s) P(s'|s,a)``.

    ``start`` (S,), ``policy`` (T, S, A), ``P`` (S, A, S); returns ``D`` (T, S).
    """
    T = policy.shape[0]
    D = np.zeros((T, len(start)))
    D[0] = start
    for t in range(T - 1):
        D[t + 1] = np.einsum("s,sa,sap->p", D[t], policy[t], P)
    return D


# -- the graded assignment: MaxEnt IRL's gradient step on FeatureGrid (nbgrader) ---------------------
# The student writes the gradient mu_E - mu_theta (soft value iteration, then the forward pass); the tests
# grade it against finite differences of the objective it is the gradient of, and by the expected value
# difference of the reward that gradient ascent with it recovers.


@dataclass(frozen=True)
class MaxEntAssignment:
    """The graded MaxEnt IRL run: a ``size`` x ``size`` FeatureGrid (layout ``world_seed = seed``, horizon
    ``horizon``), ``n_demos`` demonstrations of its soft-optimal expert (seed ``seed``), ``steps`` steps of Adam
    (``lr``) on ``theta`` from 0 with the student's gradient, from the demonstrations' start states. It passes when
    the policy optimal for the recovered reward loses at most ``max_evd`` of the optimal value (relative EVD). The
    finite-difference test uses a smaller world (``fd_size``, ``fd_horizon``). The same in fast and full mode."""

    size: int = 10
    horizon: int = 30
    n_demos: int = 32
    steps: int = 60
    lr: float = 0.1
    max_evd: float = 0.05
    fd_size: int = 6
    fd_horizon: int = 10
    fd_tolerance: float = 1e-4


MAXENT_ASSIGNMENT = MaxEntAssignment()


@dataclass
class GradientTask:
    """One world's arrays, as the student's gradient takes them: ``phi`` (S, F), dense ``P`` (S, A, S), the
    demonstrations' start distribution ``start`` (S,), ``horizon``, the expert's feature counts ``mu_E`` (F,);
    ``world`` the gridworld itself (its true reward, for the EVD)."""

    phi: np.ndarray
    P: np.ndarray
    start: np.ndarray
    horizon: int
    mu_E: np.ndarray
    world: object


def assignment_task(seed: int = 0, size: int | None = None, horizon: int | None = None) -> GradientTask:
    """The graded run's world and demonstrations for ``seed`` (default size and horizon: :data:`MAXENT_ASSIGNMENT`)."""
    from ..algorithms.maxent_irl import demo_arrays
    from ..core.demonstrations import collect_demonstrations
    from ..envs.gridworlds import make_world
    from ..tabular.metrics import empirical_visitation

    a = MAXENT_ASSIGNMENT
    world = make_world("FeatureGrid", size=size or a.size, world_seed=int(seed), horizon=horizon or a.horizon)
    demos = collect_demonstrations(world.env_id, a.n_demos, seed=int(seed))
    states, _ = demo_arrays(demos, world)
    DE = empirical_visitation(states, world.n_states).numpy()
    phi = world.phi.numpy()
    return GradientTask(phi, world.dense_transitions(), DE[0], world.horizon, phi.T @ DE.sum(0), world)


def reference_gradient(theta, phi, P, start, horizon, mu_E) -> np.ndarray:
    """Reference: ``mu_E - mu_theta`` for ``r = phi @ theta``: soft value iteration backwards from ``V_T = 0``
    (:func:`soft_bellman_backup`), ``pi_t = exp(Q_t - V_t)``, the forward pass from ``start``
    (:func:`visitation_forward_pass`), ``mu_theta = phi^T sum_t D_t``. Returns (F,)."""
    r = phi @ theta
    S, A = P.shape[:2]
    v, policy = np.zeros(S), np.zeros((horizon, S, A))
    for t in reversed(range(horizon)):
        q = r[:, None] + P @ v
        v = soft_bellman_backup(r, P, v)
        policy[t] = np.exp(q - v[:, None])
    D = visitation_forward_pass(start, policy, P)
    return mu_E - phi.T @ D.sum(0)


def objective(theta, task: GradientTask) -> float:
    """``L(theta) = mu_E . theta - sum_s start(s) V_0(s)``, the objective whose gradient the assignment asks for."""
    r = task.phi @ np.asarray(theta, np.float64)
    v = np.zeros(len(r))
    for _ in range(task.horizon):
        v = soft_bellman_backup(r, task.P, v)
    return float(task.mu_E @ theta - task.start @ v)


def finite_differences(task: GradientTask, theta, eps: float = 1e-5) -> np.ndarray:
    """The central finite-difference slope of :func:`objective` along every component of ``theta``."""
    theta = np.asarray(theta, np.float64)
    out = np.zeros_like(theta)
    for k in range(len(theta)):
        e = np.zeros_like(theta)
        e[k] = eps
        out[k] = (objective(theta + e, task) - objective(theta - e, task)) / (2 * eps)
    return out


def _fd_thetas(n_features: int):
    yield np.zeros(n_features)
    yield np.random.default_rng(31).normal(0, 1, n_features)
    yield np.random.default_rng(32).normal(0, 3, n_features)     # a peaked soft-optimal policy


def _gradients(fn, task: GradientTask) -> list:
    """The answer's gradient at every test theta (on copies of the arrays)."""
    return [fn(theta.copy(), task.phi.copy(), task.P.copy(), task.start.copy(), task.horizon, task.mu_E.copy())
            for theta in _fd_thetas(task.phi.shape[1])]


def _fd_problem(grads: list, task: GradientTask) -> str | None:
    """None if every gradient is the finite-difference slope at its theta, else what is wrong."""
    a = MAXENT_ASSIGNMENT
    for theta, value in zip(_fd_thetas(task.phi.shape[1]), grads):
        got = to_array(value).astype(np.float64)
        want = finite_differences(task, theta)
        where = f"at theta = {np.round(theta, 3).tolist()}"
        if got.shape != want.shape:
            return f"{where} returned shape {got.shape}, expected {want.shape} (one entry per feature)"
        if not np.isfinite(got).all():
            return f"{where} returned {got.tolist()}: NaN or inf (a log of 0, or exp overflowing?)"
        scale = max(1.0, float(np.abs(want).max()))
        if np.abs(got - want).max() <= a.fd_tolerance * scale:
            continue
        shown = f"yours {np.round(got, 5).tolist()}, finite differences {np.round(want, 5).tolist()}"
        if np.abs(got + want).max() <= a.fd_tolerance * scale:
            return f"{where} the sign is flipped ({shown}): the gradient is mu_E - mu_theta, not mu_theta - mu_E"
        ratio = float(got @ want / (want @ want)) if want @ want > 0 else 0.0
        if ratio and np.abs(got - ratio * want).max() <= a.fd_tolerance * scale:
            return (f"{where} your gradient is the finite-difference slope times {ratio:.4g} ({shown}): a constant "
                    "factor. mu_theta sums D_t over t = 0..T-1 (a sum over time, not a mean), like mu_E")
        return (f"{where} your gradient differs from the finite-difference slope of L(theta) = mu_E . theta - "
                f"sum_s start(s) V_0(s) ({shown}). Is the policy pi_t = exp(Q_t - V_t) of every step t, computed "
                "backwards from V_T = 0? Does the forward pass start from `start`?")
    return None


def maxent_fd(fn, verbose: bool = True) -> Result:
    """Grade the gradient ``fn(theta, phi, P, start, horizon, mu_E)`` against central finite differences of the
    objective, at three ``theta`` on a small FeatureGrid."""
    a = MAXENT_ASSIGNMENT
    task = assignment_task(0, a.fd_size, a.fd_horizon)
    if not callable(fn):
        raise TypeError(f"maxent_fd: pass your function itself (a callable), got {type(fn).__name__}")
    return attempt("maxent_fd", _gradients, (fn, task), lambda grads: _fd_problem(grads, task), verbose=verbose,
                   praise=f"your gradient is the finite-difference slope of L at three theta (within "
                          f"{a.fd_tolerance:g}).")


def ascend(fn, task: GradientTask):
    """``steps`` steps of Adam on ``theta`` (from 0) with the gradient ``fn``: the recovered ``theta`` (F,)."""
    a = MAXENT_ASSIGNMENT
    theta = torch.zeros(task.phi.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([theta], lr=a.lr)
    for step in range(a.steps):
        g = to_array(fn(theta.detach().numpy().copy(), task.phi, task.P, task.start, task.horizon, task.mu_E))
        if g.shape != tuple(theta.shape) or not np.isfinite(g).all():
            raise ValueError(f"step {step}: the gradient must be {tuple(theta.shape)} finite numbers, got "
                             f"{np.round(g, 4).tolist()}")
        theta.grad = -torch.as_tensor(g, dtype=torch.float64)     # ascent on L
        opt.step()
    return theta.detach().numpy()


def maxent_evd(fn, seed: int = 0, verbose: bool = True) -> Result:
    """Grade the gradient ``fn`` by the relative EVD of the reward ``phi @ theta`` that gradient ascent with it
    recovers on the graded FeatureGrid (:data:`MAXENT_ASSIGNMENT`). ``result.use`` is the recovered ``theta``,
    ``result.score`` the relative EVD, ``result.task`` the world and data."""
    from ..tabular.metrics import expected_value_difference

    a = MAXENT_ASSIGNMENT
    task = assignment_task(seed)
    measured = {}

    def judge(theta):
        w = task.world
        evd = expected_value_difference(w.phi @ torch.as_tensor(theta, dtype=torch.float64), w.P, w.d0, w.horizon, w.r)
        measured["score"] = evd.relative
        if evd.relative <= a.max_evd:
            return None
        return (f"the policy optimal for the reward your gradient recovers loses {100 * evd.relative:.2f}% of the "
                f"optimal value (EVD, seed {seed}); it needs at most {100 * a.max_evd:g}% (the reference: under 0.1%; "
                "theta = 0: about 90%). Is the gradient mu_E - mu_theta (ascent: it points to higher likelihood)? "
                "The test 'maxent_fd' checks it against finite differences.")

    result = attempt("maxent_evd", ascend, (fn, task), judge, reference=lambda: ascend(reference_gradient, task),
                     verbose=verbose, praise=lambda _: f"the recovered reward's optimal policy loses "
                                                       f"{100 * measured['score']:.3f}% of the optimal value (EVD, "
                                                       f"seed {seed}; at most {100 * a.max_evd:g}%).")
    result.score, result.task = measured.get("score"), task
    return result
