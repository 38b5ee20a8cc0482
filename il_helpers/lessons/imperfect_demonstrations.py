"""Notebook 08's experiments: learning from imperfect demonstrations, and beating the demonstrator.

* :func:`suboptimal_demos`: notebook 02's mixed-quality LaneKeeping demonstrators **without the
  expert** (:data:`SUBOPTIMAL`: the noisy expert, the driver without curvature preview and the
  edge hugger; each drives ``n`` episodes), so that no demonstration is at the expert's level;
  :func:`demonstrator_levels` measures each one's normalized score (its own driving, 100 episodes).
* :func:`trex_runs`: per seed (each its own demonstrations), the best demonstrator's level, BC,
  return-weighted BC and T-REX + PPO on the same data, and the learned reward's correlation with
  the true return on held-out episodes of the same demonstrators.
* :func:`self_improve_runs`: the self-improvement loop on a single 0.75-level demonstrator (the
  edge hugger), the score of every round's clone.
* :func:`robust_runs`: BC on expert demonstrations whose labels are ``corrupt_frac`` wrong
  (:func:`corrupt_labels`), with the MSE, Huber and trimmed losses;
  :func:`dagger_wrong_expert_runs`: DAgger asking an expert who is wrong that share of the time
  (:class:`WrongExpert`), with MSE and Huber.
* :func:`preferences_runs`: preference comparisons on CartPole (no demonstrations): per seed, the
  labels used and the policy's normalized score every few PPO iterations, and the final score.
"""

from __future__ import annotations

import numpy as np
import torch

from ..algorithms.bc import BCConfig, train_bc
from ..algorithms.dagger import train_dagger
from ..algorithms.preferences import train_preferences
from ..algorithms.self_improve import train_self_improve
from ..algorithms.trex import return_correlation, train_trex
from ..core.checks import check, check_probability
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.evaluation import evaluate, summarize
from ..core.policies import Policy
from ..core.rollout import rollout
from ..envs.registry import LANE_KEEPING, get_expert
from .behavioral_cloning import MixedQuality, degraded_demonstrators, mixed_quality_demos, return_weights

#: the demonstrators of notebook 08: notebook 02's LaneKeeping set, the expert left out
SUBOPTIMAL = tuple(d.name for d in degraded_demonstrators(LANE_KEEPING) if d.name != "expert")
#: episodes per demonstrator (T-REX's ranked set), held-out episodes per demonstrator (the correlation)
N_PER_DEMONSTRATOR, N_HELD_OUT = 8, 10
#: the held-out episodes of seed s are collected with seed s + HELD_OUT_SEED; evaluation with EVAL_SEED + s
HELD_OUT_SEED, EVAL_SEED = 100, 1000
#: the self-improvement loop's demonstrator (a 0.75-level driver) and its number of demonstrations
SELF_IMPROVE_DEMONSTRATOR, SELF_IMPROVE_DEMOS = "edge hugger", 10
#: robust imitation: the share of corrupted labels, and the horizon of the test drives (longer: errors compound)
CORRUPT_FRAC, ROBUST_HORIZON = 0.2, 1000
ROBUST_LOSSES = ("mse", "huber", "trimmed")


def suboptimal_demonstrators():
    """The :class:`~il_helpers.lessons.behavioral_cloning.Demonstrator` objects of :data:`SUBOPTIMAL`."""
    return [d for d in degraded_demonstrators(LANE_KEEPING) if d.name in SUBOPTIMAL]


def suboptimal_demos(seed: int = 0, n: int = N_PER_DEMONSTRATOR) -> MixedQuality:
    """Each demonstrator of :data:`SUBOPTIMAL` drives ``n`` LaneKeeping episodes (seeded by ``seed``)."""
    return mixed_quality_demos(LANE_KEEPING, n, seed=seed, demonstrators=suboptimal_demonstrators())


def held_out_demos(seed: int = 0, n: int = N_HELD_OUT) -> MixedQuality:
    """Fresh episodes of the same demonstrators (seed ``seed + HELD_OUT_SEED``): the reward's test set."""
    return suboptimal_demos(seed + HELD_OUT_SEED, n)


def demonstrator_levels(n_episodes: int = 100, seed: int = 999) -> dict[str, float]:
    """Each demonstrator's normalized score, driving ``n_episodes`` on its own (noise included)."""
    expert = get_expert(LANE_KEEPING)
    return {d.name: summarize(rollout(d.policy or expert, LANE_KEEPING, n_episodes, seed=seed,
                                      noise=d.noise)).normalized for d in suboptimal_demonstrators()}


