"""DAgger (Ross, Gordon & Bagnell 2011) and three variants: SafeDAgger, HG-DAgger, selective querying.

Behavioral cloning trains on the expert's states only, so its mistakes take it to states no
demonstration covered and the cost compounds (``O(eps T^2)``, notebook 01). DAgger trains on
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

The variants change who drives while collecting and which states are added:

* :func:`train_safe_dagger` (after Zhang & Cho 2017): the learner drives while its action is within
  ``threshold`` of the expert's, otherwise the expert takes over (:class:`SafeDAggerPolicy`).
  The original learns a classifier that predicts this test, to spare queries; here the expert
  is cheap, so it is asked directly, every visited state is labelled and every state is added.
* :func:`train_hg_dagger` (Kelly et al. 2019): a gate standing in for a human watches the car and
  takes over when it leaves a safe band, handing back once it is well inside again
  (:class:`BandGate`, :class:`GatedPolicy`). Only the expert's corrections, the steps it
  drove, are labelled and added.
* :func:`train_selective_dagger`: an ensemble trained on the same data decides which visited states
  are worth a label: only those where the members disagree by more than a threshold are sent
  to the expert (the ensemble is :func:`il_helpers.algorithms.ensemble.train_bc_ensemble`, notebook 02).

Every variant returns a :class:`DAggerResult`: the final policy, the aggregated data and a
:class:`DAggerHistory` with, per iteration, the schedule's beta, the expert's measured share
of the driving, the dataset size, the expert labels used so far, the evaluation return,
normalized score and off-road rate, and (while collecting) the return, off-road steps,
takeovers and expert-driven steps. Retraining is :func:`il_helpers.train_bc` from scratch on
the aggregated data, with the observations normalized by the *expert data's* mean and std
(``normalize="expert"``, see :func:`train_dagger`); any environment with a queryable expert works.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import torch

from ..core.demonstrations import Demonstrations
from ..core.evaluation import Rollout, evaluate, rollout
from ..core.policies import Policy, as_policy
from ..envs.registry import LANE_KEEPING, LANE_KEEPING_DISCRETE, check_env_id, env_spaces, get_expert
from ..lessons.distribution_shift import LEARNER
from .bc import train_bc

#: collection seeds: iteration i rolls out with ``seed + SEED_STRIDE * i`` (iteration 0, the
#: expert's demonstrations, uses ``seed``), far from the evaluation seeds (``seed + 20_000``)
SEED_STRIDE = 100_000
#: the evaluation episodes' seed offset (as the bench CLI): new initial states and roads
EVAL_OFFSET = 20_000

#: the course's LaneKeeping DAgger (notebook 03, its widget and tests): notebook 01's small,
#: briefly trained learner; 2 expert episodes, then 2 episodes per iteration for 5 iterations
#: (2400 expert labels in all), the exponential schedule beta_i = 0.5^i
COURSE = {"initial": 2, "iterations": 5, "episodes_per_iter": 2, "schedule": ("exponential", 0.5),
          "train": {"hidden": LEARNER["hidden"], "epochs": LEARNER["epochs"]}}


# -- beta schedules ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BetaSchedule:
    """``beta_i``, the probability that the expert acts at a step of iteration ``i``.

    ``schedule(i)`` gives ``beta_i``; ``beta_0 = 1`` for every schedule (no learner yet).
    """

    kind: str
    param: float | None = None

    def __call__(self, i: int) -> float:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
            raise ValueError(f"the iteration must be an integer >= 0, got {i!r}")
        if i == 0:
            return 1.0
        if self.kind == "constant":
            return float(self.param)
        if self.kind == "linear":
            return float(max(0.0, 1.0 - i / self.param))
        if self.kind == "exponential":
            return float(self.param ** i)
        return 0.0  # indicator

    def values(self, n: int) -> np.ndarray:
        """``[beta_0, ..., beta_n]``."""
        return np.array([self(i) for i in range(n + 1)])

    def __str__(self) -> str:
        if self.kind == "indicator":
            return "indicator (beta = 1 only at i = 0)"
        return {"constant": f"constant beta = {self.param:g}", "linear": f"linear decay to 0 at i = {self.param:g}",
                "exponential": f"exponential beta = {self.param:g}^i"}[self.kind]


#: schedule kind -> (its parameter's meaning, default value, valid range as text)
SCHEDULES = {
    "constant": ("beta for i >= 1", 0.5, "in [0, 1]"),
    "linear": ("iterations until beta reaches 0", 4.0, "> 0"),
    "exponential": ("p in beta_i = p^i", 0.5, "in [0, 1]"),
    "indicator": ("no parameter", None, "None"),
}


def make_schedule(kind, param=None) -> BetaSchedule:
    """A :class:`BetaSchedule` from a kind (one of :data:`SCHEDULES`) and its parameter.

    Accepts a ready ``BetaSchedule`` or a ``(kind, param)`` tuple too. ``param=None`` takes
    the kind's default (:data:`SCHEDULES`).
    """
    if isinstance(kind, BetaSchedule):
        return kind
    if isinstance(kind, tuple):
        if len(kind) != 2:
            raise ValueError(f"a schedule tuple is (kind, param), got {kind!r}")
        kind, param = kind
    if kind not in SCHEDULES:
        raise ValueError(f"unknown beta schedule {kind!r}; choose one of {', '.join(SCHEDULES)}")
    meaning, default, valid = SCHEDULES[kind]
    if kind == "indicator":
        if param is not None:
            raise ValueError("the indicator schedule takes no parameter (beta = 1 at i = 0, else 0)")
        return BetaSchedule(kind)
    param = default if param is None else param
    if (isinstance(param, bool) or not isinstance(param, (int, float, np.integer, np.floating))
            or not np.isfinite(param)):
        raise ValueError(f"the {kind} schedule's parameter ({meaning}) must be a number {valid}, got {param!r}")
    ok = param > 0 if kind == "linear" else 0.0 <= param <= 1.0
    if not ok:
        raise ValueError(f"the {kind} schedule's parameter ({meaning}) must be {valid}, got {param!r}")
    return BetaSchedule(kind, float(param))


# -- who drives: policies that record, step by step, whether the expert acted ---------------------

def action_distance(a: np.ndarray, b: np.ndarray, action_space) -> np.ndarray:
    """Per-row distance between two batches of actions: 0/1 (differ) for discrete actions,
    else the largest per-dimension difference in units of half the action range (so a
    threshold of 0.1 means 5 % of the range, whatever the env's bounds)."""
    if not hasattr(action_space, "low"):
        return (np.asarray(a).reshape(len(a)) != np.asarray(b).reshape(len(b))).astype(np.float64)
    half = (np.asarray(action_space.high) - np.asarray(action_space.low)).reshape(1, -1) / 2
    diff = np.abs(np.asarray(a, np.float64).reshape(len(a), -1) - np.asarray(b, np.float64).reshape(len(b), -1))
    return (diff / half).max(axis=1)


class _Driver(Policy):
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


class MixturePolicy(_Driver):
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


class SafeDAggerPolicy(_Driver):
    """SafeDAgger's driver: the learner acts while ``action_distance(learner, expert) <=
    threshold``, the expert otherwise (a state-dependent beta instead of a coin)."""

    def __init__(self, expert, learner, threshold: float, action_space):
        super().__init__(expert, learner)
        if not (np.isfinite(threshold) and threshold >= 0):
            raise ValueError(f"threshold must be a number >= 0, got {threshold!r}")
        self.threshold, self.action_space = float(threshold), action_space
        self.name = f"SafeDAgger driver (threshold {self.threshold:g})"

    def choose(self, obs, expert_action, learner_action) -> np.ndarray:
        return action_distance(learner_action, expert_action, self.action_space) > self.threshold


class BandGate:
    """HG-DAgger's stand-in for a watching human: take over when ``|obs[index]| > band`` and
    hand back once ``|obs[index]| < release`` (hysteresis, so control does not flicker)."""

    def __init__(self, index: int, band: float, release: float, name: str = "state"):
        if not (np.isfinite(band) and band > 0 and np.isfinite(release) and 0 <= release <= band):
            raise ValueError(f"need 0 <= release <= band and band > 0, got band={band!r}, release={release!r}")
        self.index, self.band, self.release, self.name = int(index), float(band), float(release), name

    def __call__(self, obs, learner_action, expert_action, controlling) -> np.ndarray:
        x = np.abs(np.asarray(obs)[:, self.index])
        return np.where(controlling, x >= self.release, x > self.band)

    def __repr__(self) -> str:
        return f"BandGate(|{self.name}| > {self.band:g} takes over, < {self.release:g} hands back)"


class ActionGate:
    """A gate for tasks without a natural safe band: take over at every step where the
    learner's action is more than ``threshold`` from the expert's (see :func:`action_distance`)."""

    def __init__(self, threshold: float, action_space):
        if not (np.isfinite(threshold) and threshold >= 0):
            raise ValueError(f"threshold must be a number >= 0, got {threshold!r}")
        self.threshold, self.action_space = float(threshold), action_space

    def __call__(self, obs, learner_action, expert_action, controlling) -> np.ndarray:
        return action_distance(learner_action, expert_action, self.action_space) > self.threshold

    def __repr__(self) -> str:
        return f"ActionGate(|learner - expert| > {self.threshold:g})"


def default_gate(env_id: str):
    """LaneKeeping: the car more than 1 m off centre (half-way to the edge), back below 0.5 m.
    CartPole: the pole more than 0.1 rad from upright, back below 0.05 rad. Other tasks:
    :class:`ActionGate` with threshold 0.1."""
    if env_id in (LANE_KEEPING, LANE_KEEPING_DISCRETE):
        return BandGate(0, 1.0, 0.5, name="lateral offset e")
    if env_id == "CartPole-v1":
        return BandGate(2, 0.1, 0.05, name="pole angle")
    return ActionGate(0.1, env_spaces(env_id)[1])


class GatedPolicy(_Driver):
    """HG-DAgger's driver: the learner drives until ``gate`` takes over; the gate keeps control
    while it says so. ``gate(obs, learner_action, expert_action, controlling) -> controlling``."""

    def __init__(self, expert, learner, gate):
        super().__init__(expert, learner)
        self.gate = gate
        self._controlling: np.ndarray | None = None
        self.name = f"HG-DAgger driver ({gate!r})"

    def choose(self, obs, expert_action, learner_action) -> np.ndarray:
        if self._controlling is None or len(self._controlling) != len(obs):
            self._controlling = np.zeros(len(obs), bool)
        self._controlling = np.asarray(self.gate(obs, learner_action, expert_action, self._controlling), bool)
        return self._controlling.copy()


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
    ``collect_*``: the collection rollout of this iteration (iteration 0: the expert's
    demonstrations; off-road steps are None for envs without a road); ``takeovers``: switches
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
    """The per-iteration records of a run; ``history["labels_used"]`` gives a column as an array."""

    method: str
    env_id: str
    records: list[IterationRecord] = field(default_factory=list)

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


@dataclass
class DAggerResult:
    """What a DAgger run returns: the final ``policy`` (a :class:`~il_helpers.MLPPolicy`), the
    aggregated ``data``, the ``initial`` expert data, the ``history`` and the ``settings``."""

    policy: object
    data: Demonstrations
    initial: Demonstrations
    history: DAggerHistory
    settings: dict
    policies: list = field(default_factory=list, repr=False)  # the policy after each iteration

    @property
    def labels_used(self) -> int:
        return self.history.final.labels_used


# -- the loop ------------------------------------------------------------------------------------

def _check_int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _takeovers(mask: np.ndarray) -> int:
    """Switches from the learner to the expert in an ``(E, T)`` mask (an episode the expert
    starts counts as one)."""
    before = np.concatenate([np.zeros((mask.shape[0], 1), bool), mask[:, :-1]], axis=1)
    return int((mask & ~before).sum())


def _off_road_steps(r: Rollout) -> int | None:
    off = r.infos.get("off_road")
    return None if off is None else int((off & r.alive).sum())


def _scaled(data: Demonstrations, stats) -> Demonstrations:
    mean, std = (np.asarray(x, np.float32) for x in stats)
    return Demonstrations(obs=(data.obs - mean) / std, actions=data.actions, taken=data.taken, rewards=data.rewards,
                          next_obs=(data.next_obs - mean) / std, terminated=data.terminated,
                          episode_lengths=data.episode_lengths, env_id=data.env_id, expert=data.expert)


def _set_stats(policy, stats):
    """The network was trained on ``(obs - mean) / std``: let the policy apply that itself."""
    with torch.no_grad():
        policy.obs_mean.copy_(torch.as_tensor(np.asarray(stats[0], np.float32)))
        policy.obs_std.copy_(torch.as_tensor(np.asarray(stats[1], np.float32)))
    return policy


def train_on(data: Demonstrations, train: dict | None = None, seed: int = 0, stats=None):
    """Retrain from scratch: :func:`~il_helpers.train_bc` on ``data`` (``train``: its keyword
    arguments). ``stats = (mean, std)`` fixes the observation normalization (DAgger's default:
    the expert data's, see :func:`train_dagger`) instead of recomputing it on ``data``."""
    train = dict(train or {})
    if stats is None:
        return train_bc(data, seed=seed, **train)[0]
    policy, _ = train_bc(_scaled(data, stats), seed=seed, **{**train, "normalize": False})
    return _set_stats(policy, stats)


def _ensemble(data: Demonstrations, n_members: int, seed: int, train: dict | None, stats):
    """:func:`il_helpers.algorithms.ensemble.train_bc_ensemble` on ``data``, normalized as :func:`train_on`."""
    from .ensemble import train_bc_ensemble

    train = dict(train or {})
    if stats is None:
        return train_bc_ensemble(data, n_members=n_members, seed=seed, **train)[0]
    ensemble, _ = train_bc_ensemble(_scaled(data, stats), n_members=n_members, seed=seed,
                                    **{**train, "normalize": False})
    for member in ensemble.members:
        _set_stats(member, stats)
    return ensemble


class _NotEvaluated:
    return_mean = normalized = off_road_rate = None


_NOT_EVALUATED = _NotEvaluated()


def _interactive(method: str, env_id: str, make_driver: Callable, select: Callable | None, *, iterations: int,
                 episodes_per_iter: int, initial, expert, train: dict | None, seed: int, horizon: int | None,
                 normalize: str, eval_episodes: int, eval_seed: int | None, progress: Callable | None,
                 settings: dict, schedule: BetaSchedule | None = None) -> DAggerResult:
    """The loop every variant shares: collect with ``make_driver(expert, learner, i)``, keep the
    steps ``select(rollout, expert_drove, learner, data, stats)`` returns (default: every live step),
    aggregate, retrain, evaluate, record."""
    env_spaces(check_env_id(env_id))  # builds the env once: an env module registers its expert on import
    iterations = _check_int("iterations", iterations, 0)
    episodes_per_iter = _check_int("episodes_per_iter", episodes_per_iter, 1)
    eval_episodes = _check_int("eval_episodes", eval_episodes, 0)
    seed = _check_int("seed", seed, 0)
    if normalize not in ("expert", "data"):
        raise ValueError(f"normalize must be 'expert' or 'data', got {normalize!r}")
    if train is not None and not isinstance(train, dict):
        raise TypeError(f"train must be a dict of train_bc keyword arguments, got {type(train).__name__}")
    train = dict(train or {})
    for key in ("seed", "normalize"):
        if key in train:
            raise ValueError(f"train must not contain {key!r}: pass {key}= to the DAgger function itself")
    expert = get_expert(env_id) if expert is None else as_policy(expert)
    expert_name = getattr(expert, "name", "expert")
    eval_seed = seed + EVAL_OFFSET if eval_seed is None else eval_seed
    say = progress or (lambda i, record: None)

    def assess(policy):  # eval_episodes=0: no evaluation (the record's scores are None)
        if eval_episodes == 0:
            return _NOT_EVALUATED
        return evaluate(policy, env_id, n_episodes=eval_episodes, seed=eval_seed, horizon=horizon)

    # iteration 0: the expert's demonstrations, BC on them
    t0 = time.perf_counter()
    off = None
    if isinstance(initial, Demonstrations):
        if initial.env_id != env_id:
            raise ValueError(f"initial demonstrations are for {initial.env_id!r}, not {env_id!r}")
        data = initial
    else:
        r = rollout(expert, env_id, n_episodes=_check_int("initial", initial, 1), seed=seed, horizon=horizon,
                    label_policy=expert)
        data, off = labelled_steps(r, expert_name=expert_name), _off_road_steps(r)
    if len(data) == 0:
        raise ValueError("the initial demonstrations are empty")
    initial_data = data
    stats = (data.obs.mean(0), np.maximum(data.obs.std(0), 1e-6)) if normalize == "expert" else None
    policy = train_on(data, train, seed, stats)
    res = assess(policy)
    history = DAggerHistory(method, env_id)
    history.records.append(IterationRecord(
        iteration=0, beta=1.0, expert_share=1.0, dataset_size=len(data), new_labels=len(data), labels_used=len(data),
        return_mean=res.return_mean, normalized=res.normalized, off_road_rate=res.off_road_rate,
        collect_return=float(data.episode_returns.mean()), collect_off_road_steps=off, takeovers=0,
        expert_steps=len(data), wall_s=time.perf_counter() - t0))
    policies = [policy]
    say(0, history.records[-1])
    labels_used = len(data)
    for i in range(1, iterations + 1):
        t0 = time.perf_counter()
        driver = make_driver(expert, policy, i)
        r = rollout(driver, env_id, n_episodes=episodes_per_iter, seed=seed + SEED_STRIDE * i, horizon=horizon,
                    label_policy=expert)                                        # every visited state, labelled
        drove = driver.expert_mask(r)
        keep = r.alive if select is None else np.asarray(select(r, drove, policy, data, stats), bool) & r.alive
        new = labelled_steps(r, keep, expert_name)
        data = aggregate(data, new)                                             # D <- D + D_i
        labels_used += len(new)
        if len(new):
            policy = train_on(data, train, seed, stats)                         # retrain on everything
        res = assess(policy)
        history.records.append(IterationRecord(
            iteration=i, beta=None if schedule is None else schedule(i),
            expert_share=float(drove.sum() / r.alive.sum()), dataset_size=len(data), new_labels=len(new),
            labels_used=labels_used, return_mean=res.return_mean, normalized=res.normalized,
            off_road_rate=res.off_road_rate, collect_return=float(r.returns.mean()),
            collect_off_road_steps=_off_road_steps(r), takeovers=_takeovers(drove), expert_steps=int(drove.sum()),
            wall_s=time.perf_counter() - t0))
        policies.append(policy)
        say(i, history.records[-1])
    return DAggerResult(policy=policy, data=data, initial=initial_data, history=history, settings=settings,
                        policies=policies)


def _settings(method: str, env_id, iterations, episodes_per_iter, initial, train, seed, horizon, normalize,
              eval_episodes, **extra) -> dict:
    return {"method": method, "env_id": env_id, "iterations": iterations, "episodes_per_iter": episodes_per_iter,
            "initial": initial if not isinstance(initial, Demonstrations) else f"{initial.num_episodes} episodes given",
            "train": dict(train) if isinstance(train, dict) else train, "seed": seed, "horizon": horizon,
            "normalize": normalize, "eval_episodes": eval_episodes, **extra}


def _check_threshold(threshold) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) \
            or not np.isfinite(threshold) or threshold < 0:
        raise ValueError(f"threshold must be a number >= 0, got {threshold!r}")
    return float(threshold)


