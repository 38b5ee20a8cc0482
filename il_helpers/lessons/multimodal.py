"""Notebook 06's experiments: Bishop's inverse problem, what an ObstacleFork rollout says about
passing the obstacle, and the comparison of plain BC (least squares) with the multimodal policies
(MDN, discretized, CVAE, diffusion) over seeds, each also over chunks of :data:`CHUNK` actions.

The methods are trained by their own trainers (:func:`~il_helpers.algorithms.mdn.train_mdn`,
:func:`~il_helpers.algorithms.discretized.train_discretized`, :func:`~il_helpers.algorithms.cvae.train_cvae`,
:func:`~il_helpers.algorithms.diffusion.train_diffusion`; least squares by
:func:`~il_helpers.algorithms.bc.train_bc`; ``"<method>_chunk"`` by
:func:`~il_helpers.algorithms.chunking.train_chunked`) with one shared budget, :data:`TRAIN`
(or :data:`TRAIN_FAST`), so the comparison is like with like.
"""

from __future__ import annotations

import numpy as np
import torch

from ..algorithms.bc import train_bc
from ..algorithms.chunking import train_chunked
from ..algorithms.cvae import train_cvae
from ..algorithms.diffusion import DiffusionConfig, train_diffusion
from ..algorithms.discretized import train_discretized
from ..algorithms.mdn import train_mdn
from ..core.demonstrations import collect_demonstrations
from ..core.rollout import rollout
from ..core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from ..envs.obstacle_fork import FORK_STATE
from ..envs.registry import OBSTACLE_FORK

# --------------------------------------------------------------------------------------------
# the lesson's settings
# --------------------------------------------------------------------------------------------

#: the training budget of every method of the comparison (``train_bc`` settings; the multimodal
#: trainers' defaults are the same): the MDN needs several thousand small steps. Every epoch of the
#: budget runs (``patience`` = ``epochs``) and the weights of the best validation epoch are kept:
#: the MDN's validation loss can stall for 20 epochs and then fall again. With ``patience`` 20,
#: seed 2 stopped at epoch 36 and passed the obstacle in 60 % of the episodes (its most likely
#: mode drove into it every time); with the whole budget seeds 0-4 pass in 98-100 %.
TRAIN = {"epochs": 150, "batch_size": 64, "lr": 3e-3, "patience": 150}
TRAIN_FAST = {"epochs": 60, "batch_size": 64, "lr": 3e-3, "patience": 60}

N_DEMOS = 100  #: expert episodes each method learns from
METHODS = ("mse", "mdn", "discretized", "cvae", "diffusion")
#: the multimodal trainers by name (the contract of :mod:`il_helpers`: ``train_X(demos, *, seed, ...)``)
TRAINERS = {"mdn": train_mdn, "discretized": train_discretized, "cvae": train_cvae, "diffusion": train_diffusion}
CHUNK = 4  #: the chunk length of the ``"<method>_chunk"`` variants (ACT's chunks are longer; the fork is 10 steps in)
#: every method over chunks of CHUNK actions, open loop (``"mse_chunk"``: least squares on chunks)
CHUNKED = tuple(f"{m}_chunk" for m in METHODS)
#: the policies' own settings in the comparison (not the budget, which is :data:`TRAIN` for all):
#: with 100 demonstrations (2400 training pairs) the diffusion policy needs 2 noise draws per
#: pair, not the 8 of ``DiffusionConfig`` (sized for 10), and trains about twice as fast (seeds
#: 0-4: 10 s against 21 s a seed, load average 2.5; success 87-99 % against 91-100 %)
MODEL_CONFIGS = {"diffusion": DiffusionConfig(noise_draws=2)}


def train_method(kind: str, demos, seed: int = 0, fast: bool = False):
    """Train ``kind``: "mse" (plain BC, least squares), a multimodal policy ("mdn", "discretized",
    "cvae", "diffusion") or one of them over chunks of :data:`CHUNK` actions (``"<kind>_chunk"``,
    executed open loop), with the same budget (:data:`TRAIN`, or :data:`TRAIN_FAST`). Returns
    ``(policy, history)``."""
    settings = TRAIN_FAST if fast else TRAIN
    if kind in CHUNKED:
        base = kind[: -len("_chunk")]
        return train_chunked(demos, seed=seed, base=base, chunk=CHUNK, base_config=MODEL_CONFIGS.get(base),
                             **settings)
    if kind == "mse":
        return train_bc(demos, loss="mse", seed=seed, **settings)
    if kind not in TRAINERS:
        raise ValueError(f"unknown method {kind!r}; choose one of {', '.join(METHODS + CHUNKED)}")
    return TRAINERS[kind](demos, seed=seed, config=MODEL_CONFIGS.get(kind), **settings)


