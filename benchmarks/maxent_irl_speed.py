"""Speed figures of notebook 04's MaxEnt IRL (printed, never asserted).

    python benchmarks/maxent_irl_speed.py [--repeats 30]

The issue's targets: one soft value iteration plus one visitation pass on a 32x32 grid (1024
states, 5 actions, horizon 50) in at most 20 ms, and a full training run (200 gradient steps)
in at most 5 s. For scale: the ``imitation`` library's tabular MCE IRL takes about 3.5 s for
1000 iterations on a 28-state grid on this kind of machine; the last lines time the same
amount of work here.

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
from il_helpers import tabular as tab
from il_helpers.algorithms import maxent_irl as mi
from il_helpers.bench import machine, timed
from il_helpers.envs import gridworlds as gw


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # what train_maxent_irl uses (threads=1): these tensors are small
    load0 = os.getloadavg()
    print(f"{machine()}, torch {torch.__version__}, "
          f"1 torch thread; load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    print(f"{'what':72s} {'min':>9s} {'median':>9s}")

    def line(what, mn_md, unit="ms"):
        k = 1000.0 if unit == "ms" else 1.0
        print(f"{what:72s} {mn_md[0] * k:8.2f}{unit[0]} {mn_md[1] * k:8.2f}{unit[0]}", flush=True)

    world = gw.make_world("FeatureGrid", size=32, horizon=50)
    P, d0 = world.P, world.d0
    for dtype in (torch.float64, torch.float32):
        r = world.r.to(dtype)
        name = str(dtype).replace("torch.", "")

        def vi_and_visitation():
            plan = tab.soft_value_iteration(r, P, 50)
            return tab.state_visitation(plan.policy, P, d0)

        line(f"soft VI + visitation, 32x32 (1024 states, 5 actions), T=50, {name}",
             timed(vi_and_visitation, args.repeats))
        line(f"  soft VI alone, {name}", timed(lambda: tab.soft_value_iteration(r, P, 50), args.repeats))
    r8 = world.r.expand(8, -1)
    batch = timed(lambda: tab.state_visitation(tab.soft_value_iteration(r8, P, 50).policy, P, d0),
                  max(5, args.repeats // 3))
    line("soft VI + visitation, 32x32, T=50, a batch of 8 rewards, per reward", (batch[0] / 8, batch[1] / 8))

    env_id = gw.gridworld_id("FeatureGrid", size=32)
    demos = il.collect_demonstrations(env_id, 64, seed=0)
    runs = max(3, args.repeats // 10)
    for kind in ("linear", "deep"):
        line(f"train_maxent_irl: 32x32, 64 demos, 200 steps, {kind} reward (EVD every 50 steps)",
             timed(lambda: mi.train_maxent_irl(demos, reward=kind, steps=200, eval_every=50), runs), unit="s")
    obj_id = gw.gridworld_id("ObjectWorld", size=16)
    obj_demos = il.collect_demonstrations(obj_id, 64, seed=0)
    line("train_maxent_irl: ObjectWorld 16x16, 64 demos, 200 steps, deep reward",
         timed(lambda: mi.train_maxent_irl(obj_demos, reward="deep", steps=200, eval_every=50), runs), unit="s")

    # the scale of the `imitation` comparison: 1000 iterations on a 28-state grid (4 x 7 cells)
    rng = np.random.default_rng(0)
    dense = rng.dirichlet(np.ones(28) * 0.1, size=(28, 4))
    small = tab.Transitions.from_dense(dense)
    r_small = torch.as_tensor(rng.normal(size=28))
    states = rng.integers(0, 28, size=(16, 20))
    DE = tab.empirical_visitation(states, 28)

    def thousand():
        for _ in range(1000):
            mi.maxent_gradient(r_small, small, DE[0], 20, DE)

    line("1000 MaxEnt gradient steps on a 28-state MDP (4 actions, horizon 20)", timed(thousand, 3), unit="s")
    load1 = os.getloadavg()
    print(f"load average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")


if __name__ == "__main__":
    main()