def trex_runs(seeds, n_eval: int = 100, trex: dict | None = None, methods=("bc", "weighted_bc", "trex"),
              progress=None) -> list[dict]:
    """Per seed: BC, return-weighted BC (temperature 0.5) and T-REX + PPO (settings ``trex``) on
    :func:`suboptimal_demos` of that seed, their normalized scores on ``n_eval`` episodes (seed
    ``EVAL_SEED + seed``), the T-REX reward's correlation with the true return over
    :func:`held_out_demos`, and the T-REX history (``"history"``)."""
    rows = []
    for s in seeds:
        s = int(s)
        mq = suboptimal_demos(s)
        row = {"seed": s, "demo_returns": mq.returns, "sources": mq.sources}
        if "bc" in methods:
            pol, _ = train_bc(mq.demos, seed=s)
            row["bc"] = evaluate(pol, LANE_KEEPING, n_eval, seed=EVAL_SEED + s).normalized
        if "weighted_bc" in methods:
            pol, _ = train_bc(mq.demos, seed=s, weights=return_weights(mq.demos, 0.5))
            row["weighted_bc"] = evaluate(pol, LANE_KEEPING, n_eval, seed=EVAL_SEED + s).normalized
        if "trex" in methods:
            pol, hist = train_trex(mq.demos, seed=s, **(trex or {}))
            row["trex"] = evaluate(pol, LANE_KEEPING, n_eval, seed=EVAL_SEED + s).normalized
            held = held_out_demos(s)
            row["correlation"] = return_correlation(hist.reward, held.demos)
            row["held_out"] = (held.returns, hist.reward.episode_returns(held.demos))
            row["history"] = hist
        rows.append(row)
        if progress is not None:
            progress(len(rows), len(seeds), {"seed": s})
    return rows


def self_improve_runs(seeds, n_eval: int = 100, settings: dict | None = None) -> list[dict]:
    """Per seed: :data:`SELF_IMPROVE_DEMOS` episodes of the edge hugger (its own seed), the
    self-improvement loop (``settings``), the normalized score of every round's clone (round 0 is
    BC on the demonstrations) on ``n_eval`` episodes."""
    who = [d for d in suboptimal_demonstrators() if d.name == SELF_IMPROVE_DEMONSTRATOR]
    rows = []
    for s in seeds:
        s = int(s)
        mq = mixed_quality_demos(LANE_KEEPING, SELF_IMPROVE_DEMOS, seed=s, demonstrators=who)
        _, hist = train_self_improve(mq.demos, seed=s, **(settings or {}))
        scores = [evaluate(p, LANE_KEEPING, n_eval, seed=EVAL_SEED + s).normalized for p in hist.policies]
        rows.append({"seed": s, "scores": scores, "history": hist})
    return rows


def corrupt_labels(demos: Demonstrations, frac: float = CORRUPT_FRAC, seed: int = 0) -> Demonstrations:
    """``demos`` with a ``frac`` share of its continuous labels replaced by uniform random actions
    in the action bounds (a demonstrator who is sometimes simply wrong); ``meta["corrupted"]``
    marks which steps."""
    check(isinstance(demos, Demonstrations) and not demos.discrete, "demos", "Demonstrations with continuous actions",
          type(demos).__name__, "corrupt_labels")
    frac = check_probability("frac", frac, where="corrupt_labels")
    rng = np.random.default_rng([int(seed), 8])
    wrong = rng.random(len(demos)) < frac
    actions = demos.actions.copy()
    actions[wrong] = rng.uniform(-1.0, 1.0, (int(wrong.sum()), actions.shape[1])).astype(np.float32)
    return Demonstrations(obs=demos.obs, actions=actions, taken=demos.taken, rewards=demos.rewards,
                          next_obs=demos.next_obs, terminated=demos.terminated, episode_lengths=demos.episode_lengths,
                          env_id=demos.env_id, expert=f"{demos.expert} ({frac:.0%} wrong)",
                          meta={**demos.meta, "corrupted": float(frac)})


def robust_runs(seeds, frac: float = CORRUPT_FRAC, n_demos: int = 10, n_eval: int = 50,
                losses=ROBUST_LOSSES) -> list[dict]:
    """Per seed: ``n_demos`` expert episodes (seed ``100 + seed``), ``frac`` of their labels corrupted
    (:func:`corrupt_labels`), BC with each loss; the normalized score over ``n_eval`` drives of
    ``ROBUST_HORIZON`` steps and the action error (mean squared, against the expert's true action)
    on 10 clean test episodes."""
    test = collect_demonstrations(LANE_KEEPING, 10, seed=999)
    rows = []
    for s in seeds:
        s = int(s)
        data = corrupt_labels(collect_demonstrations(LANE_KEEPING, n_demos, seed=100 + s), frac, seed=s)
        row = {"seed": s}
        for loss in losses:
            pol, _ = train_bc(data, loss=loss, seed=s)
            with torch.no_grad():
                row[f"{loss}_error"] = float(((pol(test.obs) - test.actions) ** 2).mean())
            row[loss] = evaluate(pol, LANE_KEEPING, n_eval, seed=EVAL_SEED + s, horizon=ROBUST_HORIZON).normalized
        rows.append(row)
    return rows