# --------------------------------------------------------------------------------------------
# Bishop's inverse problem (the warm-up)
# --------------------------------------------------------------------------------------------


def bishop_data(n: int = 1000, seed: int = 0, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Bishop's (1994) toy inverse problem, as ``(inputs, targets)`` of shape (n, 1) float32.

    The forward problem ``x = t + 0.3 sin(2 pi t) + u`` (``t`` uniform in [0, 1], ``u`` uniform
    in +-``noise``) is a function; its inverse, ``t`` given ``x``, has up to three answers for
    ``x`` in about [0.35, 0.65]. The inputs are ``x`` and the targets ``t``.
    """
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, 1.0, n)
    x = t + 0.3 * np.sin(2 * np.pi * t) + rng.uniform(-noise, noise, n)
    return x[:, None].astype(np.float32), t[:, None].astype(np.float32)


# --------------------------------------------------------------------------------------------
# what a rollout says about the fork
# --------------------------------------------------------------------------------------------


def side_switches(r) -> np.ndarray:
    """Per episode: how often the policy reversed a strong sideways command (``|a_y| > 0.5``),
    e.g. left, then right: the zig-zag count. Shape (E,)."""
    a = r.actions[:, :, 1]
    strong = np.where(np.abs(a) > 0.5, np.sign(a), 0.0)
    out = np.zeros(len(a), dtype=np.int64)
    for i, row in enumerate(strong):
        nz = row[row != 0]
        out[i] = int((nz[1:] * nz[:-1] < 0).sum())
    return out


def fork_stats(r) -> dict:
    """What an ObstacleFork rollout says about passing the obstacle, as shares of episodes:
    ``success_rate`` (finished without a collision), ``collision_rate``, ``left_share`` (left
    passes among the episodes that passed the obstacle; NaN if none did; ``n_passed`` is that
    count) and ``zigzag_rate`` (episodes that reversed a strong sideways command)."""
    if r.env_id != OBSTACLE_FORK:
        raise ValueError(f"fork_stats needs an {OBSTACLE_FORK} rollout, got one of {r.env_id}")
    side = r.infos["side"][:, -1]
    passed = side != 0
    return {
        "success_rate": float(r.infos["success"].any(axis=1).mean()),
        "collision_rate": float(r.infos["collision"][:, -1].mean()),
        "left_share": float((side[passed] == 1).mean()) if passed.any() else float("nan"),
        "n_passed": int(passed.sum()),
        "zigzag_rate": float((side_switches(r) > 0).mean()),
        "episodes": int(len(side)),
    }


def fork_left_probability(policy) -> float:
    """The probability a mixture policy gives "left" at the fork state: the total weight of its
    components whose mean sideways action is positive (left), at ``obstacle_fork.FORK_STATE``.
    NaN for a policy without a ``mixture(obs)`` method (least squares, discretized, CVAE)."""
    if not hasattr(policy, "mixture"):
        return float("nan")
    w, mu, _ = policy.mixture(np.asarray(FORK_STATE, np.float32)[None])
    return float(w[0][mu[0, :, 1] > 0].sum())


def minority_side_share(stats: dict) -> float:
    """The share of all episodes that passed the obstacle on the side used less often:
    ``min(left, right) passes / episodes`` from :func:`fork_stats`. 0 for a policy that never
    passes or always passes on one side; about 0.5 for one that splits evenly and never collides."""
    if stats["n_passed"] == 0:
        return 0.0
    share = stats["left_share"]
    return float(min(share, 1.0 - share) * stats["n_passed"] / stats["episodes"])


def evaluate_fork(policy, n_episodes: int = 100, seed: int = 0, horizon: int | None = None):
    """Roll ``policy`` out on ObstacleFork and return ``(rollout, fork_stats(rollout))``.

    A policy that keeps per-episode state (it has a ``reset(n, seed)`` method, like the
    multimodal policies, :class:`~il_helpers.algorithms.mode_holding.ModeHoldingPolicy`) is reset
    first with ``seed``: the same seed gives the same episodes *and* the same modes.
    """
    if hasattr(policy, "reset"):
        policy.reset(n_episodes, seed=seed)
    r = rollout(policy, OBSTACLE_FORK, n_episodes=n_episodes, seed=seed, horizon=horizon)
    return r, fork_stats(r)


def outcomes_by_noise(policy, n_episodes: int = 400, seed: int = 0) -> dict:
    """Which starting noise led where: roll out ``policy`` (a mode-holding policy, its noise held
    for the episode) on ObstacleFork with :func:`evaluate_fork` and return each episode's held
    random numbers ``noise`` (``(n, D)`` for a diffusion policy's ``x_T``), its ``side`` (+1 passed
    left, -1 right, 0 never passed), ``collision`` (bool) and the run's :func:`fork_stats`."""
    if not getattr(policy, "hold", False) or getattr(policy, "select", "") != "sample":
        raise ValueError("outcomes_by_noise needs a policy that samples its noise once and holds it "
                         "(select='sample', hold=True); set policy.select = 'sample', policy.hold = True")
    r, stats = evaluate_fork(policy, n_episodes, seed=seed)
    return {"noise": np.asarray(policy.held).reshape(n_episodes, -1), "side": r.infos["side"][:, -1].astype(int),
            "collision": r.infos["collision"][:, -1].astype(bool), "stats": stats}


def crashes_between_sides(out: dict, dim: int = -1) -> float:
    """The share of the crashed episodes of :func:`outcomes_by_noise` whose noise along ``dim``
    lies between the left passes' median and the right passes' median (NaN without a crash or
    without passes on both sides)."""
    v, side, crashed = out["noise"][:, dim], out["side"], out["collision"]
    if not crashed.any() or not (side == 1).any() or not (side == -1).any():
        return float("nan")
    lo, hi = sorted((np.median(v[side == 1]), np.median(v[side == -1])))
    return float(((v[crashed] > lo) & (v[crashed] < hi)).mean())


# --------------------------------------------------------------------------------------------
# the comparison of notebook 06 (and of tests/test_multimodal_claims.py)
# --------------------------------------------------------------------------------------------


def fork_comparison(seeds=range(5), methods=METHODS, n_demos: int = N_DEMOS, episodes: int = 100,
                    fast: bool = False, progress=None, trained: dict | None = None) -> list[dict]:
    """For each seed: collect ``n_demos`` expert episodes (seed + DEMO_SEED_OFFSET), train every
    method on them, and evaluate it on ``episodes`` episodes (seed + EVAL_SEED_OFFSET) with
    :func:`evaluate_fork`.

    Returns one dict per (method, seed): :func:`fork_stats`' numbers plus ``train_s``, ``epochs``,
    ``finite`` (every training and validation loss was finite) and ``fork_left_prob``
    (:func:`fork_left_probability`, NaN for the methods without a mixture). ``progress(done, total, info)``
    is called after each method and seed, ``info`` being its row. ``trained`` maps ``(method, seed)``
    to an already trained ``(policy, history)`` (on the same demonstrations) to reuse instead of
    training again.
    """
    rows, total = [], len(list(seeds)) * len(methods)
    for seed in seeds:
        demos = collect_demonstrations(OBSTACLE_FORK, n_demos, seed=seed + DEMO_SEED_OFFSET)
        for kind in methods:
            if trained and (kind, seed) in trained:
                policy, hist = trained[(kind, seed)]
            else:
                policy, hist = train_method(kind, demos, seed=seed, fast=fast)
            _, stats = evaluate_fork(policy, episodes, seed=seed + EVAL_SEED_OFFSET)
            finite = bool(np.all(np.isfinite(hist.train_loss)) and np.all(np.isfinite(hist.val_loss))
                          and all(torch.all(torch.isfinite(p)) for p in policy.parameters()))
            rows.append({"method": kind, "seed": int(seed), **stats, "train_s": hist.wall_s,
                         "epochs": hist.epochs_run, "finite": finite,
                         "fork_left_prob": fork_left_probability(policy)})
            if progress is not None:
                progress(len(rows), total, rows[-1])
    return rows
