"""Notebook 09's experiments: imitation without actions, across bodies, and GAIL's variants.

* :func:`observation_runs`: per seed, BC on the expert's actions against BCO and GAIfO on the same
  episodes' states only (:func:`~il_helpers.algorithms.bco.states_only`).
* :func:`cross_body_runs`: the expert drives one body, the learner has another (LaneKeeping with the
  steering reversed): BC on the expert's actions against BCO (and GAIfO) on the states it watched.
* :func:`sqil_runs`: SQIL per seed.
* :func:`infogail_run`: InfoGAIL on ObstacleFork, each code driven alone (which side, how often it
  passes); :func:`infogail_study` reads the committed 10-seed, 2-demonstration-set study of
  ``benchmarks/infogail_study.py``.
* :func:`stability_study`: the 10-seed study of ``benchmarks/gail_stability.py`` (plain GAIL, GAIL +
  gradient penalty, GAIL + spectral norm and VAIL on the same demonstrations and budget), read from
  the JSON it wrote: 40 runs of about 20 s each are too long for a notebook cell, so the notebook
  shows the committed measurement and names the command that makes it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..algorithms.bc import train_bc
from ..algorithms.bco import states_only, train_bco
from ..algorithms.gaifo import train_gaifo
from ..algorithms.infogail import train_infogail
from ..algorithms.sqil import train_sqil
from ..algorithms.vail import train_vail
from ..core.demonstrations import collect_demonstrations
from ..core.evaluation import evaluate
from ..core.rollout import rollout
from ..core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from ..envs.lane_keeping import LANE_KEEPING_DISCRETE_REVERSED
from ..envs.registry import LANE_KEEPING_DISCRETE, OBSTACLE_FORK, get_expert
from .multimodal import fork_stats

STABILITY_JSON = Path(__file__).resolve().parents[2] / "benchmarks" / "gail_stability.json"
STABILITY_COMMAND = "python benchmarks/gail_stability.py --seeds 10 --iterations 40"
_STUDY_KEYS = ("env", "seeds", "iterations", "threshold", "variants", "rows", "summary")
INFOGAIL_JSON = STABILITY_JSON.with_name("infogail_study.json")
INFOGAIL_COMMAND = "python benchmarks/infogail_study.py --seeds 10 --demo-sets 2 --workers 2"
_INFOGAIL_KEYS = ("seeds", "demo_sets", "settings", "rows", "summary")
SIDE_BAR = 0.9   # InfoGAIL: each code passes >= 90 % of its episodes on its own side, success >= 0.9


def stability_study(path: str | Path = STABILITY_JSON) -> dict:
    """The stability study's JSON (``benchmarks/gail_stability.py``): its settings, one row per
    (variant, seed) with the final normalized score and the learning curve, and per variant the
    seeds reaching the expert, the mean, the worst and the variance of the final score."""
    return read_study(path, STABILITY_COMMAND, _STUDY_KEYS, "stability_study", "about 6 minutes on 2 cores")


def read_study(path: str | Path, command: str, keys, where: str, cost: str) -> dict:
    """A committed study's JSON, checked for its ``keys``; a missing or broken file names ``command``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{where}: no {path}; make it with `{command}` ({cost})")
    try:
        study = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: {path} is not valid JSON ({err}); remake it with `{command}`") from err
    missing = [k for k in keys if not isinstance(study, dict) or k not in study]
    if missing:
        raise ValueError(f"{where}: {path} lacks {missing}; remake it with `{command}`")
    return study


def seeds_reaching(study: dict, variant: str) -> list[int]:
    """The seeds on which ``variant`` reached the expert (normalized >= the study's threshold)."""
    if variant not in study["variants"]:
        raise ValueError(f"seeds_reaching: no variant {variant!r} in the study; it has {list(study['variants'])}")
    return [r["seed"] for r in study["rows"] if r["variant"] == variant and r["normalized"] >= study["threshold"]]


# -- learning from observation, and across bodies ---------------------------------------------------

def _score(policy, env_id: str, seed: int, episodes: int) -> float:
    return float(evaluate(policy, env_id, n_episodes=episodes, seed=seed + EVAL_SEED_OFFSET).normalized)


