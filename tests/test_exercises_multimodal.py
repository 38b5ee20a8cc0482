"""Notebook 06's graded assignment (section 9): the torch mixture NLL's check, the reference mode-holding action,
and the outcome test on ObstacleFork (success, both sides used)."""

import numpy as np
import pytest
import torch

from il_helpers.algorithms import mdn as M
from il_helpers.exercises import check
from il_helpers.exercises import multimodal as ex


def todo(*args):
    raise NotImplementedError


def test_mdn_nll_check_accepts_the_reference_and_wants_log_space(capsys):
    check("mdn_nll", ex.mdn_nll)
    assert check.last_status == "correct"

    def naive(logits, means, scales, actions):                  # exp, sum, log: inf far from every component
        w = torch.softmax(logits, -1)
        dens = torch.exp(-0.5 * ((actions[:, None] - means) / scales) ** 2) / (scales * np.sqrt(2 * np.pi))
        return -torch.log((w * dens.prod(-1)).sum(-1))

    check("mdn_nll", naive)
    assert check.last_status == "wrong" and "test case 4" in check.last_message
    check("mdn_nll", lambda lg, mu, sd, a: M.mdn_nll(lg, mu, sd, a).sum())   # a scalar, not per sample
    assert check.last_status == "wrong" and "shape" in check.last_message
    check("mdn_nll", todo)
    assert check.last_status == "todo"


def test_mode_action_picks_the_component_where_u_falls():
    logits = torch.log(torch.tensor([[0.2, 0.5, 0.3]] * 4))
    means = torch.arange(3.0)[None, :, None].expand(4, 3, 2)
    u = torch.tensor([0.1, 0.3, 0.69, 0.95])
    np.testing.assert_allclose(ex.mode_action(logits, means, u)[:, 0].numpy(), [0, 1, 1, 2])


def test_fork_outcome_grades_success_and_both_sides():
    good = ex.fork_outcome(ex.mdn_nll, ex.mode_action, seed=0, verbose=False)
    a = ex.FORK_ASSIGNMENT
    assert good.passed and good.score >= a.min_success and min(good.stats["left"], good.stats["right"]) >= a.min_side

    def most_likely(logits, means, u):                          # ignores u: one side only
        return means[torch.arange(len(means)), logits.argmax(1)]

    one_side = ex.fork_outcome(ex.mdn_nll, most_likely, seed=0, verbose=False)
    assert one_side.status == "wrong" and "each side needs 15%" in one_side.message
    assert min(one_side.stats["left"], one_side.stats["right"]) < a.min_side
    stub = ex.fork_outcome(ex.mdn_nll, todo, seed=0, verbose=False)
    assert stub.status == "todo" and stub.stats is None
    bad = ex.fork_outcome(ex.mdn_nll, lambda lg, mu, u: mu[:, 0, 0], seed=0, verbose=False)
    assert bad.status == "error" and "shape" in bad.message
    with pytest.raises(TypeError, match="callable"):
        ex.fork_outcome(ex.mdn_nll, None)
