"""Notebook 02's Pendulum experiment: an expert that never errs at the top never shows how it corrects.

Pendulum's expert arrives at the top along one path and then stands still, upright, torque 0: most
demonstrated pairs near the top are that one pair, so what the expert does at a tilted, resting
pendulum is in no demonstration. :func:`pendulum_top_runs` trains the bench's BC on clean and on
noise-injected demonstrations and reads each clone's torque slope at the top (:func:`top_slope`).
"""

from __future__ import annotations

import numpy as np

from ..bench.methods import train_method
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.evaluation import evaluate
from ..core.seeding import DEMO_SEED_OFFSET

#: the action noise of the noise-injected Pendulum demonstrations (std 5 % of the torque range's half,
#: 0.1 N m; the expert's clean action is the label). Measured in notebook 02 (the bench's BC on 10
#: demonstrations, seeds 0-4 x sets 0 and 1, 100 episodes): clean 0.55-1.01, 3 of 10 runs below 0.9;
#: noise 0.05: 0.98-1.01. Earlier, on other test episodes, noise 0.05, 0.1 and 0.2 each gave >= 0.999 on
#: all 10 runs of set 0 and a set collected 100 seeds on.
PENDULUM_NOISE = 0.05
PENDULUM_SET_OFFSET = 500  #: demonstration set k of seed s is collected with seed s + DEMO_SEED_OFFSET + 500 k


def pendulum_demos(seed: int, demo_set: int = 0, n_demos: int = 10, noise: float = 0.0) -> Demonstrations:
    """``n_demos`` Pendulum-v1 expert episodes; set 0 of ``seed`` is the bench's own (seed +
    DEMO_SEED_OFFSET), set ``k`` is collected ``PENDULUM_SET_OFFSET * k`` seeds further on. ``noise``
    perturbs the executed torques (the labels stay the expert's)."""
    return collect_demonstrations("Pendulum-v1", n_demos, seed=int(seed) + DEMO_SEED_OFFSET
                                  + PENDULUM_SET_OFFSET * int(demo_set), noise=noise)


def resting_states(theta) -> np.ndarray:
    """Pendulum observations ``(cos theta, sin theta, 0)``: the pendulum at rest at the tilts ``theta``."""
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    return np.stack([np.cos(theta), np.sin(theta), np.zeros_like(theta)], axis=1).astype(np.float32)


def top_slope(policy, dtheta: float = 0.05) -> float:
    """The torque's slope in the tilt at the top, at rest: ``(a(-d) - a(d)) / (2 d)`` for the
    states ``theta = -d, +d`` with ``theta dot = 0`` (positive: it pushes the pendulum back up).
    The expert's (its LQR gain, where its torque is not clipped) is about 20 N m / rad."""
    a = np.asarray(policy(resting_states([-dtheta, dtheta])), dtype=np.float64).reshape(2)
    return float((a[0] - a[1]) / (2 * dtheta))


def top_pairs(demos: Demonstrations, theta_max: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """The demonstrated states near the top (``|theta| < theta_max``): their tilts and angular speeds."""
    if demos.env_id != "Pendulum-v1":
        raise ValueError(f"top_pairs: these are {demos.env_id!r} demonstrations; the top's states are Pendulum-v1's "
                         "(collect them with pendulum_demos)")
    theta = np.arctan2(demos.obs[:, 1], demos.obs[:, 0])
    near = np.abs(theta) < theta_max
    return theta[near], demos.obs[near, 2]


def still_share(demos: Demonstrations, theta_max: float = 0.03, tol: float = 1e-4) -> float:
    """The share of the pairs near the top (``|theta| < theta_max``) where the pendulum stands
    still and upright (``|theta|`` and ``|theta dot|`` below ``tol``): all of them say one thing,
    torque 0 at upright, and nothing about a tilt (0 when no pair is near the top)."""
    theta, speed = top_pairs(demos, theta_max)
    return float(np.mean((np.abs(theta) < tol) & (np.abs(speed) < tol))) if len(theta) else 0.0


def pendulum_top_runs(seeds, demo_sets=(0, 1), noise: float = PENDULUM_NOISE, n_demos: int = 10,
                      n_eval: int = 100, eval_seed: int = 1000) -> list[dict]:
    """BC as the bench trains it (the ``bc`` adapter: least squares, 2000 gradient steps) on
    ``n_demos`` Pendulum demonstrations, each run twice: on the clean demonstrations, and on the
    same number collected with ``noise`` injected into the expert's torques. One dict per (seed,
    demonstration set): ``seed``, ``demo_set``, and for ``"clean"`` and ``"noisy"`` each: ``score``
    (normalized, ``n_eval`` episodes, seed ``eval_seed + seed``), ``slope`` (:func:`top_slope`),
    ``still`` (:func:`still_share`), ``policy`` and ``demos``."""
    rows = []
    for k in demo_sets:
        for s in seeds:
            row = {"seed": int(s), "demo_set": int(k)}
            for name, eps in (("clean", 0.0), ("noisy", noise)):
                d = pendulum_demos(s, k, n_demos, eps)
                pol, _ = train_method("bc", d, seed=int(s))
                score = evaluate(pol, "Pendulum-v1", n_episodes=n_eval, seed=eval_seed + int(s)).normalized
                row[name] = dict(score=score, slope=top_slope(pol), still=still_share(d), policy=pol, demos=d)
            rows.append(row)
    return rows
