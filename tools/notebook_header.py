"""Give every course notebook the same opening, so that it opens anywhere.

Every notebook in notebooks/ (files named ``NN_*.ipynb``) starts with two cells written by this tool:

1. a markdown cell: an "Open in Colab" badge, the previous / next notebook links, derived from
   the sorted file list, the earlier notebooks it builds on (tools/course.py), and the student's
   reading time (:func:`reading_minutes`) beside the machine's run time (the one source of stated
   run times, notebooks/run_times.json, written by tools/run_notebooks.py, which rewrites the
   header after every run it records). This is the canonical navigation: a notebook's intro does
   not repeat it; its summary still ends with a prose pointer to the next notebook;
2. a code cell that, on Colab only (``"google.colab" in sys.modules``), clones the repository and
   installs it (``pip install -e``, plus the clone on ``sys.path`` for the running kernel). Anywhere
   else it does nothing: no subprocess, no output.

The tool also writes the README's badges (Binder, Colab) between ``<!-- badges:start -->`` and
``<!-- badges:end -->``. The repository's address lives in one place, ``[project.urls] Repository``
in pyproject.toml; every link here is derived from it.

    python tools/notebook_header.py            # write the headers and badges (idempotent)
    python tools/notebook_header.py --check    # exit 1 if a header or the badges are missing or stale
    python tools/notebook_header.py notebooks/04_maxent_irl.ipynb   # only these notebooks (and the badges)

A new notebook gets its header, and its neighbours' links change, when this runs: then re-execute
the notebooks whose header changed (``make notebooks`` does both).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tomllib
from pathlib import Path

import nbformat

from il_helpers.core.io import atomic_open, atomic_write

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course import COURSE  # noqa: E402  (the course index beside this file)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"
#: metadata key that marks the two header cells (value "navigation" or "colab")
KEY = "course_header"
#: where the Colab set-up cell clones the repository
COLAB_DIR = "/content/{name}"
BADGES_START, BADGES_END = "<!-- badges:start -->", "<!-- badges:end -->"
#: the notebooks' measured run times (written by tools/run_notebooks.py)
TIMES = NOTEBOOKS / "run_times.json"
#: reading speeds behind the reading time: prose at 200 words a minute, code at 10 lines a minute
PROSE_WPM, CODE_LPM = 200, 10


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The repository's address, ``https://github.com/OWNER/REPO``, from pyproject.toml."""
    url = tomllib.loads(pyproject.read_text())["project"]["urls"]["Repository"].rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"[project.urls] Repository must be https://github.com/OWNER/REPO, got {url!r}")
    return url.removesuffix(".git")


def repository_slug(url: str | None = None) -> str:
    """``OWNER/REPO``."""
    return (url or repository_url()).removeprefix("https://github.com/")


def colab_url(filename: str, url: str | None = None) -> str:
    return f"https://colab.research.google.com/github/{repository_slug(url)}/blob/main/notebooks/{filename}"


def binder_url(url: str | None = None) -> str:
    return f"https://mybinder.org/v2/gh/{repository_slug(url)}/HEAD?urlpath=lab/tree/notebooks"


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course's notebooks, in order (the sorted file list defines previous / next)."""
    return sorted(folder.glob(NOTEBOOK_PATTERN))


def is_header(cell) -> bool:
    return KEY in cell.get("metadata", {})


def number(path: Path) -> str:
    return path.name[:2]


def title(path: Path, nb) -> str:
    """The notebook's short title: its entry in tools/course.py ("01 · Distribution shift"), else its
    first ``# `` heading up to a colon, else its file name."""
    if number(path) in COURSE:
        return COURSE[number(path)].title
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not is_header(cell):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].split(":")[0].strip()
    return path.stem


