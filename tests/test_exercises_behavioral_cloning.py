"""Notebook 02's exercises: the checks accept the reference and reject the classic wrong answers."""

import numpy as np
import torch

from il_helpers.exercises import CHECKS, check
from il_helpers.exercises import behavioral_cloning as ex


def status(name, fn, capsys):
    check(name, fn)
    return check.last_status, capsys.readouterr().out


def test_references_pass(capsys):
    for name in ("bc_cross_entropy", "bc_gaussian_nll", "dart_rollout"):
        assert status(name, CHECKS[name][0], capsys)[0] == "correct"


def test_cross_entropy_wrong_answers(capsys):
    naive = lambda z, a: -torch.log(torch.softmax(z, 1)[torch.arange(len(a)), a])  # noqa: E731
    overflow = lambda z, a: -torch.log(torch.exp(z) / torch.exp(z).sum(1, keepdim=True))[torch.arange(len(a)), a]  # noqa: E731
    mean_only = lambda z, a: ex.bc_cross_entropy(z, a).mean()  # noqa: E731
    for wrong in (naive, overflow):
        st, out = status("bc_cross_entropy", wrong, capsys)
        assert st == "wrong" and "test case 4" in out  # only the large logits expose them
    assert status("bc_cross_entropy", mean_only, capsys)[0] == "wrong"
    assert status("bc_cross_entropy", lambda z, a: -z.gather(1, a[:, None])[:, 0], capsys)[0] == "wrong"


def test_gaussian_nll_wrong_answers(capsys):
    ref = ex.gaussian_nll
    mean_over_dims = lambda m, s, a: (0.5 * ((a - m) / s.exp()) ** 2 + s).mean(1)  # noqa: E731
    variance_not_std = lambda m, s, a: (0.5 * (a - m) ** 2 / s.exp() + s).sum(1)  # noqa: E731
    with_constant = lambda m, s, a: ref(m, s, a) + 0.5 * np.log(2 * np.pi) * m.shape[1]  # noqa: E731
    for wrong in (mean_over_dims, variance_not_std, with_constant):
        assert status("bc_gaussian_nll", wrong, capsys)[0] == "wrong"


def test_dart_wrong_answers(capsys):
    def executed_as_labels(*args):
        out = ex.dart_rollout(*args)
        return np.stack([out[0], out[0]])

    def no_noise(env_id, n, horizon, noise, seed):
        return ex.dart_rollout(env_id, n, horizon, 0.0, seed)  # forgot to inject the noise

    st, out = status("dart_rollout", executed_as_labels, capsys)
    assert st == "wrong" and "test case 0" in out
    assert status("dart_rollout", no_noise, capsys)[0] == "wrong"
    st, out = status("dart_rollout", lambda *args: ex.dart_rollout(*args)[0], capsys)
    assert st == "wrong" and "shape" in out
    shapes = ex.dart_rollout("il_helpers/LaneKeeping-v0", 3, 7, 0.3, 0).shape
    assert shapes == (2, 3, 7, 1)