def train_dagger(env_id: str, iterations: int = 5, episodes_per_iter: int = 2, initial=2, schedule=("exponential", 0.5),
           per: str = "step", expert=None, train: dict | None = None, seed: int = 0, horizon: int | None = None,
           normalize: str = "expert", eval_episodes: int = 100, eval_seed: int | None = None,
           progress: Callable | None = None) -> DAggerResult:
    """DAgger: ``iterations`` rounds of (roll out the mixture, label every visited state with the
    expert's action, aggregate, retrain with :func:`~il_helpers.train_bc` from scratch).

    ``initial``: the number of expert episodes of iteration 0 (collected with ``seed``), or
    ready :class:`Demonstrations`. ``schedule``: a :class:`BetaSchedule`, a kind or a
    ``(kind, param)`` tuple (:func:`make_schedule`). ``per``: the mixture flips its coin per
    "step" (default) or per "episode" (:class:`MixturePolicy`). ``train``: keyword arguments
    for ``train_bc`` (its seed is ``seed``). ``normalize="expert"`` (default) normalizes the
    observations with the mean and std of the *initial expert data* at every iteration;
    ``"data"`` lets ``train_bc`` recompute them on the aggregated data, where a few states far
    off the road (a bad early learner drives 100 m away) can inflate the scale of ``e`` a
    hundredfold (measured, seed 0: 0.25 m -> 25 m at iteration 2) and blur the few
    centimetres that matter near the centre line.

    Iteration ``i`` collects ``episodes_per_iter`` episodes with seed ``seed + 100_000 i``;
    every policy is evaluated on ``eval_episodes`` episodes (0: not evaluated; collecting and
    training do not depend on it) with ``eval_seed`` (default ``seed + 20_000``); ``horizon``
    (default: the env's) applies to both. ``progress(i, record)`` is called after each
    iteration. Every visited state costs one expert label.
    """
    sched = make_schedule(schedule)
    if per not in ("step", "episode"):
        raise ValueError(f"per must be 'step' or 'episode', got {per!r}")

    def driver(expert, learner, i):
        return MixturePolicy(expert, learner, sched(i), seed=[seed, i, 7], per=per)

    return _interactive("DAgger", env_id, driver, None, iterations=iterations, episodes_per_iter=episodes_per_iter,
                        initial=initial, expert=expert, train=train, seed=seed, horizon=horizon, normalize=normalize,
                        eval_episodes=eval_episodes, eval_seed=eval_seed, progress=progress, schedule=sched,
                        settings=_settings("DAgger", env_id, iterations, episodes_per_iter, initial, train, seed,
                                           horizon, normalize, eval_episodes, schedule=str(sched), per=per))


