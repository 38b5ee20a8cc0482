"""Notebook 05's exercises: the discriminator's loss and the generator's reward, from logits.

The course's label convention (:mod:`il_helpers.algorithms.adversarial`): ``D(s, a) = sigmoid(l(s, a))`` is the
probability that the pair came from the **expert**; expert pairs have label 1, policy pairs label 0.

``check(name, fn)`` (from :mod:`il_helpers.exercises`) says whether an answer is right;
:func:`check_with_hint` does the same and, for a wrong answer, names the classic mistake it
matches (swapped labels, a flipped sign, a sum instead of a mean, the wrong reward form...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.nn.functional import softplus

from ..algorithms import adversarial
from . import check, exercise
from .grading import attempt
from .safety import TIME_LIMIT, copies, run, to_array

# -- the discriminator's loss ----------------------------------------------------------------------


def _loss_cases():
    g = torch.Generator().manual_seed(5)
    # D = 1/2 everywhere: log 2 + log 2
    yield (torch.zeros(4), torch.zeros(4))
    # moderate logits (|l| up to about 5: sigmoid-then-log is accurate enough there in float32)
    yield ((torch.randn(8, generator=g) * 1.5).clamp(-5, 5), (torch.randn(8, generator=g) * 1.5).clamp(-5, 5))
    # different batch sizes: each side is a mean over its own batch
    yield ((torch.randn(5, generator=g) + 1).clamp(-5, 5), (torch.randn(12, generator=g) - 1).clamp(-5, 5))
    yield (torch.tensor([1.5]), torch.tensor([-0.5]))
    # a confident discriminator, right (loss near 0) and wrong (large loss); float64
    yield (torch.tensor([12.0, 9.0], dtype=torch.float64), torch.tensor([-10.0, -14.0, -8.0], dtype=torch.float64))
    yield (torch.tensor([-9.0], dtype=torch.float64), torch.tensor([11.0, 7.0], dtype=torch.float64))


@exercise("gail_discriminator_loss", _loss_cases)
def discriminator_loss(logit_expert: torch.Tensor, logit_policy: torch.Tensor) -> torch.Tensor:
    """Reference: the discriminator's binary cross-entropy, a scalar ::

        L_D = -mean_expert log D(s, a) - mean_policy log(1 - D(s, a)),   D = sigmoid(logit)

    (expert label 1, policy label 0; each mean over its own batch). From logits, stably:
    ``-log D = softplus(-l)`` and ``-log(1 - D) = softplus(l)``. Same as
    :func:`il_helpers.algorithms.adversarial.discriminator_loss`.
    """
    return adversarial.discriminator_loss(logit_expert, logit_policy)


# -- the generator's reward ------------------------------------------------------------------------


def _reward_cases():
    g = torch.Generator().manual_seed(6)
    yield (torch.tensor([0.0]),)                                            # D = 1/2: log 2
    yield (torch.linspace(-6.0, 6.0, 13),)                                  # float32, moderate logits
    yield ((torch.randn(10, generator=g) * 2).clamp(-6, 6),)
    yield (torch.tensor([-9.5, -3.0, 4.0, 9.5], dtype=torch.float64),)      # confident
    # large |l|, the edge the exercise asks for: 1 - sigmoid(l) rounds to 0, so the naive -log(1 - sigmoid(l))
    # returns inf (and log(1 + exp(l)) overflows); softplus / logsigmoid stay exact (softplus(l) ~ l for large l)
    yield (torch.tensor([-500.0, -50.0, 0.5, 50.0, 500.0]),)
    yield (torch.tensor([-1000.0, -40.0, 40.0, 1000.0], dtype=torch.float64),)


@exercise("gail_reward", _reward_cases)
def gail_reward(logit: torch.Tensor) -> torch.Tensor:
    """Reference: GAIL's usual generator reward ``-log(1 - D) = softplus(l)`` from the
    discriminator's logit ``l`` (``D = sigmoid(l)``); always >= 0, same shape as ``logit``, computed
    stably for large ``|l|`` (the test cases go to ``|l| = 1000``, where ``-log(1 - sigmoid(l))`` is inf).

    The other forms of :data:`il_helpers.algorithms.adversarial.REWARD_FORMS` are ``log D = -softplus(-l)`` (always
    < 0) and the logit ``l = log D - log(1 - D)`` itself. Equal to
    ``il_helpers.algorithms.adversarial.gail_reward(logit, "-log(1-D)")`` for ``|l| <= 10``; the library also clips the
    logit to +-10 (a training safeguard this exercise does not ask for), so here it is ``softplus`` itself.
    """
    return softplus(logit)


# -- naming the classic mistakes ---------------------------------------------------------------------


#: wrong discriminator losses, each with what it gets wrong
LOSS_MISTAKES: list[tuple[Callable, str]] = [
    (lambda le, lp: adversarial.discriminator_loss(lp, le),
     "the labels are swapped: in this course D = P(expert), so expert pairs have label 1 (-log D) and policy "
     "pairs label 0 (-log(1 - D)); Ho & Ermon's paper uses the opposite convention"),
    (lambda le, lp: -adversarial.discriminator_loss(le, lp),
     "the sign is flipped: you return E[log D] + E[log(1 - D)], the quantity the discriminator maximizes; "
     "a loss to minimize is its negative"),
    (lambda le, lp: -adversarial.discriminator_loss(lp, le),
     "both the labels and the sign are flipped"),
    (lambda le, lp: softplus(-le).sum() + softplus(lp).sum(),
     "you sum over the pairs: take the mean over each batch (the loss must not grow with the batch size)"),
    (lambda le, lp: torch.cat([softplus(-le), softplus(lp)]).mean(),
     "you take one mean over the two batches together: take the mean over each batch, then add the two means "
     "(the sides must not be weighted by their batch sizes)"),
    (lambda le, lp: adversarial.discriminator_loss(le, lp) / 2,
     "you average the two terms: the loss is their sum"),
    (lambda le, lp: softplus(-le).mean(),
     "only the expert term: add the policy term -mean log(1 - D(policy))"),
    (lambda le, lp: softplus(lp).mean(),
     "only the policy term: add the expert term -mean log D(expert)"),
    (lambda le, lp: softplus(le).mean() + softplus(lp).mean(),
     "the expert term uses -log(1 - D): expert pairs have label 1, so their term is -log D = softplus(-l)"),
    (lambda le, lp: softplus(-le).mean() + softplus(-lp).mean(),
     "the policy term uses -log D: policy pairs have label 0, so their term is -log(1 - D) = softplus(l)"),
    (lambda le, lp: (1 - torch.sigmoid(le)).mean() + torch.sigmoid(lp).mean(),
     "you use D itself, not its logarithm: the cross-entropy is -log D and -log(1 - D)"),
]

#: the reward forms, and other functions of the logit a wrong answer may compute (name: function, formula)
REWARD_CANDIDATES: dict[str, tuple[Callable, str]] = {
    "-log(1-D)": (softplus, "softplus(l)"),
    "log D": (lambda x: -softplus(-x), "-softplus(-l)"),
    "logit": (lambda x: x, "l"),
    "log(1-D)": (lambda x: -softplus(x), "-softplus(l)"),
    "-log D": (lambda x: softplus(-x), "softplus(-l)"),
    "-logit": (lambda x: -x, "-l"),
    "D": (torch.sigmoid, "sigmoid(l)"),
    "1-D": (lambda x: torch.sigmoid(-x), "1 - sigmoid(l)"),
    "log(1+D)": (lambda x: torch.log1p(torch.sigmoid(x)), "log(1 + sigmoid(l))"),
}


def _close(got, want) -> bool:
    try:
        got, want = to_array(got), to_array(want)
    except (TypeError, ValueError, RuntimeError):
        return False
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-4, atol=1e-5))


def _outputs(fn: Callable, cases: list[tuple], time_limit: float | None) -> list | None:
    """The answer's outputs on the hint's own cases (copies, time limit, nothing escapes); None if it fails."""
    outs = []
    for args in cases:
        outcome = run(fn, copies(args), time_limit)
        if outcome.kind != "ok":  # the check has reported it already
            return None
        outs.append(outcome.value)
    return outs


def _shape(x) -> tuple | None:
    try:
        return to_array(x).shape
    except (TypeError, ValueError, RuntimeError):
        return None


def _loss_hint(fn: Callable, time_limit: float | None = TIME_LIMIT) -> str | None:
    g = torch.Generator().manual_seed(11)
    cases = [(torch.randn(6, generator=g) + 0.7, torch.randn(9, generator=g) - 0.4),
             (torch.tensor([2.0, -1.0, 0.5]), torch.tensor([-3.0, 1.0]))]
    outs = _outputs(fn, cases, time_limit)
    if outs is None:
        return None
    if all(_shape(o) in ((len(le),), (len(le) + len(lp),)) for o, (le, lp) in zip(outs, cases)):
        return "you return per-pair losses: return one number, mean over each batch, and add the two means"
    for wrong, message in LOSS_MISTAKES:
        if all(_close(o, wrong(le, lp)) for o, (le, lp) in zip(outs, cases)):
            return message
    return None


def _reward_hint(fn: Callable, time_limit: float | None = TIME_LIMIT) -> str | None:
    x = torch.linspace(-4.0, 4.0, 9)
    outs = _outputs(fn, [(x,)], time_limit)
    if outs is None:
        return None
    out = outs[0]
    for name, (f, formula) in REWARD_CANDIDATES.items():
        if name != "-log(1-D)" and _close(out, f(x)):
            if name == "log(1-D)":
                return f"the sign is flipped: you return {name} = {formula}, GAIL's reward is -log(1-D) = softplus(l)"
            return f"you return {name} = {formula}; this exercise's reward is -log(1-D) = softplus(l)"
    return None


def _absorbing_reward_hint(fn: Callable, time_limit: float | None = TIME_LIMIT) -> str | None:
    cases = [(torch.linspace(-4.0, 4.0, 9), torch.tensor(-2.0)), (torch.tensor([-30.0, 0.0, 30.0]), torch.tensor(1.0))]
    outs = _outputs(fn, cases, time_limit)
    if outs is None:
        return None
    wrong = [(lambda x, a: softplus(x), "you do not subtract the absorbing state's reward softplus(l_abs): without "
              "the shift every step pays a survival bonus (section 4's termination bias)"),
             (lambda x, a: softplus(a) - softplus(x),
              "the sign is flipped: the reward is softplus(l) - softplus(l_abs)"),
             (lambda x, a: x - a,
              "you use the logit form l - l_abs; this assignment's reward is -log(1-D) = softplus(l)"),
             (lambda x, a: softplus(x.clamp(-10, 10)) - softplus(a.clamp(-10, 10)),
              "you clip the logits: the library does, as a training safeguard, but this assignment asks for the "
              "reward itself")]
    for f, message in wrong:
        if all(_close(o, f(*args)) for o, args in zip(outs, cases)):
            return message
    return None


HINTS: dict[str, Callable[..., str | None]] = {"gail_discriminator_loss": _loss_hint,
                                                        "gail_reward": _reward_hint,
                                                        "gail_absorbing_reward": _absorbing_reward_hint}


def hint(name: str, fn: Callable, time_limit: float | None = TIME_LIMIT) -> str | None:
    """The classic mistake that ``fn`` makes in exercise ``name``, in words (None if it matches none)."""
    if name not in HINTS:
        raise ValueError(f"no hints for {name!r}; known: {', '.join(sorted(HINTS))}")
    return HINTS[name](fn, time_limit)


def check_with_hint(name: str, fn: Callable, verbose: bool = True, time_limit: float | None = TIME_LIMIT) -> Callable:
    """:func:`il_helpers.exercises.check`, plus a line naming the mistake when the answer is wrong
    (sets ``check.last_status`` too). Returns the function to use next, like ``check``. The hint runs
    the answer again on its own cases, as safely as the check does."""
    out = check(name, fn, verbose=verbose, time_limit=time_limit)
    if check.last_status == "wrong" and verbose:
        message = hint(name, fn, time_limit)
        if message:
            print(f"   hint: {message}")
    return out


# -- the graded assignment: GAIL's discriminator update and reward on CartPole (nbgrader) -------------
# The student writes the reward with the absorbing state (graded on unit cases, the exercise
# "gail_absorbing_reward": huge logits, the absorbing state itself) and the discriminator's weighted loss;
# the course's GAIL trainer runs both (train_gail's d_loss= / reward_fn= hooks) and the test grades the
# return of the policy it trains.


def _absorbing_reward_cases():
    g = torch.Generator().manual_seed(17)
    yield (torch.tensor([0.0]), torch.tensor(0.0))                             # D = 1/2 on both: 0
    yield (torch.linspace(-6.0, 6.0, 13), torch.tensor(-3.0))                  # moderate logits
    yield ((torch.randn(4, 5, generator=g) * 3), torch.tensor(-8.0))           # (episodes, steps), as in training
    yield (torch.tensor([2.5, 2.5, 2.5]), torch.tensor(2.5))                   # the absorbing state is worth 0
    # huge logits: 1 - sigmoid(l) rounds to 0 (the naive -log(1 - sigmoid(l)) is inf) and exp(l) overflows
    yield (torch.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0]), torch.tensor(-1000.0))
    yield (torch.tensor([-40.0, 0.0, 40.0], dtype=torch.float64), torch.tensor(1000.0, dtype=torch.float64))
    yield (torch.tensor([[90.0, -90.0], [3.0, 700.0]]), torch.tensor(-90.0))


@exercise("gail_absorbing_reward", _absorbing_reward_cases)
def absorbing_reward(logits: torch.Tensor, logit_absorbing: torch.Tensor) -> torch.Tensor:
    """Reference: GAIL's reward ``-log(1 - D) = softplus(l)`` shifted by the absorbing state's, so that the
    absorbing state is worth exactly 0: ``softplus(logits) - softplus(logit_absorbing)``, the shape of
    ``logits``, finite for any logit (no clipping)."""
    return softplus(logits) - softplus(logit_absorbing)


def weighted_discriminator_loss(logit_expert, logit_policy, weight_expert, weight_policy) -> torch.Tensor:
    """Reference: ``-sum_i w_i log D(x_i) / sum_i w_i`` over the expert side plus ``-sum_j w_j log(1 - D(x_j)) /
    sum_j w_j`` over the policy side (:func:`il_helpers.algorithms.adversarial.discriminator_loss`)."""
    return adversarial.discriminator_loss(logit_expert, logit_policy, weight_expert, weight_policy)


@dataclass(frozen=True)
class GAILAssignment:
    """The graded GAIL run: ``n_demos`` expert episodes of CartPole-v1 (seed ``DEMO_SEED``), ``il.train_gail`` for
    ``iterations`` with the absorbing state and the student's loss and reward, the policy tested on
    ``eval_episodes`` episodes (seed ``EVAL_SEED + seed``); it passes at a mean return of at least ``threshold``
    (the expert: 500, the random policy: about 22). The same in fast and full mode."""

    n_demos: int = 10
    iterations: int = 12
    eval_episodes: int = 20
    threshold: float = 350.0


GAIL_ASSIGNMENT = GAILAssignment()
DEMO_SEED, EVAL_SEED = 10_000, 20_000     # as in notebook 05's section 3


def assignment_demos(seed: int = 0):
    """The graded run's demonstrations (the same for every seed: notebook 05's CartPole demonstrations)."""
    from ..core.demonstrations import collect_demonstrations

    return collect_demonstrations("CartPole-v1", GAIL_ASSIGNMENT.n_demos, seed=DEMO_SEED)


def reference_gail(seed: int = 0):
    """The reference solution's run: ``(policy, history)``."""
    return _train(weighted_discriminator_loss, absorbing_reward, seed)


