"""Self-improvement: first imitate, then improve on your own best attempts (notebook 08).

The loop of the chapter's ``iterative_improvement`` (also called filtered BC iteration, or
expert iteration; Chen et al. 2021 call one step of it %BC). Starting from the demonstrations
``D_0``:

1. **Imitate**: fit BC to the kept data (round 0: the demonstrations).
2. **Attempt**: roll the clone out for ``rollouts`` episodes with exploration noise ``noise``
   (:func:`~il_helpers.core.rollout.perturb`); each attempt's labels are the actions it *executed*,
   noise included (so a lucky deviation that paid off is what the next clone learns).
3. **Filter**: pool the demonstrations and every attempt so far, and keep the ``keep`` fraction
   of the pool's episodes with the highest return ::

       D_{k+1} = top_keep( D_0  u  attempts_1  u ... u  attempts_{k+1} )   (by episode return)

   With ``attempts = K > 1`` the clone instead tries each start ``K`` times (the same road, the
   same gusts: only its exploration noise differs), and the filter compares like with like: it
   keeps the ``keep`` fraction of the attempts *of each start*, and the next clone learns from
   this round's kept attempts ::

       D_{k+1} = u_starts top_keep( K attempts from that start )

4. Repeat for ``rounds`` rounds; the last clone is the policy.

Filtering by return is a crude policy improvement: among noisy variations of the clone, the
better ones are kept, so the next clone leans their way (reward-weighted regression with a
hard, top-fraction weight). It needs an environment whose returns say how well the agent acted
more than how lucky its episode was: where luck dominates (a hard road or an easy one), the
pooled filter keeps easy episodes instead of good actions. Attempts from the same start remove
the luck of the start from the comparison (measured on LaneKeeping in notebook 08).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from gymnasium import spaces

from ..core.checks import (
    TRAIN_SEED_MAX,
    check,
    check_int,
    check_number,
    check_probability,
    check_seed,
    check_training_data,
    make_config,
)
from ..core.demonstrations import Demonstrations
from ..core.policies import Policy
from ..core.rollout import perturb, rollout
from ..envs.registry import env_spaces
from .bc import BCConfig, train_bc
from .ppo import iteration_seed


@dataclass
class SelfImproveConfig:
    """The loop's settings: ``rounds`` of ``rollouts`` attempts with exploration ``noise``, the
    ``keep`` fraction kept by return, and BC's settings (``bc``) for every clone. The defaults try
    32 starts 8 times each and keep the best attempt of each start: on LaneKeeping's edge hugger
    (0.72-0.76 as BC) round 5's clone scored 0.97-0.99 over seeds 0-4 (mean 0.98), the chapter's pooled
    filter (``attempts=1, rollouts=64, keep=0.25``) 0.91 on average, and the same loop keeping a
    random attempt of each start (``select="random"``) 0.70 (100 test episodes each; notebook 08)."""

    rounds: int = 5
    rollouts: int = 256         # episodes per round (with attempts > 1: rollouts // attempts starts)
    noise: float = 0.3
    keep: float = 0.125         # the kept fraction (of the pool, or of each start's attempts)
    attempts: int = 8           # attempts per start (1: the chapter's pooled filter; K > 1: per start)
    select: str = "best"        # "best": keep by return; "random": keep as many at random (the control)
    bc: BCConfig = field(default_factory=lambda: BCConfig(epochs=30))

    def __post_init__(self):
        w = "SelfImproveConfig"
        check_int("rounds", self.rounds, 1, where=w)
        check_int("rollouts", self.rollouts, 1, where=w)
        check_int("attempts", self.attempts, 1, self.rollouts, where=w)
        check_probability("noise", self.noise, where=w)
        check_number("keep", self.keep, 0.0, 1.0, low_open=True, where=w)
        check(isinstance(self.bc, BCConfig), "bc", "a BCConfig", self.bc, where=w)
        check(self.select in ("best", "random"), "select", "'best' or 'random'", self.select, where=w)


@dataclass
class SelfImproveHistory:
    """Per round (round 0 is BC on the demonstrations): the mean return of the round's attempts
    (``attempt_return``, with exploration noise; NaN for round 0), the lowest kept return
    (``kept_threshold``) and the kept episodes' count; ``policies``: each round's clone (so a
    curve over rounds can be measured with :func:`~il_helpers.core.evaluation.evaluate`);
    ``data``: the last kept data set."""

    attempt_return: list[float] = field(default_factory=list)
    kept_threshold: list[float] = field(default_factory=list)
    kept_episodes: list[int] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)
    policies: list = field(default_factory=list, repr=False)
    data: Demonstrations | None = field(default=None, repr=False)
    config: SelfImproveConfig | None = None


class Exploring(Policy):
    """``policy`` with exploration noise from its own generator (:func:`~il_helpers.core.rollout.perturb`),
    so that attempts on the same environment seed differ only in their noise."""

    def __init__(self, policy, action_space, noise: float, seed: int):
        self.policy, self.space, self.noise = policy, action_space, float(noise)
        self.rng, self.name = np.random.default_rng(seed), "exploring clone"

    def act(self, obs: np.ndarray) -> np.ndarray:
        a = np.asarray(self.policy(obs))
        if a.ndim == 1 and not isinstance(self.space, spaces.Discrete):
            a = a[:, None]
        return perturb(a, self.space, self.noise, self.rng)


def attempts(policy, env_id: str, n: int, noise: float, seed: int, noise_seed: int | None = None) -> Demonstrations:
    """``n`` episodes of ``policy`` with exploration ``noise`` from ``noise_seed`` (default: ``seed``) on the
    starts of ``seed``, labelled with the executed actions."""
    explorer = Exploring(policy, env_spaces(env_id)[1], noise, seed if noise_seed is None else noise_seed)
    r = rollout(explorer, env_id, n_episodes=n, seed=seed)            # no expert asked, no labeller either
    m = r.alive
    return Demonstrations(obs=r.obs[m], actions=r.actions[m].copy(), taken=r.actions[m], rewards=r.rewards[m],
                          next_obs=r.next_obs[m], terminated=r.terminated[m],
                          episode_lengths=m.sum(axis=1).astype(np.int64), env_id=env_id,
                          expert="self", meta={"seed": int(seed), "noise": float(noise)})


def best_per_start(tries: list[Demonstrations], fraction: float,
                   rng: np.random.Generator | None = None) -> Demonstrations:
    """From ``K`` batches of attempts on the same starts (episode ``i`` of every batch starts alike),
    the ``fraction`` best attempts of each start (at least 1); with ``rng``, as many at random."""
    returns = np.stack([t.episode_returns for t in tries])            # (K, starts)
    k = max(1, int(round(fraction * len(tries))))
    if rng is None:
        best = np.argsort(-returns, axis=0, kind="stable")[:k]         # (k, starts)
    else:
        best = np.argsort(rng.random(returns.shape), axis=0)[:k]
    return Demonstrations.concatenate([tries[a].episodes([i]) for i in range(returns.shape[1]) for a in best[:, i]])


def keep_top(pool: Demonstrations, fraction: float, rng: np.random.Generator | None = None) -> Demonstrations:
    """The ``fraction`` of ``pool``'s episodes with the highest returns (at least 1; ties: earlier first);
    with ``rng``, as many drawn at random instead (the control that keeps the data's size, not its quality)."""
    k = max(1, int(round(fraction * pool.num_episodes)))
    order = np.argsort(-pool.episode_returns, kind="stable") if rng is None else rng.permutation(pool.num_episodes)
    return pool.episodes(np.sort(order[:k]))


def train_self_improve(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
                       progress: Callable[[int, int, dict], None] | None = None,
                       config: SelfImproveConfig | None = None, **settings):
    """BC on ``demos``, then ``rounds`` rounds of attempt, filter, re-clone: ``(policy, history)``.

    ``progress(round, rounds, {"attempt_return", "kept_threshold"})`` after every round.
    """
    where = "train_self_improve"
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"{where}: demos must be Demonstrations, got {type(demos).__name__}")
    seed = check_seed("seed", seed, where, TRAIN_SEED_MAX)
    env_id = check_training_data(demos, env_id, where)
    cfg = make_config(SelfImproveConfig, config, where, **settings)
    hist = SelfImproveHistory(config=cfg)
    t0 = time.perf_counter()
    policy, _ = train_bc(demos, seed=seed, config=cfg.bc)
    hist.policies.append(policy)
    hist.attempt_return.append(float("nan"))
    hist.kept_threshold.append(float(demos.episode_returns.min()))
    hist.kept_episodes.append(demos.num_episodes)
    hist.wall_s.append(time.perf_counter() - t0)
    pool, kept = demos, demos
    rng = np.random.default_rng([seed, 3]) if cfg.select == "random" else None
    for r in range(1, cfg.rounds + 1):
        if cfg.attempts == 1:
            tried = attempts(policy, env_id, cfg.rollouts, cfg.noise, iteration_seed(seed, r))
            pool = Demonstrations.concatenate([pool, tried])
            kept = keep_top(pool, cfg.keep, rng)
        else:
            starts = max(1, cfg.rollouts // cfg.attempts)
            batches = [attempts(policy, env_id, starts, cfg.noise, iteration_seed(seed, r),
                                noise_seed=iteration_seed(seed, 100 * r + a)) for a in range(cfg.attempts)]
            tried = Demonstrations.concatenate(batches)
            kept = best_per_start(batches, cfg.keep, rng)
        policy, _ = train_bc(kept, seed=iteration_seed(seed, 2000 + r), config=cfg.bc)
        hist.policies.append(policy)
        hist.attempt_return.append(float(tried.episode_returns.mean()))
        hist.kept_threshold.append(float(kept.episode_returns.min()))
        hist.kept_episodes.append(kept.num_episodes)
        hist.wall_s.append(time.perf_counter() - t0)
        if progress is not None:
            progress(r, cfg.rounds, {"attempt_return": hist.attempt_return[-1],
                                     "kept_threshold": hist.kept_threshold[-1]})
    hist.data = kept
    return policy, hist


__all__ = ["SelfImproveConfig", "SelfImproveHistory", "Exploring", "attempts", "best_per_start", "keep_top",
           "train_self_improve"]
