"""ObstacleFork: a point drives past an obstacle straight ahead; the expert passes it on the left
or on the right, each with probability 1/2. The course's multimodal example (notebook 06).

A point agent starts at ``(0, y0)``, ``y0`` uniform in +-0.3 m, and drives towards a finish line
at ``x = 6.5`` m. A round obstacle of radius 1 m sits at ``(4, 0)``, right on its way. Each step
the agent moves by ``(0.25 a_x, 0.5 a_y)`` metres for an action ``a`` in [-1, 1]^2 (forward,
lateral; left is positive): it sidesteps faster than it drives, like a hovercraft. Touching the
obstacle is a collision: the agent stops where it touched and stays there. Side walls at
``|y| = 3`` m stop the agent without a collision.

Episodes never end early (a fixed horizon of 30 steps; the finish line is 26 full-speed steps
away). The reward is the forward progress of each step (1 for a full-speed step) until a
collision, 0 after it.

Observation: the position ``[x, y]`` (metres). Actions: ``[forward, lateral]`` in [-1, 1]^2.
``info`` per step and copy: ``"success"`` (past the finish line without a collision),
``"collision"`` (collided at this step or before) and ``"side"`` (+1 once the agent has passed
the obstacle's centre on the left, -1 on the right, 0 before that or after a collision).

**The expert** (:class:`ObstacleForkExpert`) drives at full speed, steers back onto the
obstacle's axis (``y = 0``) on the way, swerves at ``x = 2.5`` m (the *fork*, 1.5 m before the
obstacle's centre) at full lateral speed to 1.5 m beside it, and keeps that lane to the finish.
The swerve is tight: started one step late it still clears the obstacle, two steps late it
does not. Which side? A human demonstrator decides on a whim; ours flips a coin, and the coin
must keep the expert *queryable* (any observation in, the expert's action out, the same answer
every time it is asked; so no hidden state, which a batched rollout could not reset per
episode anyway). At the fork the agent is within a millimetre of the axis, inside the
expert's *undecided band* ``|y| < 0.1`` m; there the coin is a hash of the exact bits of the
observation (murmur3's finalizer). The start ``y0`` is continuous, so every episode reaches the
fork at a slightly different ``y`` and gets its own fair coin, one that no smooth learner can
predict. One step later the agent is 0.5 m off the axis, outside the band, and the expert keeps
to the side it is on (hysteresis). So it decides once per approach, and it also answers
sensibly in states it never visits (a learner already swerving the "wrong" way is sent round
on that side). For a learner the fork state has two correct actions, (1, +1) and (1, -1); their
average, (1, 0), drives into the obstacle.

Because every episode reaches the same fork state, the choice is visible one step later: the
decision is per approach, not a hidden plan, so a policy that draws a fresh side at every step
rarely flips (notebook 06 measures it).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from ..core.policies import Expert
from .base import BatchedEnv, GymView
from .registry import OBSTACLE_FORK as ENV_ID
from .registry import register_env

# Geometry (metres) and dynamics.
STEP = (0.25, 0.5)  # m per step at full action: forward, lateral
START_Y = 0.3  # start: (0, y0), |y0| <= START_Y
OBSTACLE = (4.0, 0.0)  # obstacle centre
OBSTACLE_R = 1.0  # obstacle radius
FINISH_X = 6.5  # the finish line
WALL_Y = 3.0  # side walls (no collision, they stop the agent)
X_RANGE = (-0.5, 7.0)  # the arena's ends
DEFAULT_HORIZON = 30

# The expert's plan.
CENTRE_GAIN = 0.5  # before the fork: lateral step -0.5 y (halves the offset every step)
FORK_X = 2.5  # where it swerves (1.5 m before the obstacle's centre)
CLEARANCE = 1.5  # lateral distance from the obstacle's centre to pass at
BAND = 0.1  # |y| below which the expert is undecided and flips its coin

OBS_NAMES = ("x [m]", "y [m] (left +)")
ACTION_NAMES = ("forward", "lateral (left +)")
FORK_STATE = np.array([FORK_X, 0.0], np.float32)  # where both sides are correct


def _fmix32(h: np.ndarray) -> np.ndarray:
    """murmur3's 32-bit finalizer (a bijective bit mixer) on uint64 arrays holding 32-bit values."""
    mask = np.uint64(0xFFFFFFFF)
    h = h ^ (h >> np.uint64(16))
    h = (h * np.uint64(0x85EBCA6B)) & mask
    h = h ^ (h >> np.uint64(13))
    h = (h * np.uint64(0xC2B2AE35)) & mask
    return h ^ (h >> np.uint64(16))


