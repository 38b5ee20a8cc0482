"""Action chunking against per-step sampling on ObstacleFork (printed, never asserted).

    python benchmarks/chunking_fork.py [--demos 10] [--seeds 5] [--chunk 4] [--epochs E]

For each seed: ``--demos`` expert episodes (seed + DEMO_SEED_OFFSET); for the MDN and the
diffusion policy, one per-step policy and one over chunks of ``--chunk`` actions, trained once
each (``--epochs``: default each trainer's bench budget, 150 for the MDN, 500 for diffusion);
then every way of acting is evaluated on the same 100 episodes (seed + EVAL_SEED_OFFSET):
the noise held per episode or drawn every step, chunks open loop or temporally ensembled
(``hold`` and ``execute`` decide how a trained policy acts, not what it learned). Printed: the
mean and the range over seeds of the success rate, the left share and the zig-zag rate
(:func:`il_helpers.lessons.multimodal.fork_stats`).
"""

from __future__ import annotations

import argparse
import os

import numpy as np

import il_helpers as il
from il_helpers.algorithms.chunking import train_chunked
from il_helpers.algorithms.diffusion import DiffusionConfig, train_diffusion
from il_helpers.algorithms.mdn import train_mdn
from il_helpers.core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from il_helpers.lessons.multimodal import TRAIN, evaluate_fork

TRAINERS = {"mdn": (train_mdn, TRAIN["epochs"]), "diffusion": (train_diffusion, DiffusionConfig.epochs)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demos", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args(argv)
    load0 = os.getloadavg()
    print(f"ObstacleFork, {args.demos} demonstrations, seeds 0-{args.seeds - 1}, chunks of {args.chunk}; "
          f"load average before: {load0[0]:.2f}")
    rows: dict[tuple, list] = {}
    for seed in range(args.seeds):
        demos = il.collect_demonstrations(il.OBSTACLE_FORK, args.demos, seed=seed + DEMO_SEED_OFFSET)
        for base, (train, epochs) in TRAINERS.items():
            budget = {**TRAIN, "epochs": args.epochs or epochs, "patience": args.epochs or epochs}
            step, _ = train(demos, seed=seed, **budget)
            chunked, _ = train_chunked(demos, base=base, chunk=args.chunk, seed=seed, **budget)
            for hold in (True, False):
                ways = [("per step", step, None), ("open loop", chunked, "open_loop"),
                        ("ensemble", chunked, "ensemble")]
                for how, policy, execute in ways:
                    policy.hold = hold
                    if execute:
                        policy.execute = execute
                    _, st = evaluate_fork(policy, 100, seed=seed + EVAL_SEED_OFFSET)
                    rows.setdefault((base, how, hold), []).append(
                        (st["success_rate"], st["left_share"], st["zigzag_rate"]))
    print(f"{'policy':10s} {'acting':10s} {'noise':12s} {'success':>18s} {'left share':>18s} {'zig-zag':>18s}")
    for (base, how, hold), vals in rows.items():
        v = np.array(vals)
        # nan-aware: the left share of a seed where no episode passed is NaN
        cells = [f"{np.nanmean(v[:, i]):.2f} [{np.nanmin(v[:, i]):.2f}, {np.nanmax(v[:, i]):.2f}]"
                 if not np.all(np.isnan(v[:, i])) else "(none passed)" for i in range(3)]
        print(f"{base:10s} {how:10s} {'held' if hold else 'every step':12s} " + " ".join(f"{c:>18s}" for c in cells))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