class WrongExpert(Policy):
    """LaneKeeping's expert, wrong a share ``p`` of the time: a uniform random steering command
    instead of its own (its own generator, seeded)."""

    def __init__(self, p: float = CORRUPT_FRAC, seed: int = 0):
        self.expert, self.p = get_expert(LANE_KEEPING), check_probability("p", p, where="WrongExpert")
        self.rng, self.name = np.random.default_rng([int(seed), 9]), f"expert wrong {p:.0%} of the time"

    def act(self, obs: np.ndarray) -> np.ndarray:
        a = np.asarray(self.expert(obs), dtype=np.float32).reshape(len(obs), 1)
        wrong = self.rng.random(len(obs)) < self.p
        a[wrong] = self.rng.uniform(-1.0, 1.0, (int(wrong.sum()), 1))
        return a


def dagger_wrong_expert_runs(seeds, p: float = CORRUPT_FRAC, n_demos: int = 4, iterations: int = 5,
                             n_eval: int = 50, losses=("mse", "huber")) -> list[dict]:
    """Per seed: DAgger whose expert (labels of the ``n_demos`` demonstrations and of every queried
    state) is wrong a share ``p`` of the time (:class:`WrongExpert`), ``iterations`` iterations of 2
    episodes, BC with each loss; the normalized score over ``n_eval`` drives of ``ROBUST_HORIZON`` steps."""
    rows = []
    for s in seeds:
        s = int(s)
        demos = collect_demonstrations(LANE_KEEPING, n_demos, seed=100 + s, policy=get_expert(LANE_KEEPING),
                                       label_policy=WrongExpert(p, s))
        row = {"seed": s}
        for loss in losses:
            pol, _ = train_dagger(demos, seed=s, expert=WrongExpert(p, 1000 + s), bc=BCConfig(loss=loss),
                                  iterations=iterations, iteration_episodes=2, eval_episodes=0)
            row[loss] = evaluate(pol, LANE_KEEPING, n_eval, seed=EVAL_SEED + s, horizon=ROBUST_HORIZON).normalized
        rows.append(row)
    return rows


__all__ = ["WrongExpert", "dagger_wrong_expert_runs", "SUBOPTIMAL", "suboptimal_demonstrators", "suboptimal_demos",
           "held_out_demos", "demonstrator_levels",
           "trex_runs", "self_improve_runs", "corrupt_labels", "robust_runs", "N_PER_DEMONSTRATOR", "N_HELD_OUT",
           "CORRUPT_FRAC", "ROBUST_HORIZON", "ROBUST_LOSSES", "SELF_IMPROVE_DEMONSTRATOR"]


#: preference comparisons' environment, and how often (PPO iterations) its learning curve is evaluated
PREFERENCES_ENV, PREFERENCES_EVERY = "CartPole-v1", 5


def preferences_runs(seeds, n_eval: int = 50, settings: dict | None = None, every: int = PREFERENCES_EVERY,
                     curve_episodes: int = 10) -> list[dict]:
    """Per seed: :func:`~il_helpers.algorithms.preferences.train_preferences` on CartPole (``settings``),
    the learning curve ``(labels used, normalized score on curve_episodes episodes)`` every ``every``
    PPO iterations (evaluated off the trainer's clock), and the final normalized score on ``n_eval``
    episodes (seed ``EVAL_SEED + seed``)."""
    rows = []
    for s in seeds:
        s = int(s)
        curve = []

        def checkpoint(policy, info, s=s, curve=curve, calls=[0]):
            calls[0] += 1
            if calls[0] % every == 0:
                score = evaluate(policy, PREFERENCES_ENV, curve_episodes, seed=EVAL_SEED + s).normalized
                curve.append((int(info["labels_used"]), score))

        policy, hist = train_preferences(env_id=PREFERENCES_ENV, seed=s, checkpoint=checkpoint, **(settings or {}))
        rows.append({"seed": s, "score": evaluate(policy, PREFERENCES_ENV, n_eval, seed=EVAL_SEED + s).normalized,
                     "labels": hist.labels_used[-1], "ties": hist.ties, "curve": curve, "history": hist,
                     "seconds": hist.wall_s[-1]})
    return rows