def train_safe_dagger(env_id: str, threshold: float = 0.1, iterations: int = 5, episodes_per_iter: int = 2, initial=2,
                expert=None, train: dict | None = None, seed: int = 0, horizon: int | None = None,
                normalize: str = "expert", eval_episodes: int = 100, eval_seed: int | None = None,
                progress: Callable | None = None) -> DAggerResult:
    """SafeDAgger: collect with :class:`SafeDAggerPolicy` (the expert acts wherever the learner's
    action is more than ``threshold`` from its own, in units of half the action range), label
    and add every visited state. Other arguments as :func:`train_dagger`."""
    threshold = _check_threshold(threshold)
    action_space = env_spaces(check_env_id(env_id))[1]

    def driver(expert, learner, i):
        return SafeDAggerPolicy(expert, learner, threshold, action_space)

    return _interactive("SafeDAgger", env_id, driver, None, iterations=iterations, episodes_per_iter=episodes_per_iter,
                        initial=initial, expert=expert, train=train, seed=seed, horizon=horizon, normalize=normalize,
                        eval_episodes=eval_episodes, eval_seed=eval_seed, progress=progress,
                        settings=_settings("SafeDAgger", env_id, iterations, episodes_per_iter, initial, train, seed,
                                           horizon, normalize, eval_episodes, threshold=threshold))