def reading_minutes(nb) -> int:
    """Minutes a student needs to read the notebook (header aside): its prose at :data:`PROSE_WPM`
    words a minute plus its code at :data:`CODE_LPM` non-blank lines a minute, rounded up to 5."""
    words = lines = 0
    for cell in nb.cells:
        if is_header(cell):
            continue
        if cell.cell_type == "markdown":
            words += len(re.findall(r"[A-Za-z0-9]+", re.sub(r"\(.*?\)|<[^>]+>", " ", cell.source)))
        elif cell.cell_type == "code":
            lines += sum(1 for line in cell.source.splitlines() if line.strip())
    return max(5, 5 * math.ceil((words / PROSE_WPM + lines / CODE_LPM) / 5))


def fmt_seconds(s: float) -> str:
    """A run time as a student reads it: ``42 s``, ``3.5 min``."""
    return f"{s:.0f} s" if s < 90 else f"{s / 60:.1f} min"


def read_times(times: Path | None = None) -> dict:
    """The recorded run times per notebook file name (``{"full": {...}, "fast": {...}}``), or {}."""
    times = TIMES if times is None else times
    return json.loads(times.read_text()).get("notebooks", {}) if times.exists() else {}


def time_line(path: Path, nb, recorded: dict) -> str:
    """The header's line: reading time, and the run time of a Restart & Run All (full, and fast mode)."""
    t = recorded.get(path.name, {})
    if "full" in t:
        run = f"**Run time:** {fmt_seconds(t['full']['seconds'])} on {t['full']['machine']}"
        if "fast" in t:
            run += f" ({fmt_seconds(t['fast']['seconds'])} in fast mode, `IL_FAST=1`)"
        run += " ([measured](run_times.json))"
    else:
        run = "**Run time:** not measured yet (`make notebooks`)"
    return f"**Reading time:** about {reading_minutes(nb)} min · {run}"


def navigation_source(path: Path, paths: list[Path], titles: dict[Path, str], url: str,
                      timing: str | None = None) -> str:
    i = paths.index(path)
    badge = (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
             f"({colab_url(path.name, url)})")
    links = []
    if i > 0:
        links.append(f"**Previous:** [{titles[paths[i - 1]]}]({paths[i - 1].name})")
    if i + 1 < len(paths):
        links.append(f"**Next:** [{titles[paths[i + 1]]}]({paths[i + 1].name})")
    else:
        links.append("**Next:** this is the last notebook so far")
    links.append("[all notebooks](../README.md#the-notebooks)")
    text = badge + "\n\n" + " · ".join(links)
    by_number = {number(p): p for p in paths}
    builds_on = COURSE[number(path)].builds_on if number(path) in COURSE else ()
    if builds_on:
        text += "\n\n**Builds on:** " + ", ".join(
            f"[{titles[by_number[n]]}]({by_number[n].name})" if n in by_number else COURSE[n].title
            for n in builds_on)
    if timing:
        text += "\n\n" + timing
    return text


def colab_source(url: str) -> str:
    folder = COLAB_DIR.format(name=url.rsplit("/", 1)[1])
    return f'''# Colab only: fetch the course and install it. Anywhere else (your machine, Binder) it does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    COURSE_REPO, COURSE_DIR = "{url}", "{folder}"
    if not os.path.isdir(COURSE_DIR):
        subprocess.run(["git", "clone", "--depth", "1", COURSE_REPO, COURSE_DIR], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-e", COURSE_DIR], check=True)
    sys.path.insert(0, COURSE_DIR)  # the running kernel imports il_helpers without a restart'''


def header_cells(path: Path, paths: list[Path], titles: dict[Path, str], url: str, timing: str | None = None) -> list:
    nav = nbformat.v4.new_markdown_cell(navigation_source(path, paths, titles, url, timing),
                                        metadata={KEY: "navigation"}, id="course-navigation")
    colab = nbformat.v4.new_code_cell(colab_source(url), metadata={KEY: "colab"}, id="colab-setup")
    return [nav, colab]


