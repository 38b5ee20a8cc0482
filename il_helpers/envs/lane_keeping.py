"""LaneKeeping: a car following a winding road, the course's running example.

The car drives at a constant speed ``v`` along a road made of straight and curved sections
(a new random road every episode). Its state is written in the road's own frame (the
Frenet frame): the arc length ``s`` travelled along the centre line, the lateral offset ``e``
(metres, positive to the left) and the heading error ``psi`` (radians). With ``dt`` the time
step, ``kappa(s)`` the road's curvature and ``u`` in [-1, 1] the steering command,

    psi_{t+1} = psi_t + dt * (omega_max * u_t - v * kappa(s_t)) + noise_t
    e_{t+1}   = e_t   + dt * v * sin(psi_t)
    s_{t+1}   = s_t   + dt * v * cos(psi_t)

(the kinematic model for |kappa * e| << 1; ``noise_t`` is a small gust on the heading). The
reward is 1 on the road (|e| <= half width) and 0 off it. Episodes never end early: a fixed
horizon T, so the cost of a policy is the number of steps it spends off the road, exactly the
quantity of the compounding-error analysis (the bounds: BC's O(eps T^2) vs DAgger's O(u eps T), linear when
mistakes are recoverable; notebooks 01 and 03 measure what this road does).

Observation (5 numbers): ``[e, psi, kappa(s), kappa(s + 10 m), kappa(s + 20 m)]``.
Actions: continuous steering ``u`` in [-1, 1] (``LaneKeeping-v0``), or three discrete
actions 0 = right, 1 = straight, 2 = left (``LaneKeepingDiscrete-v0``).

Another body (notebook 09): ``steering_gain`` multiplies the command, ``omega_max * gain * u``. The
``...Reversed-v0`` ids are a car whose steering is wired the other way round (gain -1: action 0 turns
left); same roads, same observations, and an expert of its own (the controller with its command
flipped), so that normalized scores mean the same thing on both bodies.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from ..core.policies import Expert
from .base import BatchedEnv, GymView
from .registry import LANE_KEEPING, LANE_KEEPING_DISCRETE, register_env

LANE_KEEPING_REVERSED = "il_helpers/LaneKeepingReversed-v0"
LANE_KEEPING_DISCRETE_REVERSED = "il_helpers/LaneKeepingDiscreteReversed-v0"

# Physical constants (SI units). One step moves the car about one metre along the road.
DT = 0.1  # s
SPEED = 10.0  # m/s
OMEGA_MAX = 0.6  # rad/s, yaw rate at full steering
HALF_WIDTH = 2.0  # m, |e| beyond this is off the road
HEADING_NOISE = 0.02  # rad, std of the per-step heading gust
DS = 1.0  # m, resolution of the road's curvature profile
LOOKAHEAD = (10.0, 20.0)  # m, where the observation previews the curvature
MAX_CURVATURE = 0.04  # 1/m (tightest curve: radius 25 m, needs 2/3 of full steering)
DEFAULT_HORIZON = 200
DISCRETE_STEERING = np.array([-1.0, 0.0, 1.0])  # action 0 = right, 1 = straight, 2 = left

OBS_NAMES = ("lateral offset e [m]", "heading error psi [rad]", "curvature now [1/m]",
             "curvature +10 m [1/m]", "curvature +20 m [1/m]")


def make_roads(rng: np.random.Generator, n: int, length: int) -> np.ndarray:
    """Random curvature profiles, shape (n, length), one sample per metre.

    A road starts with 20 m of straight, then alternates sections of 20-80 m that are
    straight (40 %) or curved (radius 25-100 m, either side). Curvature is smoothed over 9 m,
    so curves ease in and out like real roads.
    """
    n_sections = length // 20 + 2
    lengths = rng.integers(20, 81, size=(n, n_sections))
    lengths[:, 0] = 20
    curved = rng.random((n, n_sections)) >= 0.4
    curvature = rng.uniform(0.01, MAX_CURVATURE, size=(n, n_sections)) * rng.choice([-1.0, 1.0], size=(n, n_sections))
    curvature = np.where(curved, curvature, 0.0)
    curvature[:, 0] = 0.0
    flat = np.repeat(curvature.ravel(), lengths.ravel())
    starts = np.concatenate([[0], np.cumsum(lengths.sum(axis=1))[:-1]])
    roads = flat[starts[:, None] + np.arange(length)[None, :]]
    # 9-sample moving average (edge-padded) for smooth transitions
    padded = np.pad(roads, ((0, 0), (4, 4)), mode="edge")
    c = np.cumsum(np.pad(padded, ((0, 0), (1, 0))), axis=1)
    return (c[:, 9:] - c[:, :-9]) / 9.0


def road_geometry(curvature: np.ndarray) -> dict[str, np.ndarray]:
    """World coordinates of a road's centre line from its curvature profile (one road, 1-D)."""
    theta = np.concatenate([[0.0], np.cumsum(curvature[:-1]) * DS])
    x = np.concatenate([[0.0], np.cumsum(np.cos(theta[:-1])) * DS])
    y = np.concatenate([[0.0], np.cumsum(np.sin(theta[:-1])) * DS])
    return {"x": x, "y": y, "theta": theta}


