"""Compounding errors: why behavioral cloning's cost grows like eps * T^2 (notebook 01).

The argument (Ross & Bagnell 2010). Say the learner, while it is still on the expert's state
distribution, makes a *mistake* that takes it off that distribution with probability ``eps``
per step, and once off it never finds its way back (it is in states no demonstration
covered). Then

    P(still on the expert's distribution after t steps) = (1 - eps)^t,
    E[cost at step t] <= 1 - (1 - eps)^t <= eps * t,
    J(T) = sum_{t=1..T} E[cost at step t] <= sum_{t=1..T} eps * t = eps * T (T + 1) / 2,

so the expected cost over a horizon ``T`` is bounded by ``eps T^2 / 2`` (while ``eps T < 1``), not
``eps T`` as for a learner whose mistakes do not compound. Measured, the growth is superlinear with
an exponent that depends on the range of T (steeper than 2 at the start of the curve, where a
drifting car is still reaching the edge; about 1.4-2 on T >= 200). In this module ``eps`` is that
per-step exit hazard, which notebook 01 calls h (keeping eps for the supervised error).

On LaneKeeping the cost of a step is 1 when the car is off the road, so ``J(T)`` is the mean
number of steps off the road in the first ``T`` steps. The expert never leaves the road, so
the road is the boundary of the expert's state distribution, and the theory's ``eps`` is
measured as the learner's *hazard rate* of leaving the road: first exits per step spent on
the road (:func:`mistake_rate`). The supervised error BC minimizes on the expert's states is
measured too (:func:`action_error_rate`), to show how little it says about the drift.

Everything comes from one batched rollout at the longest horizon: LaneKeeping never ends an
episode early, so the first ``T`` steps of a 1000-step episode *are* a ``T``-step episode,
and prefix sums of the per-step cost give ``J(T)`` for every ``T`` at once
(:func:`cost_curve`). :func:`compounding_experiment` runs the whole measurement (collect
demonstrations, train BC, roll out, fit) for the notebook, its widget and the tests; its
figures are in :mod:`il_helpers.plots.distribution_shift`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..core.checks import check_int
from ..core.demonstrations import collect_demonstrations
from ..core.nets import cpu_threads
from ..core.rollout import Rollout, rollout
from ..core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from ..envs.registry import LANE_KEEPING, get_expert

#: a step's steering error counts as a supervised "mistake" above this (5 % of the range [-1, 1])
ACTION_THRESHOLD = 0.1

#: The course's compounding-error learner (notebook 01): BC with a small MLP, briefly trained.
#: Chosen from a sweep (3-20 demonstrations, 8x8-32x32 networks, 10-50 epochs, 8 seeds each) as a
#: learner that fits the expert's states closely yet leaves the road often enough, on every seed,
#: for J(T) to be measured up to T = 1000 (eps ~ 2e-4 .. 1e-3 per step). Stronger learners drift
#: more rarely (50 demonstrations: 0-2 exits in 1000 episodes x 1000 steps, seeds 0-2), weaker
#: ones (3 demonstrations) leave the road in 70-98 % of the episodes.
LEARNER = {"n_demos": 10, "hidden": (16, 16), "epochs": 20}
#: DART: the same learner on demonstrations driven with this much steering noise (std, in units
#: of the steering range's half-width); 0.2 already helps, 0.3 cuts BC's off-road rate 20x or more.
DART_NOISE = 0.3
#: the cost-curve rollouts of a learner trained with ``seed`` use ``seed + CURVE_SEED_OFFSET``: new
#: roads and gusts (its demonstrations were collected with ``seed`` itself)
CURVE_SEED_OFFSET = DEMO_SEED_OFFSET
#: the seed of the expert's states on which the supervised action error is measured
EXPERT_SAMPLE_SEED = EVAL_SEED_OFFSET


# -- horizons ----------------------------------------------------------------------------------

def log_horizons(max_horizon: int = 1000, per_decade: int = 12, min_horizon: int = 10) -> np.ndarray:
    """Log-spaced integer horizons from ``min_horizon`` to ``max_horizon`` (both included),
    ``per_decade`` per factor of 10 (duplicates after rounding removed)."""
    max_horizon = check_int("max_horizon", max_horizon)
    per_decade = check_int("per_decade", per_decade)
    min_horizon = check_int("min_horizon", min_horizon)
    lo = min(min_horizon, max_horizon)
    n = max(2, int(round(per_decade * np.log10(max_horizon / lo))) + 1)
    return np.unique(np.round(np.geomspace(lo, max_horizon, n)).astype(np.int64))


def _check_horizons(horizons, max_horizon: int | None = None) -> np.ndarray:
    h = np.asarray(horizons)
    if h.ndim != 1 or h.size == 0 or h.dtype.kind not in "iu":
        raise ValueError(f"horizons must be a non-empty 1-d array of integers, got {horizons!r}")
    if h.min() < 1 or np.any(np.diff(h) <= 0):
        raise ValueError(f"horizons must be positive and strictly increasing, got {h.tolist()}")
    if max_horizon is not None and h.max() > max_horizon:
        raise ValueError(f"horizons go up to {int(h.max())} but the rollout has only {max_horizon} steps")
    return h.astype(np.int64)


# -- measuring ---------------------------------------------------------------------------------

def expert_states(env_id: str = LANE_KEEPING, n_episodes: int = 100, seed: int = 0,
                  horizon: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A sample of the expert's state distribution d_pi*: ``(observations, expert actions)``.

    Every state of ``n_episodes`` expert episodes, flattened to ``(N, obs_dim)`` and ``(N, ...)``.
    """
    r = rollout(get_expert(env_id), env_id, n_episodes=n_episodes, seed=seed, horizon=horizon)
    m = r.alive
    return r.obs[m], r.actions[m]


