"""Does training stay learned? The learning curve of GAIL, AIRL and PPO, checked at every iteration,
printed, never asserted.

    python benchmarks/stability.py [--env CartPole-v1] [--seeds 5] [--methods gail,airl,ppo]
                                   [--set gail.ppo.lr=3e-4 ...]

For each method and seed: the deterministic policy is evaluated on 10 fixed episodes after every
training iteration, off the training clock (il_helpers.bench.curve.LearningCurve), and the curve's
``held_fraction`` (the share of checkpoints after the first at the threshold that stay there),
``held_from_s`` and ``held_from_steps`` (when it holds for good) are printed, with the final
normalized score on 100 test episodes. Threshold: return 475 on CartPole-v1, normalized 0.9
elsewhere. GAIL and AIRL learn from the bench's 10 expert demonstrations (seed + DEMO_SEED_OFFSET);
PPO learns from the true reward. ``--set METHOD.FIELD=VALUE`` changes a trainer setting (a nested
PPO field as ``gail.ppo.lr``) to compare a remedy on the same seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics

import il_helpers as il
from il_helpers.algorithms.airl import AIRLConfig, train_airl
from il_helpers.algorithms.gail import GAILConfig, train_gail
from il_helpers.algorithms.ppo import PPOConfig, train_ppo
from il_helpers.bench import machine
from il_helpers.bench.curve import LearningCurve
from il_helpers.core.demonstrations import collect_demonstrations
from il_helpers.core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET

CONFIGS = {"gail": GAILConfig, "airl": AIRLConfig, "ppo": PPOConfig}
TRAINERS = {"gail": train_gail, "airl": train_airl, "ppo": train_ppo}


def parse_value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(text, text)


def config_for(method: str, changes: list[str]):
    """The method's default configuration with the ``--set`` changes that name it."""
    cfg = CONFIGS[method]()
    for change in changes:
        key, _, value = change.partition("=")
        name, *path = key.split(".")
        if name != method:
            continue
        if len(path) == 2 and path[0] == "ppo":
            cfg = dataclasses.replace(cfg, ppo=dataclasses.replace(cfg.ppo, **{path[1]: parse_value(value)}))
        elif len(path) == 1:
            cfg = dataclasses.replace(cfg, **{path[0]: parse_value(value)})
        else:
            raise SystemExit(f"--set {change}: use METHOD.FIELD=VALUE or METHOD.ppo.FIELD=VALUE")
    return cfg


def run(method: str, env_id: str, seed: int, cfg) -> dict:
    curve = LearningCurve(env_id, seed)
    if method == "ppo":
        policy, hist = train_ppo(env_id=env_id, seed=seed, config=cfg, checkpoint=curve)
    else:
        demos = collect_demonstrations(env_id, 10, seed=seed + DEMO_SEED_OFFSET)
        policy, hist = TRAINERS[method](demos, seed=seed, config=cfg, checkpoint=curve)
    final = il.evaluate(policy, env_id, n_episodes=100, seed=seed + EVAL_SEED_OFFSET)
    return {**curve.summary(), "normalized": final.normalized, "wall_s": hist.wall_s[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", default="CartPole-v1")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--methods", default="gail,airl,ppo")
    parser.add_argument("--set", action="append", default=[], metavar="METHOD.FIELD=VALUE")
    args = parser.parse_args()
    print(f"# {machine()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; env {args.env}; "
          f"changes: {args.set or 'none'}")
    for method in args.methods.split(","):
        cfg = config_for(method, args.set)
        rows = [run(method, args.env, s, cfg) for s in range(args.seeds)]
        for s, r in enumerate(rows):
            print(f"{method:5s} seed {s}: held_fraction {r['held_fraction']:.3f}  held_from_s "
                  f"{r['held_from_s'] if r['held_from_s'] is None else round(r['held_from_s'], 1)}  held_from_steps "
                  f"{r['held_from_steps']}  final normalized {r['normalized']:.3f}  wall {r['wall_s']:.1f} s  "
                  f"curve {' '.join(f'{v:.0f}' if abs(v) > 2 else f'{v:.2f}' for v in r['curve'])}", flush=True)
        held_s = [r["held_from_s"] for r in rows if r["held_from_s"] is not None]
        print(f"{method:5s} ALL: held_fraction >= 0.95 on {sum(r['held_fraction'] >= 0.95 for r in rows)} of "
              f"{len(rows)} seeds; median held_fraction {statistics.median(r['held_fraction'] for r in rows):.3f}; "
              f"median held_from_s {statistics.median(held_s) if held_s else None} "
              f"({len(held_s)} of {len(rows)} hold at the end)", flush=True)


if __name__ == "__main__":
    main()
