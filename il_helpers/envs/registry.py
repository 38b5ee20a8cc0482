"""The course's environments: registered gymnasium ids and their batched twins.

``make_env(env_id)`` gives the gymnasium environment (standard API, rendering);
``make_batched(env_id, num_envs)`` gives N copies stepped together in numpy, which is what
rollouts, evaluation and demonstration collection use.
"""

from __future__ import annotations

import difflib
from typing import Callable

import gymnasium as gym

from .base import BatchedEnv

LANE_KEEPING = "il_helpers/LaneKeeping-v0"
LANE_KEEPING_DISCRETE = "il_helpers/LaneKeepingDiscrete-v0"


def _classic(name: str) -> Callable[..., BatchedEnv]:
    def factory(num_envs: int, horizon: int | None = None, **kwargs) -> BatchedEnv:
        from . import classic_control

        cls = getattr(classic_control, name)
        return cls(num_envs, **({} if horizon is None else {"horizon": horizon}), **kwargs)

    return factory


def _lane_keeping(discrete: bool) -> Callable[..., BatchedEnv]:
    def factory(num_envs: int, horizon: int | None = None, **kwargs) -> BatchedEnv:
        from .lane_keeping import DEFAULT_HORIZON, LaneKeepingBatched

        return LaneKeepingBatched(num_envs, horizon=horizon or DEFAULT_HORIZON, discrete=discrete, **kwargs)

    return factory


BATCHED: dict[str, Callable[..., BatchedEnv]] = {
    "CartPole-v1": _classic("CartPoleBatched"),
    "Acrobot-v1": _classic("AcrobotBatched"),
    "MountainCar-v0": _classic("MountainCarBatched"),
    "MountainCarContinuous-v0": _classic("MountainCarContinuousBatched"),
    "Pendulum-v1": _classic("PendulumBatched"),
    LANE_KEEPING: _lane_keeping(False),
    LANE_KEEPING_DISCRETE: _lane_keeping(True),
}

OBSTACLE_FORK = "il_helpers/ObstacleFork-v0"


def _obstacle_fork(num_envs: int, horizon: int | None = None, **kwargs) -> BatchedEnv:
    from .obstacle_fork import DEFAULT_HORIZON, ObstacleForkBatched

    return ObstacleForkBatched(num_envs, horizon=horizon or DEFAULT_HORIZON, **kwargs)


BATCHED[OBSTACLE_FORK] = _obstacle_fork

ENV_IDS: tuple[str, ...] = tuple(BATCHED)


def _register() -> None:
    for env_id, discrete in ((LANE_KEEPING, False), (LANE_KEEPING_DISCRETE, True)):
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point="il_helpers.envs.lane_keeping:LaneKeepingEnv",
                         kwargs={"discrete": discrete})

    if OBSTACLE_FORK not in gym.registry:
        gym.register(id=OBSTACLE_FORK, entry_point="il_helpers.envs.obstacle_fork:ObstacleForkEnv")


_register()


def check_env_id(env_id: str) -> str:
    """Return ``env_id`` if the course supports it, else raise a ValueError that lists the ids."""
    if env_id in BATCHED:
        return env_id
    close = difflib.get_close_matches(str(env_id), ENV_IDS, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"unknown environment id {env_id!r}.{hint} Supported ids: {', '.join(ENV_IDS)}")


def make_batched(env_id: str, num_envs: int, horizon: int | None = None, **kwargs) -> BatchedEnv:
    """``num_envs`` copies of ``env_id`` stepped together (see :mod:`il_helpers.envs.base`).

    ``horizon`` overrides the episode length (gymnasium's time limit by default).
    """
    return BATCHED[check_env_id(env_id)](num_envs, horizon=horizon, **kwargs)


def make_env(env_id: str, **kwargs) -> gym.Env:
    """The gymnasium environment for ``env_id`` (``gym.make`` with the id checked first)."""
    return gym.make(check_env_id(env_id), **kwargs)


def env_spaces(env_id: str):
    """``(observation_space, action_space)`` of one copy of ``env_id``."""
    env = make_batched(env_id, 1)
    return env.observation_space, env.action_space


def register_batched(env_id: str, factory: Callable[..., BatchedEnv]) -> str:
    """Add an environment after import: ``factory(num_envs, horizon=None, **kwargs)`` builds its
    batched twin (:mod:`il_helpers.envs.gridworlds` registers its gridworlds this way).

    The id then works wherever an env id is accepted (``make_batched``, ``rollout``, ``evaluate``,
    ``collect_demonstrations``, ``Demonstrations``) but is not added to :data:`ENV_IDS`, the
    environments with shipped demonstrations in ``data/``.
    """
    if not isinstance(env_id, str) or not env_id:
        raise ValueError(f"env_id must be a non-empty string, got {env_id!r}")
    if not callable(factory):
        raise TypeError(f"register_batched: factory must be callable, got {type(factory).__name__}")
    BATCHED[env_id] = factory
    return env_id