def action_error_rate(policy, obs: np.ndarray, expert_actions: np.ndarray,
                      threshold: float = ACTION_THRESHOLD) -> float:
    """The supervised error rate: ``P_{s ~ data}( |pi(s) - pi*(s)| > threshold )``.

    ``obs`` and ``expert_actions`` are states and the expert's actions there (e.g. from
    :func:`expert_states`); for continuous actions the largest per-dimension difference is
    compared with ``threshold``, for discrete ones any disagreement counts.
    """
    obs, expert_actions = np.asarray(obs, np.float32), np.asarray(expert_actions)
    if obs.ndim != 2 or len(obs) == 0 or len(expert_actions) != len(obs):
        raise ValueError(f"obs must be (N, obs_dim) with N >= 1 and expert_actions must have N rows, "
                         f"got {obs.shape} and {expert_actions.shape}")
    if not (np.isfinite(threshold) and threshold >= 0):
        raise ValueError(f"threshold must be a number >= 0, got {threshold!r}")
    with cpu_threads(1):
        actions = np.asarray(policy(obs))
    if expert_actions.dtype.kind in "iu":
        return float(np.mean(actions.reshape(len(obs)) != expert_actions.reshape(len(obs))))
    diff = np.abs(actions.reshape(len(obs), -1) - expert_actions.reshape(len(obs), -1)).max(axis=1)
    return float(np.mean(diff > threshold))


@dataclass
class CostCurve:
    """The compounding-error measurement of one policy, from one rollout of ``n_episodes``.

    ``cost[k]`` is J(T) at ``T = horizons[k]``: the mean number of steps off the road in the
    first T steps, with standard error ``cost_se[k]``. Per step ``t = 1 .. T_max``:
    ``p_off[t-1]`` = P(off the road at step t) and ``survival[t-1]`` = P(never off the road
    in steps 1..t). ``first_exit`` holds each episode's first off-road step (1-based, 0 if never)
    and ``lost`` whether the episode, once off the road, stayed off until the end.
    """

    label: str
    horizons: np.ndarray
    cost: np.ndarray
    cost_se: np.ndarray
    p_off: np.ndarray
    survival: np.ndarray
    first_exit: np.ndarray
    lost: np.ndarray
    n_episodes: int

    @property
    def max_horizon(self) -> int:
        return int(len(self.p_off))

    def cost_at(self, T: int) -> float:
        """J(T) for any ``T <= max_horizon`` (the sum of the per-step off-road probabilities)."""
        T = check_int("T", T)
        if T > self.max_horizon:
            raise ValueError(f"T={T} is beyond the measured horizon {self.max_horizon}")
        return float(self.p_off[:T].sum())

    def off_road_rate(self, T: int | None = None) -> float:
        """The fraction of the first ``T`` steps (default: all) spent off the road: J(T) / T."""
        T = self.max_horizon if T is None else T
        return self.cost_at(T) / T

    def exits_by(self, T) -> np.ndarray:
        """How many episodes had left the road at least once within their first ``T`` steps."""
        T = np.asarray(T)
        first = self.first_exit[:, None]
        return np.sum((first > 0) & (first <= T.reshape(1, -1)), axis=0).reshape(T.shape)

    @property
    def lost_fraction(self) -> float:
        """Of the episodes that left the road, the share that never came back (0 if none left)."""
        exits = int((self.first_exit > 0).sum())
        return float(self.lost.sum() / exits) if exits else 0.0

    @property
    def eps(self) -> float:
        """The theory's per-step mistake rate, measured: see :func:`mistake_rate`."""
        return mistake_rate(self.first_exit, self.max_horizon)

    def __repr__(self) -> str:
        return (f"CostCurve({self.label!r}: {self.n_episodes} episodes x {self.max_horizon} steps, "
                f"J({self.max_horizon}) = {self.cost_at(self.max_horizon):.3g}, eps = {self.eps:.2e})")