def _same(a, b) -> bool:
    """The same header cell (execution metadata, counts and outputs aside)."""
    return (a.cell_type == b.cell_type and a.source == b.source and a.get("id") == b.get("id")
            and a.metadata.get(KEY) == b.metadata.get(KEY))


def updated(nb, path: Path, paths: list[Path], titles: dict[Path, str], url: str, recorded: dict | None = None):
    """The notebook with its current header (the same object when nothing changes); ``recorded``:
    the run times (:func:`read_times`)."""
    want = header_cells(path, paths, titles, url, time_line(path, nb, recorded or {}))
    have = [c for c in nb.cells if is_header(c)]
    if len(have) == 2 and all(_same(a, b) for a, b in zip(nb.cells[:2], want)):
        return nb
    # keep a header cell that did not change as it is (a code cell keeps its execution count)
    old = {c.metadata[KEY]: c for c in have}
    cells = [old[w.metadata[KEY]] if w.metadata[KEY] in old and _same(old[w.metadata[KEY]], w) else w
             for w in want]
    new = nbformat.from_dict(nb)
    new.cells = cells + [c for c in nb.cells if not is_header(c)]
    return new


def intro_problems(nb, path: Path) -> list[str]:
    """The intro (first cell after the header) must not repeat the header's navigation."""
    body = [c for c in nb.cells if not is_header(c)]
    if body and re.search(r"\*\*Previous:\*\*", body[0].source):
        return [f"{path.name}: its intro repeats the navigation (**Previous:** ...); the header holds it"]
    return []


def badges(url: str) -> str:
    return (f"{BADGES_START}\n"
            f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(url)})\n"
            f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url('00_tour.ipynb', url)})\n"
            f"{BADGES_END}")


def readme_with_badges(text: str, url: str) -> str:
    block = badges(url)
    if BADGES_START in text:
        return re.sub(re.escape(BADGES_START) + r".*?" + re.escape(BADGES_END), lambda _: block, text, flags=re.S)
    lines = text.split("\n")  # first time: right under the title
    return "\n".join(lines[:1] + ["", block] + lines[1:])


def run(check: bool, folder: Path = NOTEBOOKS, readme: Path = README, only: list[Path] | None = None,
        times: Path | None = None) -> list[str]:
    """Write (or, with ``check``, only compare) the headers and the README badges; returns the problems
    (check) or the files written. ``only``: these notebooks (their links still follow the whole list);
    ``times``: the run times' file (default: run_times.json in ``folder``)."""
    url = repository_url()
    paths = course_notebooks(folder)
    books = {p: nbformat.read(p, as_version=4) for p in paths}
    titles = {p: title(p, nb) for p, nb in books.items()}
    chosen = None if only is None else {Path(p).resolve() for p in only}
    recorded = read_times(folder / TIMES.name if times is None else times)
    out = []
    for p, nb in books.items():
        if chosen is not None and p.resolve() not in chosen:
            continue
        new = updated(nb, p, paths, titles, url, recorded)
        if check:
            if new is not nb:
                out.append(f"{p.name}: header missing or stale (run `python tools/notebook_header.py`, "
                           "then re-execute it)")
            out += intro_problems(nb, p)
        elif new is not nb:
            with atomic_open(p, "w", encoding="utf8") as f:   # never half a notebook on disk
                nbformat.write(new, f)
            out.append(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p))
    if readme.exists():
        text = readme.read_text()
        new_text = readme_with_badges(text, url)
        if new_text != text:
            if check:
                out.append(f"{readme.name}: badges missing or stale (run `python tools/notebook_header.py`)")
            else:
                atomic_write(readme, new_text)
                out.append(readme.name)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="only these notebooks (default: all)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is stale")
    args = parser.parse_args(argv)
    out = run(args.check, only=args.notebooks or None)
    if args.check:
        for line in out:
            print(line, file=sys.stderr)
        return 1 if out else 0
    print("\n".join(f"wrote {f}" for f in out) if out else "every header is current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