def train_hg_dagger(env_id: str, gate=None, iterations: int = 5, episodes_per_iter: int = 2, initial=2, expert=None,
              train: dict | None = None, seed: int = 0, horizon: int | None = None, normalize: str = "expert",
              eval_episodes: int = 100, eval_seed: int | None = None, progress: Callable | None = None) -> DAggerResult:
    """HG-DAgger: the learner drives, ``gate`` (default :func:`default_gate`) hands control to the
    expert when the car leaves the safe band and back when it is well inside; only the steps
    the expert drove (its corrections) are labelled and added. Other arguments as :func:`train_dagger`."""
    gate = default_gate(check_env_id(env_id)) if gate is None else gate
    if not callable(gate):
        raise TypeError(f"gate must be callable (obs, learner_action, expert_action, controlling) -> bool array, "
                        f"got {type(gate).__name__}")

    def driver(expert, learner, i):
        return GatedPolicy(expert, learner, gate)

    def corrections(r, expert_drove, learner, data, stats):
        return expert_drove

    return _interactive("HG-DAgger", env_id, driver, corrections, iterations=iterations,
                        episodes_per_iter=episodes_per_iter, initial=initial, expert=expert, train=train, seed=seed,
                        horizon=horizon, normalize=normalize, eval_episodes=eval_episodes, eval_seed=eval_seed,
                        progress=progress,
                        settings=_settings("HG-DAgger", env_id, iterations, episodes_per_iter, initial, train, seed,
                                           horizon, normalize, eval_episodes, gate=repr(gate)))


