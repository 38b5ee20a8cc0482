"""Batched rollouts: ``rollout`` runs many episodes of a policy at once on an environment's
batched twin and keeps everything (observations, actions, the expert's labels, rewards, costs)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from gymnasium import spaces

from ..envs.registry import make_batched
from .checks import check_int, check_probability, check_seed
from .nets import cpu_threads
from .policies import as_policy


@dataclass
class Rollout:
    """``E`` episodes of ``T`` steps, stored as ``(E, T, ...)`` arrays.

    ``alive[i, t]`` is False once episode ``i`` has terminated (those entries are padding).
    ``actions`` holds the executed actions; ``labels`` the label policy's (usually the
    expert's) action at each visited state, or None when no label policy was given.
    """

    env_id: str
    horizon: int
    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_obs: np.ndarray
    terminated: np.ndarray
    alive: np.ndarray
    labels: np.ndarray | None = None
    infos: dict[str, np.ndarray] = field(default_factory=dict)
    roads: np.ndarray | None = None  # LaneKeeping only: each episode's curvature profile

    @property
    def lengths(self) -> np.ndarray:
        return self.alive.sum(axis=1)

    @property
    def returns(self) -> np.ndarray:
        return (self.rewards * self.alive).sum(axis=1)


def perturb(actions: np.ndarray, action_space: spaces.Space, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Inject exploration noise into a batch of actions (DART-style demonstrations).

    Continuous: add Gaussian noise with std ``noise * (high - low) / 2`` and clip to the
    bounds. Discrete: with probability ``noise``, replace the action by a uniform random one.
    """
    check_probability("noise", noise, where="perturb")
    if noise == 0:
        return actions
    if isinstance(action_space, spaces.Discrete):
        swap = rng.random(len(actions)) < noise
        return np.where(swap, rng.integers(0, action_space.n, len(actions)), actions).astype(np.int64)
    low, high = action_space.low, action_space.high
    noisy = actions + rng.normal(0.0, 1.0, actions.shape) * noise * (high - low) / 2
    return np.clip(noisy, low, high).astype(np.float32)


def check_obs_size(policy, env_id: str, observation_space) -> None:
    """Refuse a network policy built for another observation size than ``env_id``'s."""
    built = getattr(policy, "obs_dim", None)
    shape = getattr(observation_space, "shape", None)
    if built is None or not shape or len(shape) != 1 or int(built) == int(shape[0]):
        return
    trained = getattr(policy, "env_id", None)
    on = f"trained on {trained} ({built}-d observations)" if trained else f"built for {built}-d observations"
    raise ValueError(f"rollout: this policy was {on}; {env_id} gives {shape[0]}-d observations. "
                     f"Evaluate it on the environment it was trained on, or train one on {env_id}")


def rollout(policy, env_id: str, n_episodes: int = 100, seed: int = 0, horizon: int | None = None,
            noise: float = 0.0, label_policy=None, env_kwargs: dict | None = None) -> Rollout:
    """Run ``n_episodes`` of ``policy`` on ``env_id``, all at once.

    ``noise`` perturbs the executed actions (see :func:`perturb`); ``label_policy`` (e.g. the
    expert) is queried at every visited state and its actions are stored as ``labels``.
    The same seed gives the same rollout. Torch policies run on one CPU thread here: for a
    small network on a batch of observations, that is faster than splitting each product
    across threads, and far faster when other processes compete for the cores.
    """
    with cpu_threads(1):
        return _rollout(policy, env_id, n_episodes, seed, horizon, noise, label_policy, env_kwargs)


def _rollout(policy, env_id, n_episodes, seed, horizon, noise, label_policy, env_kwargs) -> Rollout:
    n_episodes = check_int("n_episodes", n_episodes)
    if horizon is not None:
        horizon = check_int("horizon", horizon)
    noise = check_probability("noise", noise)
    seed = check_seed("seed", seed, "rollout")
    env = make_batched(env_id, n_episodes, horizon=horizon, **(env_kwargs or {}))
    policy = as_policy(policy, env.action_space)
    check_obs_size(policy, env_id, env.observation_space)
    labeller = None if label_policy is None else as_policy(label_policy, env.action_space)
    noise_rng = np.random.default_rng([seed, 1])

    obs = env.reset(seed=seed)
    T, E = env.horizon, n_episodes
    act_shape = () if env.discrete else env.action_space.shape
    act_dtype = np.int64 if env.discrete else np.float32
    buf = {
        "obs": np.zeros((E, T, *obs.shape[1:]), np.float32),
        "next_obs": np.zeros((E, T, *obs.shape[1:]), np.float32),
        "actions": np.zeros((E, T, *act_shape), act_dtype),
        "rewards": np.zeros((E, T), np.float32),
        "terminated": np.zeros((E, T), bool),
        "alive": np.zeros((E, T), bool),
    }
    labels = None if labeller is None else np.zeros((E, T, *act_shape), act_dtype)
    infos: dict[str, np.ndarray] = {}
    alive = np.ones(E, dtype=bool)
    for t in range(T):
        action = np.asarray(policy(obs))
        if not env.discrete and action.ndim == 1:
            action = action[:, None]
        if labels is not None:
            label = np.asarray(labeller(obs))
            labels[:, t] = label.reshape(labels[:, t].shape)
        executed = perturb(action, env.action_space, noise, noise_rng)
        next_obs, reward, terminated, info = env.step(executed)
        buf["obs"][:, t] = obs
        buf["actions"][:, t] = np.asarray(executed).reshape(buf["actions"][:, t].shape)
        buf["rewards"][:, t] = reward
        buf["next_obs"][:, t] = next_obs
        buf["terminated"][:, t] = terminated & alive
        buf["alive"][:, t] = alive
        for key, value in info.items():
            if key not in infos:
                infos[key] = np.zeros((E, T), np.asarray(value).dtype)
            infos[key][:, t] = value
        alive = alive & ~terminated
        obs = next_obs
        if not alive.any():
            for key in buf:
                buf[key] = buf[key][:, : t + 1]
            labels = None if labels is None else labels[:, : t + 1]
            infos = {k: v[:, : t + 1] for k, v in infos.items()}
            break
    roads = getattr(env, "roads", None)
    return Rollout(env_id=env_id, horizon=env.horizon, labels=labels, infos=infos, roads=roads, **buf)