def observation_runs(env_id: str, seeds, n_demos: int = 10, episodes: int = 100, bco: dict | None = None,
                     gaifo: dict | None = None, gaifo_seeds=None) -> list[dict]:
    """Per seed (each its own ``n_demos`` expert episodes, the bench's seeds): BC on the expert's
    actions (the reference that sees actions), then BCO and GAIfO on the same episodes' states only;
    normalized scores on ``episodes`` test episodes, and the wall time of each. GAIfO runs on
    ``gaifo_seeds`` only (default: all), the dearest of the three."""
    gaifo_seeds = list(seeds) if gaifo_seeds is None else list(gaifo_seeds)
    rows = []
    for seed in seeds:
        demos = collect_demonstrations(env_id, n_demos, seed=seed + DEMO_SEED_OFFSET)
        watched = states_only(demos)
        row = {"seed": seed}
        t0 = time.perf_counter()
        policy, _ = train_bc(demos, seed=seed)
        row["bc"], row["bc_s"] = _score(policy, env_id, seed, episodes), time.perf_counter() - t0
        t0 = time.perf_counter()
        policy, hist = train_bco(watched, seed=seed, **(bco or {}))
        row["bco"], row["bco_s"] = _score(policy, env_id, seed, episodes), time.perf_counter() - t0
        row["idm_accuracy"] = hist.idm_accuracy[-1]
        if seed in gaifo_seeds:
            t0 = time.perf_counter()
            policy, _ = train_gaifo(watched, seed=seed, **(gaifo or {}))
            row["gaifo"], row["gaifo_s"] = _score(policy, env_id, seed, episodes), time.perf_counter() - t0
        rows.append(row)
    return rows


def train_learner(method: str, demos, learner_env: str, seed: int = 0, settings: dict | None = None):
    """Train ``method`` (``"bc"`` on the demonstrations' actions, ``"bco"`` or ``"gaifo"`` on their states as
    watched by a learner on ``learner_env``, ``"vail"`` on their state-action pairs) for the learner's body:
    ``(policy, history)``. The one place notebook 09's table and its widget train a learner."""
    settings = settings or {}
    if method == "bc":
        return train_bc(demos, seed=seed, **settings)
    if method in ("bco", "gaifo"):
        train = train_bco if method == "bco" else train_gaifo
        return train(states_only(demos, env_id=learner_env), seed=seed, **settings)
    if method == "vail":
        if learner_env != demos.env_id:
            raise ValueError("VAIL learns from the expert's (state, action) pairs: on another body those actions are "
                             "wrong. Choose BCO or GAIfO, which learn from the states alone")
        return train_vail(demos, seed=seed, **settings)
    raise ValueError(f"train_learner: method must be one of 'bc', 'bco', 'gaifo', 'vail', got {method!r}")


def cross_body_runs(seeds, expert_env: str = LANE_KEEPING_DISCRETE, learner_env: str = LANE_KEEPING_DISCRETE_REVERSED,
                    n_demos: int = 10, episodes: int = 100, bco: dict | None = None, gaifo: dict | None = None,
                    gaifo_seeds=()) -> list[dict]:
    """The expert drives ``expert_env``; the learner has another body, ``learner_env`` (by default the
    same car with its steering reversed). Per seed: BC on the expert's actions (what it did with *its*
    body), and BCO (GAIfO on ``gaifo_seeds``) on the expert's states as the learner watched them, all
    scored on the learner's body (normalized by the learner body's own expert); plus the expert itself
    driving the learner's body."""
    rows = []
    for seed in seeds:
        demos = collect_demonstrations(expert_env, n_demos, seed=seed + DEMO_SEED_OFFSET)
        row = {"seed": seed, "expert_on_new_body": _score(get_expert(expert_env), learner_env, seed, episodes)}
        for method, settings in (("bc", None), ("bco", bco), ("gaifo", gaifo)):
            if method != "gaifo" or seed in gaifo_seeds:
                policy, _ = train_learner(method, demos, learner_env, seed, settings)
                row[method] = _score(policy, learner_env, seed, episodes)
        rows.append(row)
    return rows


