"""Notebook 03's exercises: a beta schedule, DAgger's aggregation loop on a toy problem, and the
graded assignment (DAgger's loop at scale on LaneKeeping)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..algorithms.dagger import MixturePolicy, aggregate, fit_learner, labelled_steps
from ..algorithms.schedules import make_schedule
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.evaluation import evaluate
from ..core.nets import STD_FLOOR
from ..core.rollout import rollout
from ..core.seeding import EVAL_SEED_OFFSET, ITERATION_SEED_STRIDE
from ..envs.registry import LANE_KEEPING, get_expert
from ..lessons.dagger import COURSE, episodes_for_labels
from . import exercise
from .grading import attempt

# -- a beta schedule ----------------------------------------------------------------------------


def _beta_cases():
    for i in (0, 1, 2, 5):
        yield ("indicator", None, i)
    for p in (0.5, 0.9, 0.0, 1.0):
        for i in (0, 1, 3):
            yield ("exponential", p, i)
    for n in (4, 2.5, 1):
        for i in (0, 1, 2, 3, 6):
            yield ("linear", n, i)
    for c in (0.3, 0.0):
        for i in (0, 1, 4):
            yield ("constant", c, i)


@exercise("beta_schedule", _beta_cases)
def beta_schedule(kind: str, param, i: int) -> float:
    """Reference: beta_i, the probability that the expert acts at iteration ``i``.

    beta_0 = 1 for every schedule (iteration 0 is the expert's data); for i >= 1:
    "constant": param; "linear": max(0, 1 - i / param); "exponential": param ** i;
    "indicator": 0.
    """
    if i == 0:
        return 1.0
    if kind == "constant":
        return float(param)
    if kind == "linear":
        return float(max(0.0, 1.0 - i / param))
    if kind == "exponential":
        return float(param ** i)
    if kind == "indicator":
        return 0.0
    raise ValueError(f"unknown schedule {kind!r}")


# -- the aggregation loop on a toy problem ---------------------------------------------------------
# The toy: a 1-D "car" at position x obeys x' = x + a + gust; the expert steers a* = -0.8 x + 0.3;
# a policy is a line (w, b) fitted by least squares; collecting drives 30 steps from a start
# that depends on the iteration. Everything is seeded, so two correct loops agree exactly.


def toy_expert(states: np.ndarray) -> np.ndarray:
    """The toy expert's labels: a* = -0.8 x + 0.3."""
    return -0.8 * np.asarray(states, np.float64) + 0.3


def toy_train(X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least squares: the line (w, b) with y ~ w x + b."""
    w, b = np.polyfit(np.asarray(X, np.float64), np.asarray(y, np.float64), 1)
    return float(w), float(b)


def toy_collect(policy: tuple[float, float], i: int, steps: int = 30) -> np.ndarray:
    """The states the toy car visits in ``steps`` steps driven by ``policy = (w, b)`` at iteration i."""
    rng = np.random.default_rng([7, i])
    w, b = policy
    x, visited = float(rng.uniform(-3, 3)), []
    for _ in range(steps):
        visited.append(x)
        x = x + np.clip(w * x + b, -1, 1) + rng.normal(0, 0.3)
    return np.array(visited)


def toy_expert_data(n: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` expert (state, label) pairs near the expert's own fixed point x = 0.3 / 0.8."""
    X = np.random.default_rng(seed).normal(0.375, 0.1, n)
    return X, toy_expert(X)


def _loop_cases():
    for n_iterations, n, seed in ((0, 10, 0), (1, 10, 0), (3, 10, 1), (5, 4, 2)):
        X0, y0 = toy_expert_data(n, seed)
        yield (X0, y0, toy_collect, toy_expert, toy_train, n_iterations)


@exercise("dagger_loop", _loop_cases)
def dagger_loop(X0, y0, collect, expert, train, n_iterations: int):
    """Reference: DAgger's loop. Start from the expert data (X0, y0); for i = 1..n_iterations:
    train a policy on all the data so far, ``collect(policy, i)`` the states it visits, label
    them with ``expert(states)``, and aggregate. Return the aggregated ``(X, y)``."""
    X, y = np.asarray(X0, np.float64), np.asarray(y0, np.float64)
    for i in range(1, n_iterations + 1):
        policy = train(X, y)                  # pi_i <- supervised learning on D
        states = collect(policy, i)           # the states pi_i visits
        X = np.concatenate([X, states])       # D <- D + {(s, pi*(s))}
        y = np.concatenate([y, expert(states)])
    return X, y


# -- the graded assignment: DAgger's loop on LaneKeeping (nbgrader) --------------------------------
# The student writes the loop at scale: roll out the mixture pi_i = beta_i pi* + (1 - beta_i) pi_hat,
# label every visited state with the expert, aggregate, retrain. The tests grade the data it
# returns on a tiny run (unit facts) and the learner of the course's run by its off-road rate,
# against BC trained on as many expert labels.


@dataclass(frozen=True)
class DAggerAssignment:
    """The graded DAgger run: notebook 03's (:data:`il_helpers.lessons.dagger.COURSE`): ``n_demos``
    expert episodes collected with the seed, ``iterations`` x ``episodes`` collected episodes with
    ``beta_i = 0.5 ** i``, the course's learner (16x16, 20 epochs, observations normalized with the
    expert data's statistics), tested on ``eval_episodes`` episodes (seed ``seed + EVAL_SEED_OFFSET``).
    It passes when the final learner leaves the road on at most ``max_off_road`` of the steps and less
    often than BC trained on at least as many expert labels. The same in fast and full mode."""

    n_demos: int = 2
    iterations: int = 5
    episodes: int = 2
    schedule: tuple = ("exponential", 0.5)
    eval_episodes: int = 100
    max_off_road: float = 0.005


DAGGER_ASSIGNMENT = DAggerAssignment()


def assignment_demos(seed: int = 0):
    """The expert demonstrations the graded run starts from (as ``lessons.dagger.course_demos``)."""

    return collect_demonstrations(LANE_KEEPING, DAGGER_ASSIGNMENT.n_demos, seed=int(seed))


def learner_fit(demos, seed: int = 0):
    """``fit(data) -> policy``: the course's learner retrained from scratch on ``data``, its input
    normalized with the statistics of the expert's ``demos`` (DAgger's ``normalize="expert"``)."""

    stats = (demos.obs.mean(0), np.maximum(demos.obs.std(0), STD_FLOOR))
    return lambda data: fit_learner(data, COURSE.bc, seed, stats)


def reference_dagger(demos, expert, fit, iterations, episodes, beta, seed):
    """Reference: DAgger's loop, the one the notebook's solution region holds. Returns ``(policy, data)``."""

    data = demos
    policy = fit(data)                                                   # pi_hat_0: BC on the expert's data
    for i in range(1, iterations + 1):
        mixture = MixturePolicy(expert, policy, beta(i), seed=[seed, i, 7])  # beta_i pi* + (1 - beta_i) pi_hat
        r = rollout(mixture, demos.env_id, n_episodes=episodes, seed=seed + ITERATION_SEED_STRIDE * i,
                    label_policy=expert)                                 # the visited states, labelled
        data = aggregate(data, labelled_steps(r))                        # D <- D + {(s, pi*(s))}
        policy = fit(data)                                               # retrain on everything
    return policy, data


def _dagger_args(seed: int, iterations: int, episodes: int):

    demos = assignment_demos(seed)
    expert = get_expert(demos.env_id)
    return (demos, expert, learner_fit(demos, seed), iterations, episodes,
            make_schedule(DAGGER_ASSIGNMENT.schedule), seed)


def _unpack(value):
    """The answer's ``(policy, data)``, or what is wrong with its return value."""

    if not (isinstance(value, tuple) and len(value) == 2):
        return None, None, (f"returned {type(value).__name__}, not the pair (policy, data): "
                            "end with `return policy, data`")
    policy, data = value
    if not isinstance(data, Demonstrations):
        return None, None, (f"returned data of type {type(data).__name__}; the aggregated data must be "
                            "Demonstrations (aggregate(data, labelled_steps(r)))")
    return policy, data, None


def dagger_data(fn, seed: int = 0, verbose: bool = True):
    """Grade the data ``fn(demos, expert, fit, iterations, episodes, beta, seed) -> (policy, data)``
    returns on a tiny run (2 iterations of 1 episode): the expert's data first, unchanged; one
    labelled step per visited state (LaneKeeping episodes are 200 steps); the expert's labels."""

    iterations, episodes = 2, 1
    args = _dagger_args(seed, iterations, episodes)
    demos, expert = args[0], args[1]

    def judge(value):
        _, data, problem = _unpack(value)
        if problem:
            return problem
        want = len(demos) + iterations * episodes * 200
        if len(data) != want:
            return (f"with {len(demos)} expert steps, {iterations} iterations x {episodes} episode of 200 steps, "
                    f"the data should hold {want} steps, it holds {len(data)}: "
                    + ("is the expert's data kept (aggregate, do not replace)?" if len(data) < want else
                       "is every iteration's data added once (aggregate the new steps, not the whole data again)?"))
        if not np.array_equal(data.obs[: len(demos)], demos.obs):
            return "the data does not start with the expert's demonstrations: aggregate onto them, keep them first"
        labels = expert(data.obs)
        wrong = np.flatnonzero(np.abs(np.asarray(data.actions) - labels).max(axis=1) > 1e-5)
        if len(wrong):
            return (f"{len(wrong)} of {len(data)} actions in the data are not the expert's at their state (first: "
                    f"step {wrong[0]}): label every visited state with the expert (rollout(..., label_policy=expert)"
                    ", labelled_steps), never with the action that was executed")
        return None

    return attempt("dagger_data", fn, args, judge, verbose=verbose,
                   praise=f"the data keeps the {len(demos)} expert steps and adds the {iterations * episodes * 200} "
                          "visited states with the expert's labels.")


def dagger_outcome(fn, seed: int = 0, verbose: bool = True):
    """Grade the learner of the course's run (:data:`DAGGER_ASSIGNMENT`) by its off-road rate, against
    BC on at least as many expert labels. ``result.use`` is the ``(policy, data)`` the cells below use,
    ``result.score`` the learner's off-road rate, ``result.bc`` BC's evaluation."""

    a = DAGGER_ASSIGNMENT
    args = _dagger_args(seed, a.iterations, a.episodes)
    demos, fit = args[0], args[2]
    budget = len(demos) + a.iterations * a.episodes * 200
    measured = {}

    def judge(value):
        policy, data, problem = _unpack(value)
        if problem:
            return problem
        if len(data) != budget:
            return (f"the data holds {len(data)} labelled steps; the course's run uses {budget} ({len(demos)} expert "
                    f"steps + {a.iterations} iterations x {a.episodes} episodes x 200): the test 'dagger_data' above "
                    "says more.")
        ours = evaluate(policy, demos.env_id, n_episodes=a.eval_episodes, seed=seed + EVAL_SEED_OFFSET)
        bc_demos = collect_demonstrations(demos.env_id, episodes_for_labels(len(data)), seed=seed)
        bc = evaluate(fit(bc_demos), demos.env_id, n_episodes=a.eval_episodes, seed=seed + EVAL_SEED_OFFSET)
        measured.update(score=ours.off_road_rate, bc=bc)
        if ours.off_road_rate <= a.max_off_road and ours.off_road_rate < bc.off_road_rate:
            return None
        return (f"your learner leaves the road on {100 * ours.off_road_rate:.2f}% of the steps ({a.eval_episodes} test "
                f"episodes, seed {seed}); it needs at most {100 * a.max_off_road:.1f}% and less than BC's "
                f"{100 * bc.off_road_rate:.2f}% with {len(bc_demos) } expert labels. Does the learner drive while "
                "collecting (the mixture of the expert and the latest learner with beta(i), not the expert alone)? "
                "Is the learner retrained on all the data after each iteration?")

    def praise(_):
        return (f"your learner leaves the road on {100 * measured['score']:.2f}% of the steps (at most "
                f"{100 * a.max_off_road:.1f}%), BC with as many labels on {100 * measured['bc'].off_road_rate:.2f}%.")

    result = attempt("dagger_outcome", fn, args, judge, reference=lambda: reference_dagger(*args), praise=praise,
                     verbose=verbose)
    result.score, result.bc = measured.get("score"), measured.get("bc")
    return result
