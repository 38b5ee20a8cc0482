"""Regenerate the README's results table from the bench CLI (`make results`).

Runs ``python -m il_helpers.bench METHOD --env ENV --demos N --seed S`` (in-process, same code)
for every registered method (``il_helpers.bench.METHODS``, in registration order: a method a new
notebook registers gets its column by itself, in the README table it registers for: ``method(NAME,
table=...)``, one table per notebook after 07, ``bench.RESULT_TABLES``) on every environment it
supports (a method declares the environments it refuses through ``il_helpers.bench.method(NAME,
check_env=...)`` (bench/methods.py), i.e. ``bench.ENV_CHECKS``; those cells read "—") over seeds
0..N-1, and writes a Markdown table between the ``<!-- results:start -->`` and ``<!-- results:end -->``
markers of README.md (``<!-- results:NAME:start -->`` for the table NAME after the first), with the date
and the machine (CPU, cores, load average at start, Python, torch) under it; the experts table between
``<!-- experts:start -->`` and ``<!-- experts:end -->`` too. Nothing in the tables is typed by hand.
Each cell shows the mean over seeds and the worst seed's normalized score; a cell where the course
teaches that the method fails (``bench.TAUGHT_FAILURES``, declared where the method registers) is
marked, with the notebook that shows why listed under the table.

Environments: ``il_helpers.ENV_IDS`` and the base ids of the environments with variants (the
gridworlds of notebook 04). If a run raises, the script goes on with the other cells, then lists
every failure and exits with an error, leaving README.md alone: a cheap pass over every cell
(``--seeds 1 --fast --episodes 2 --dry-run``, seconds to a minute) finds them before a long run.

    python benchmarks/results.py [--methods expert random bc ...] [--tables main imperfect ...]
                                 [--envs CartPole-v1 ...] [--seeds 5] [--demos 10] [--episodes N]
                                 [--fast] [--readme PATH] [--dry-run]

``--methods`` replaces the tables its methods belong to with those columns alone; ``--tables`` keeps
to the named tables (every method of each).

A cheap subset (seconds): ``--methods bc --envs CartPole-v1 --seeds 1 --fast --episodes 5 --dry-run``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import sys
import traceback
from pathlib import Path

import numpy as np

from il_helpers import bench
from il_helpers.bench import ENV_CHECKS, METHODS, RESULT_TABLES, TABLES, TAUGHT_FAILURES, parse_args, run
from il_helpers.core.config import FAST
from il_helpers.core.io import atomic_write
from il_helpers.envs.registry import ENV_IDS, ENV_OPTIONS, check_env_id

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"  # the main table's; markers() for the others
EXPERTS_START, EXPERTS_END = "<!-- experts:start -->", "<!-- experts:end -->"
NOT_APPLICABLE = "—"
TAUGHT = "†"  # the mark of a cell where the course teaches that the method fails
BASELINES = ("expert", "random")  # no training: no wall time in their cells


def markers(table: str) -> tuple[str, str]:
    """The README markers around the results table ``table`` (a key of ``bench.RESULT_TABLES``)."""
    return (START, END) if table == "main" else (f"<!-- results:{table}:start -->", f"<!-- results:{table}:end -->")


def methods_by_table(methods: list[str] | None = None, tables: list[str] | None = None) -> dict[str, list[str]]:
    """``{table: its methods}``, in the order of ``RESULT_TABLES`` and of registration: ``methods``
    (default: every registered one), kept to ``tables`` (default: every table with a method)."""
    methods = list(METHODS) if methods is None else methods
    grouped = {t: [m for m in methods if TABLES.get(m, "main") == t] for t in RESULT_TABLES}
    return {t: ms for t, ms in grouped.items() if ms and (tables is None or t in tables)}


def all_envs() -> list[str]:
    """Every environment of the bench: ENV_IDS, then the base ids of the environments with variants."""
    return [*ENV_IDS, *(env_id for env_id in ENV_OPTIONS if env_id not in ENV_IDS)]


def refusal(method: str, env_id: str) -> str | None:
    """Why `method` does not apply to `env_id` (its ``check_env``), or None if it does."""
    check = ENV_CHECKS.get(method)
    return check(env_id) if check is not None else None


def num(x: float, digits: int) -> str:
    """Format without a "-0.00"."""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def load_average() -> str:
    try:
        return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "load average unknown"


def machine(load: str | None = None) -> str:
    """CPU model, cores, the load average (1, 5, 15 min; `load`, measured at start), Python and torch."""
    import torch

    load = f" ({load} at start)" if load else ""
    return f"{bench.machine()}{load}, Python {platform.python_version()}, torch {torch.__version__}"


def cell(method: str, outs: list[dict], taught: bool = False) -> str:
    """Mean return ± std over seeds (mean normalized score; the worst seed's, with more than one
    seed), the mean training wall time, and the taught-failure mark."""
    ret = np.array([o["return_mean"] for o in outs])
    norm = np.array([o["normalized"] for o in outs])
    worst = f"; worst {num(norm.min(), 2)}" if len(outs) > 1 else ""
    text = f"{num(ret.mean(), 1)} ± {ret.std():.1f} ({num(norm.mean(), 2)}{worst})"
    if method not in BASELINES:
        text += f", {np.mean([o['wall_s'] for o in outs]):.2f} s"
    return text + (f" {TAUGHT}" if taught else "")


class RunFailed(Exception):
    pass


def bench_runs(method: str, env_id: str, seeds: int, demos: int, extra: list[str]) -> list[dict]:
    """One bench run per seed (JSON lines on stderr); RunFailed names the run that raised."""
    outs = []
    for seed in range(seeds):
        argv = [method, "--env", env_id, "--demos", str(demos), "--seed", str(seed), *extra]
        try:
            out = run(parse_args(argv))
        except Exception as err:
            traceback.print_exc()
            raise RunFailed(f"`python -m il_helpers.bench {shlex.join(argv)}`: {type(err).__name__}: {err}") from err
        outs.append(out)
        print(json.dumps(out), file=sys.stderr, flush=True)
    return outs


def table(methods, seeds, demos, envs=None, episodes=None, fast=False, load=None,
          command="make results") -> tuple[str, list[dict]]:
    """The results table of `methods` x `envs` (default: all), with the date and the machine under it."""
    envs = list(envs or all_envs())
    applies = {(m, e): refusal(m, e) is None for m in methods for e in envs}
    methods = [m for m in methods if any(applies[m, e] for e in envs)]  # no column of "—" only
    envs = [e for e in envs if any(applies[m, e] for m in methods)]  # and no row of "—" only
    extra = (["--episodes", str(episodes)] if episodes else []) + (["--fast"] if fast else [])
    rows, records, failed, taught = [], [], [], []
    for env_id in envs:
        cells = []
        for method in methods:
            if not applies[method, env_id]:
                cells.append(NOT_APPLICABLE)
                continue
            try:
                outs = bench_runs(method, env_id, seeds, demos, extra)
            except RunFailed as err:  # go on: one pass lists every failure
                failed.append((method, env_id, str(err)))
                cells.append("failed")
                continue
            records.extend(outs)
            why = TAUGHT_FAILURES.get((method, env_id))
            if why:
                taught.append(f"{TAUGHT} The course teaches this failure: `{method}` on `{env_id}`, {why}.")
            cells.append(cell(method, outs, taught=bool(why)))
        rows.append(f"| `{env_id}` | " + " | ".join(cells) + " |")
    if failed:
        raise SystemExit(
            f"results: {len(failed)} run(s) failed, so the README was left alone:\n"
            + "\n".join(f"  {method} on {env_id}: {msg}" for method, env_id, msg in failed)
            + "\nIf a method does not apply to an environment, say so where it is registered: "
              "il_helpers.bench.method(NAME, check_env=...) (bench/methods.py) returns why, and its cell then "
              "reads " + NOT_APPLICABLE + ".")
    header = "| environment | " + " | ".join(methods) + " |\n|---|" + "---|" * len(methods)
    n_episodes = sorted({o["episodes"] for o in records})
    mode = " Fast mode (IL_FAST=1 or --fast): smaller training budgets, not the course's." if fast or FAST else ""
    seed_text = "seed 0" if seeds == 1 else f"{seeds} seeds (0..{seeds - 1})"
    worst = "; the worst seed's after the semicolon" if seeds > 1 else ""
    stamp = (f"Measured {datetime.date.today().isoformat()} on {machine(load)}: {seed_text}, {demos} expert "
             f"demonstrations, {'/'.join(map(str, n_episodes))} evaluation episodes per seed.{mode} "
             f"Cells: mean return ± std over seeds (mean normalized score: random = 0, expert = 1"
             f"{worst}), and training wall "
             f"time; {NOT_APPLICABLE}: the method does not apply to the environment. Made by `{command}`.")
    return "\n".join([header, *rows, "", stamp, *(["", *taught] if taught else [])]), records


def experts_table(envs=None) -> str:
    """Each expert and the random policy over 100 episodes (seed 0): mean ± std per episode."""
    from il_helpers import RandomPolicy, env_spaces, evaluate, get_expert

    rows = ["| environment | expert | its return over 100 episodes | random policy |", "|---|---|---|---|"]
    for env_id in envs or all_envs():
        expert = get_expert(env_id)
        e = evaluate(expert, env_id, n_episodes=100, seed=0)
        r = evaluate(RandomPolicy(env_spaces(env_id)[1], seed=0), env_id, n_episodes=100, seed=0)
        rows.append(f"| `{env_id}` | {expert.name} | **{e.return_mean:.1f} ± {e.return_std:.1f}** | "
                    f"{r.return_mean:.1f} ± {r.return_std:.1f} |")
    return "\n".join(rows)


def replace_between(text: str, start: str, end: str, body: str) -> str:
    if start not in text or end not in text:
        raise SystemExit(f"the README has no {start} ... {end} markers")
    return re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: f"{start}\n{body}\n{end}", text, flags=re.S)


def build_parser() -> argparse.ArgumentParser:
    """The command line; its defaults are every method registered and every environment, now."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", nargs="+", default=None, metavar="METHOD",
                        help=f"bench methods; their tables get these columns alone (default: all registered: "
                             f"{' '.join(METHODS)})")
    parser.add_argument("--tables", nargs="+", default=None, metavar="TABLE", choices=list(RESULT_TABLES),
                        help=f"README results tables to remake (default: every one: {' '.join(RESULT_TABLES)})")
    parser.add_argument("--envs", nargs="+", default=all_envs(), metavar="ENV",
                        help=f"environments (default: all: {' '.join(all_envs())})")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 per cell (default 5)")
    parser.add_argument("--demos", type=int, default=10, help="expert episodes to learn from (default 10)")
    parser.add_argument("--episodes", type=int, default=None,
                        help="evaluation episodes per seed (default: the bench's, 100; 20 in fast mode)")
    parser.add_argument("--fast", action="store_true", help="the bench's smaller budgets (as IL_FAST=1); "
                        "for checking the script, not for the README")
    parser.add_argument("--readme", type=Path, default=README, help=f"the file to update (default {README})")
    parser.add_argument("--dry-run", action="store_true", help="print the tables, leave the README alone")
    return parser