def frenet_to_world(geometry: dict[str, np.ndarray], s: np.ndarray, e: np.ndarray):
    """Map road coordinates (s, e) to world (x, y) on one road's geometry."""
    grid = np.arange(len(geometry["x"])) * DS
    x = np.interp(s, grid, geometry["x"])
    y = np.interp(s, grid, geometry["y"])
    th = np.interp(s, grid, geometry["theta"])
    return x - e * np.sin(th), y + e * np.cos(th)


class LaneKeepingBatched(BatchedEnv):
    """N cars, each on its own random road, stepped together (see the module docstring)."""

    def __init__(self, num_envs: int, horizon: int = DEFAULT_HORIZON, discrete: bool = False,
                 heading_noise: float = HEADING_NOISE, steering_gain: float = 1.0):
        super().__init__(num_envs, horizon)
        if not (np.isfinite(heading_noise) and heading_noise >= 0):
            raise ValueError(f"heading_noise must be a finite number >= 0, got {heading_noise!r}")
        if not (isinstance(steering_gain, (int, float)) and np.isfinite(steering_gain) and steering_gain != 0):
            raise ValueError(f"steering_gain must be a finite, non-zero number (1 = the course's car, -1 = steering "
                             f"reversed), got {steering_gain!r}")
        self.heading_noise = float(heading_noise)
        self.steering_gain = float(steering_gain)
        self.env_id = _env_id(discrete, self.steering_gain)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(5,), dtype=np.float32)
        self.action_space = spaces.Discrete(3) if discrete else spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self.road_length = int(np.ceil(self.horizon * SPEED * DT / DS + max(LOOKAHEAD) / DS)) + 2
        self.roads = np.zeros((self.num_envs, self.road_length))
        self.state = np.zeros((self.num_envs, 3))  # columns: s, e, psi

    # -- helpers -------------------------------------------------------------------------------
    def curvature_at(self, s: np.ndarray) -> np.ndarray:
        """Curvature of each copy's road at arc lengths ``s`` (shape (N,) or (N, k))."""
        idx = np.clip((s / DS).astype(np.int64), 0, self.road_length - 1)
        rows = np.arange(self.num_envs).reshape((-1,) + (1,) * (idx.ndim - 1))
        return self.roads[rows, idx]

    def observe(self) -> np.ndarray:
        s, e, psi = self.state.T
        ahead = s[:, None] + np.array([0.0, *LOOKAHEAD])[None, :]
        kappa = self.curvature_at(ahead)
        wrapped = (psi + np.pi) % (2 * np.pi) - np.pi
        return np.column_stack([e, wrapped, kappa]).astype(np.float32)

    def get_state(self) -> np.ndarray:
        return self.state.copy()

    def set_state(self, state: np.ndarray) -> None:
        state = np.asarray(state, dtype=np.float64)
        if state.shape != (self.num_envs, 3):
            raise ValueError(f"state must have shape ({self.num_envs}, 3) (columns s, e, psi), got {state.shape}")
        self.state = state.copy()

    # -- BatchedEnv ----------------------------------------------------------------------------
    def _reset(self) -> np.ndarray:
        self.roads = make_roads(self.rng, self.num_envs, self.road_length)
        self.state = np.column_stack([
            np.zeros(self.num_envs),
            self.rng.uniform(-0.5, 0.5, self.num_envs),
            self.rng.uniform(-0.05, 0.05, self.num_envs),
        ])
        return self.observe()

    def steering(self, actions: np.ndarray) -> np.ndarray:
        if self.discrete:
            return DISCRETE_STEERING[actions]
        return np.clip(actions[:, 0], -1.0, 1.0)

    def _step(self, actions: np.ndarray):
        u = self.steering(actions)
        s, e, psi = self.state.T
        kappa = self.curvature_at(s)
        noise = self.rng.normal(0.0, self.heading_noise, self.num_envs) if self.heading_noise > 0 else 0.0
        new_psi = psi + DT * (OMEGA_MAX * self.steering_gain * u - SPEED * kappa) + noise
        new_e = e + DT * SPEED * np.sin(psi)
        new_s = np.clip(s + DT * SPEED * np.cos(psi), 0.0, (self.road_length - 1) * DS)
        self.state = np.column_stack([new_s, new_e, new_psi])
        off_road = np.abs(new_e) > HALF_WIDTH
        reward = (~off_road).astype(np.float64)
        info = {"off_road": off_road, "cost": off_road.astype(np.float64), "s": new_s.copy()}
        return self.observe(), reward, np.zeros(self.num_envs, dtype=bool), info