def train_selective_dagger(env_id: str, threshold: float = 0.05, n_members: int = 5, iterations: int = 5,
                     episodes_per_iter: int = 2, initial=2, schedule=("exponential", 0.5), per: str = "step",
                     expert=None, train: dict | None = None, seed: int = 0, horizon: int | None = None,
                     normalize: str = "expert", eval_episodes: int = 100, eval_seed: int | None = None,
                     progress: Callable | None = None) -> DAggerResult:
    """DAgger that asks the expert only where an ensemble is unsure.

    Collection is DAgger's (the same mixture and schedule). Before labelling, an ensemble of
    ``n_members`` BC policies (:func:`il_helpers.algorithms.ensemble.train_bc_ensemble`, the same training
    settings) is fitted to the current data; a visited state is sent to the expert only if the
    members' ``disagreement`` there (:meth:`~il_helpers.algorithms.ensemble.EnsemblePolicy.disagreement`:
    the std across members of their actions) exceeds ``threshold``. The steps the expert drove
    itself are known without asking and are kept too; both count as expert labels. The
    learner (one network, as in :func:`dagger`) is retrained on what was kept.
    ``result.settings["disagreement"]`` holds, per iteration, the disagreement at every
    visited state.
    """
    threshold = _check_threshold(threshold)
    n_members = _check_int("n_members", n_members, 2)
    sched = make_schedule(schedule)
    if per not in ("step", "episode"):
        raise ValueError(f"per must be 'step' or 'episode', got {per!r}")
    scores: list[np.ndarray] = []

    def driver(expert, learner, i):
        return MixturePolicy(expert, learner, sched(i), seed=[seed, i, 7], per=per)

    def query(r, expert_drove, learner, data, stats):
        ensemble = _ensemble(data, n_members, seed, train, stats)
        d = ensemble.disagreement(r.obs.reshape(-1, r.obs.shape[-1])).reshape(r.alive.shape)
        scores.append(d[r.alive])
        return expert_drove | (d > threshold)

    result = _interactive("selective DAgger", env_id, driver, query, iterations=iterations,
                          episodes_per_iter=episodes_per_iter, initial=initial, expert=expert, train=train, seed=seed,
                          horizon=horizon, normalize=normalize, eval_episodes=eval_episodes, eval_seed=eval_seed,
                          progress=progress, schedule=sched,
                          settings=_settings("selective DAgger", env_id, iterations, episodes_per_iter, initial, train,
                                             seed, horizon, normalize, eval_episodes, schedule=str(sched), per=per,
                                             threshold=threshold, n_members=n_members))
    result.settings["disagreement"] = scores
    return result


