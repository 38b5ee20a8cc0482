"""Notebook 04's exercises: the checks accept the references and reject wrong answers, and the
references agree with the package."""

import numpy as np
import pytest
from helpers import random_mdp

from il_helpers import tabular as tab
from il_helpers.exercises import check
from il_helpers.exercises.maxent_irl import soft_bellman_backup, visitation_forward_pass


def test_exercise_checks_accept_the_reference_and_reject_wrong_answers(capsys):
    assert check("soft_bellman_backup", soft_bellman_backup) is soft_bellman_backup
    assert check.last_status == "correct"
    naive = lambda r, P, v: np.log(np.exp(r[:, None] + P @ v).sum(1))  # noqa: E731 - overflows on big values
    with np.errstate(over="ignore", divide="ignore"):
        assert check("soft_bellman_backup", naive) is soft_bellman_backup
    assert check.last_status == "wrong"
    hard = lambda r, P, v: (r[:, None] + P @ v).max(1)  # noqa: E731 - the hard backup is not the soft one
    check("soft_bellman_backup", hard)
    assert check.last_status == "wrong"
    assert check("visitation_forward_pass", visitation_forward_pass) is visitation_forward_pass
    assert check.last_status == "correct"
    # forgetting the policy (a uniform action) is caught
    uniform = lambda d, pi, P: visitation_forward_pass(d, np.ones_like(pi) / pi.shape[-1], P)  # noqa: E731
    check("visitation_forward_pass", uniform)
    assert check.last_status == "wrong"
    out = capsys.readouterr().out
    assert "correct on every test case" in out and "off by" in out


def test_exercise_references_agree_with_the_package():
    P, r = random_mdp(5, 3, seed=14)
    r_s = r[:, 0]
    plan = tab.soft_value_iteration(r_s, P, 4)
    for t in range(4):
        np.testing.assert_allclose(soft_bellman_backup(r_s.numpy(), P.numpy(), plan.v[t + 1].numpy()),
                                   plan.v[t].numpy(), rtol=1e-12)


# -- the graded assignment (notebook 04, section 9) ----------------------------------------------------


def test_maxent_reference_gradient_is_the_library_gradient_and_the_finite_difference_slope():
    import torch

    from il_helpers.algorithms.maxent_irl import maxent_gradient
    from il_helpers.exercises import maxent_irl as M

    task = M.assignment_task(0, 6, 10)
    theta = np.random.default_rng(0).normal(size=task.phi.shape[1])
    ours = M.reference_gradient(theta, task.phi, task.P, task.start, task.horizon, task.mu_E)
    DE = np.zeros((task.horizon, len(task.start)))
    DE[0] = task.start
    w = task.world
    # the library's state gradient, through the features; with D^E only at t = 0 plus mu_E added back
    lib = task.phi.T @ maxent_gradient(w.phi @ torch.as_tensor(theta), w.P, torch.as_tensor(task.start), task.horizon,
                                       torch.as_tensor(DE)).numpy()
    np.testing.assert_allclose(ours, lib - task.phi.T @ task.start + task.mu_E, atol=1e-9)
    np.testing.assert_allclose(ours, M.finite_differences(task, theta), atol=1e-6)


def test_maxent_fd_names_the_sign_and_a_constant_factor():
    from il_helpers.exercises import maxent_irl as M

    assert M.maxent_fd(M.reference_gradient, verbose=False).passed
    r = M.maxent_fd(lambda *a: -M.reference_gradient(*a), verbose=False)
    assert r.status == "wrong" and "sign is flipped" in r.message
    r = M.maxent_fd(lambda *a: M.reference_gradient(*a) / a[4], verbose=False)
    assert r.status == "wrong" and "times 0.1" in r.message and "not a mean" in r.message
    r = M.maxent_fd(lambda *a: M.reference_gradient(*a)[:2], verbose=False)
    assert r.status == "wrong" and "shape (2,)" in r.message

    def hard(theta, phi, P, start, horizon, mu_E):          # a hard max: the policy of value iteration
        r, S, A = phi @ theta, P.shape[0], P.shape[1]
        v, policy = np.zeros(S), np.zeros((horizon, S, A))
        for t in reversed(range(horizon)):
            q = r[:, None] + P @ v
            v = q.max(1)
            policy[t] = np.eye(A)[q.argmax(1)]
        return mu_E - phi.T @ M.visitation_forward_pass(start, policy, P).sum(0)

    r = M.maxent_fd(hard, verbose=False)
    assert r.status == "wrong" and "differs from the finite-difference slope" in r.message

    def todo(*a):
        raise NotImplementedError

    assert M.maxent_fd(todo, verbose=False).status == "todo"
    with pytest.raises(TypeError, match="callable"):
        M.maxent_fd("my_gradient")


def test_maxent_evd_grades_the_recovered_reward():
    from il_helpers.exercises import maxent_irl as M

    good = M.maxent_evd(M.reference_gradient, seed=0, verbose=False)
    assert good.passed and good.score <= M.MAXENT_ASSIGNMENT.max_evd and good.use.shape == (4,)
    flipped = M.maxent_evd(lambda *a: -M.reference_gradient(*a), seed=0, verbose=False)
    assert flipped.status == "wrong" and flipped.score > 0.5 and "at most 5%" in flipped.message
    bad = M.maxent_evd(lambda *a: np.full(3, np.nan), seed=0, verbose=False)
    assert bad.status == "error" and "finite numbers" in bad.message
    np.testing.assert_allclose(bad.use, good.use)                 # the reference's theta, for the cells below
