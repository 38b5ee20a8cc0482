"""The course's benchmark: train one method on one environment and print what it reached.

    python -m il_helpers.bench bc --env CartPole-v1 --demos 10 --seed 0
    python -m il_helpers.bench gail --env CartPole-v1 --demos 1 --subsample 10

The last line of stdout is one JSON object with (at least) ``method, env, seed, demos,
subsample, return_mean, return_std, expert_return, random_return, normalized, wall_s`` (``wall_s`` is
the training wall time). The README's results table is made from these lines.

Seeds: demonstrations are collected with ``seed + 10_000`` and the policy is evaluated on
``--episodes`` episodes with ``seed + 20_000``, so training data and test episodes never share
an initial state or a road.

A method is a function ``(args, demos) -> (policy, extra_dict)`` registered with
:func:`register_method`; later notebooks add theirs (``dagger``, ``gail``, ...). ``demos`` are
the expert demonstrations (None for methods registered with ``needs_demos=False``); their
collection is not part of ``wall_s``.

Environments with variants (the gridworlds of notebook 04) take ``--size``, ``--world-seed`` and
``--wind``, which pick the variant's env id (registered with :func:`register_env_options`):

    python -m il_helpers.bench maxent_irl --env il_helpers/ObjectWorld-v0 --size 16 --world-seed 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

from ..core.config import FAST
from ..core.demonstrations import collect_demonstrations
from ..envs.registry import ENV_IDS, check_env_id, env_spaces
from ..core.evaluation import evaluate, reference_returns
from ..envs.experts import get_expert
from ..core.policies import RandomPolicy

METHODS: dict[str, tuple[Callable, bool]] = {}
ENV_CHECKS: dict[str, Callable[[str], str | None]] = {}  # method -> env_id -> error message or None
ENV_OPTIONS: dict[str, Callable[..., str]] = {}  # env id -> (**options) -> the variant's env id
OPTION_NAMES = ("size", "world_seed", "wind")


def machine() -> str:
    """``"<CPU model>, <N> cores"``: how every benchmark, timing table and results table of the
    course names the machine it ran on (the model from /proc/cpuinfo where there is one)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def timed(fn, repeats: int = 5) -> tuple[float, float]:
    """``(min, median)`` wall time of ``fn()`` over ``repeats`` calls after one warm-up call
    (imports, caches, torch's one-time optimizer import). On a shared machine the minimum is the
    cost of the code when it gets a core to itself."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def register_method(name: str, needs_demos: bool = True, check_env: Callable[[str], str | None] | None = None):
    """Decorator: make ``python -m il_helpers.bench NAME`` run the decorated function.

    ``check_env(env_id)`` (optional) returns None if the method can run on ``env_id``, else the
    message the command line shows (exit status 2).
    """

    def deco(fn):
        METHODS[name] = (fn, needs_demos)
        if check_env is not None:
            ENV_CHECKS[name] = check_env
        return fn

    return deco


def register_env_options(env_id: str, make_variant: Callable[..., str]) -> None:
    """Let ``--size/--world-seed/--wind`` apply to ``env_id``: ``make_variant(size=..., world_seed=...,
    wind=...)`` (only the options given) returns the env id of that variant."""
    if not callable(make_variant):
        raise TypeError(f"register_env_options: make_variant must be callable, got {type(make_variant).__name__}")
    ENV_OPTIONS[env_id] = make_variant


def expert_demos(args):
    demos = collect_demonstrations(args.env, args.demos, seed=args.seed + 10_000)
    return demos.subsample(args.subsample, seed=args.seed) if args.subsample > 1 else demos


@register_method("expert", needs_demos=False)
def _expert(args, demos):
    return get_expert(args.env), {}


@register_method("random", needs_demos=False)
def _random(args, demos):
    return RandomPolicy(env_spaces(args.env)[1], seed=args.seed), {}


@register_method("bc")
def _bc(args, demos):
    from ..algorithms.bc import train_bc

    policy, hist = train_bc(demos, seed=args.seed, epochs=20 if args.fast else 50)
    return policy, {"pairs": len(demos), "epochs": hist.epochs_run}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m il_helpers.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("method", help=f"one of: {', '.join(sorted(METHODS))}")
    parser.add_argument("--env", default="CartPole-v1", help=f"environment id, one of: {', '.join(ENV_IDS)}")
    parser.add_argument("--demos", type=int, default=10, help="expert episodes to learn from (default 10)")
    parser.add_argument("--subsample", type=int, default=1, metavar="K",
                        help="keep every K-th (state, action) pair of each demonstration, from a random offset "
                             "(Ho & Ermon 2016's protocol; default 1: all pairs)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--episodes", type=int, default=None, help="evaluation episodes (default 100, 20 with --fast)")
    parser.add_argument("--fast", action="store_true", help="smaller budgets (as IL_FAST=1)")
    grid = parser.add_argument_group(
        "environment variants (gridworlds: il_helpers/FeatureGrid-v0, il_helpers/ObjectWorld-v0)")
    grid.add_argument("--size", type=int, default=None, help="grid size N (an N x N grid)")
    grid.add_argument("--world-seed", type=int, default=None, help="seed of the generated layout")
    grid.add_argument("--wind", type=float, default=None, help="probability that a move is replaced by a random one")
    args = parser.parse_args(argv)
    args.fast = args.fast or FAST
    if args.method not in METHODS:
        parser.error(f"unknown method {args.method!r}; choose one of: {', '.join(sorted(METHODS))}")
    try:
        check_env_id(args.env)
    except ValueError as err:
        parser.error(str(err))
    args.env_options = {k: getattr(args, k) for k in OPTION_NAMES if getattr(args, k) is not None}
    if args.env_options:
        if args.env not in ENV_OPTIONS:
            with_options = ", ".join(ENV_OPTIONS) or "none registered"
            parser.error(f"--size/--world-seed/--wind apply only to environments with variants ({with_options}), "
                         f"not {args.env!r}")
        try:
            args.env = ENV_OPTIONS[args.env](**args.env_options)
        except ValueError as err:
            parser.error(str(err))
    if args.method in ENV_CHECKS:
        problem = ENV_CHECKS[args.method](args.env)
        if problem:
            parser.error(problem)
    if args.demos < 1:
        parser.error(f"--demos must be at least 1, got {args.demos}")
    if args.subsample < 1:
        parser.error(f"--subsample must be at least 1, got {args.subsample}")
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
    out = {"method": args.method, "env": args.env, "seed": args.seed, "demos": args.demos, "subsample": args.subsample,
           "return_mean": res.return_mean, "return_std": res.return_std,
           "expert_return": ref["expert"], "random_return": ref["random"],
           "normalized": res.normalized, "wall_s": round(wall, 3), "startup_s": round(startup, 3),
           "episodes": args.episodes}
    if args.env_options:
        out["env_options"] = args.env_options
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
