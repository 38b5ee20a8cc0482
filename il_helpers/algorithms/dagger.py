"""DAgger (Ross, Gordon & Bagnell 2011): the loop, its beta schedules and the mixture policy.

Behavioral cloning trains on the expert's states only, so its mistakes take it to states no
demonstration covered and the cost compounds (the bound is ``O(eps T^2)``; notebook 01 measures a superlinear
growth). DAgger trains on
the states the *learner* visits, labelled by the expert (who can be asked about any state):

    D <- expert demonstrations;  pi_0 <- BC on D                                  (iteration 0)
    for i = 1 .. N:
        roll out the mixture  pi_i = beta_i * expert + (1 - beta_i) * learner_{i-1}
        label every visited state s with the expert's action pi*(s)
        D <- D + {(s, pi*(s))}                                                  (aggregate)
        learner_i <- BC on D                                                    (retrain)

**The mixture is per step**: at every step, independently for every car, the expert acts
with probability ``beta_i`` and the learner otherwise (:class:`MixturePolicy`;
``per="episode"`` flips the coin once per episode instead). ``beta_0 = 1`` always: iteration
0 *is* the expert's data. Schedules (:func:`make_schedule`): ``constant`` (beta_i = c for
i >= 1), ``linear`` (beta_i = max(0, 1 - i / n)), ``exponential`` (beta_i = p^i) and
``indicator`` (beta_i = 1 only at i = 0: the learner drives alone from iteration 1 on).

The variants (SafeDAgger, HG-DAgger, selective querying) change who drives while collecting
and which states are added; they live in :mod:`il_helpers.algorithms.dagger_variants` and run
the same loop (:func:`interactive_loop`).

Every trainer returns ``(policy, history)``: a :class:`DAggerHistory` of per-iteration records
(:class:`IterationRecord`) that also holds the aggregated ``data``, the ``initial``
demonstrations, the policy after each iteration and the ``config``. Retraining is
:func:`il_helpers.train_bc` from scratch (settings: ``config.bc``) with the observations
normalized by the *expert data's* statistics (:class:`InteractiveConfig`); any environment
with a queryable expert works.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from ..core.checks import (
    TRAIN_SEED_MAX,
    check_choice,
    check_fields,
    check_int,
    check_seed,
    check_training_data,
    make_config,
)
from ..core.demonstrations import Demonstrations
from ..core.evaluation import evaluate
from ..core.nets import STD_FLOOR
from ..core.policies import Policy, as_policy
from ..core.rollout import Rollout, rollout
from ..core.seeding import EVAL_SEED_OFFSET, ITERATION_SEED_STRIDE
from ..envs.registry import check_env_id, env_spaces, get_expert
from .bc import BCConfig, train_bc
from .schedules import BetaSchedule, make_schedule


@dataclass
class InteractiveConfig:
    """The settings every DAgger-style trainer shares.

    ``iterations`` rounds after iteration 0 (BC on the demonstrations), each collecting
    ``iteration_episodes`` episodes; ``bc``: the learner's :class:`~il_helpers.algorithms.bc.BCConfig`
    (retrained from scratch at every iteration, with the trainer's seed); ``normalize="expert"``
    normalizes the observations with the mean and std of the *initial expert data* at every
    iteration, ``"data"`` lets ``train_bc`` recompute them on the aggregated data (where a few
    states far off the road, from a bad early learner, can inflate the scale of ``e`` a
    hundredfold: measured, seed 0, 0.25 m -> 25 m at iteration 2, blurring the centimetres that
    matter near the centre line); ``horizon`` (default: the env's) for collecting and
    evaluating; every policy is evaluated on ``eval_episodes`` episodes (0: not evaluated;
    collecting and training do not depend on it) with ``eval_seed`` (default ``seed +
    EVAL_SEED_OFFSET``); ``expert``: who labels (default: the env's expert).
    """

    iterations: int = 5
    iteration_episodes: int = 2
    bc: BCConfig = field(default_factory=BCConfig)
    normalize: str = "expert"
    horizon: int | None = None
    eval_episodes: int = 100
    eval_seed: int | None = None
    expert: Policy | None = None

    def __post_init__(self):
        check_fields(self)  # finite numbers of the right kind and sign (counts >= 1)


@dataclass
class DAggerConfig(InteractiveConfig):
    """DAgger's settings: those of :class:`InteractiveConfig`, plus the ``schedule`` of beta (a
    :class:`BetaSchedule`, a kind or a ``(kind, param)`` tuple, :func:`make_schedule`) and
    ``per``: the mixture flips its coin per "step" (default) or per "episode"."""

    schedule: object = ("exponential", 0.5)
    per: str = "step"


# -- beta schedules: il_helpers.algorithms.schedules (re-exported here) ----------------------------


# -- who drives: policies that record, step by step, whether the expert acted ---------------------

class Driver(Policy):
    """A policy that hands every step to the expert or to the learner and remembers who acted.

    ``expert_drove`` holds one ``(E,)`` bool array per call; :meth:`expert_mask` lines them up
    with a rollout. Use one driver per rollout (some keep per-episode state).
    """

    def __init__(self, expert, learner):
        self.expert = as_policy(expert)
        self.learner = None if learner is None else as_policy(learner)
        self.expert_drove: list[np.ndarray] = []

    def choose(self, obs, expert_action, learner_action) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def act(self, obs: np.ndarray) -> np.ndarray:
        a_expert = np.asarray(self.expert(obs))
        a_learner = a_expert if self.learner is None else np.asarray(self.learner(obs))
        use_expert = self.choose(obs, a_expert, a_learner) if self.learner is not None else np.ones(len(obs), bool)
        self.expert_drove.append(use_expert)
        mask = use_expert.reshape((-1,) + (1,) * (a_expert.ndim - 1))
        return np.where(mask, a_expert, a_learner.reshape(a_expert.shape)).astype(a_expert.dtype)

    def expert_mask(self, r: Rollout) -> np.ndarray:
        """``(E, T)``: True where the expert acted at a live step of rollout ``r``."""
        if len(self.expert_drove) < r.alive.shape[1]:
            raise ValueError("this driver did not drive that rollout (too few recorded steps)")
        return np.stack(self.expert_drove[: r.alive.shape[1]], axis=1) & r.alive


class MixturePolicy(Driver):
    """``pi = beta * expert + (1 - beta) * learner``, mixed **per step** by default.

    ``per="step"``: at every step each car flips its own coin and the expert acts with
    probability ``beta`` (so over many steps a share ``beta`` is the expert's).
    ``per="episode"``: one coin per car for its whole episode (the rows of a batched rollout
    are its episodes). ``learner=None`` means the expert always acts. Seeded.
    """

    def __init__(self, expert, learner, beta: float, seed: int = 0, per: str = "step"):
        super().__init__(expert, learner)
        if (isinstance(beta, bool) or not isinstance(beta, (int, float, np.integer, np.floating))
                or not 0.0 <= beta <= 1.0):
            raise ValueError(f"beta must be a probability in [0, 1], got {beta!r}")
        if per not in ("step", "episode"):
            raise ValueError(f"per must be 'step' or 'episode', got {per!r}")
        self.beta, self.per = float(beta), per
        self.rng = np.random.default_rng(seed)
        self._episode_coin: np.ndarray | None = None
        self.name = f"mixture (beta = {self.beta:g}, per {per})"

    def choose(self, obs, expert_action, learner_action) -> np.ndarray:
        if self.per == "step":
            return self.rng.random(len(obs)) < self.beta
        if self._episode_coin is None or len(self._episode_coin) != len(obs):
            self._episode_coin = self.rng.random(len(obs)) < self.beta
        return self._episode_coin.copy()


# -- data ----------------------------------------------------------------------------------------

def labelled_steps(r: Rollout, keep: np.ndarray | None = None, expert_name: str = "expert") -> Demonstrations:
    """The steps of a labelled rollout (``label_policy`` given) as :class:`Demonstrations`.

    ``keep`` (``(E, T)`` bool, default: every live step) selects the steps; each rollout row
    with at least one kept step becomes an episode of its kept steps, in time order.
    """
    if r.labels is None:
        raise ValueError("labelled_steps needs a rollout made with label_policy=expert")
    keep = r.alive if keep is None else (np.asarray(keep, bool) & r.alive)
    if keep.shape != r.alive.shape:
        raise ValueError(f"keep must have the rollout's shape {r.alive.shape}, got {keep.shape}")
    lengths = keep.sum(axis=1)
    return Demonstrations(obs=r.obs[keep], actions=r.labels[keep], taken=r.actions[keep], rewards=r.rewards[keep],
                          next_obs=r.next_obs[keep], terminated=r.terminated[keep],
                          episode_lengths=lengths[lengths > 0].astype(np.int64), env_id=r.env_id, expert=expert_name)


def aggregate(data: Demonstrations, new: Demonstrations) -> Demonstrations:
    """DAgger's ``D <- D + D_i`` (:meth:`Demonstrations.concatenate`)."""
    return Demonstrations.concatenate([data, new]) if len(new) else data



# -- history -------------------------------------------------------------------------------------

@dataclass
class IterationRecord:
    """One iteration. ``beta``: the schedule's value (None for SafeDAgger / HG-DAgger, whose
    expert acts by a rule); ``expert_share``: the share of the collected steps the expert
    drove; ``dataset_size`` and ``labels_used`` (cumulative expert labels, the initial
    demonstrations included) after aggregating; ``return_mean``, ``normalized`` and
    ``off_road_rate``: the retrained policy, evaluated (None with ``eval_episodes=0``);
    ``collect_*``: the collection rollout of this iteration (iteration 0: the given expert
    demonstrations, whose off-road steps are not recorded: None; None too for envs without a
    road); ``takeovers``: switches
    from the learner to the expert while collecting; ``expert_steps``: steps the expert drove."""

    iteration: int
    beta: float | None
    expert_share: float
    dataset_size: int
    new_labels: int
    labels_used: int
    return_mean: float | None
    normalized: float | None
    off_road_rate: float | None
    collect_return: float
    collect_off_road_steps: int | None
    takeovers: int
    expert_steps: int
    wall_s: float


@dataclass
class DAggerHistory:
    """The per-iteration records of a run (``history["labels_used"]`` gives a column as an array),
    and what the run produced: the aggregated ``data``, the ``initial`` expert data, the policy
    after each iteration (``policies``), the ``config`` and a readable summary of the
    ``settings`` (for selective DAgger, ``settings["disagreement"]`` holds, per iteration, the
    ensemble's disagreement at every visited state)."""

    method: str
    env_id: str
    records: list[IterationRecord] = field(default_factory=list)
    data: Demonstrations | None = field(default=None, repr=False)
    initial: Demonstrations | None = field(default=None, repr=False)
    policies: list = field(default_factory=list, repr=False)
    config: InteractiveConfig | None = field(default=None, repr=False)
    settings: dict = field(default_factory=dict, repr=False)

    @property
    def labels_used(self) -> int:
        return self.final.labels_used

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, key: str) -> np.ndarray:
        if not self.records or key not in asdict(self.records[0]):
            raise KeyError(f"no column {key!r}; columns: {', '.join(IterationRecord.__dataclass_fields__)}")
        return np.array([np.nan if getattr(r, key) is None else getattr(r, key) for r in self.records],
                        dtype=np.float64)

    @property
    def final(self) -> IterationRecord:
        return self.records[-1]

    def table(self) -> str:
        """The history as an aligned text table."""
        head = f"{'iter':>4} {'beta':>6} {'expert':>7} {'labels':>7} {'return':>8} {'score':>6} {'off-road':>9} " \
               f"{'collect off-road':>16} {'takeovers':>9}"
        lines = [head]
        for r in self.records:
            beta = "  rule" if r.beta is None else f"{r.beta:6.3f}"
            norm = "     -" if r.normalized is None else f"{r.normalized:6.3f}"
            off = "        -" if r.off_road_rate is None else f"{100 * r.off_road_rate:8.2f}%"
            coff = "               -" if r.collect_off_road_steps is None else f"{r.collect_off_road_steps:16d}"
            ret = "       -" if r.return_mean is None else f"{r.return_mean:8.1f}"
            lines.append(f"{r.iteration:4d} {beta} {100 * r.expert_share:6.1f}% {r.labels_used:7d} {ret} "
                         f"{norm} {off} {coff} {r.takeovers:9d}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"DAggerHistory({self.method} on {self.env_id}, {len(self)} records)\n" + self.table()



# -- the loop ------------------------------------------------------------------------------------

def count_takeovers(mask: np.ndarray) -> int:
    """Switches from the learner to the expert in an ``(E, T)`` mask (an episode the expert
    starts counts as one)."""
    before = np.concatenate([np.zeros((mask.shape[0], 1), bool), mask[:, :-1]], axis=1)
    return int((mask & ~before).sum())


def off_road_steps(r: Rollout) -> int | None:
    """Live off-road steps of a rollout (None for an env without a road)."""
    off = r.infos.get("off_road")
    return None if off is None else int((off & r.alive).sum())


def scaled(data: Demonstrations, stats) -> Demonstrations:
    """``data`` with its observations standardized by ``stats = (mean, std)``."""
    mean, std = (np.asarray(x, np.float32) for x in stats)
    return Demonstrations(obs=(data.obs - mean) / std, actions=data.actions, taken=data.taken, rewards=data.rewards,
                          next_obs=(data.next_obs - mean) / std, terminated=data.terminated,
                          episode_lengths=data.episode_lengths, env_id=data.env_id, expert=data.expert)


def set_stats(policy, stats):
    """The network was trained on ``(obs - mean) / std``: let the policy apply that itself."""
    policy.set_normalization(mean=stats[0], std=stats[1])
    return policy


def fit_learner(data: Demonstrations, bc: BCConfig | None = None, seed: int = 0, stats=None):
    """Retrain from scratch: :func:`~il_helpers.train_bc` on ``data`` with the settings ``bc``.
    ``stats = (mean, std)`` fixes the observation normalization (DAgger's default: the expert
    data's) instead of recomputing it on ``data``."""
    if stats is None:
        return train_bc(data, seed=seed, config=bc)[0]
    policy, _ = train_bc(scaled(data, stats), seed=seed, config=bc, normalize=False)
    return set_stats(policy, stats)


def check_initial(where: str, demos) -> Demonstrations:
    """``demos`` must be the initial expert :class:`Demonstrations` (a trainer's first argument)."""
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"{where}: demos must be the initial expert Demonstrations, got {type(demos).__name__}")
    return demos


class _NotEvaluated:
    return_mean = normalized = off_road_rate = None


_NOT_EVALUATED = _NotEvaluated()


def interactive_loop(method: str, demos: Demonstrations, cfg: InteractiveConfig, make_driver: Callable,
                     select: Callable | None, *, env_id: str | None, seed: int, progress: Callable | None,
                     settings: dict, schedule: BetaSchedule | None = None) -> tuple[Policy, DAggerHistory]:
    """The loop every variant shares: collect with ``make_driver(expert, learner, i)``, keep the
    steps ``select(rollout, expert_drove, learner, data, stats)`` returns (default: every live step),
    aggregate, retrain, evaluate, record. ``progress(done, iterations + 1, record as a dict)``
    after iteration 0 and after each iteration."""
    check_initial(method, demos)
    seed = check_seed("seed", seed, method, TRAIN_SEED_MAX)
    env_id = demos.env_id if env_id is None else env_id
    env_spaces(check_env_id(env_id))  # builds the env once: an env module registers its expert on import
    check_training_data(demos, env_id, method)
    iterations = check_int("iterations", cfg.iterations, 0, where=method)
    n_episodes = check_int("iteration_episodes", cfg.iteration_episodes, 1, where=method)
    eval_episodes = check_int("eval_episodes", cfg.eval_episodes, 0, where=method)
    seed = check_int("seed", seed, 0, where=method)
    check_choice("normalize", cfg.normalize, ("expert", "data"), where=method)
    if not isinstance(cfg.bc, BCConfig):
        raise TypeError(f"{method}: bc must be a BCConfig (the learner's settings), got {type(cfg.bc).__name__}")
    if demos.env_id != env_id:
        raise ValueError(f"{method}: the initial demonstrations are for {demos.env_id!r}, not {env_id!r}")
    if len(demos) == 0:
        raise ValueError(f"{method}: the initial demonstrations are empty")
    expert = get_expert(env_id) if cfg.expert is None else as_policy(cfg.expert)
    expert_name = getattr(expert, "name", "expert")
    eval_seed = seed + EVAL_SEED_OFFSET if cfg.eval_seed is None else cfg.eval_seed
    horizon = cfg.horizon

    def assess(policy):  # eval_episodes=0: no evaluation (the record's scores are None)
        if eval_episodes == 0:
            return _NOT_EVALUATED
        return evaluate(policy, env_id, n_episodes=eval_episodes, seed=eval_seed, horizon=horizon)

    def say(record):
        if progress is not None:
            progress(record.iteration + 1, iterations + 1, asdict(record))

    # iteration 0: the expert's demonstrations, BC on them
    t0 = time.perf_counter()
    data = demos
    stats = (data.obs.mean(0), np.maximum(data.obs.std(0), STD_FLOOR)) if cfg.normalize == "expert" else None
    policy = fit_learner(data, cfg.bc, seed, stats)
    res = assess(policy)
    history = DAggerHistory(method, env_id, initial=demos, config=cfg, settings=settings)
    history.records.append(IterationRecord(
        iteration=0, beta=1.0, expert_share=1.0, dataset_size=len(data), new_labels=len(data), labels_used=len(data),
        return_mean=res.return_mean, normalized=res.normalized, off_road_rate=res.off_road_rate,
        collect_return=float(data.episode_returns.mean()), collect_off_road_steps=None, takeovers=0,
        expert_steps=len(data), wall_s=time.perf_counter() - t0))
    history.policies.append(policy)
    say(history.records[-1])
    labels_used = len(data)
    for i in range(1, iterations + 1):
        t0 = time.perf_counter()
        driver = make_driver(expert, policy, i)
        r = rollout(driver, env_id, n_episodes=n_episodes, seed=seed + ITERATION_SEED_STRIDE * i, horizon=horizon,
                    label_policy=expert)                                        # every visited state, labelled
        drove = driver.expert_mask(r)
        keep = r.alive if select is None else np.asarray(select(r, drove, policy, data, stats), bool) & r.alive
        new = labelled_steps(r, keep, expert_name)
        data = aggregate(data, new)                                             # D <- D + D_i
        labels_used += len(new)
        if len(new):
            policy = fit_learner(data, cfg.bc, seed, stats)                        # retrain on everything
        res = assess(policy)
        history.records.append(IterationRecord(
            iteration=i, beta=None if schedule is None else schedule(i),
            expert_share=float(drove.sum() / r.alive.sum()), dataset_size=len(data), new_labels=len(new),
            labels_used=labels_used, return_mean=res.return_mean, normalized=res.normalized,
            off_road_rate=res.off_road_rate, collect_return=float(r.returns.mean()),
            collect_off_road_steps=off_road_steps(r), takeovers=count_takeovers(drove), expert_steps=int(drove.sum()),
            wall_s=time.perf_counter() - t0))
        history.policies.append(policy)
        say(history.records[-1])
    history.data = data
    return policy, history


def run_settings(method: str, cfg: InteractiveConfig, demos: Demonstrations, env_id: str | None, seed: int,
                 **extra) -> dict:
    """The readable summary a history carries (``history.settings``)."""
    return {"method": method, "env_id": demos.env_id if env_id is None else env_id, "iterations": cfg.iterations,
            "iteration_episodes": cfg.iteration_episodes, "initial": f"{demos.num_episodes} episodes given",
            "bc": cfg.bc, "seed": seed, "horizon": cfg.horizon, "normalize": cfg.normalize,
            "eval_episodes": cfg.eval_episodes, **extra}


def train_dagger(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0, progress: Callable | None = None,
                 config: DAggerConfig | None = None, **settings) -> tuple[Policy, DAggerHistory]:
    """DAgger: ``iterations`` rounds of (roll out the mixture, label every visited state with the
    expert's action, aggregate, retrain with :func:`~il_helpers.train_bc` from scratch).

    ``demos``: the expert demonstrations of iteration 0 (the course collects them with
    ``collect_demonstrations(env_id, n, seed=seed)``). ``config`` (a :class:`DAggerConfig`)
    and the keyword ``settings`` (its fields) say how. Iteration ``i`` collects
    ``iteration_episodes`` episodes with seed ``seed + ITERATION_SEED_STRIDE * i``; the mixture
    of iteration ``i`` draws its coins from ``[seed, i, 7]``. ``progress(done, total, record)``
    is called after iteration 0 and after each iteration (``total = iterations + 1``). Every
    visited state costs one expert label. Returns ``(final policy, DAggerHistory)``.
    """
    check_initial("train_dagger", demos)
    cfg = make_config(DAggerConfig, config, "train_dagger", **settings)
    try:
        sched = make_schedule(cfg.schedule)
    except ValueError as err:
        raise ValueError(f"train_dagger: schedule: {err}") from None
    check_choice("per", cfg.per, ("step", "episode"), where="train_dagger")

    def driver(expert, learner, i):
        return MixturePolicy(expert, learner, sched(i), seed=[seed, i, 7], per=cfg.per)

    return interactive_loop("DAgger", demos, cfg, driver, None, env_id=env_id, seed=seed, progress=progress,
                            schedule=sched, settings=run_settings("DAgger", cfg, demos, env_id, seed,
                                                                  schedule=str(sched), per=cfg.per))
