"""The course's benchmark: train one method on one environment and print what it reached.

    python -m il_helpers.bench bc --env CartPole-v1 --demos 10 --seed 0
    python -m il_helpers.bench gail --env CartPole-v1 --demos 1 --subsample 10
    python -m il_helpers.bench diffusion --env il_helpers/ObstacleFork-v0 --chunk 4 --execute ensemble

The last line of stdout is one JSON object with (at least) ``method, env, seed, demos,
subsample, return_mean, return_std, expert_return, random_return, normalized, wall_s`` (``wall_s`` is
the training wall time). The README's results table is made from these lines. The RL-based methods
(gail, airl, vail, gaifo) add their learning curve's stability: ``held_fraction``, ``held_from_s``,
``held_from_steps`` and ``curve`` (:mod:`il_helpers.bench.curve`; ``--curve-episodes 0`` turns it off).

Seeds: demonstrations are collected with ``seed + 10_000`` and the policy is evaluated on
``--episodes`` episodes with ``seed + 20_000``, so training data and test episodes never share
an initial state or a road.

A method is an adapter ``(args, demos) -> (policy, extra_dict)`` in the one table of
:mod:`il_helpers.bench.methods` (``METHODS``), which calls the method's trainer. ``demos`` are
the expert demonstrations (None for methods registered with ``needs_demos=False``); their
collection is not part of ``wall_s``.

Environments with variants (the gridworlds of notebook 04) take ``--size``, ``--world-seed`` and
``--wind``, which pick the variant's env id (registered with :func:`register_env_options`):

    python -m il_helpers.bench maxent_irl --env il_helpers/ObjectWorld-v0 --size 16 --world-seed 1
"""

from __future__ import annotations

import argparse
import json
import time

from gymnasium import spaces

from ..algorithms.chunking import EXECUTES
from ..core.checks import TRAIN_SEED_MAX
from ..core.config import FAST
from ..core.evaluation import evaluate, reference_returns
from ..core.seeding import EVAL_SEED_OFFSET
from ..envs.registry import ENV_IDS, ENV_OPTIONS, OBSTACLE_FORK, OPTION_NAMES, check_env_id, env_spaces
from ..lessons.multimodal import evaluate_fork
from .curve import CURVE_EPISODES
from .methods import CHUNKED, ENV_CHECKS, METHODS, expert_demos


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
    parser.add_argument("--curve-episodes", type=int, default=CURVE_EPISODES, metavar="N",
                        help="adversarial methods (gail, airl, vail, gaifo): evaluate the policy on N fixed "
                             "episodes after every iteration, off the training clock, and report whether it held "
                             "the expert's level "
                             f"(held_fraction, held_from_s, held_from_steps; default {CURVE_EPISODES}; 0: off)")
    parser.add_argument("--chunk", type=int, default=1, metavar="K",
                        help=f"action chunking: predict K actions at once ({', '.join(CHUNKED)}; default 1: none)")
    parser.add_argument("--execute", choices=EXECUTES, default="open_loop",
                        help="how chunks are executed: open_loop (re-plan every K steps) or ensemble "
                             "(ACT's temporal ensembling; default open_loop)")
    grid = parser.add_argument_group(
        "environment variants (gridworlds: il_helpers/FeatureGrid-v0, il_helpers/ObjectWorld-v0)")
    grid.add_argument("--size", type=int, default=None, help="grid size N (an N x N grid)")
    grid.add_argument("--world-seed", type=int, default=None, help="seed of the generated layout")
    grid.add_argument("--wind", type=float, default=None, help="probability that a move is replaced by a random one")
    args = parser.parse_args(argv)
    args.fast = args.fast or FAST
    args.settings = {}  # a trainer's settings that replace the bench's budget (used from Python: train_method)
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
    if args.chunk < 1:
        parser.error(f"--chunk must be at least 1, got {args.chunk}")
    if args.chunk > 1 and args.method not in CHUNKED:
        parser.error(f"--chunk applies to {', '.join(CHUNKED)}, not {args.method}; drop --chunk or pick one of those")
    if args.chunk > 1 and not isinstance(env_spaces(args.env)[1], spaces.Box):
        parser.error(f"--chunk needs continuous actions; {args.env!r} has discrete ones (drop --chunk)")
    if args.demos < 1:
        parser.error(f"--demos must be at least 1, got {args.demos}")
    if args.subsample < 1:
        parser.error(f"--subsample must be at least 1, got {args.subsample}")
    if not 0 <= args.seed <= TRAIN_SEED_MAX:
        parser.error(f"--seed must be an integer in [0, 2**63 - 1], got {args.seed}; pass e.g. --seed 0")
    if args.episodes is None:
        args.episodes = 20 if args.fast else 100
    if args.episodes < 1:
        parser.error(f"--episodes must be at least 1, got {args.episodes}")
    if args.curve_episodes < 0:
        parser.error(f"--curve-episodes must be 0 (off) or more, got {args.curve_episodes}")
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
    extra = {k: v for k, v in extra.items() if k != "history"}  # the trainer's history: for Python callers
    eval_seed = args.seed + EVAL_SEED_OFFSET
    if hasattr(policy, "reset"):  # a policy with per-episode modes (notebook 06) starts from seeded ones
        policy.reset(args.episodes, seed=eval_seed)
    res = evaluate(policy, args.env, n_episodes=args.episodes, seed=eval_seed)
    ref = reference_returns(args.env)
    out = {"method": args.method, "env": args.env, "seed": args.seed, "demos": args.demos, "subsample": args.subsample,
           "return_mean": res.return_mean, "return_std": res.return_std,
           "expert_return": ref["expert"], "random_return": ref["random"],
           "normalized": res.normalized, "wall_s": round(wall, 3), "startup_s": round(startup, 3),
           "episodes": args.episodes}
    if args.env_options:
        out["env_options"] = args.env_options
    if getattr(args, "chunk", 1) > 1:
        out.update(chunk=args.chunk, execute=args.execute)
    if res.off_road_rate is not None:
        out["off_road_rate"] = res.off_road_rate
    if res.success_rate is not None:
        out["success_rate"] = res.success_rate
    if args.env == OBSTACLE_FORK:  # how the policy passed the obstacle (the same episodes and modes)
        _, stats = evaluate_fork(policy, args.episodes, seed=eval_seed)
        out.update(collision_rate=stats["collision_rate"], left_share=stats["left_share"],
                   zigzag_rate=stats["zigzag_rate"])
    out.update(extra)
    return out


def _plain(value):
    """numpy scalars and arrays in an adapter's extras, as JSON numbers and lists (json refuses them)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"the bench's result holds a {type(value).__name__}, which JSON cannot write: {value!r}")


def main(argv=None) -> int:
    args = parse_args(argv)
    print(json.dumps(run(args), default=_plain))
    return 0
