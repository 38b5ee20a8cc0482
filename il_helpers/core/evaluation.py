"""Batched rollouts and the numbers the course reports about a policy.

``rollout`` runs many episodes of a policy at once on an environment's batched twin and keeps
everything (observations, actions, the expert's labels, rewards, costs); ``evaluate``
summarizes a rollout: returns, normalized score, off-road and success rates, and the
per-timestep cost curve used by the compounding-error plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from gymnasium import spaces

from ..envs.registry import make_batched
from .nets import cpu_threads
from .policies import RandomPolicy, as_policy


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


def _check_count(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def perturb(actions: np.ndarray, action_space: spaces.Space, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Inject exploration noise into a batch of actions (DART-style demonstrations).

    Continuous: add Gaussian noise with std ``noise * (high - low) / 2`` and clip to the
    bounds. Discrete: with probability ``noise``, replace the action by a uniform random one.
    """
    if noise == 0:
        return actions
    if isinstance(action_space, spaces.Discrete):
        swap = rng.random(len(actions)) < noise
        return np.where(swap, rng.integers(0, action_space.n, len(actions)), actions).astype(np.int64)
    low, high = action_space.low, action_space.high
    noisy = actions + rng.normal(0.0, 1.0, actions.shape) * noise * (high - low) / 2
    return np.clip(noisy, low, high).astype(np.float32)


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
    n_episodes = _check_count("n_episodes", n_episodes)
    if horizon is not None:
        horizon = _check_count("horizon", horizon)
    if not (np.isfinite(noise) and 0.0 <= noise <= 1.0):
        raise ValueError(f"noise must be in [0, 1], got {noise!r}")
    env = make_batched(env_id, n_episodes, horizon=horizon, **(env_kwargs or {}))
    policy = as_policy(policy, env.action_space)
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


@dataclass
class EvalResult:
    """What :func:`evaluate` measured (every number computed from one seeded rollout)."""

    env_id: str
    returns: np.ndarray
    lengths: np.ndarray
    normalized: float | None
    off_road_rate: float | None
    success_rate: float | None
    cost_curve: np.ndarray | None

    @property
    def return_mean(self) -> float:
        return float(self.returns.mean())

    @property
    def return_std(self) -> float:
        return float(self.returns.std())

    def summary(self) -> dict:
        out = {"env": self.env_id, "return_mean": self.return_mean, "return_std": self.return_std,
               "episodes": int(len(self.returns))}
        for key in ("normalized", "off_road_rate", "success_rate"):
            if getattr(self, key) is not None:
                out[key] = float(getattr(self, key))
        return out

    def __repr__(self) -> str:
        parts = [f"return {self.return_mean:.1f} ± {self.return_std:.1f} over {len(self.returns)} episodes"]
        if self.normalized is not None:
            parts.append(f"normalized {self.normalized:.3f}")
        if self.off_road_rate is not None:
            parts.append(f"off-road {100 * self.off_road_rate:.2f}% of steps")
        if self.success_rate is not None:
            parts.append(f"success {100 * self.success_rate:.0f}%")
        return f"EvalResult({self.env_id}: " + ", ".join(parts) + ")"


def summarize(r: Rollout, normalize: bool = True) -> EvalResult:
    """The statistics of a rollout (see :class:`EvalResult`)."""
    alive = r.alive
    off = r.infos.get("off_road")
    success = r.infos.get("success")
    cost = r.infos.get("cost")
    returns = r.returns.astype(np.float64)
    return EvalResult(
        env_id=r.env_id,
        returns=returns,
        lengths=r.lengths,
        normalized=normalized_score(returns.mean(), r.env_id, r.horizon) if normalize else None,
        off_road_rate=None if off is None else float((off & alive).sum() / alive.sum()),
        success_rate=None if success is None else float((success & alive).any(axis=1).mean()),
        cost_curve=None if cost is None else (cost * alive).mean(axis=0),
    )


def evaluate(policy, env_id: str, n_episodes: int = 100, seed: int = 0, horizon: int | None = None,
             env_kwargs: dict | None = None) -> EvalResult:
    """Roll out ``policy`` for ``n_episodes`` (batched) and summarize (see :class:`EvalResult`)."""
    r = rollout(policy, env_id, n_episodes=n_episodes, seed=seed, horizon=horizon, env_kwargs=env_kwargs)
    return summarize(r, normalize=not env_kwargs)


def reference_returns(env_id: str, horizon: int | None = None) -> dict[str, float]:
    """Mean returns of the expert and of the uniformly random policy (100 episodes, seed 12345).

    Computed, not typed in: they are the 0 and 1 of the normalized score.
    """
    return _reference_returns(env_id, make_batched(env_id, 1, horizon=horizon).horizon)


@lru_cache(maxsize=None)
def _reference_returns(env_id: str, horizon: int) -> dict[str, float]:
    from ..envs.registry import get_expert

    env = make_batched(env_id, 1, horizon=horizon)
    expert = rollout(get_expert(env_id), env_id, 100, seed=12345, horizon=horizon).returns.mean()
    rand = rollout(RandomPolicy(env.action_space, seed=12345), env_id, 100, seed=12345, horizon=horizon).returns.mean()
    return {"expert": float(expert), "random": float(rand)}


def normalized_score(mean_return: float, env_id: str, horizon: int | None = None) -> float:
    """``(R - R_random) / (R_expert - R_random)``: 0 is random, 1 is the expert."""
    ref = reference_returns(env_id, horizon)
    return float((mean_return - ref["random"]) / (ref["expert"] - ref["random"]))