def coin(obs: np.ndarray) -> np.ndarray:
    """The expert's coin at each observation: +1 (left) or -1 (right), shape (N,).

    A hash of the observation's float32 bits: deterministic, but observations that differ in
    the last bit get independent sides.
    """
    bits = np.ascontiguousarray(np.asarray(obs, dtype=np.float32)).view(np.uint32).astype(np.uint64)
    h = _fmix32(bits[:, 0])
    for j in range(1, bits.shape[1]):
        h = _fmix32(h ^ bits[:, j])
    return np.where((h >> np.uint64(31)) & np.uint64(1), 1.0, -1.0)


def segment_hits_disc(p0: np.ndarray, p1: np.ndarray, centre, radius: float):
    """Whether each segment ``p0 -> p1`` touches the disc, and the fraction ``u`` in [0, 1] of the
    segment travelled when it first does (1 where it does not). ``(N, 2)`` -> ``(N,)``, ``(N,)``."""
    d = p1 - p0
    f = p0 - np.asarray(centre, dtype=np.float64)
    a = (d * d).sum(axis=1)
    b = 2 * (f * d).sum(axis=1)
    c = (f * f).sum(axis=1) - radius**2
    disc = b * b - 4 * a * c
    root = (-b - np.sqrt(np.maximum(disc, 0.0))) / (2 * np.where(a > 0, a, 1.0))
    inside = c <= 0
    hit = inside | ((a > 0) & (disc >= 0) & (root >= 0) & (root <= 1))
    u = np.where(inside, 0.0, np.where(hit, np.clip(root, 0.0, 1.0), 1.0))
    return hit, u