def sqil_runs(env_id: str, seeds, n_demos: int = 10, episodes: int = 100, sqil: dict | None = None) -> list[dict]:
    """SQIL per seed (the bench's demonstrations): the mean return and normalized score on ``episodes``
    test episodes, the wall time, and the history's Q values on expert and agent transitions."""
    rows = []
    for seed in seeds:
        demos = collect_demonstrations(env_id, n_demos, seed=seed + DEMO_SEED_OFFSET)
        t0 = time.perf_counter()
        policy, hist = train_sqil(demos, seed=seed, **(sqil or {}))
        wall = time.perf_counter() - t0
        res = evaluate(policy, env_id, n_episodes=episodes, seed=seed + EVAL_SEED_OFFSET)
        rows.append({"seed": seed, "return": float(res.return_mean), "normalized": float(res.normalized),
                     "wall_s": wall, "history": hist})
    return rows


def bc_on_another_body(n_demos: int, seed: int = 0, episodes: int = 30, expert_env: str = LANE_KEEPING_DISCRETE,
                       learner_env: str = LANE_KEEPING_DISCRETE_REVERSED) -> float:
    """BC on ``n_demos`` of the expert's episodes on ``expert_env``, scored (normalized) on the learner's
    body ``learner_env`` (the predict-then-run question of notebook 09)."""
    demos = collect_demonstrations(expert_env, n_demos, seed=seed + DEMO_SEED_OFFSET)
    policy, _ = train_bc(demos, seed=seed)
    return _score(policy, learner_env, seed, episodes)


# -- InfoGAIL: a latent code that chooses the side ----------------------------------------------------

def infogail_run(seed: int = 0, n_demos: int = 10, episodes: int = 100, demo_set: int = 0,
                 settings: dict | None = None) -> dict:
    """InfoGAIL on ObstacleFork from ``n_demos`` expert episodes (the bench's, seed ``seed +
    DEMO_SEED_OFFSET``; demonstration set ``k`` adds ``1000 k``), then each code driven alone on
    ``episodes`` test episodes: per code its success, its left share and the share of its episodes that
    passed on its side (``on_side``); ``passed``: success >= 0.9 and every code >= 0.9 on its own side,
    the codes on opposite sides (``code_side``: ``"left"``, ``"right"`` or ``"none"`` where no episode
    passed). The policy, the history and the per-code rollouts come along."""
    demos = collect_demonstrations(OBSTACLE_FORK, n_demos, seed=seed + DEMO_SEED_OFFSET + 1000 * demo_set)
    t0 = time.perf_counter()
    policy, hist = train_infogail(demos, seed=seed, **(settings or {}))
    wall = time.perf_counter() - t0
    test = seed + EVAL_SEED_OFFSET
    overall = fork_stats(rollout(policy, OBSTACLE_FORK, episodes, seed=test))
    rollouts = [rollout(policy.with_code(c), OBSTACLE_FORK, episodes, seed=test) for c in range(policy.k)]
    codes = [fork_stats(r) for r in rollouts]
    on_side, sides = [], []
    for r in rollouts:
        side = r.infos["side"][:, -1] * r.infos["success"].any(axis=1)    # +1 / -1: passed on that side
        main = 1 if (side == 1).sum() >= (side == -1).sum() else -1
        sides.append("none" if not side.any() else "left" if main == 1 else "right")
        on_side.append(float((side == main).mean()))
    passed = overall["success_rate"] >= SIDE_BAR and min(on_side) >= SIDE_BAR and len(set(sides) - {"none"}) == policy.k
    return {"seed": seed, "demo_set": demo_set, "success": overall["success_rate"], "left_share": overall["left_share"],
            "code_success": [c["success_rate"] for c in codes], "code_left_share": [c["left_share"] for c in codes],
            "code_side": sides, "on_side": on_side, "passed": bool(passed), "info": hist.info[-1],
            "wall_s": wall, "policy": policy, "history": hist, "rollouts": rollouts}


def infogail_study(path: str | Path = INFOGAIL_JSON) -> dict:
    """The committed InfoGAIL study (``benchmarks/infogail_study.py``): per (seed, demonstration set) the
    row of :func:`infogail_run` (without policy and rollouts), and its summary."""
    return read_study(path, INFOGAIL_COMMAND, _INFOGAIL_KEYS, "infogail_study", "about 3 minutes on 2 cores")
