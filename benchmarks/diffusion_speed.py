"""Speed figures of the diffusion policy and action chunking (printed, never asserted).

    python benchmarks/diffusion_speed.py [--repeats 5] [--batch 100]

Inference: the cost of one environment step for a batch of ``--batch`` ObstacleFork copies
(``policy(obs)``: one call per step, as :func:`il_helpers.rollout` makes it), for least squares,
the MDN, the diffusion policy at several DDIM step counts, and chunks of 4 (open loop: one
prediction every 4 steps, so the figure is the mean over 4 consecutive steps; temporal
ensembling: one prediction every step). The weights do not change the cost, so the policies are
trained for one epoch only. Training: ``train_diffusion`` (and the chunked version) at the
defaults on 10 ObstacleFork demonstrations, and ``train_mdn`` at notebook 06's budget.

Each figure is timed ``--repeats`` times after a warm-up; the machine is shared, so the minimum
(the cost of the code when it gets a core to itself) is printed with the median, and the load
average before and after.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import torch

import il_helpers as il
from il_helpers.algorithms.chunking import train_chunked
from il_helpers.algorithms.diffusion import train_diffusion
from il_helpers.algorithms.mdn import train_mdn
from il_helpers.bench import machine, timed
from il_helpers.core.seeding import DEMO_SEED_OFFSET
from il_helpers.lessons.multimodal import TRAIN


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args(argv)
    load0 = os.getloadavg()
    print(f"{machine()}, torch {torch.__version__}, 1 torch thread (TorchPolicy.act); "
          f"load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    demos = il.collect_demonstrations(il.OBSTACLE_FORK, 10, seed=DEMO_SEED_OFFSET)
    obs = np.repeat(demos.obs[:1], args.batch, axis=0)

    def line(what, mn_md, unit="ms", per=1):
        k = (1000.0 if unit == "ms" else 1.0) / per
        print(f"{what:62s} {mn_md[0] * k:8.3f}{unit:>2s} {mn_md[1] * k:8.3f}{unit:>2s}", flush=True)

    print(f"\ninference, one env step for a batch of {args.batch}: {'min':>14s} {'median':>10s}")
    one = {"epochs": 1, "patience": 1}
    policies = {"least squares (train_bc, mse)": il.train_bc(demos, epochs=1)[0],
                "MDN (K=5)": train_mdn(demos, **one)[0]}
    for steps in (5, 10, 30):
        policies[f"diffusion, {steps} DDIM steps"] = train_diffusion(demos, sample_steps=steps, **one)[0]
    for base in ("mse", "mdn", "diffusion"):
        for execute in ("open_loop", "ensemble"):
            policies[f"{base}, chunks of 4, {execute}"] = train_chunked(demos, base=base, chunk=4, execute=execute,
                                                                       **one)[0]
    for name, policy in policies.items():
        per = policy.k if getattr(policy, "execute", "") == "open_loop" else 1
        if hasattr(policy, "reset"):
            policy.reset(args.batch, seed=0)
        line(name, timed(lambda p=policy, n=per: [p(obs) for _ in range(n)], 20 * args.repeats), per=per)

    print(f"\ntraining on 10 ObstacleFork demonstrations ({len(demos)} pairs): {'min':>3s} {'median':>10s}")
    line("train_diffusion, defaults (500 epochs)", timed(lambda: train_diffusion(demos), args.repeats), "s")
    line("train_chunked, diffusion, chunks of 4, 500 epochs",
         timed(lambda: train_chunked(demos, base="diffusion", chunk=4, epochs=500, patience=500), args.repeats), "s")
    line("train_mdn, notebook 06's budget (150 epochs)", timed(lambda: train_mdn(demos, **TRAIN), args.repeats), "s")
    load1 = os.getloadavg()
    print(f"\nload average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")


if __name__ == "__main__":
    main()
