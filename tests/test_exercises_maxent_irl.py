"""Notebook 04's exercises: the checks accept the references and reject wrong answers, and the
references agree with the package."""

import numpy as np
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
