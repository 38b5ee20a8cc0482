"""Speed figures of exact tabular AIRL (printed, never asserted).

    python benchmarks/airl_tabular_speed.py [--repeats 5]

The target: one ``train_airl_tabular`` call (default 150 rounds) in at most a few seconds on one
thread. Also timed: the generator's exact solver (soft policy iteration, i.e. Newton, against
plain soft value iteration), the exact discounted occupancy, and the whole transfer experiment
of the tests (5 worlds x 2 rewards).

Each figure is timed ``--repeats`` times after a warm-up; the machine is shared, so the minimum
(the cost of the code when it gets a core to itself) is printed with the median, and the load
average before and after.
"""

from __future__ import annotations

import argparse
import os

import torch

from il_helpers import tabular as tab
from il_helpers.algorithms import airl_tabular as at
from il_helpers.bench import machine, timed
from il_helpers.envs import gridworlds as gw
from il_helpers.lessons import gail_airl as ga


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # what train_airl_tabular uses (threads=1)
    load0 = os.getloadavg()
    print(f"{machine()}, torch {torch.__version__}, "
          f"1 torch thread; load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    print(f"{'what':64s} {'min':>9s} {'median':>9s}")

    def line(what, mn_md, unit="ms"):
        k = 1000.0 if unit == "ms" else 1.0
        print(f"{what:64s} {mn_md[0] * k:7.2f}{unit:>2s} {mn_md[1] * k:7.2f}{unit:>2s}", flush=True)

    for size, wind in ((8, 0.0), (16, 0.1)):
        w = gw.make_world("FeatureGrid", size=size, world_seed=0, wind=wind)
        tag = f"{size}x{size} ({w.n_states} states), wind {wind}"
        for solver in ("newton", "vi"):
            line(f"soft_policy (cold), {solver}: {tag}",
                 timed(lambda: tab.soft_policy(w.r, w.P, solver=solver), 10 * args.repeats))
        pi, _ = tab.soft_policy(w.r, w.P)
        line(f"occupancy_sas: {tag}",
             timed(lambda: tab.occupancy_sas(pi, w.P, w.d0), 10 * args.repeats))
        for state_only in (True, False):
            kind = "state-only" if state_only else "state-action"
            _, res = at.train_airl_tabular(None, env_id=w.env_id, state_only=state_only)
            line(f"train, {kind}, {res.steps} rounds: {tag}",
                 timed(lambda: at.train_airl_tabular(None, env_id=w.env_id, state_only=state_only), args.repeats),
                 unit="s")
    line("transfer_experiment, 5 worlds x 2 rewards, 75 x 2 steps (tests)",
         timed(lambda: ga.transfer_experiment(steps=75, disc_steps=2), max(1, args.repeats // 2)), unit="s")
    line("transfer_experiment, 5 worlds x 2 rewards, defaults",
         timed(lambda: ga.transfer_experiment(), max(1, args.repeats // 2)), unit="s")
    load1 = os.getloadavg()
    print(f"load average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")


if __name__ == "__main__":
    main()
