"""Notebook 08's headline figures, per seed (printed, never asserted).

    python benchmarks/imperfect_demonstrations.py [--seeds 5] [--only trex,self_improve,robust,preferences]

* ``trex``: LaneKeeping, the suboptimal demonstrators (no expert): each demonstrator's level, then
  per seed BC, return-weighted BC and T-REX + PPO (normalized, 100 episodes) and the learned
  reward's correlation with the true return over held-out episodes
  (:func:`il_helpers.lessons.imperfect_demonstrations.trex_runs`);
* ``self_improve``: the edge hugger (a 0.75-level driver) and every round's clone
  (:func:`~il_helpers.lessons.imperfect_demonstrations.self_improve_runs`): the per-start filter, the
  chapter's pooled filter, and the control that keeps a random attempt of each start;
* ``robust``: 20 % wrong labels, BC with MSE, Huber and trimmed losses
  (:func:`~il_helpers.lessons.imperfect_demonstrations.robust_runs`), and DAgger asking an expert who
  is wrong 20 % of the time (:func:`~il_helpers.lessons.imperfect_demonstrations.dagger_wrong_expert_runs`);
* ``preferences``: CartPole from a synthetic oracle's answers on clips of the agent's own episodes,
  500 comparisons (:func:`~il_helpers.lessons.imperfect_demonstrations.preferences_runs`): per seed the
  normalized score (50 episodes), the learning curve against the labels used, the ties and the time;
  then the same with random answers (label noise 0.5), the control.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from il_helpers.lessons import imperfect_demonstrations as lesson


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--only", default="trex,self_improve,robust,preferences")
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    only = args.only.split(",")
    print(f"seeds 0-{args.seeds - 1}; 1-minute load average at the start {os.getloadavg()[0]:.2f}")
    if "trex" in only:
        levels = lesson.demonstrator_levels()
        best = max(levels.values())
        print("demonstrators:", {k: round(v, 3) for k, v in levels.items()}, f"best {best:.3f}")
        for r in lesson.trex_runs(seeds):
            t = r["history"].wall_s[-1]
            print(f"trex seed {r['seed']}: bc {r['bc']:.3f}  weighted_bc {r['weighted_bc']:.3f}  trex {r['trex']:.3f} "
                  f"(best demonstrator + {r['trex'] - best:+.3f})  correlation {r['correlation']:.3f}  "
                  f"labels flipped {r['history'].labels_flipped}  PPO {t:.0f} s", flush=True)
    if "self_improve" in only:
        for label, settings in (("per start", {}), ("pooled", {"attempts": 1, "rollouts": 64, "keep": 0.25}),
                                ("random attempt", {"select": "random"})):
            for r in lesson.self_improve_runs(seeds, settings=settings):
                print(f"self_improve {label} seed {r['seed']}: rounds {np.round(r['scores'], 3).tolist()}", flush=True)
    if "robust" in only:
        t0 = time.perf_counter()
        for r in lesson.robust_runs(seeds):
            print("robust seed {seed}: ".format(**r) + "  ".join(
                f"{k} {r[k]:.3f} (action error {r[k + '_error']:.4f})" for k in lesson.ROBUST_LOSSES), flush=True)
        for r in lesson.dagger_wrong_expert_runs(seeds):
            print(f"dagger, expert wrong 20 % seed {r['seed']}: mse {r['mse']:.3f}  huber {r['huber']:.3f}", flush=True)
        print(f"robust: {time.perf_counter() - t0:.0f} s")
    if "preferences" in only:
        for label, settings in (("oracle", {}), ("random answers", {"label_noise": 0.5})):
            for r in lesson.preferences_runs(seeds, settings=settings):
                curve = " ".join(f"{n}:{v:.2f}" for n, v in r["curve"])
                print(f"preferences {label} seed {r['seed']}: normalized {r['score']:.3f}  comparisons {r['labels']} "
                      f"(ties {r['ties']})  curve (labels:score) {curve}  {r['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
