"""The learning curve of an RL-based method (GAIL, AIRL, PPO), checked at every iteration.

:class:`LearningCurve` is a trainer's ``checkpoint(policy, info)``: it evaluates the policy as the
bench does at the end (deterministic actions) on ``episodes`` fixed evaluation episodes (the same
seeds at every checkpoint, ``seed + EVAL_SEED_OFFSET``), and the trainer keeps that time off its
clock. :meth:`LearningCurve.summary` is what the bench's JSON line reports: whether the method
*held* the expert's level once it reached it (:func:`il_helpers.core.stability.held`).
"""

from __future__ import annotations

from ..core.checks import check_int
from ..core.evaluation import evaluate
from ..core.seeding import EVAL_SEED_OFFSET
from ..core.stability import held, held_threshold

#: evaluation episodes per checkpoint (the bench's --curve-episodes default)
CURVE_EPISODES = 10


class LearningCurve:
    """``curve(policy, info)`` after every training iteration; ``curve.summary()`` at the end."""

    def __init__(self, env_id: str, seed: int, episodes: int = CURVE_EPISODES):
        self.env_id, self.seed = env_id, seed
        self.episodes = check_int("episodes", episodes, 1, where="LearningCurve")
        self.kind, self.threshold = held_threshold(env_id)
        self.values: list[float] = []
        self.wall_s: list[float] = []
        self.steps: list[int] = []

    def __call__(self, policy, info: dict) -> None:
        res = evaluate(policy, self.env_id, n_episodes=self.episodes, seed=self.seed + EVAL_SEED_OFFSET)
        self.values.append(res.return_mean if self.kind == "return" else res.normalized)
        self.wall_s.append(float(info["wall_s"]))
        self.steps.append(int(info["env_steps"]))

    def summary(self) -> dict:
        """``held_fraction``, ``held_from_s``, ``held_from_steps``, the threshold and the curve."""
        if not self.values:
            return {}
        r = held(self.values, self.threshold, self.wall_s, self.steps)
        return {"held_fraction": round(r["held_fraction"], 4), "held_from_s": r["held_from_s"],
                "held_from_steps": r["held_from_steps"], "held_threshold": f"{self.kind} >= {self.threshold:g}",
                "curve_episodes": self.episodes, "curve": [round(v, 4) for v in self.values]}


__all__ = ["CURVE_EPISODES", "LearningCurve"]
