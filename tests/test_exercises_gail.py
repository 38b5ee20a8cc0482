"""Notebook 05's exercises: the checks accept the reference (and, for the loss, a plain sigmoid-then-log answer,
accurate on the moderate logits its cases use), reject the classic wrong answers, and name them. The reward's
text asks for a stable answer: its cases go to |l| = 1000, where the naive -log(1 - sigmoid(l)) is inf."""

import pytest
import torch
from torch.nn.functional import softplus

from il_helpers.algorithms import adversarial
from il_helpers.exercises import CHECKS, check
from il_helpers.exercises import gail as ex


def todo(*args):
    raise NotImplementedError


def status(name, fn, capsys, hinted=False):
    (ex.check_with_hint if hinted else check)(name, fn)
    return check.last_status, capsys.readouterr().out


def test_references_are_the_library_functions():
    g = torch.Generator().manual_seed(0)
    le, lp = torch.randn(7, generator=g) * 3, torch.randn(4, generator=g) * 3
    assert torch.equal(ex.discriminator_loss(le, lp), adversarial.discriminator_loss(le, lp))
    assert torch.equal(ex.gail_reward(le), adversarial.gail_reward(le, "-log(1-D)"))  # inside the library's clip
    big = torch.tensor([-500.0, 50.0, 500.0])
    assert torch.equal(ex.gail_reward(big), softplus(big))                              # no clip in the exercise


def test_references_pass_and_todo_returns_the_reference(capsys):
    for name in ("gail_discriminator_loss", "gail_reward"):
        assert status(name, CHECKS[name][0], capsys)[0] == "correct"
        assert check(name, todo) is CHECKS[name][0] and check.last_status == "todo"
        assert "not done yet" in capsys.readouterr().out


def test_naive_but_accurate_answers_pass(capsys):
    naive_loss = lambda le, lp: -(torch.log(torch.sigmoid(le)).mean() + torch.log(1 - torch.sigmoid(lp)).mean())  # noqa: E731
    by_formula = lambda le, lp: softplus(-le).mean() + softplus(lp).mean()  # noqa: E731
    for fn in (naive_loss, by_formula):
        assert status("gail_discriminator_loss", fn, capsys)[0] == "correct"


def test_naive_reward_overflows_and_is_rejected_stable_ones_pass(capsys):
    st, out = status("gail_reward", lambda logit: -torch.log(1 - torch.sigmoid(logit)), capsys, hinted=True)
    assert st == "wrong" and "inf" in out and "stably" in out and "test case 4" in out, out
    assert "hint:" not in out                          # the formula is right, its numerics are not
    st, out = status("gail_reward", lambda logit: torch.log1p(torch.exp(logit)), capsys)
    assert st == "wrong" and "inf" in out, out         # log(1 + exp(l)) overflows too
    stable = {
        "softplus": softplus,
        "-logsigmoid(-l)": lambda logit: -torch.nn.functional.logsigmoid(-logit),
        "max trick": lambda logit: logit.clamp(min=0) + torch.log1p(torch.exp(-logit.abs())),
    }
    for key, fn in stable.items():
        assert status("gail_reward", fn, capsys)[0] == "correct", key


def test_discriminator_loss_mistakes_are_rejected_and_named(capsys):
    expected = {
        "swapped": (lambda le, lp: softplus(le).mean() + softplus(-lp).mean(), "labels are swapped"),
        "sign": (lambda le, lp: -(softplus(-le).mean() + softplus(lp).mean()), "sign is flipped"),
        "sum": (lambda le, lp: softplus(-le).sum() + softplus(lp).sum(), "you sum over the pairs"),
        "one mean": (lambda le, lp: torch.cat([softplus(-le), softplus(lp)]).mean(), "one mean over the two"),
        "D not log D": (lambda le, lp: (1 - torch.sigmoid(le)).mean() + torch.sigmoid(lp).mean(), "D itself"),
        "per pair": (lambda le, lp: torch.cat([softplus(-le), softplus(lp)]), "per-pair losses"),
    }
    for key, (fn, words) in expected.items():
        st, out = status("gail_discriminator_loss", fn, capsys, hinted=True)
        assert st == "wrong", key
        assert "hint:" in out and words in out, (key, out)
    # a mistake outside the catalogue is still rejected, with no made-up hint
    st, out = status("gail_discriminator_loss", lambda le, lp: softplus(-le).mean() + 0.1, capsys, hinted=True)
    assert st == "wrong" and "hint:" not in out


