"""GAIL's acceptance figures (notebook 05), printed, never asserted.

    python benchmarks/gail_benchmark.py [--quick]

1. GAIL on fixed-horizon (absorbing-state) CartPole from 10 expert trajectories, seeds 0-4:
   mean return of the deterministic policy over 100 test episodes and the training wall time.
2. GAIL on LaneKeeping (continuous steering), seeds 0-4: normalized score.
3. BC vs GAIL on CartPole from 1, 4, 7, 10 trajectories subsampled every 10th pair (Ho & Ermon
   2016's protocol), normalized, mean over seeds.

Training wall time is measured around the trainer alone (torch's one-time import of
torch._dynamo for the first optimizer of the process is paid before the clock starts).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import il_helpers as il
from il_helpers.algorithms.gail import train_gail
from il_helpers.bench import machine
from il_helpers.core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET

CARTPOLE, LANE = "CartPole-v1", il.LANE_KEEPING


def timed_gail(demos, seed, **kw):
    """``(policy, history, wall_s)`` of one GAIL run."""
    t0 = time.perf_counter()
    policy, history = train_gail(demos, seed=seed, **kw)
    return policy, history, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, part 3 skipped")
    parser.add_argument("--parts", default="123", help="which parts to run (default 123)")
    args = parser.parse_args()
    seeds = range(2 if args.quick else 5)
    import torch._dynamo  # noqa: F401  (one-time import, outside every clock)
    print(f"machine: {machine()}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)

    if "1" in args.parts:
        demos = il.collect_demonstrations(CARTPOLE, 10, seed=DEMO_SEED_OFFSET)
        print("\n1. GAIL, CartPole (absorbing state), 10 expert trajectories", flush=True)
        for seed in seeds:
            policy, history, wall = timed_gail(demos, seed)
            ev = il.evaluate(policy, CARTPOLE, 100, seed=EVAL_SEED_OFFSET + seed)
            print(f"  seed {seed}: return {ev.return_mean:6.1f} +- {ev.return_std:5.1f}   training {wall:5.1f} s   "
                  f"({history.env_steps[-1]} env steps)", flush=True)

    if "2" in args.parts:
        demos = il.collect_demonstrations(LANE, 10, seed=DEMO_SEED_OFFSET)
        print("\n2. GAIL, LaneKeeping (continuous), 10 expert trajectories", flush=True)
        for seed in seeds:
            policy, _, wall = timed_gail(demos, seed)
            ev = il.evaluate(policy, LANE, 100, seed=EVAL_SEED_OFFSET + seed)
            print(f"  seed {seed}: normalized {ev.normalized:.3f}   off-road {100 * ev.off_road_rate:.2f} %   "
                  f"training {wall:5.1f} s", flush=True)

    if "3" in args.parts and not args.quick:
        print("\n3. CartPole, trajectories subsampled every 10th pair: normalized score, mean over seeds 0-4",
              flush=True)
        full = il.collect_demonstrations(CARTPOLE, 10, seed=DEMO_SEED_OFFSET)
        for n in (1, 4, 7, 10):
            demos = full.first(n).subsample(il.HO_ERMON_SUBSAMPLE)
            bc, gail = [], []
            for seed in seeds:
                policy, _ = il.train_bc(demos, seed=seed)
                bc.append(il.evaluate(policy, CARTPOLE, 100, seed=EVAL_SEED_OFFSET + seed).normalized)
                gail_policy, _, _ = timed_gail(demos, seed)
                gail.append(il.evaluate(gail_policy, CARTPOLE, 100, seed=EVAL_SEED_OFFSET + seed).normalized)
            print(f"  {n:2d} trajectories ({len(demos):3d} pairs): BC {np.mean(bc):.2f} "
                  f"[{', '.join(f'{x:.2f}' for x in bc)}]   GAIL {np.mean(gail):.2f} "
                  f"[{', '.join(f'{x:.2f}' for x in gail)}]", flush=True)


if __name__ == "__main__":
    main()
