"""Three DAgger variants that change who drives while collecting and which states are labelled.

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

Each runs DAgger's loop (:func:`il_helpers.algorithms.dagger.interactive_loop`) and follows the
trainer contract: ``policy, history = train_X(demos, *, env_id=None, seed=0, progress=None,
config=None, **settings)`` with a :class:`~il_helpers.algorithms.dagger.DAggerHistory`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..core.checks import check_choice, check_int, check_number, make_config
from ..core.demonstrations import Demonstrations
from ..core.policies import Policy
from ..envs.registry import LANE_KEEPING, LANE_KEEPING_DISCRETE, check_env_id, env_spaces
from .dagger import (
    DAggerConfig,
    DAggerHistory,
    Driver,
    InteractiveConfig,
    MixturePolicy,
    check_initial,
    interactive_loop,
    run_settings,
    scaled,
    set_stats,
)
from .ensemble import EnsembleConfig, EnsemblePolicy, train_bc_ensemble
from .schedules import make_schedule


@dataclass
class SafeDAggerConfig(InteractiveConfig):
    """SafeDAgger: :class:`~il_helpers.algorithms.dagger.InteractiveConfig` plus the ``threshold``
    on :func:`action_distance` above which the expert takes over."""

    threshold: float = 0.1


@dataclass
class HGDAggerConfig(InteractiveConfig):
    """HG-DAgger: :class:`~il_helpers.algorithms.dagger.InteractiveConfig` plus the ``gate``
    (default :func:`default_gate`)."""

    gate: Callable | None = None


@dataclass
class SelectiveDAggerConfig(DAggerConfig):
    """Selective DAgger: DAgger's settings plus the disagreement ``threshold`` above which a
    visited state is sent to the expert, and the ensemble's ``n_members``."""

    threshold: float = 0.05
    n_members: int = 5


# -- who drives ----------------------------------------------------------------------------------

def action_distance(a: np.ndarray, b: np.ndarray, action_space) -> np.ndarray:
    """Per-row distance between two batches of actions: 0/1 (differ) for discrete actions,
    else the largest per-dimension difference in units of half the action range (so a
    threshold of 0.1 means 5 % of the range, whatever the env's bounds)."""
    if not hasattr(action_space, "low"):
        return (np.asarray(a).reshape(len(a)) != np.asarray(b).reshape(len(b))).astype(np.float64)
    half = (np.asarray(action_space.high) - np.asarray(action_space.low)).reshape(1, -1) / 2
    diff = np.abs(np.asarray(a, np.float64).reshape(len(a), -1) - np.asarray(b, np.float64).reshape(len(b), -1))
    return (diff / half).max(axis=1)


class SafeDAggerPolicy(Driver):
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


class GatedPolicy(Driver):
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



def fit_ensemble(data: Demonstrations, n_members: int, seed: int, bc, stats) -> EnsemblePolicy:
    """:func:`il_helpers.algorithms.ensemble.train_bc_ensemble` on ``data``, normalized as
    :func:`il_helpers.algorithms.dagger.fit_learner` (``stats``: the expert data's, or None)."""
    if stats is None:
        return train_bc_ensemble(data, seed=seed, config=EnsembleConfig(n_members=n_members, bc=bc))[0]
    ensemble, _ = train_bc_ensemble(scaled(data, stats), seed=seed, config=EnsembleConfig(
        n_members=n_members, bc=make_config(type(bc), bc, normalize=False)))
    for member in ensemble.members:
        set_stats(member, stats)
    return ensemble


def _threshold(value, where: str) -> float:
    return check_number("threshold", value, 0, where=where)


# -- the trainers --------------------------------------------------------------------------------