def test_one_mean_over_both_batches_fails_only_where_the_sizes_differ(capsys):
    """The mean over the concatenation weighs each side by its batch size: with equal sizes it is
    half the loss, so the check catches it on the first case already; the unequal-size case
    catches the version that doubles it back."""
    doubled = lambda le, lp: 2 * torch.cat([softplus(-le), softplus(lp)]).mean()  # noqa: E731
    st, out = status("gail_discriminator_loss", doubled, capsys)
    assert st == "wrong" and "test case 2" in out


def test_reward_mistakes_are_rejected_and_named(capsys):
    cases = {
        "sign flipped": (lambda x: -softplus(x), "the sign is flipped"),
        "log D instead": (lambda x: -softplus(-x), "you return log D"),
        "the logit": (lambda x: x, "you return logit"),
        "D": (torch.sigmoid, "you return D = sigmoid(l)"),
    }
    for key, (fn, words) in cases.items():
        st, out = status("gail_reward", fn, capsys, hinted=True)
        assert st == "wrong", key
        assert words in out, (key, out)
    # the clip at |l| <= 10 is not asked for, but a reward that saturates early is wrong
    st, out = status("gail_reward", lambda x: softplus(x.clamp(-5, 5)), capsys, hinted=True)
    assert st == "wrong" and "hint:" not in out


def test_hint_is_silent_for_correct_and_unknown_names():
    assert ex.hint("gail_reward", ex.gail_reward) is None
    assert ex.hint("gail_discriminator_loss", ex.discriminator_loss) is None
    assert ex.hint("gail_discriminator_loss", todo) is None
    with pytest.raises(ValueError, match="no hints"):
        ex.hint("nope", todo)


# -- the graded assignment (notebook 05, section 10) ---------------------------------------------------


def test_absorbing_reward_check_wants_the_shift_and_a_stable_reward(capsys):
    assert status("gail_absorbing_reward", ex.absorbing_reward, capsys)[0] == "correct"
    st, out = status("gail_absorbing_reward", lambda x, la: -torch.log(1 - torch.sigmoid(x)) + torch.log(
        1 - torch.sigmoid(la)), capsys)
    assert st == "wrong" and "inf" in out and "stably" in out     # the naive form overflows at l = 50
    st, out = status("gail_absorbing_reward", lambda x, la: softplus(x), capsys, hinted=True)
    assert st == "wrong" and "do not subtract the absorbing state's reward" in out
    st, out = status("gail_absorbing_reward", lambda x, la: softplus(x.clamp(-10, 10)) - softplus(la.clamp(-10, 10)),
                     capsys, hinted=True)
    assert st == "wrong" and "you clip the logits" in out
    st, out = status("gail_absorbing_reward", lambda x, la: x - la, capsys, hinted=True)
    assert st == "wrong" and "logit form" in out
    assert status("gail_absorbing_reward", todo, capsys)[0] == "todo"


def test_gail_return_grades_the_run_and_names_swapped_labels():
    good = ex.gail_return(ex.weighted_discriminator_loss, ex.absorbing_reward, seed=0, verbose=False)
    assert good.passed and good.score >= ex.GAIL_ASSIGNMENT.threshold
    swapped = ex.gail_return(lambda le, lp, we, wp: ex.weighted_discriminator_loss(lp, le, wp, we),
                             ex.absorbing_reward, seed=0, verbose=False)
    assert swapped.status == "wrong" and swapped.score < 100 and "labels are swapped" in swapped.message
    unweighted = ex.gail_return(lambda le, lp, we, wp: softplus(-le).mean() + softplus(lp).mean(),
                                ex.absorbing_reward, seed=0, verbose=False)
    if not unweighted.passed:                                      # it may still learn; if not, say why
        assert "weighted mean" in unweighted.message
    stub = ex.gail_return(todo, ex.absorbing_reward, seed=0, verbose=False)
    assert stub.status == "todo" and stub.score is None
    policy, hist = stub.use                                        # the reference's run, for the cells below
    assert len(hist.episode_return) == ex.GAIL_ASSIGNMENT.iterations
    with pytest.raises(TypeError, match="callable"):
        ex.gail_return(None, ex.absorbing_reward)