# -- the compounding-error measurement over several seeds -----------------------------------------

def pooled_cost_curve(rollouts: list[Rollout], label: str = "policy", horizons=None):
    """:func:`il_helpers.lessons.distribution_shift.cost_curve` of several LaneKeeping rollouts taken together.

    With one rollout per training seed (each seed's policy on its own roads), the pooled J(T)
    is the expected cost over the training randomness as well as over roads and gusts: the
    quantity the theorem bounds. It also gathers enough rare drifts to fit a slope for a
    learner that almost never leaves the road (one seed alone may drift only a few times in
    a million steps).
    """
    from ..lessons.distribution_shift import cost_curve

    if not rollouts:
        raise ValueError("pooled_cost_curve needs at least one rollout")
    shapes = {r.alive.shape[1] for r in rollouts}
    if len(shapes) != 1:
        raise ValueError("the rollouts must share one horizon (J(T) of different horizons do not mix), "
                         f"got {sorted(shapes)}")
    infos = {k: np.concatenate([r.infos[k] for r in rollouts]) for k in ("cost", "off_road")}
    alive = np.concatenate([r.alive for r in rollouts])
    blank = np.broadcast_to(np.zeros((1, 1, 1), np.float32), (*alive.shape, 1))  # cost_curve reads infos only
    flat = np.broadcast_to(np.zeros((1, 1), np.float32), alive.shape)
    pooled = Rollout(env_id=rollouts[0].env_id, horizon=alive.shape[1], obs=blank, actions=blank, rewards=flat,
                     next_obs=blank, terminated=np.zeros(alive.shape, bool), alive=alive, infos=infos)
    return cost_curve(pooled, horizons=horizons, label=label)