class ObstacleForkBatched(BatchedEnv):
    """N copies of ObstacleFork stepped together (see the module docstring)."""

    env_id = ENV_ID

    def __init__(self, num_envs: int, horizon: int = DEFAULT_HORIZON):
        super().__init__(num_envs, horizon)
        self.observation_space = spaces.Box(np.array([X_RANGE[0], -WALL_Y], np.float32),
                                            np.array([X_RANGE[1], WALL_Y], np.float32), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self.pos = np.zeros((self.num_envs, 2))
        self.crashed = np.zeros(self.num_envs, dtype=bool)
        self.side = np.zeros(self.num_envs, dtype=np.int8)

    def observe(self) -> np.ndarray:
        return self.pos.astype(np.float32)

    def get_state(self) -> np.ndarray:
        """``(N, 4)``: x, y, crashed (0 / 1), side (+1 / -1 / 0)."""
        return np.column_stack([self.pos, self.crashed, self.side]).astype(np.float64)

    def set_state(self, state: np.ndarray) -> None:
        state = np.asarray(state, dtype=np.float64)
        if state.shape != (self.num_envs, 4):
            raise ValueError(f"state must have shape ({self.num_envs}, 4) (x, y, crashed, side), got {state.shape}")
        self.pos = state[:, :2].copy()
        self.crashed = state[:, 2] != 0
        self.side = np.sign(state[:, 3]).astype(np.int8)

    def _reset(self) -> np.ndarray:
        n = self.num_envs
        self.pos = np.column_stack([np.zeros(n), self.rng.uniform(-START_Y, START_Y, n)])
        self.crashed = np.zeros(n, dtype=bool)
        self.side = np.zeros(n, dtype=np.int8)
        return self.observe()

    def _step(self, actions: np.ndarray):
        moving = ~self.crashed
        old = self.pos
        target = old + np.asarray(STEP) * np.clip(actions, -1.0, 1.0) * moving[:, None]
        target[:, 0] = np.clip(target[:, 0], *X_RANGE)
        target[:, 1] = np.clip(target[:, 1], -WALL_Y, WALL_Y)
        hit, u = segment_hits_disc(old, target, OBSTACLE, OBSTACLE_R)
        hit &= moving
        new = np.where(hit[:, None], old + u[:, None] * (target - old), target)
        passed = moving & ~hit & (self.side == 0) & (old[:, 0] < OBSTACLE[0]) & (new[:, 0] >= OBSTACLE[0])
        self.side = np.where(passed, np.where(new[:, 1] >= OBSTACLE[1], 1, -1), self.side).astype(np.int8)
        self.crashed = self.crashed | hit
        self.side[self.crashed] = 0
        self.pos = new
        reward = np.where(self.crashed, 0.0, (new[:, 0] - old[:, 0]) / STEP[0])
        success = (new[:, 0] >= FINISH_X) & ~self.crashed
        info = {"success": success, "collision": self.crashed.copy(), "side": self.side.copy()}
        return self.observe(), reward, np.zeros(self.num_envs, dtype=bool), info


class ObstacleForkExpert(Expert):
    """Swerve round the obstacle on the side of a coin flipped at the fork (see the module docstring).

    With ``(x, y)`` the position, the side is ``s = sign(y)`` if ``|y| >= 0.1`` and
    ``coin(obs)`` inside that band, and the command is, at full forward speed,

    * approach (``x < 2.5``): sideways ``-0.5 y / 0.5`` (halve the offset every step);
    * swerve (``2.5 <= x < 4``): sideways ``s * clip(2 (1.5 - s y) / 0.5, 0, 1)``: full speed
      until 0.25 m from the 1.5 m lane, then ease into it;
    * pass (``x >= 4``): straight on.
    """

    env_id = ENV_ID
    name = "swerve on a coin"

    def act(self, obs: np.ndarray) -> np.ndarray:
        obs = np.asarray(obs, np.float32)
        x, y = obs[:, 0].astype(np.float64), obs[:, 1].astype(np.float64)
        side = np.where(np.abs(y) < BAND, coin(obs), np.sign(y))
        swerve = side * np.clip(2.0 * (CLEARANCE - side * y) / STEP[1], 0.0, 1.0)
        centre = np.clip(-CENTRE_GAIN * y / STEP[1], -1.0, 1.0)
        lateral = np.where(x < FORK_X, centre, np.where(x < OBSTACLE[0], swerve, 0.0))
        return np.column_stack([np.ones_like(x), lateral]).astype(np.float32)


class ObstacleForkEnv(GymView):
    """The gymnasium view of one ObstacleFork copy (``gym.make("il_helpers/ObstacleFork-v0")``).

    Keyword arguments: ``horizon`` (fixed episode length, default 30) and ``render_mode``
    ("rgb_array": a top-down picture of the arena with the path driven so far, drawn by
    :mod:`il_helpers.plots.multimodal`). ``info`` holds ``success``, ``collision`` and ``side`` as
    Python scalars (see the module docstring); ``path`` is the list of positions so far.
    """

    def __init__(self, horizon: int = DEFAULT_HORIZON, render_mode: str | None = None):
        super().__init__(ObstacleForkBatched(1, horizon=horizon), render_mode)
        self.path: list[np.ndarray] = []

    def _on_reset(self) -> None:
        self.path = [self.core.pos[0].copy()]

    def _on_step(self) -> None:
        self.path.append(self.core.pos[0].copy())


def _batched(num_envs: int, horizon: int | None = None, **kwargs) -> ObstacleForkBatched:
    return ObstacleForkBatched(num_envs, horizon=horizon or DEFAULT_HORIZON, **kwargs)


register_env(ENV_ID, _batched, entry_point="il_helpers.envs.obstacle_fork:ObstacleForkEnv", expert=ObstacleForkExpert)