def cost_curve(r: Rollout, horizons=None, label: str = "policy") -> CostCurve:
    """J(T) for every ``T`` in ``horizons`` from ONE rollout at the longest horizon.

    ``J(T) = mean over episodes of sum_{t=1..T} cost_t``: a prefix sum of ``infos["cost"]``
    per episode, read at each T. Only valid for environments that never end an episode early
    (LaneKeeping), because then the first T steps of a long episode are a T-step episode.
    """
    if "cost" not in r.infos:
        raise ValueError("cost_curve needs a rollout whose infos carry a per-step 'cost' (LaneKeeping)")
    if not r.alive.all():
        raise ValueError("cost_curve needs episodes that never end early (LaneKeeping); this rollout has terminations")
    cost = r.infos["cost"].astype(np.float64)  # (E, T_max), 1.0 when off the road
    E, T_max = cost.shape
    horizons = _check_horizons(log_horizons(T_max) if horizons is None else horizons, T_max)
    cumulative = np.cumsum(cost, axis=1)  # cumulative[i, T-1] = cost of episode i over its first T steps
    at = cumulative[:, horizons - 1]
    off = r.infos.get("off_road", cost > 0).astype(bool)
    ever = np.logical_or.accumulate(off, axis=1)
    first = np.where(ever[:, -1], off.argmax(axis=1) + 1, 0)
    lost = ever[:, -1] & (off | ~ever).all(axis=1)  # left, and off at every step since
    return CostCurve(label=label, horizons=horizons, cost=at.mean(axis=0),
                     cost_se=at.std(axis=0, ddof=1) / np.sqrt(E) if E > 1 else np.zeros(len(horizons)),
                     p_off=cost.mean(axis=0), survival=1.0 - ever.mean(axis=0), first_exit=first, lost=lost,
                     n_episodes=E)


def measure_cost_curve(policy, n_episodes: int = 1000, max_horizon: int = 1000, seed: int = 0,
                       horizons=None, label: str = "policy", env_id: str = LANE_KEEPING) -> CostCurve:
    """Roll ``policy`` out for ``n_episodes`` x ``max_horizon`` steps (batched) and return its
    :func:`cost_curve`. Uses one torch thread (fastest for the course's small networks)."""
    n_episodes = check_int("n_episodes", n_episodes)
    max_horizon = check_int("max_horizon", max_horizon)
    with cpu_threads(1):
        r = rollout(policy, env_id, n_episodes=n_episodes, seed=seed, horizon=max_horizon)
    return cost_curve(r, horizons, label=label)


def mistake_rate(first_exit: np.ndarray, max_horizon: int) -> float:
    """The theory's eps, measured: the hazard rate of leaving the road for the first time.

    ``first_exit[i]`` is episode i's first off-road step (1-based; 0 = never within
    ``max_horizon`` steps). Episode i spends ``first_exit[i]`` steps (or all ``max_horizon``)
    at risk, so the maximum-likelihood per-step probability of a constant-hazard
    (geometric) exit time is ``eps = number of exits / number of steps at risk``.
    """
    first_exit = np.asarray(first_exit)
    max_horizon = check_int("max_horizon", max_horizon)
    if first_exit.ndim != 1 or first_exit.size == 0 or first_exit.min() < 0 or first_exit.max() > max_horizon:
        raise ValueError(f"first_exit must be a non-empty 1-d array of steps in 0..{max_horizon}")
    exits = first_exit > 0
    at_risk = np.where(exits, first_exit, max_horizon).sum()
    return float(exits.sum() / at_risk)