def train_safe_dagger(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
                      progress: Callable | None = None, config: SafeDAggerConfig | None = None,
                      **settings) -> tuple[Policy, DAggerHistory]:
    """SafeDAgger: collect with :class:`SafeDAggerPolicy` (the expert acts wherever the learner's
    action is more than ``threshold`` from its own, in units of half the action range), label
    and add every visited state. Other settings as :func:`~il_helpers.algorithms.dagger.train_dagger`."""
    check_initial("train_safe_dagger", demos)
    cfg = make_config(SafeDAggerConfig, config, "train_safe_dagger", **settings)
    threshold = _threshold(cfg.threshold, "train_safe_dagger")
    action_space = env_spaces(check_env_id(demos.env_id if env_id is None else env_id))[1]

    def driver(expert, learner, i):
        return SafeDAggerPolicy(expert, learner, threshold, action_space)

    return interactive_loop("SafeDAgger", demos, cfg, driver, None, env_id=env_id, seed=seed, progress=progress,
                            settings=run_settings("SafeDAgger", cfg, demos, env_id, seed, threshold=threshold))


def train_hg_dagger(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
                    progress: Callable | None = None, config: HGDAggerConfig | None = None,
                    **settings) -> tuple[Policy, DAggerHistory]:
    """HG-DAgger: the learner drives, ``gate`` (default :func:`default_gate`) hands control to the
    expert when the car leaves the safe band and back when it is well inside; only the steps
    the expert drove (its corrections) are labelled and added. Other settings as
    :func:`~il_helpers.algorithms.dagger.train_dagger`."""
    check_initial("train_hg_dagger", demos)
    cfg = make_config(HGDAggerConfig, config, "train_hg_dagger", **settings)
    gate = default_gate(check_env_id(demos.env_id if env_id is None else env_id)) if cfg.gate is None else cfg.gate
    if not callable(gate):
        raise TypeError(f"train_hg_dagger: gate must be callable (obs, learner_action, expert_action, controlling) "
                        f"-> bool array, got {type(gate).__name__}")

    def driver(expert, learner, i):
        return GatedPolicy(expert, learner, gate)

    def corrections(r, expert_drove, learner, data, stats):
        return expert_drove

    return interactive_loop("HG-DAgger", demos, cfg, driver, corrections, env_id=env_id, seed=seed,
                            progress=progress, settings=run_settings("HG-DAgger", cfg, demos, env_id, seed,
                                                                     gate=repr(gate)))


def train_selective_dagger(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
                           progress: Callable | None = None, config: SelectiveDAggerConfig | None = None,
                           **settings) -> tuple[Policy, DAggerHistory]:
    """DAgger that asks the expert only where an ensemble is unsure.

    Collection is DAgger's (the same mixture and schedule). Before labelling, an ensemble of
    ``n_members`` BC policies (:func:`il_helpers.algorithms.ensemble.train_bc_ensemble`, the same
    ``bc`` settings) is fitted to the current data; a visited state is sent to the expert only if
    the members' ``disagreement`` there (:meth:`~il_helpers.algorithms.ensemble.EnsemblePolicy.disagreement`:
    the std across members of their actions) exceeds ``threshold``. The steps the expert drove
    itself are known without asking and are kept too; both count as expert labels. The
    learner (one network, as in DAgger) is retrained on what was kept.
    ``history.settings["disagreement"]`` holds, per iteration, the disagreement at every
    visited state.
    """
    where = "train_selective_dagger"
    check_initial(where, demos)
    cfg = make_config(SelectiveDAggerConfig, config, where, **settings)
    threshold = _threshold(cfg.threshold, where)
    n_members = check_int("n_members", cfg.n_members, 2, where=where)
    sched = make_schedule(cfg.schedule)
    check_choice("per", cfg.per, ("step", "episode"), where=where)
    scores: list[np.ndarray] = []

    def driver(expert, learner, i):
        return MixturePolicy(expert, learner, sched(i), seed=[seed, i, 7], per=cfg.per)

    def query(r, expert_drove, learner, data, stats):
        ensemble = fit_ensemble(data, n_members, seed, cfg.bc, stats)
        d = ensemble.disagreement(r.obs.reshape(-1, r.obs.shape[-1])).reshape(r.alive.shape)
        scores.append(d[r.alive])
        return expert_drove | (d > threshold)

    policy, history = interactive_loop(
        "selective DAgger", demos, cfg, driver, query, env_id=env_id, seed=seed, progress=progress, schedule=sched,
        settings=run_settings("selective DAgger", cfg, demos, env_id, seed, schedule=str(sched), per=cfg.per,
                              threshold=threshold, n_members=n_members))
    history.settings["disagreement"] = scores
    return policy, history