def main(argv=None) -> int:
    load = load_average()  # before this script adds its own load
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    unknown = [m for m in args.methods or [] if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s) {unknown}; known: {list(METHODS)}")
    for env_id in args.envs:
        try:
            check_env_id(env_id)
        except ValueError as err:
            parser.error(str(err))
    if args.seeds < 1 or args.demos < 1 or (args.episodes is not None and args.episodes < 1):
        parser.error("--seeds, --demos and --episodes must be at least 1")
    groups = methods_by_table(args.methods, args.tables)
    if not groups:
        parser.error(f"none of the methods {args.methods} is in the tables {args.tables}")
    groups = {t: ms for t, ms in groups.items() if any(refusal(m, e) is None for m in ms for e in args.envs)}
    if not groups:
        parser.error(f"none of the methods {args.methods or list(METHODS)} applies to the environments {args.envs}")
    text = args.readme.read_text() if not args.dry_run else None
    if text is not None:  # fail on missing markers before the long part
        for start, end in [(EXPERTS_START, EXPERTS_END), *map(markers, groups)]:
            text = replace_between(text, start, end, "")
    experts = experts_table(args.envs)
    shown = [a for i, a in enumerate(argv)  # the options that change the numbers
             if a != "--dry-run" and not a.startswith("--readme") and (i == 0 or argv[i - 1] != "--readme")]
    command = f"python benchmarks/results.py {shlex.join(shown)}" if shown else "make results"
    print(experts)
    tables = {}
    for name, methods in groups.items():
        tables[name], _ = table(methods, args.seeds, args.demos, envs=args.envs, episodes=args.episodes,
                                fast=args.fast, load=load, command=command)
        print(f"\n{name}:\n{tables[name]}")
    if text is not None:  # read again: the README may have changed during the runs (an hour, for all)
        text = replace_between(args.readme.read_text(), EXPERTS_START, EXPERTS_END, experts)
        for name, body in tables.items():
            text = replace_between(text, *markers(name), body)
        atomic_write(args.readme, text)
        print(f"updated {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
