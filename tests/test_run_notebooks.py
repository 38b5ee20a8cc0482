"""The README's notebook index (tools/run_notebooks.py, tools/course.py): every notebook is listed with
what it teaches, what it builds on and its measured run times, the table is current, and the runner
executes a notebook in the mode asked (full: saved in place; fast: IL_FAST=1, nothing saved)."""

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import run_notebooks as rn  # noqa: E402
from course import COURSE  # noqa: E402


def test_readme_table_is_current():
    problems = rn.check()
    assert not problems, "\n".join(problems)


def test_every_notebook_is_indexed_and_timed_in_both_modes():
    files = rn.notebook_files()
    times = json.loads(rn.TIMES.read_text())["notebooks"]
    assert set(files) <= set(COURSE)
    for n, path in files.items():
        for mode in ("fast", "full"):
            run = times[path.name][mode]
            assert run["seconds"] > 0
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", run["date"])
            assert "cores" in run["machine"] and len(run["load_average"]) == 3


def test_course_index_builds_on_earlier_notebooks_only():
    for n, entry in COURSE.items():
        assert entry.title.startswith(f"{n} · ") and entry.teaches
        assert all(d in COURSE and d < n for d in entry.builds_on), n
    assert COURSE["05"].builds_on == ("02", "04") and "termination bias" in COURSE["05"].teaches
    assert COURSE["07"].builds_on == ("01", "02", "03", "04", "05", "06")


def test_rows_for_missing_notebooks_say_in_preparation():
    files = {n: ROOT / "notebooks" / f"{n}_x.ipynb" for n in ("00", "01")}
    times = {"notebooks": {"00_x.ipynb": {"fast": {"seconds": 12.3, "date": "2026-01-01", "machine": "CPU, 2 cores",
                                                     "load_average": [0.1, 0.2, 0.3]},
                                            "full": {"seconds": 95.0, "date": "2026-01-02", "machine": "CPU, 2 cores",
                                                     "load_average": [0.4, 0.2, 0.3]}}}}
    table = rn.render_table(times, files)
    rows = {line.split(" | ")[0]: line for line in table.splitlines() if line.startswith("| ")}
    assert rows["| [00 · Tour](notebooks/00_x.ipynb)"].endswith("| — | 12 s / 1.6 min |")
    assert rows["| [01 · Distribution shift](notebooks/01_x.ipynb)"].endswith("| not measured / not measured |")
    gail = rows["| 05 · GAIL and AIRL *(in preparation)*"]
    assert gail.endswith("| 02, 04 | — |") and "[02](notebooks/02_x.ipynb)" not in table
    assert "load average before each run 0.10 to 0.40" in table and "2026-01-01 to 2026-01-02" in table


def test_kernel_environment_follows_the_mode(monkeypatch):
    monkeypatch.setenv("IL_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert "IL_FAST" not in rn.kernel_env(fast=False) and "MPLBACKEND" not in rn.kernel_env(fast=False)
    assert rn.kernel_env(fast=True)["IL_FAST"] == "1"


def test_execute_saves_in_full_mode_only(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nprint(os.environ.get('IL_FAST'))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "00_probe.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()

    assert rn.execute(path, fast=True) > 0
    assert path.read_bytes() == before                      # fast mode: a copy, nothing saved

    rn.execute(path, fast=False)
    cell = nbformat.read(path, as_version=4).cells[0]
    assert cell.execution_count == 1 and cell.outputs[0]["text"] == "None\n"   # full budgets, saved


def test_execute_reports_a_failing_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise RuntimeError('broken')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "00_broken.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    with pytest.raises(Exception, match="broken"):
        rn.execute(path, fast=False)
    assert path.read_bytes() == before                      # a failed run is not saved over the notebook


def test_run_times_and_readme_are_written_atomically(tmp_path, monkeypatch):
    """write_times and write_readme go through the atomic writer (no half-written file on a kill)."""
    written, real_times = [], json.loads(rn.TIMES.read_text())
    monkeypatch.setattr(rn, "atomic_write", lambda path, text: written.append((path, text)))
    monkeypatch.setattr(rn, "TIMES", tmp_path / "run_times.json")
    rn.write_times({"about": "x", "notebooks": {"b.ipynb": {}, "a.ipynb": {}}})
    assert written[0][0] == tmp_path / "run_times.json"
    assert list(json.loads(written[0][1])["notebooks"]) == ["a.ipynb", "b.ipynb"]
    readme = tmp_path / "README.md"
    readme.write_text(rn.README.read_text().replace(rn.START, rn.START + "\nstale row\n", 1))
    monkeypatch.setattr(rn, "README", readme)
    monkeypatch.setattr(rn, "read_times", lambda: real_times)
    rn.write_readme()
    assert written[-1][0] == readme and "stale row" not in written[-1][1]