class LaneKeepingEnv(GymView):
    """The gymnasium view of one LaneKeeping car (``gym.make("il_helpers/LaneKeeping-v0")``).

    Keyword arguments: ``horizon`` (fixed episode length, default 200), ``discrete`` (three
    actions instead of continuous steering), ``heading_noise``, ``render_mode`` ("rgb_array").
    ``info["off_road"]`` tells whether the car is off the road.
    """

    def __init__(self, horizon: int = DEFAULT_HORIZON, discrete: bool = False,
                 heading_noise: float = HEADING_NOISE, steering_gain: float = 1.0, render_mode: str | None = None):
        super().__init__(LaneKeepingBatched(1, horizon=horizon, discrete=discrete, heading_noise=heading_noise,
                                            steering_gain=steering_gain), render_mode)


class LaneKeepingExpert(Expert):
    """A path-following controller: curvature feed-forward plus feedback on the errors.

    The road asks for a yaw rate ``v * kappa``; the expert gives it, and corrects the heading
    and offset errors: ``omega = v * kappa - k_psi * psi - k_e * e``, so the error obeys
    ``e'' + k_psi e' + v k_e e = 0``, critically damped with a 1 s time constant
    (``k_e = 0.1``, ``k_psi = 2``). Steering is ``omega / omega_max`` clipped to [-1, 1].

    The discrete variant picks the nearest of right / straight / left. Rounding makes a dead
    band (a small correction rounds to "straight"), so it uses stiffer gains (``k_e = 0.3``,
    ``k_psi = 3``) that start correcting before the car is 1 m off centre.
    """

    def __init__(self, discrete: bool = False, steering_gain: float = 1.0):
        self.discrete = discrete
        self.steering_gain = float(steering_gain)
        self.k_e, self.k_psi = (0.3, 3.0) if discrete else (0.1, 2.0)
        self.env_id = _env_id(discrete, self.steering_gain)
        self.name = "path-following controller" + (" (steering reversed)" if self.steering_gain < 0 else "")

    def act(self, obs: np.ndarray) -> np.ndarray:
        e, psi, kappa = obs[:, 0], obs[:, 1], obs[:, 2]
        omega = SPEED * kappa - self.k_psi * psi - self.k_e * e
        u = np.clip(omega / (OMEGA_MAX * self.steering_gain), -1.0, 1.0)
        if self.discrete:
            return np.abs(u[:, None] - DISCRETE_STEERING[None, :]).argmin(axis=1).astype(np.int64)
        return u[:, None].astype(np.float32)


def _env_id(discrete: bool, steering_gain: float) -> str:
    if steering_gain == -1.0:
        return LANE_KEEPING_DISCRETE_REVERSED if discrete else LANE_KEEPING_REVERSED
    return LANE_KEEPING_DISCRETE if discrete else LANE_KEEPING


def _batched(discrete: bool, steering_gain: float):
    def factory(num_envs: int, horizon: int | None = None, **kwargs) -> LaneKeepingBatched:
        return LaneKeepingBatched(num_envs, horizon=horizon or DEFAULT_HORIZON, discrete=discrete,
                                  steering_gain=steering_gain, **kwargs)

    return factory


for _discrete in (False, True):
    for _gain in (1.0, -1.0):  # the reversed bodies are not listed in ENV_IDS: notebook 09's, not the bench's rows
        register_env(_env_id(_discrete, _gain), _batched(_discrete, _gain),
                     entry_point="il_helpers.envs.lane_keeping:LaneKeepingEnv",
                     kwargs={"discrete": _discrete, "steering_gain": _gain},
                     expert=lambda d=_discrete, g=_gain: LaneKeepingExpert(discrete=d, steering_gain=g),
                     listed=_gain > 0)
del _discrete, _gain
