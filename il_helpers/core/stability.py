"""Whether a learning curve *stays* learned: a trainer that reaches the expert's level and falls
back ("unlearns") is not done when it first gets there.

A curve is a policy's evaluation at successive checkpoints (one per training iteration, on the
same evaluation episodes every time). :func:`held` reports, for a threshold:

* ``held_fraction``: the share of the checkpoints from the first one at or above the threshold
  (included) to the last that are at or above it (0 if none ever is);
* ``held_from``: the first checkpoint from which every later one is at or above the threshold
  (None if the last one is below), and ``held_from_s`` / ``held_from_steps``: its training time
  and environment steps, when those are given.

The threshold (:func:`held_threshold`): a return of 475 on CartPole-v1 (its solved level, out of
500), a normalized score of 0.9 elsewhere.
"""

from __future__ import annotations

import numpy as np

from .checks import check

#: CartPole-v1's threshold (a return) and every other environment's (a normalized score)
CARTPOLE_HELD_RETURN = 475.0
HELD_NORMALIZED = 0.9


def held_threshold(env_id: str) -> tuple[str, float]:
    """``("return", 475.0)`` for CartPole-v1, ``("normalized", 0.9)`` for every other environment."""
    return ("return", CARTPOLE_HELD_RETURN) if env_id == "CartPole-v1" else ("normalized", HELD_NORMALIZED)


def held(values, threshold: float, wall_s=None, steps=None) -> dict:
    """``held_fraction``, ``held_from`` (a checkpoint index or None) and, with ``wall_s`` / ``steps``
    (one per checkpoint), ``held_from_s`` / ``held_from_steps`` of the curve ``values``."""
    v = np.asarray(values, dtype=float)
    check(v.ndim == 1 and len(v) > 0 and np.isfinite(v).all(), "values", "a non-empty 1-d curve of finite numbers",
          v.shape if v.ndim != 1 else values, where="held")
    for name, extra in (("wall_s", wall_s), ("steps", steps)):
        check(extra is None or len(extra) == len(v), name, f"one value per checkpoint ({len(v)})",
              None if extra is None else len(extra), where="held")
    above = v >= threshold
    out: dict = {"checkpoints": len(v), "threshold": float(threshold)}
    if not above.any():
        out.update(held_fraction=0.0, held_from=None)
    else:
        first = int(np.argmax(above))
        out["held_fraction"] = float(above[first:].mean())
        below = np.flatnonzero(~above)
        out["held_from"] = None if len(below) and below[-1] == len(v) - 1 else (
            int(below[-1]) + 1 if len(below) else 0)
    i = out["held_from"]
    if wall_s is not None:
        out["held_from_s"] = None if i is None else float(wall_s[i])
    if steps is not None:
        out["held_from_steps"] = None if i is None else int(steps[i])
    return out


__all__ = ["CARTPOLE_HELD_RETURN", "HELD_NORMALIZED", "held_threshold", "held"]
