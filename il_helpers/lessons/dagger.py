"""Notebook 03's experiment settings: the course's LaneKeeping DAgger, and the compounding-error
measurement pooled over several training seeds."""

from __future__ import annotations

import numpy as np

from ..algorithms.bc import BCConfig
from ..algorithms.dagger import DAggerConfig, InteractiveConfig
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.rollout import Rollout
from ..envs.registry import LANE_KEEPING
from .distribution_shift import LEARNER, cost_curve

#: the course's LaneKeeping DAgger (notebook 03, its widget and tests): notebook 01's small,
#: briefly trained learner; ``COURSE_DEMOS`` expert episodes, then 2 episodes per iteration for 5
#: iterations (2400 expert labels in all), the exponential schedule beta_i = 0.5^i
COURSE_DEMOS = 2
COURSE = DAggerConfig(iterations=5, iteration_episodes=2, schedule=("exponential", 0.5),
                      bc=BCConfig(hidden=LEARNER["hidden"], epochs=LEARNER["epochs"]))


def course_demos(seed: int = 0, env_id: str = LANE_KEEPING, n_episodes: int = COURSE_DEMOS) -> Demonstrations:
    """The expert demonstrations a DAgger run of the course starts from: ``n_episodes`` episodes
    collected with ``seed`` itself (the seed the run is given)."""
    return collect_demonstrations(env_id, n_episodes, seed=seed)


def course_config(cls=DAggerConfig, **overrides) -> InteractiveConfig:
    """:data:`COURSE`'s settings as a ``cls`` (e.g. ``SafeDAggerConfig``: the fields ``cls`` has,
    so SafeDAgger and HG-DAgger drop the schedule), with ``overrides``."""
    fields = {k: getattr(COURSE, k) for k in cls.__dataclass_fields__ if k in COURSE.__dataclass_fields__}
    return cls(**{**fields, **overrides})


def pooled_cost_curve(rollouts: list[Rollout], label: str = "policy", horizons=None):
    """:func:`~il_helpers.lessons.distribution_shift.cost_curve` of several LaneKeeping rollouts taken together.

    With one rollout per training seed (each seed's policy on its own roads), the pooled J(T)
    is the expected cost over the training randomness as well as over roads and gusts: the
    quantity the theorem bounds. It also gathers enough rare drifts to fit a slope for a
    learner that almost never leaves the road (one seed alone may drift only a few times in
    a million steps).
    """
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


#: notebook 03 fits every log-log slope on this one window of horizons, chosen before looking at any
#: slope: notebook 01 shows that the start of a J(T) curve (T < 200, the time a drifting car needs to
#: reach the edge, plus the first rare exits) inflates the slope, so the comparison leaves it out
SLOPE_WINDOW = (200, 1000)


def window_slope(curve, window: tuple[int, int] = SLOPE_WINDOW):
    """The log-log slope of ``curve`` (a :class:`~il_helpers.lessons.distribution_shift.CostCurve`)
    fitted on the grid horizons ``window[0] <= T <= window[1]``, the same window for every curve.

    Returns the :class:`~il_helpers.lessons.distribution_shift.SlopeFit`, or None when J(T) = 0 at
    some horizon of the window (too few drifts: a log of zero is not a measurement) or fewer than 3
    horizons lie in it. No other rule decides which horizons count, so two curves' slopes from
    this function are always fitted on the same horizons (when both exist).
    """
    from .distribution_shift import fit_loglog_slope

    lo, hi = (int(w) for w in window)
    if not 1 <= lo < hi:
        raise ValueError(f"window must be (low, high) with 1 <= low < high, got {window!r}")
    in_window = (curve.horizons >= lo) & (curve.horizons <= hi)
    if in_window.sum() < 3 or np.any(curve.cost[in_window] <= 0):
        return None
    return fit_loglog_slope(curve.horizons, curve.cost, in_window)


def episodes_for_labels(n_labels: int, episode_length: int = 200) -> int:
    """The number of whole expert episodes that give BC at least ``n_labels`` labels
    (LaneKeeping episodes are 200 steps, one label each): BC on the same label budget as a
    DAgger variant, rounded up so that BC never gets fewer labels."""
    n_labels, episode_length = int(n_labels), int(episode_length)
    if n_labels < 1 or episode_length < 1:
        raise ValueError(f"n_labels and episode_length must be >= 1, got {n_labels} and {episode_length}")
    return -(-n_labels // episode_length)