# -- plots ---------------------------------------------------------------------------------------

METHOD_COLORS = {"DAgger": "#2ca02c", "SafeDAgger": "#9467bd", "HG-DAgger": "#8c564b", "selective DAgger": "#17becf",
                 "BC": "#d62728"}


def _histories(runs) -> dict[str, DAggerHistory]:
    if isinstance(runs, (DAggerResult, DAggerHistory)):
        runs = [runs]
    if not isinstance(runs, dict):
        runs = list(runs)
        if not all(isinstance(r, (DAggerResult, DAggerHistory)) for r in runs):
            raise TypeError("expected DAggerResult / DAggerHistory objects (one, a list or a dict label -> run)")
        runs = {(r.history if isinstance(r, DAggerResult) else r).method: r for r in runs}
    out = {label: (r.history if isinstance(r, DAggerResult) else r) for label, r in runs.items()}
    if not out or not all(isinstance(h, DAggerHistory) for h in out.values()):
        raise TypeError("expected DAggerResult / DAggerHistory objects (one, a list or a dict label -> run)")
    return out


def plot_schedules(schedules, iterations: int = 8, ax=None):
    """``beta_i`` against the iteration ``i`` for each schedule (kinds, tuples or BetaSchedules)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    i = np.arange(iterations + 1)
    for k, sched in enumerate(schedules):
        sched = make_schedule(sched)
        ax.plot(i, sched.values(iterations), "o-", ms=4, lw=1.5, color=f"C{k}", label=str(sched))
    ax.set_xlabel("iteration i")
    ax.set_ylabel(r"$\beta_i$ = P(expert acts at a step)")
    ax.set_ylim(-0.05, 1.05)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_history(runs, axes=None, reference: dict | None = None):
    """Per iteration: the normalized score (left) and the off-road rate, % of steps (right,
    LaneKeeping), of one or several runs (``runs``: a result, a list, or a dict label -> run).
    ``reference`` (label -> (score, off-road rate)) draws horizontal lines, e.g. BC."""
    import matplotlib.pyplot as plt

    hs = _histories(runs)
    has_off = any(not np.all(np.isnan(h["off_road_rate"])) for h in hs.values())
    if axes is None:
        _, axes = plt.subplots(1, 2 if has_off else 1, figsize=(9 if has_off else 4.8, 3.2))
    axes = np.atleast_1d(axes)
    for k, (label, h) in enumerate(hs.items()):
        color = METHOD_COLORS.get(label, f"C{k}")
        it = h["iteration"]
        axes[0].plot(it, h["normalized"], "o-", color=color, lw=1.8, ms=4, label=label)
        if has_off and len(axes) > 1:
            axes[1].plot(it, 100 * h["off_road_rate"], "o-", color=color, lw=1.8, ms=4, label=label)
    for k, (label, (score, off)) in enumerate((reference or {}).items()):
        color = METHOD_COLORS.get(label.split()[0].rstrip(",:;"), "0.4")
        axes[0].axhline(score, color=color, ls="--", lw=1.2, label=label)
        if has_off and len(axes) > 1 and off is not None:
            axes[1].axhline(100 * off, color=color, ls="--", lw=1.2, label=label)
    axes[0].set_xlabel("iteration i")
    axes[0].set_ylabel("normalized score (expert = 1)")
    axes[0].grid(True, alpha=0.3)
    axes[0].legend(fontsize=8, loc="lower right")
    if has_off and len(axes) > 1:
        axes[1].set_xlabel("iteration i")
        axes[1].set_ylabel("off-road rate [% of steps]")
        axes[1].set_yscale("symlog", linthresh=0.1)
        axes[1].set_ylim(bottom=0)
        axes[1].grid(True, alpha=0.3)
        axes[1].legend(fontsize=8, loc="upper right")
    return axes


def plot_label_efficiency(runs, ax=None, target: float | None = None, budget: int | None = None):
    """Normalized score against the expert labels used so far, one line per run (a point per
    iteration). ``target`` draws a score level, ``budget`` a label count (e.g. 95 % of full
    DAgger's score and half of its labels)."""
    import matplotlib.pyplot as plt

    hs = _histories(runs)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    for k, (label, h) in enumerate(hs.items()):
        color = METHOD_COLORS.get(label.split(" (")[0], f"C{k}")
        ax.plot(h["labels_used"], h["normalized"], "o-", color=color, lw=1.8, ms=4, label=label)
    if target is not None:
        ax.axhline(target, color="0.3", ls=":", lw=1.2, label=f"score {target:.3f}")
    if budget is not None:
        ax.axvline(budget, color="0.3", ls="--", lw=1.2, label=f"{budget} labels")
    ax.set_xlabel("expert labels used")
    ax.set_ylabel("normalized score (expert = 1)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_coverage(initial: Demonstrations, aggregated: Demonstrations, dims=(0, 1), names=None, axes=None,
                  bins: int = 40, ranges=None):
    """Where the data is: 2-D histograms (log colour scale, shared bins and scale) of two
    observation dimensions, for the expert-only data and for the aggregated data.

    ``ranges``: ``((lo, hi), (lo, hi))`` (default: LaneKeeping's e in +-4 m and psi in +-0.3
    rad, else the aggregated data's 1st-99th percentiles, widened by 10 %). States outside
    are piled into the edge bins; each title gives the count and the share outside.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    if initial.env_id != aggregated.env_id:
        raise ValueError(f"the two datasets are from different envs: {initial.env_id!r} and {aggregated.env_id!r}")
    a, b = (int(d) for d in dims)
    lane = initial.env_id in (LANE_KEEPING, LANE_KEEPING_DISCRETE)
    if names is None:
        names = (("lateral offset e [m]", "heading error ψ [rad]") if lane and (a, b) == (0, 1)
                 else (f"obs[{a}]", f"obs[{b}]"))
    if ranges is None:
        if lane and (a, b) == (0, 1):
            ranges = ((-4.0, 4.0), (-0.3, 0.3))
        else:
            ranges = []
            for d in (a, b):
                lo, hi = np.percentile(aggregated.obs[:, d], [1, 99])
                pad = 0.1 * max(hi - lo, 1e-6)
                ranges.append((lo - pad, hi + pad))
    edges = [np.linspace(lo, hi, bins + 1) for lo, hi in ranges]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    hists = []
    for data in (initial, aggregated):
        x = np.clip(data.obs[:, a], ranges[0][0], ranges[0][1] - 1e-9)
        y = np.clip(data.obs[:, b], ranges[1][0], ranges[1][1] - 1e-9)
        outside = np.mean((data.obs[:, a] < ranges[0][0]) | (data.obs[:, a] > ranges[0][1])
                          | (data.obs[:, b] < ranges[1][0]) | (data.obs[:, b] > ranges[1][1]))
        h, _, _ = np.histogram2d(x, y, bins=edges)
        hists.append((h, outside, len(data)))
    vmax = max(h.max() for h, _, _ in hists)
    image = None
    for ax, (h, outside, n), title in zip(axes, hists, ("expert data only", "aggregated data")):
        image = ax.pcolormesh(edges[0], edges[1], np.where(h > 0, h, np.nan).T, norm=LogNorm(1, max(vmax, 2)),
                              cmap="viridis")
        if lane and a == 0:
            from ..envs.lane_keeping import HALF_WIDTH

            for x in (-HALF_WIDTH, HALF_WIDTH):
                ax.axvline(x, color="k", ls="--", lw=1)
        ax.set_title(f"{title}: {n} states" + (f" ({100 * outside:.1f}% beyond the axes)" if outside > 0 else ""),
                     fontsize=9)
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    cbar = plt.colorbar(image, ax=list(axes), fraction=0.04)
    cbar.set_label("states per bin", fontsize=8)
    return axes