def _train(d_loss, reward_fn, seed):
    from ..algorithms.gail import train_gail

    return train_gail(assignment_demos(seed), seed=seed, iterations=GAIL_ASSIGNMENT.iterations, absorbing=True,
                      d_loss=d_loss, reward_fn=reward_fn)


def _loss_problem(d_loss) -> str:
    """What the answer's loss gets wrong on two small cases (equal weights, then unequal ones), or ''."""
    g = torch.Generator().manual_seed(23)
    le, lp = torch.randn(6, generator=g) + 1, torch.randn(5, generator=g) - 1
    unequal = (torch.rand(6, generator=g) + 0.1, torch.rand(5, generator=g) + 0.1)
    for weights in ((torch.ones(6), torch.ones(5)), unequal):
        args = (le, lp, *weights)
        outcome = run(d_loss, copies(args), TIME_LIMIT)
        if outcome.kind != "ok" or _close(outcome.value, weighted_discriminator_loss(*args)):
            continue
        if weights[0].eq(1).all():
            named = [message for wrong, message in LOSS_MISTAKES if _close(outcome.value, wrong(le, lp))]
            return f" Your loss: {named[0]}." if named else (
                " Your loss is not the cross-entropy on a small case (expert label 1: -log D = softplus(-l); policy "
                "label 0: -log(1 - D) = softplus(l)).")
        return (" Your loss is right with equal weights but not with unequal ones: each side is a weighted mean, "
                "sum_i w_i loss_i / sum_i w_i (the absorbing state enters with its share of the steps).")
    return ""


