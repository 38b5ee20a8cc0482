"""The registry of the course's environments: ids, batched twins, gymnasium ids and experts.

It imports no environment module: each one registers its own ids with :func:`register_env` when
it is imported, and ``import il_helpers.envs`` imports them all.

``make_env(env_id)`` gives the gymnasium environment (standard API, rendering);
``make_batched(env_id, num_envs)`` gives N copies stepped together in numpy, which is what
rollouts, evaluation and demonstration collection use.
"""

from __future__ import annotations

import difflib
from typing import Callable

import gymnasium as gym

from .base import BatchedEnv

# The ids of the course's own environments (their modules register them).
LANE_KEEPING = "il_helpers/LaneKeeping-v0"
LANE_KEEPING_DISCRETE = "il_helpers/LaneKeepingDiscrete-v0"
OBSTACLE_FORK = "il_helpers/ObstacleFork-v0"

BATCHED: dict[str, Callable[..., BatchedEnv]] = {}  # env id -> factory(num_envs, horizon=None, **kwargs)
EXPERTS: dict[str, Callable[[], object]] = {}  # env id -> factory() of its Expert
#: The environments with an expert and shipped demonstrations (``data/``), in the course's order;
#: filled as the env modules register (importing :mod:`il_helpers.envs` registers them all).
ENV_IDS: list[str] = []


def register_env(env_id: str, batched: Callable[..., BatchedEnv], *, entry_point: str | None = None,
                 kwargs: dict | None = None, expert: Callable[[], object] | None = None, listed: bool = True) -> str:
    """Register an environment: its batched twin ``batched(num_envs, horizon=None, **kwargs)``, its
    gymnasium entry point (``"module:Class"``, registered with ``gym.register`` once), its expert
    ``expert()`` and, with ``listed``, its place in :data:`ENV_IDS`. Each env module calls this for
    its own ids at import."""
    register_batched(env_id, batched)
    if entry_point is not None and env_id not in gym.registry:
        gym.register(id=env_id, entry_point=entry_point, kwargs=dict(kwargs or {}))
    if expert is not None:
        register_expert(env_id, expert)
    if listed and env_id not in ENV_IDS:
        ENV_IDS.append(env_id)
    return env_id


def register_expert(env_id: str, factory: Callable[[], object]) -> None:
    """Make ``get_expert(env_id)`` return ``factory()`` (replaces an earlier registration)."""
    if not callable(factory):
        raise TypeError(f"register_expert: factory must be callable, got {type(factory).__name__}")
    EXPERTS[env_id] = factory


def get_expert(env_id: str):
    """The expert of ``env_id`` (an :class:`~il_helpers.core.policies.Expert`); an unknown id raises
    ValueError listing the known ids."""
    if env_id not in EXPERTS:
        close = difflib.get_close_matches(str(env_id), list(EXPERTS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"no expert for {env_id!r}.{hint} Known env ids: {', '.join(sorted(EXPERTS))}")
    return EXPERTS[env_id]()


def check_env_id(env_id: str) -> str:
    """Return ``env_id`` if the course supports it, else raise a ValueError that lists the ids."""
    if env_id in BATCHED:
        return env_id
    close = difflib.get_close_matches(str(env_id), list(BATCHED), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"unknown environment id {env_id!r}.{hint} Supported ids: {', '.join(BATCHED)}")


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


ENV_OPTIONS: dict[str, Callable[..., str]] = {}  # env id -> (**options) -> the variant's env id
OPTION_NAMES = ("size", "world_seed", "wind")


def register_variants(env_id: str, make_variant: Callable[..., str]) -> None:
    """Let ``--size/--world-seed/--wind`` of the bench apply to ``env_id``: ``make_variant(size=...,
    world_seed=..., wind=...)`` (only the options given) returns the env id of that variant."""
    if not callable(make_variant):
        raise TypeError(f"register_variants: make_variant must be callable, got {type(make_variant).__name__}")
    ENV_OPTIONS[env_id] = make_variant
