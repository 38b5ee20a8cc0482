"""The registry of the course's environments: ids, batched twins, gymnasium ids and experts.

It imports no environment module: each one registers its own ids with :func:`register_env` when
it is imported, and ``import il_helpers.envs`` imports them all.

``make_env(env_id)`` gives the gymnasium environment (standard API, rendering);
``make_batched(env_id, num_envs)`` gives N copies stepped together in numpy, which is what
rollouts, evaluation and demonstration collection use.
"""

from __future__ import annotations

import difflib
import re
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
    if isinstance(env_id, str) and env_id not in EXPERTS:
        _resolve(env_id)
    if env_id not in EXPERTS:
        close = difflib.get_close_matches(str(env_id), list(EXPERTS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"no expert for {env_id!r}.{hint} Known env ids: {', '.join(sorted(EXPERTS))}")
    return EXPERTS[env_id]()


def check_env_id(env_id: str) -> str:
    """Return ``env_id`` if the course supports it, else raise a ValueError that lists the ids.

    An id not registered yet but that a resolver can build (e.g. a gridworld variant id such as
    ``il_helpers/ObjectWorld-32x32-seed3-wind0.5-T50-v0`` in a fresh process) is registered here."""
    if not isinstance(env_id, str):
        raise ValueError(f"env_id must be a str such as 'CartPole-v1', got {type(env_id).__name__} {env_id!r:.80}")
    if env_id in BATCHED or _resolve(env_id):
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


# -- resolvers: ids built on demand (gridworld variants) are registered on first use anywhere --------
RESOLVERS: list[Callable[[str], object]] = []  # each: resolver(env_id) registers env_id if it can build it

_VARIANT_OPTIONS = re.compile(r"(?:(?P<size>\d+)x(?P=size))?(?:-?seed(?P<world_seed>\d+))?"
                              r"(?:-?wind(?P<wind>\d+(?:\.\d+)?(?:e[-+]?\d+)?))?(?:-?T(?P<horizon>\d+))?")
_OPTION_TYPES = {"size": int, "world_seed": int, "wind": float, "horizon": int}


def register_resolver(resolver: Callable[[str], object]) -> None:
    """Let ``resolver(env_id)`` register ids it knows how to build when they are first used
    (``check_env_id``, ``make_batched``, ``load_demonstrations``, ``get_expert``); it should
    register ``env_id`` (e.g. with :func:`register_env`) or do nothing."""
    if not callable(resolver):
        raise TypeError(f"register_resolver: resolver must be callable, got {type(resolver).__name__}")
    if resolver not in RESOLVERS:
        RESOLVERS.append(resolver)


def resolve_variant(env_id: str) -> None:
    """The built-in resolver: an id ``<base>-<options>-vN`` whose base ``<base>-vN`` registered a
    variant maker (:func:`register_variants`), with options written as the makers write them
    (``32x32``, ``seed3``, ``wind0.5``, ``T50``), is built by that maker; it is kept only if the maker
    gives back exactly ``env_id``, so an id is never taken for another environment."""
    for base, make_variant in list(ENV_OPTIONS.items()):
        stem, _, version = base.rpartition("-")
        if stem and env_id.startswith(stem + "-") and env_id.endswith("-" + version):
            options = _VARIANT_OPTIONS.fullmatch(env_id[len(stem) + 1:-len(version) - 1])
            if options is not None:
                _make_variant(env_id, make_variant, options)


def _make_variant(env_id: str, make_variant: Callable[..., str], options: re.Match) -> None:
    given = {k: _OPTION_TYPES[k](v) for k, v in options.groupdict().items() if v is not None}
    if not given:
        return
    try:  # the maker registers its own spelling of the id; a differently written one stays unknown
        make_variant(**given)
    except (TypeError, ValueError):  # options the maker refuses: the id stays unknown
        return


def _resolve(env_id: str) -> bool:
    """Whether a resolver registered ``env_id`` (tried only for ids not registered yet)."""
    for resolver in (*RESOLVERS, resolve_variant):
        try:
            resolver(env_id)
        except (TypeError, ValueError):
            continue
        if env_id in BATCHED:
            return True
    return False