# -- the theory --------------------------------------------------------------------------------

def still_on_distribution(eps: float, t) -> np.ndarray:
    """P(no mistake in t steps) = (1 - eps)^t."""
    _check_eps(eps)
    return (1.0 - eps) ** np.asarray(t, dtype=np.float64)


def expected_cost_bound(eps: float, T) -> np.ndarray:
    """The error-accumulation sum: ``sum_{t=1..T} [1 - (1 - eps)^t]``, in closed form.

    The expected cost of a learner that pays 1 per step once it has made its first mistake;
    ``~ eps T^2 / 2`` while ``eps T << 1`` and ``~ T - 1/eps`` once ``eps T >> 1``.
    """
    _check_eps(eps)
    T = np.asarray(T, dtype=np.float64)
    if eps == 0:
        return np.zeros_like(T)
    q = 1.0 - eps
    return T - q * (1.0 - q ** T) / eps  # sum of a geometric series


def reference_curves(eps: float, horizons) -> dict[str, np.ndarray]:
    """The theory's two references: ``eps T`` (mistakes that do not compound) and ``eps T^2``."""
    _check_eps(eps)
    T = np.asarray(horizons, dtype=np.float64)
    return {"eps_T": eps * T, "eps_T2": eps * T ** 2}


def _check_eps(eps) -> None:
    if not (np.isscalar(eps) and np.isfinite(eps) and 0.0 <= eps <= 1.0):
        raise ValueError(f"eps must be a probability in [0, 1], got {eps!r}")


# -- the slope ---------------------------------------------------------------------------------

@dataclass
class SlopeFit:
    """A least-squares line through ``(log T, log J)``: ``J ~ exp(intercept) * T^slope``."""

    slope: float
    intercept: float
    t_min: int
    t_max: int
    n_points: int

    def predict(self, T) -> np.ndarray:
        return np.exp(self.intercept) * np.asarray(T, dtype=np.float64) ** self.slope

    def __repr__(self) -> str:
        return f"SlopeFit(slope {self.slope:.2f} over T = {self.t_min}..{self.t_max}, {self.n_points} points)"


def fit_range(horizons, cost, eps: float, min_cost: float = 0.0) -> np.ndarray:
    """The horizons the slope is fitted on: ``J(T) > min_cost`` (log J exists) and ``eps T < 1``
    (before the cost saturates at ~1 per step, where every curve's slope tends to 1)."""
    _check_eps(eps)
    horizons, cost = np.asarray(horizons, dtype=np.float64), np.asarray(cost, dtype=np.float64)
    if horizons.shape != cost.shape or horizons.ndim != 1:
        raise ValueError("horizons and cost must be 1-d arrays of the same length, "
                         f"got {horizons.shape} and {cost.shape}")
    return (cost > min_cost) & (cost > 0) & (eps * horizons < 1.0)


