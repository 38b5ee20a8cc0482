"""Speed figures of the foundation (printed, never asserted): `make bench`.

Each figure is the median of several repeats after a warm-up, on whatever machine runs it.
"""

from __future__ import annotations

import il_helpers as il
from il_helpers.bench import timed as bench_timed
from il_helpers.core.data import load_expert_demos


def timed(fn, repeats: int = 5) -> float:
    """Median wall time after a warm-up call (see :func:`il_helpers.bench.timed`)."""
    return bench_timed(fn, repeats)[1]


def main() -> None:
    print(f"{'what':64s} {'median s':>9s}")

    def line(what, seconds):
        print(f"{what:64s} {seconds:9.3f}", flush=True)

    for env_id in il.ENV_IDS:
        expert = il.get_expert(env_id)
        line(f"rollout: 500 expert episodes of {env_id}",
             timed(lambda: il.rollout(expert, env_id, n_episodes=500, seed=0), repeats=3))
    lk = il.get_expert(il.LANE_KEEPING)
    line("rollout: 1000 LaneKeeping episodes x 1000 steps (compounding curves)",
         timed(lambda: il.rollout(lk, il.LANE_KEEPING, n_episodes=1000, seed=0, horizon=1000), repeats=2))
    line("collect: 50 expert demonstrations of CartPole-v1 (with labels)",
         timed(lambda: il.collect_demonstrations("CartPole-v1", 50, seed=0)))
    line("load + validate: shipped CartPole-v1 demonstrations (25k steps)",
         timed(lambda: load_expert_demos("CartPole-v1")))
    cart = load_expert_demos("CartPole-v1", 10)
    line("train_bc: CartPole-v1, 10 demos (5000 pairs), 50 epochs", timed(lambda: il.train_bc(cart, seed=0)))
    lane = load_expert_demos(il.LANE_KEEPING, 10)
    line("train_bc: LaneKeeping-v0, 10 demos (2000 pairs), MSE", timed(lambda: il.train_bc(lane, seed=0)))
    line("train_bc: LaneKeeping-v0, 10 demos, Gaussian NLL",
         timed(lambda: il.train_bc(lane, loss="gaussian_nll", seed=0)))
    policy, _ = il.train_bc(cart, seed=0)
    line("evaluate: BC policy on 100 CartPole-v1 episodes",
         timed(lambda: il.evaluate(policy, "CartPole-v1", n_episodes=100, seed=0)))


if __name__ == "__main__":
    main()
