"""The student release and the autograder of the course's graded assignments, through nbgrader.

    python tools/assignments.py release                   # make assignments: build/nbgrader + release/
    python tools/assignments.py autograde SUBMISSIONS     # make autograde: grade a folder, write grades.csv

The instructor's source is notebooks/: a notebook with nbgrader cells (solution regions between
``### BEGIN SOLUTION`` / ``### END SOLUTION``, test cells with points, hidden tests between
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``) is an assignment named like the notebook
(``02_behavioral_cloning``). ``release`` copies each into the course directory's source/ folder, runs
``nbgrader generate_assignment`` (solutions replaced by stubs, hidden tests removed, outputs cleared,
test cells locked, the tests recorded in the gradebook) and writes the student release beside
notebooks/: every notebook of the course, the assignments as nbgrader released them, the others as
they are (their links to each other and to ../README.md resolve there as in notebooks/).

``autograde`` takes a folder laid out as nbgrader collects it, ``SUBMISSIONS/<student>/<assignment>/
<assignment>.ipynb``, copies it into the course directory's submitted/ folder, runs ``nbgrader
autograde`` once (every student, every assignment) and ``nbgrader export`` to a CSV table
(one row per student and assignment: score, max score, ...). It needs the gradebook of the release
the students got (the course directory ``release`` built).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COURSE = ROOT / "build" / "nbgrader"
RELEASE = ROOT / "release"


def is_assignment(path: Path) -> bool:
    """Whether the notebook has nbgrader cells (a solution region or a graded test)."""
    cells = json.loads(path.read_text())["cells"]
    return any(c.get("metadata", {}).get("nbgrader", {}).get(k) for c in cells for k in ("solution", "grade"))


def assignments(notebooks: Path = NOTEBOOKS) -> list[Path]:
    return [p for p in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")) if is_assignment(p)]


def nbgrader(*args: str, course: Path, env: dict | None = None) -> None:
    """Run one nbgrader command on ``course`` (from the repository's root, so nbgrader_config.py applies);
    ``env``: variables set for it (and the kernels it starts) on top of this process's environment."""
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    # nbgrader runs `alembic` (its database migrations) as a command: the venv's bin/ must be on the PATH
    env = {**os.environ, **(env or {})}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[2:])} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


def release(course: Path = COURSE, out: Path = RELEASE, notebooks: Path = NOTEBOOKS) -> list[Path]:
    """Build the course directory's source/ and release/ for every assignment and write the student
    release into ``out`` (replaced). Returns the released assignment notebooks."""
    course, out = Path(course).resolve(), Path(out).resolve()
    sources = assignments(notebooks)
    if not sources:
        raise SystemExit(f"no notebook in {notebooks} has nbgrader cells: nothing to release")
    shutil.rmtree(course / "source", ignore_errors=True)
    for nb in sources:
        (course / "source" / nb.stem).mkdir(parents=True)
        shutil.copy2(nb, course / "source" / nb.stem / nb.name)
    # one nbgrader call for every assignment (each call costs seconds of start-up and database checks)
    nbgrader("generate_assignment", "--force", "--CourseDirectory.assignment_id=*", course=course)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    released = []
    for nb in sorted(notebooks.glob("*.ipynb")):
        made = course / "release" / nb.stem / nb.name
        shutil.copy2(made if nb in sources else nb, out / nb.name)
        if nb in sources:
            released.append(out / nb.name)
    for extra in notebooks.glob("*.json"):   # run_times.json: the headers link to it
        shutil.copy2(extra, out / extra.name)
    return released


def autograde(submissions: Path, course: Path = COURSE, csv: Path | None = None, env: dict | None = None,
              options: tuple[str, ...] = ()) -> Path:
    """Grade every submission in ``submissions`` (``<student>/<assignment>/*.ipynb``); return the CSV's path.
    ``env``: variables for the kernels that run the submissions (e.g. ``IL_FAST``); ``options``: more
    nbgrader options for the autograde call (e.g. ``--KernelManager.transport=ipc``)."""
    submissions, course = Path(submissions).resolve(), Path(course).resolve()
    if not (course / "gradebook.db").exists():
        raise SystemExit(f"no gradebook in {course}: run `make assignments` first (the release you handed out)")
    if not submissions.is_dir():
        raise SystemExit(f"{submissions} is not a folder of submissions (<student>/<assignment>/<notebook>.ipynb)")
    known = {p.name for p in (course / "source").iterdir()}
    shutil.rmtree(course / "submitted", ignore_errors=True)   # a copy of the last SUBMISSIONS: grade this one only
    graded = set()
    for student in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for folder in sorted(p for p in student.iterdir() if p.is_dir()):
            if folder.name not in known:
                raise SystemExit(f"{folder}: no assignment {folder.name!r} was released (known: {sorted(known)})")
            shutil.copytree(folder, course / "submitted" / student.name / folder.name)
            graded.add(folder.name)
    if not graded:
        raise SystemExit(f"no submissions in {submissions} (expected <student>/<assignment>/<notebook>.ipynb)")
    # one call grades every student's every assignment (in turn: one kernel at a time)
    nbgrader("autograde", "--force", "--CourseDirectory.assignment_id=*", *options, course=course, env=env)
    csv = Path(csv).resolve() if csv else course / "grades.csv"
    nbgrader("export", f"--CsvExportPlugin.to={csv}", course=course)
    return csv


def graded_section(nb):
    """A copy of notebook ``nb`` (an nbformat notebook) with only its nbgrader cells, up to the last graded
    test: an assignment's section runs on its own (its first cell imports what it needs), so this is the
    assignment without the rest of the lesson (the tests autograde such copies to stay fast)."""
    import copy

    out = copy.deepcopy(nb)
    cells = [c for c in out.cells if "nbgrader" in c.get("metadata", {})]
    graded = [i for i, c in enumerate(cells) if c.metadata.nbgrader.get("grade")]
    # up to its last graded test: the cells after it only show what the answer (or the reference) does, which
    # the release's nbval run covers, and they would train the reference again for every failing submission
    out.cells = cells[:graded[-1] + 1] if graded else cells
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("release", help="the student release (make assignments)")
    r.add_argument("--course", type=Path, default=COURSE, help="nbgrader's course directory (default build/nbgrader)")
    r.add_argument("--out", type=Path, default=RELEASE, help="where the student release goes (default release/)")
    g = sub.add_parser("autograde", help="grade a folder of submissions (make autograde)")
    g.add_argument("submissions", type=Path, help="<student>/<assignment>/<notebook>.ipynb")
    g.add_argument("--course", type=Path, default=COURSE)
    g.add_argument("--csv", type=Path, default=None, help="the grade table (default <course>/grades.csv)")
    args = ap.parse_args(argv)
    if args.command == "release":
        for path in release(args.course, args.out):
            print(f"released {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        print(f"student release in {args.out}; nbgrader's course directory (keep it to grade): {args.course}")
    else:
        print(f"grades: {autograde(args.submissions, args.course, args.csv)}")


if __name__ == "__main__":
    main()