def fit_loglog_slope(horizons, cost, mask=None) -> SlopeFit:
    """Fit ``log J = slope * log T + intercept`` by least squares over ``mask`` (default: all).

    Needs at least 3 points with ``J > 0``; raises ValueError otherwise (a slope through two
    points, or through a zero, is not a measurement).
    """
    horizons, cost = np.asarray(horizons, dtype=np.float64), np.asarray(cost, dtype=np.float64)
    if horizons.shape != cost.shape or horizons.ndim != 1:
        raise ValueError("horizons and cost must be 1-d arrays of the same length, "
                         f"got {horizons.shape} and {cost.shape}")
    mask = np.ones(len(horizons), bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != horizons.shape:
        raise ValueError(f"mask must have the shape of horizons {horizons.shape}, got {mask.shape}")
    if np.any(cost[mask] <= 0) or np.any(horizons[mask] <= 0):
        raise ValueError("fit_loglog_slope: every fitted point needs T > 0 and J(T) > 0 (log of zero)")
    if mask.sum() < 3:
        raise ValueError(f"fit_loglog_slope needs at least 3 points, got {int(mask.sum())}: "
                         "measure more horizons or more episodes")
    x, y = np.log(horizons[mask]), np.log(cost[mask])
    slope, intercept = np.polyfit(x, y, 1)
    return SlopeFit(float(slope), float(intercept), int(horizons[mask].min()), int(horizons[mask].max()),
                    int(mask.sum()))


def fit_compounding_slope(curve: CostCurve, eps: float | None = None, min_exit_fraction: float = 0.01) -> SlopeFit:
    """The compounding-error slope of one curve: :func:`fit_loglog_slope` over the horizons
    where ``J(T) > 0``, ``eps T < 1`` (default eps: the curve's own) and at least a fraction
    ``min_exit_fraction`` of the episodes have left the road by T (1 %: 10 episodes out of
    1000), so that no fitted point is the log of one or two chance events. The rule does not
    depend on the number of episodes. Raises ValueError if fewer than 3 horizons qualify."""
    eps = curve.eps if eps is None else eps
    if not (np.isfinite(min_exit_fraction) and 0.0 <= min_exit_fraction < 1.0):
        raise ValueError(f"min_exit_fraction must be in [0, 1), got {min_exit_fraction!r}")
    enough = curve.exits_by(curve.horizons) >= min_exit_fraction * curve.n_episodes
    return fit_loglog_slope(curve.horizons, curve.cost, fit_range(curve.horizons, curve.cost, eps) & enough)


# -- the whole experiment ----------------------------------------------------------------------

@dataclass
class CompoundingResult:
    """What :func:`compounding_experiment` measured for one learner (see its docstring)."""

    policy: object
    curve: CostCurve
    eps: float
    action_error: float
    fit: SlopeFit | None
    settings: dict
    wall_s: float = 0.0
    demos: object = field(default=None, repr=False)

    @property
    def off_road_rate(self) -> float:
        return self.curve.off_road_rate()

    def summary(self) -> dict:
        return {**self.settings, "eps": self.eps, "action_error": self.action_error,
                "slope": None if self.fit is None else self.fit.slope,
                "fit_range": None if self.fit is None else (self.fit.t_min, self.fit.t_max),
                "J_max": self.curve.cost_at(self.curve.max_horizon), "off_road_rate": self.off_road_rate}


def compounding_experiment(n_demos: int = LEARNER["n_demos"], hidden=LEARNER["hidden"], epochs: int = LEARNER["epochs"],
                           noise: float = 0.0, seed: int = 0, n_episodes: int = 1000, max_horizon: int = 1000,
                           horizons=None, min_exit_fraction: float = 0.01, expert_sample=None,
                           progress: Callable[[str], None] | None = None,
                           label: str | None = None) -> CompoundingResult:
    """Collect ``n_demos`` expert demonstrations (with DART ``noise`` on the executed steering),
    train BC (an MLP with ``hidden`` units, ``epochs`` epochs), and measure it.

    Seeds: demonstrations from ``seed``, BC with ``seed``, the evaluation rollout from
    ``seed + CURVE_SEED_OFFSET`` (new roads). Returns a :class:`CompoundingResult` with the cost curve,
    ``eps`` (:func:`mistake_rate`), the supervised ``action_error`` on the expert's states
    (``expert_sample = (obs, actions)``, default: :func:`expert_states` of 50 episodes) and
    the log-log slope of :func:`fit_compounding_slope` (None if fewer than 3 horizons
    qualify). ``progress(message)`` is called before each stage; ``label`` names the curve
    (default: "BC", or "BC + noise injection" when ``noise > 0``).
    """
    from ..algorithms.bc import train_bc

    t0 = time.perf_counter()
    say = progress or (lambda message: None)
    settings = {"n_demos": int(n_demos), "hidden": tuple(int(h) for h in hidden), "epochs": int(epochs),
                "noise": float(noise), "seed": int(seed), "n_episodes": int(n_episodes),
                "max_horizon": int(max_horizon)}
    say("collecting demonstrations")
    demos = collect_demonstrations(LANE_KEEPING, n_demos, seed=seed, noise=noise)
    say("training BC")
    policy, _ = train_bc(demos, hidden=tuple(hidden), epochs=epochs, seed=seed)
    say("rolling out")
    curve = measure_cost_curve(policy, n_episodes=n_episodes, max_horizon=max_horizon, seed=seed + CURVE_SEED_OFFSET,
                               horizons=horizons, label=label or f"BC{' + noise injection' if noise > 0 else ''}")
    eps = curve.eps
    if expert_sample is None:
        expert_sample = expert_states(LANE_KEEPING, 50, seed=EXPERT_SAMPLE_SEED)
    action_error = action_error_rate(policy, *expert_sample)
    try:
        fit = fit_compounding_slope(curve, eps, min_exit_fraction)
    except ValueError:  # too few horizons with enough exits (e.g. a learner that never drifts)
        fit = None
    return CompoundingResult(policy=policy, curve=curve, eps=eps, action_error=action_error, fit=fit,
                             settings=settings, wall_s=time.perf_counter() - t0, demos=demos)


def fitted_dart_noise(policy, expert_sample) -> float:
    """DART's noise level, fitted to the learner (Laskey et al. 2017): the root of the learner's mean
    squared action error ``E[(pi(s) - pi*(s))^2]`` on ``expert_sample = (obs, expert actions)``,
    states of the expert's distribution that the learner was not trained on.

    Laskey et al. set the injected noise's covariance to the second moment of the trained policy's
    error on the supervisor's (noise-injected) states; the steering here is 1-d, so the covariance
    is this one variance. A noise level fixed by hand instead is plain noise injection.
    """
    obs, expert_actions = np.asarray(expert_sample[0], np.float32), np.asarray(expert_sample[1])
    if obs.ndim != 2 or len(obs) == 0 or len(expert_actions) != len(obs):
        raise ValueError(f"expert_sample must be (obs (N, obs_dim), actions with N rows), got {obs.shape} and "
                         f"{expert_actions.shape}")
    with cpu_threads(1):
        actions = np.asarray(policy(obs), dtype=np.float64).reshape(len(obs), -1)
    err = actions - expert_actions.reshape(len(obs), -1).astype(np.float64)
    return float(np.sqrt(np.mean(np.sum(err ** 2, axis=1))))


def dart_experiment(seed: int = 0, iterations: int = 1, expert_sample=None, policy=None, **kwargs):
    """DART as Laskey et al. (2017) describe it: start from noise-free demonstrations, train BC,
    set the noise to :func:`fitted_dart_noise` (the learner's error on held-out expert states),
    collect new demonstrations with that noise and retrain; ``iterations`` times. No learner
    rollout is needed: it stays offline.

    ``policy``: the noise-free BC learner of ``seed`` if already trained (it is not trained again).
    ``kwargs`` go to :func:`compounding_experiment` (learner, episodes, horizon). Returns
    ``(result, noises)``: the last :class:`CompoundingResult` and the noise levels used, one per
    iteration.
    """
    iterations = check_int("iterations", iterations, 1, None)
    if expert_sample is None:
        expert_sample = expert_states(LANE_KEEPING, 50, seed=EXPERT_SAMPLE_SEED)
    kwargs = {**kwargs, "label": kwargs.get("label") or "DART (fitted noise)"}
    if policy is None:
        policy = compounding_experiment(seed=seed, expert_sample=expert_sample, **{**kwargs, "noise": 0.0}).policy
    noises, res = [], None
    for _ in range(iterations):
        noises.append(fitted_dart_noise(policy if res is None else res.policy, expert_sample))
        res = compounding_experiment(seed=seed, expert_sample=expert_sample, **{**kwargs, "noise": noises[-1]})
    return res, noises


def drift_episodes(r: Rollout, min_step: int = 1, stay: int = 50) -> list[tuple[int, int]]:
    """Drifts worth showing: ``(episode, first off-road step)`` for every episode of a
    LaneKeeping rollout that leaves the road at a step >= ``min_step`` and then stays off it
    for ``stay`` steps (or to the end of the rollout), earliest first."""
    min_step, stay = check_int("min_step", min_step), check_int("stay", stay)
    off = r.infos["off_road"]
    first = np.where(off.any(axis=1), off.argmax(axis=1) + 1, 0)
    found = [(int(i), int(first[i])) for i in np.argsort(first, kind="stable")
             if first[i] >= min_step and off[i, first[i] - 1: first[i] - 1 + stay].all()]
    return found
