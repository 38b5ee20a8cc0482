"""The numbers the course reports about a policy: ``evaluate`` summarizes a seeded rollout
(returns, normalized score, off-road and success rates); ``reference_returns`` gives the expert's
and a random policy's returns that the normalized score is measured against."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..envs.registry import get_expert, make_batched
from .checks import check_seed
from .policies import RandomPolicy
from .rollout import Rollout, rollout


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
    """Roll out ``policy`` for ``n_episodes`` (batched) and summarize (see :class:`EvalResult`).

    ``seed``: an integer in [0, 2**63 - 1]; the same seed gives the same episodes."""
    seed = check_seed("seed", seed, "evaluate")
    r = rollout(policy, env_id, n_episodes=n_episodes, seed=seed, horizon=horizon, env_kwargs=env_kwargs)
    return summarize(r, normalize=not env_kwargs)


def reference_returns(env_id: str, horizon: int | None = None) -> dict[str, float]:
    """Mean returns of the expert and of the uniformly random policy (100 episodes, seed 12345).

    Computed, not typed in: they are the 0 and 1 of the normalized score.
    """
    return _reference_returns(env_id, make_batched(env_id, 1, horizon=horizon).horizon)


@lru_cache(maxsize=None)
def _reference_returns(env_id: str, horizon: int) -> dict[str, float]:
    env = make_batched(env_id, 1, horizon=horizon)
    expert = rollout(get_expert(env_id), env_id, 100, seed=12345, horizon=horizon).returns.mean()
    rand = rollout(RandomPolicy(env.action_space, seed=12345), env_id, 100, seed=12345, horizon=horizon).returns.mean()
    return {"expert": float(expert), "random": float(rand)}


def normalized_score(mean_return: float, env_id: str, horizon: int | None = None) -> float:
    """``(R - R_random) / (R_expert - R_random)``: 0 is random, 1 is the expert."""
    ref = reference_returns(env_id, horizon)
    return float((mean_return - ref["random"]) / (ref["expert"] - ref["random"]))
