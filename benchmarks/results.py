"""Regenerate the README's results table from the bench CLI (`make results`).

Runs ``python -m il_helpers.bench METHOD --env ENV --demos N --seed S`` (in-process, same code)
for every method and environment over several seeds and writes a Markdown table between the
``<!-- results:start -->`` and ``<!-- results:end -->`` markers of README.md, stamped with the
date and the machine. Nothing in the table is typed by hand.

    python benchmarks/results.py [--seeds 3] [--demos 10] [--methods expert random bc] [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import sys
from pathlib import Path

import numpy as np

from il_helpers.bench import METHODS, parse_args, run
from il_helpers.envs import ENV_IDS

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
EXPERTS_START, EXPERTS_END = "<!-- experts:start -->", "<!-- experts:end -->"


def num(x: float, digits: int) -> str:
    """Format without a "-0.00"."""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}"


def table(methods, seeds, demos) -> tuple[str, list[dict]]:
    rows, records = [], []
    for env_id in ENV_IDS:
        cells = []
        for method in methods:
            outs = []
            for seed in range(seeds):
                out = run(parse_args([method, "--env", env_id, "--demos", str(demos), "--seed", str(seed)]))
                outs.append(out)
                records.append(out)
                print(json.dumps(out), file=sys.stderr)
            ret = np.array([o["return_mean"] for o in outs])
            norm = np.array([o["normalized"] for o in outs])
            cell = f"{num(ret.mean(), 1)} ± {ret.std():.1f} ({num(norm.mean(), 2)})"
            if method not in ("expert", "random"):
                cell += f", {np.mean([o['wall_s'] for o in outs]):.2f} s"
            cells.append(cell)
        rows.append(f"| `{env_id}` | " + " | ".join(cells) + " |")
    header = "| environment | " + " | ".join(methods) + " |\n|---|" + "---|" * len(methods)
    stamp = (f"Measured {datetime.date.today().isoformat()} on {machine()}: {seeds} seeds, {demos} expert "
             f"demonstrations, 100 evaluation episodes per seed. Cells: mean return ± std over seeds "
             f"(normalized score: random = 0, expert = 1), and training wall time. "
             f"Regenerate with `make results`.")
    return "\n".join([stamp, "", header, *rows]), records


def experts_table() -> str:
    """Each expert and the random policy over 100 episodes (seed 0): mean ± std per episode."""
    from il_helpers import RandomPolicy, env_spaces, evaluate, get_expert

    rows = ["| environment | expert | its return over 100 episodes | random policy |", "|---|---|---|---|"]
    for env_id in ENV_IDS:
        expert = get_expert(env_id)
        e = evaluate(expert, env_id, n_episodes=100, seed=0)
        r = evaluate(RandomPolicy(env_spaces(env_id)[1], seed=0), env_id, n_episodes=100, seed=0)
        rows.append(f"| `{env_id}` | {expert.name} | **{e.return_mean:.1f} ± {e.return_std:.1f}** | "
                    f"{r.return_mean:.1f} ± {r.return_std:.1f} |")
    return "\n".join(rows)


def replace_between(text: str, start: str, end: str, body: str) -> str:
    if start not in text or end not in text:
        raise SystemExit(f"README.md has no {start} ... {end} markers")
    return re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: f"{start}\n{body}\n{end}", text, flags=re.S)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--demos", type=int, default=10)
    parser.add_argument("--methods", nargs="+", default=["expert", "random", "bc"])
    parser.add_argument("--dry-run", action="store_true", help="print the table, leave README.md alone")
    args = parser.parse_args(argv)
    unknown = [m for m in args.methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s) {unknown}; known: {sorted(METHODS)}")
    experts = experts_table()
    text, _ = table(args.methods, args.seeds, args.demos)
    print(experts, text, sep="\n\n")
    if not args.dry_run:
        readme = replace_between(README.read_text(), EXPERTS_START, EXPERTS_END, experts)
        README.write_text(replace_between(readme, START, END, text))
        print(f"updated {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