def gail_return(d_loss, reward_fn, seed: int = 0, verbose: bool = True):
    """Grade ``d_loss(logit_expert, logit_policy, weight_expert, weight_policy)`` (and ``reward_fn(logits,
    logit_absorbing)``) by the return of the policy ``il.train_gail`` trains with them (:data:`GAIL_ASSIGNMENT`).
    ``result.use`` is the ``(policy, history)`` the cells below use, ``result.score`` the mean test return."""
    from ..core.evaluation import evaluate

    for what, fn in (("d_loss", d_loss), ("reward_fn", reward_fn)):
        if not callable(fn):
            raise TypeError(f"gail_return: pass your function itself as {what} (a callable), got {type(fn).__name__}")
    a = GAIL_ASSIGNMENT
    measured = {}

    def judge(value):
        policy, _ = value
        res = evaluate(policy, "CartPole-v1", n_episodes=a.eval_episodes, seed=EVAL_SEED + seed)
        measured["score"] = res.return_mean
        if res.return_mean >= a.threshold:
            return None
        return (f"the policy GAIL trained with your functions returns {res.return_mean:.1f} on {a.eval_episodes} test "
                f"episodes (seed {seed}); it needs {a.threshold:g} (the reference reaches about 500)."
                f"{_loss_problem(d_loss)} Does the discriminator minimize its loss (expert pairs label 1, policy "
                "pairs label 0)?")

    def praise(_):
        return (f"the policy returns {measured['score']:.1f} on {a.eval_episodes} test episodes (seed {seed}; it needs "
                f"{a.threshold:g}).")

    result = attempt("gail_return", _train, (d_loss, reward_fn, seed), judge, reference=lambda: reference_gail(seed),
                     verbose=verbose, praise=praise)
    result.score = measured.get("score")
    return result


__all__ = ["discriminator_loss", "gail_reward", "hint", "check_with_hint", "LOSS_MISTAKES", "REWARD_CANDIDATES",
           "absorbing_reward", "weighted_discriminator_loss", "GAIL_ASSIGNMENT", "gail_return", "reference_gail"]
