"""Execute the course's notebooks, time them, and keep the README's notebook table current.

    python tools/run_notebooks.py                # full mode: Restart & Run All of every notebook, one at a
                                                 # time, outputs saved in place (make notebooks)
    python tools/run_notebooks.py --fast         # fast mode (IL_FAST=1) on a copy, nothing saved: times only
                                                 # (make notebook-times)
    python tools/run_notebooks.py notebooks/05_gail_airl.ipynb   # only these notebooks
    python tools/run_notebooks.py --readme       # only rewrite the README table from the recorded times
    python tools/run_notebooks.py --check        # exit 1 if the table is stale or a notebook has no times

Full mode first writes the header (tools/notebook_header.py) of every notebook it runs, so a new
notebook gets its Colab cell and links before it runs and its execution counts are clean (1, 2, 3, ...).

Each run's wall time (kernel start included) goes to notebooks/run_times.json with the date, the
machine (CPU model, cores) and the load average just before it started: the machine is shared, so
read a time together with its load. The README's table between ``<!-- notebooks:start -->`` and
``<!-- notebooks:end -->`` is rendered from that file and from COURSE below, which says what each
notebook teaches and which notebooks it builds on; a notebook listed in COURSE whose file does not
exist yet appears as "in preparation".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import nbformat

from il_helpers import bench
from il_helpers.core.io import atomic_open, atomic_write

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_header  # noqa: E402  (the sibling modules, importable once their folder is on the path)
from course import COURSE, Entry  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
TIMES = notebook_header.TIMES
START, END = "<!-- notebooks:start -->", "<!-- notebooks:end -->"
CELL_TIMEOUT = 1200  # seconds per cell, as `make notebooks` always allowed


def notebook_files() -> dict[str, Path]:
    return {notebook_header.number(p): p for p in notebook_header.course_notebooks(NOTEBOOKS)}


# ---------------------------------------------------------------------------------------- running
def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def kernel_env(fast: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("IL_FAST", None)     # full mode means full budgets, whatever the caller's shell says
    env.pop("MPLBACKEND", None)  # let the kernel draw inline figures (tests set Agg)
    env["IL_CLAIMS"] = "strict"  # a claim that does not hold stops the run: committed outputs show claims that hold
    if fast:
        env["IL_FAST"] = "1"
    return env


def execute(path: Path, fast: bool) -> float:
    """Restart & Run All of one notebook in its folder; full mode saves it in place, fast mode saves
    nothing. Returns the wall time; a run that fails is saved to a temporary file (its path is printed)
    and its error raised."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=kernel,
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    try:
        client.execute(env=kernel_env(fast))
    except Exception:
        failed = Path(tempfile.mkdtemp(prefix="run_notebooks_")) / path.name
        with atomic_open(failed, "w", encoding="utf8") as f:
            nbformat.write(nb, f)
        print(f"  failed: the executed copy is in {failed}", file=sys.stderr)
        raise
    seconds = time.perf_counter() - t0
    if not fast:
        with atomic_open(path, "w", encoding="utf8") as f:  # a kill mid-write keeps the old notebook
            nbformat.write(nb, f)
    return seconds


def read_times() -> dict:
    if TIMES.exists():
        return json.loads(TIMES.read_text())
    return {"about": "Wall time of a Restart & Run All of each notebook (kernel start included), written by "
                     "tools/run_notebooks.py: `make notebooks` (full) and `make notebook-times` (fast, IL_FAST=1). "
                     "load_average: the 1, 5 and 15 minute load averages just before the run.",
            "notebooks": {}}


def write_times(times: dict) -> None:
    times["notebooks"] = dict(sorted(times["notebooks"].items()))
    atomic_write(TIMES, json.dumps(times, indent=1, ensure_ascii=False) + "\n")


