"""The course's benchmark: train one method on one environment and print what it reached.

    python -m il_helpers.bench bc --env CartPole-v1 --demos 10 --seed 0

The last line of stdout is one JSON object with (at least) ``method, env, seed, demos,
return_mean, return_std, expert_return, random_return, normalized, wall_s`` (``wall_s`` is
the training wall time). The README's results table is made from these lines.

Seeds: demonstrations are collected with ``seed + 10_000`` and the policy is evaluated on
``--episodes`` episodes with ``seed + 20_000``, so training data and test episodes never share
an initial state or a road.

A method is a function ``(args, demos) -> (policy, extra_dict)`` registered with
:func:`register_method`; later notebooks add theirs (``dagger``, ``gail``, ...). ``demos`` are
the expert demonstrations (None for methods registered with ``needs_demos=False``); their
collection is not part of ``wall_s``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Callable

from .config import FAST
from .demonstrations import collect_demonstrations
from .envs import ENV_IDS, check_env_id, env_spaces
from .evaluation import evaluate, reference_returns
from .experts import get_expert
from .policies import RandomPolicy

METHODS: dict[str, tuple[Callable, bool]] = {}


def register_method(name: str, needs_demos: bool = True):
    """Decorator: make ``python -m il_helpers.bench NAME`` run the decorated function."""

    def deco(fn):
        METHODS[name] = (fn, needs_demos)
        return fn

    return deco


def expert_demos(args):
    return collect_demonstrations(args.env, args.demos, seed=args.seed + 10_000)


@register_method("expert", needs_demos=False)
def _expert(args, demos):
    return get_expert(args.env), {}


@register_method("random", needs_demos=False)
def _random(args, demos):
    return RandomPolicy(env_spaces(args.env)[1], seed=args.seed), {}


@register_method("bc")
def _bc(args, demos):
    from .bc import train_bc

    policy, hist = train_bc(demos, seed=args.seed, epochs=20 if args.fast else 50)
    return policy, {"pairs": len(demos), "epochs": hist.epochs_run}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m il_helpers.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("method", help=f"one of: {', '.join(sorted(METHODS))}")
    parser.add_argument("--env", default="CartPole-v1", help=f"environment id, one of: {', '.join(ENV_IDS)}")
    parser.add_argument("--demos", type=int, default=10, help="expert episodes to learn from (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--episodes", type=int, default=None, help="evaluation episodes (default 100, 20 with --fast)")
    parser.add_argument("--fast", action="store_true", help="smaller budgets (as IL_FAST=1)")
    args = parser.parse_args(argv)
    args.fast = args.fast or FAST
    if args.method not in METHODS:
        parser.error(f"unknown method {args.method!r}; choose one of: {', '.join(sorted(METHODS))}")
    try:
        check_env_id(args.env)
    except ValueError as err:
        parser.error(str(err))
    if args.demos < 1:
        parser.error(f"--demos must be at least 1, got {args.demos}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if args.episodes is None:
        args.episodes = 20 if args.fast else 100
    if args.episodes < 1:
        parser.error(f"--episodes must be at least 1, got {args.episodes}")
    return args


def run(args: argparse.Namespace) -> dict:
    fn, needs_demos = METHODS[args.method]
    demos = expert_demos(args) if needs_demos else None
    # torch's first optimizer in a process imports torch._dynamo (about 1 s, once per process,
    # not per training run): pay it here and report it apart from the training time.
    t0 = time.perf_counter()
    import torch._dynamo  # noqa: F401
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    policy, extra = fn(args, demos)
    wall = time.perf_counter() - t0
    res = evaluate(policy, args.env, n_episodes=args.episodes, seed=args.seed + 20_000)
    ref = reference_returns(args.env)
    out = {"method": args.method, "env": args.env, "seed": args.seed, "demos": args.demos,
           "return_mean": res.return_mean, "return_std": res.return_std,
           "expert_return": ref["expert"], "random_return": ref["random"],
           "normalized": res.normalized, "wall_s": round(wall, 3), "startup_s": round(startup, 3),
           "episodes": args.episodes}
    if res.off_road_rate is not None:
        out["off_road_rate"] = res.off_road_rate
    if res.success_rate is not None:
        out["success_rate"] = res.success_rate
    out.update(extra)
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    print(json.dumps(run(args)))
    return 0


if __name__ == "__main__":
    # Run the package's copy of this module, so that methods registered by other modules
    # (``il_helpers.bench.register_method``) are the ones the command line sees.
    from il_helpers.bench import main as package_main

    sys.exit(package_main())