def run(paths: list[Path], fast: bool) -> int:
    mode = "fast" if fast else "full"
    if not fast:  # the notebooks about to run get their current header first (and so clean counts)
        for f in notebook_header.run(check=False, only=paths):
            print(f"header: wrote {f}")
    failures = []
    for path in paths:
        load = load_average()
        print(f"{path.name} ({mode} mode, load average {load[0]:.2f}) ...", flush=True)
        try:
            seconds = execute(path, fast)
        except Exception as err:  # report every notebook, then fail
            failures.append(f"{path.name}: {type(err).__name__}: {str(err).strip().splitlines()[-1:]}")
            continue
        print(f"  {seconds:.1f} s", flush=True)
        times = read_times()  # re-read: one notebook's record at a time, nothing lost if a later one fails
        times["notebooks"].setdefault(path.name, {})[mode] = {
            "seconds": round(seconds, 1), "date": dt.date.today().isoformat(), "machine": bench.machine(),
            "python": platform.python_version(), "torch": metadata.version("torch"), "load_average": load}
        write_times(times)
        for f in notebook_header.run(check=False, only=[path], times=TIMES):  # its header states the new time
            print(f"header: wrote {f}")
    write_readme()
    for f in failures:
        print(f"FAILED {f}", file=sys.stderr)
    return 1 if failures else 0


# ---------------------------------------------------------------------------------------- README
fmt_seconds = notebook_header.fmt_seconds


def render_table(times: dict, files: dict[str, Path]) -> str:
    recorded = times.get("notebooks", {})
    rows = ["| notebook | what it teaches | builds on | run time: fast / full |", "|---|---|---|---|"]
    numbers = sorted(set(COURSE) | set(files))
    for n in numbers:
        entry = COURSE.get(n) or Entry(f"{n} · {files[n].stem[3:]}", "(no entry in tools/course.py)", ())
        deps = ", ".join(f"[{d}](notebooks/{files[d].name})" if d in files else d for d in entry.builds_on) or "—"
        if n not in files:
            rows.append(f"| {entry.title} *(in preparation)* | {entry.teaches} | {deps} | — |")
            continue
        t = recorded.get(files[n].name, {})
        run_time = " / ".join(fmt_seconds(t[m]["seconds"]) if m in t else "not measured" for m in ("fast", "full"))
        rows.append(f"| [{entry.title}](notebooks/{files[n].name}) | {entry.teaches} | {deps} | {run_time} |")
    rows += ["", "Every notebook assumes the tour (00)."]
    runs = [r for n, p in files.items() for r in recorded.get(p.name, {}).values()]
    if runs:
        machines = sorted({r["machine"] for r in runs})
        dates = sorted({r["date"] for r in runs})
        loads = [r["load_average"][0] for r in runs]
        rows[-1] += (f" Run times: wall time of a Restart & Run All, kernel start included, measured on "
                     f"{'; '.join(machines)} ({dates[0]}{' to ' + dates[-1] if len(dates) > 1 else ''}; 1-minute load "
                     f"average before each run {min(loads):.2f} to {max(loads):.2f}) by `make notebooks` (full) and "
                     f"`make notebook-times` (fast, `IL_FAST=1`); the figures are in "
                     f"[notebooks/run_times.json](notebooks/run_times.json).")
    return "\n".join(rows)


def readme_text(text: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + START + "\n" + render_table(read_times(), notebook_files()) + "\n" + END + tail


def write_readme() -> None:
    text = README.read_text()
    new = readme_text(text)
    if new != text:
        atomic_write(README, new)
        print("README.md: notebook table updated")


def check() -> list[str]:
    problems = []
    files = notebook_files()
    recorded = read_times()["notebooks"]
    for n, p in files.items():
        if n not in COURSE:
            problems.append(f"{p.name}: no entry in tools/course.py (what it teaches, what it builds on)")
        for mode, command in (("full", "make notebooks"), ("fast", "make notebook-times")):
            if mode not in recorded.get(p.name, {}):
                problems.append(f"{p.name}: no {mode}-mode run time recorded (run `{command}`)")
    if readme_text(README.read_text()) != README.read_text():
        problems.append("README.md: the notebook table is stale (run `python tools/run_notebooks.py --readme`)")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all of notebooks/)")
    parser.add_argument("--fast", action="store_true", help="IL_FAST=1 on a copy: times only, nothing saved")
    parser.add_argument("--readme", action="store_true", help="only rewrite the README table")
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale or times are missing")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    if args.readme:
        write_readme()
        return 0
    paths = [p.resolve() for p in args.notebooks] or list(notebook_files().values())
    return run(paths, args.fast)


if __name__ == "__main__":
    sys.exit(main())
