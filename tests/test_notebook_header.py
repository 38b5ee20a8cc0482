"""Every notebook opens anywhere: its header (Colab badge, previous / next links) and its Colab set-up
cell are current (tools/notebook_header.py --check), and the set-up cell runs exactly the clone and
the install on Colab and nothing at all elsewhere (subprocess patched: no network, no process)."""

import os
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebook_header as nh  # noqa: E402

PATHS = nh.course_notebooks()


def colab_cell(path: Path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.metadata.get(nh.KEY) == "colab"]
    assert len(cells) == 1, f"{path.name}: expected one Colab set-up cell"
    return cells[0]


@pytest.fixture
def record_processes(monkeypatch):
    """Replace every way of starting a process by a recorder; returns the list of recorded commands."""
    calls = []

    def recorder(name):
        def run(cmd, *args, **kwargs):
            calls.append((name, list(cmd) if not isinstance(cmd, str) else cmd))
            return subprocess.CompletedProcess(cmd, 0)
        return run

    for name in ("run", "call", "check_call", "check_output", "Popen"):
        monkeypatch.setattr(subprocess, name, recorder(name))
    monkeypatch.setattr(os, "system", recorder("os.system"))
    monkeypatch.setattr(sys, "path", list(sys.path))
    return calls


def test_there_are_notebooks():
    assert len(PATHS) >= 6


def test_every_header_is_current():
    """The same check as `python tools/notebook_header.py --check`: header present and current in every
    notebook (links follow the sorted file list), no intro that repeats the navigation, README badges."""
    problems = nh.run(check=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_header_is_first_and_links_follow_the_file_list(path):
    nb = nbformat.read(path, as_version=4)
    nav, colab = nb.cells[0], nb.cells[1]
    assert nav.cell_type == "markdown" and nav.metadata[nh.KEY] == "navigation"
    assert colab.cell_type == "code" and colab.metadata[nh.KEY] == "colab"
    assert not any(nh.is_header(c) for c in nb.cells[2:])
    assert f"({nh.colab_url(path.name)})" in nav.source
    assert nh.colab_url(path.name).startswith("https://colab.research.google.com/github/")
    i = PATHS.index(path)
    if i > 0:
        assert "**Previous:** [" in nav.source and f"]({PATHS[i - 1].name})" in nav.source
    else:
        assert "**Previous:**" not in nav.source
    if i + 1 < len(PATHS):
        assert "**Next:** [" in nav.source and f"]({PATHS[i + 1].name})" in nav.source
    # the colab cell ran in the committed run, printed nothing and comes first among the code cells
    assert colab.outputs == [] and colab.execution_count == 1


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_colab_cell_does_nothing_outside_colab(path, record_processes, capsys, monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    before = list(sys.path)
    exec(compile(colab_cell(path).source, path.name, "exec"), {})
    assert record_processes == []
    assert sys.path == before
    assert capsys.readouterr() == ("", "")


def test_colab_cell_on_colab_clones_and_installs_and_nothing_else(record_processes, capsys, monkeypatch):
    url = nh.repository_url()
    folder = "/content/" + url.rsplit("/", 1)[1]
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert not os.path.isdir(folder)  # this machine is no Colab
    for path in PATHS:
        record_processes.clear()
        exec(compile(colab_cell(path).source, path.name, "exec"), {})
        assert record_processes == [
            ("run", ["git", "clone", "--depth", "1", url, folder]),
            ("run", [sys.executable, "-m", "pip", "install", "--quiet", "-e", folder]),
        ], path.name
        assert sys.path[0] == folder
        assert capsys.readouterr() == ("", "")


def test_colab_cell_run_twice_does_not_clone_again(record_processes, monkeypatch):
    folder = "/content/" + nh.repository_url().rsplit("/", 1)[1]
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    real_isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda p: p == folder or real_isdir(p))
    exec(compile(colab_cell(PATHS[0]).source, "colab", "exec"), {})
    assert [cmd[:4] for _, cmd in record_processes] == [[sys.executable, "-m", "pip", "install"]]


def test_repository_address_lives_in_pyproject_only():
    url = nh.repository_url()
    assert url.startswith("https://github.com/") and url.count("/") == 4
    readme = (ROOT / "README.md").read_text()
    assert f"https://mybinder.org/v2/gh/{nh.repository_slug()}/HEAD?urlpath=lab/tree/notebooks" in readme
    assert "environment.yml" in readme


def test_tool_is_idempotent_and_check_fails_when_stale(tmp_path, monkeypatch):
    """Run the tool on copies: a missing header is written, a second run changes nothing, and --check
    fails on a missing header, on a stale link (a notebook added) and on a changed set-up cell."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for p in PATHS[:3]:
        nb = nbformat.read(p, as_version=4)
        nb.cells = [c for c in nb.cells if not nh.is_header(c)]  # as if the header had never been written
        nbformat.write(nb, folder / p.name)
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\ntext\n")

    assert len(nh.run(check=True, folder=folder, readme=readme)) == 4  # three notebooks and the badges
    first = folder / PATHS[0].name
    assert nh.run(check=False, folder=folder, readme=readme, only=[first]) == [str(first), "README.md"]
    assert len(nh.run(check=False, folder=folder, readme=readme)) == 2   # the other two
    snapshot = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert nh.run(check=False, folder=folder, readme=readme) == []      # idempotent
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == snapshot
    assert nh.run(check=True, folder=folder, readme=readme) == []
    assert readme.read_text().count(nh.BADGES_START) == 1

    # a new notebook after the others: its own header is missing, and the last one's "next" is stale
    new = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 99 · Extra: a new notebook")])
    nbformat.write(new, folder / "99_extra.ipynb")
    stale = nh.run(check=True, folder=folder, readme=readme)
    assert {line.split(":")[0] for line in stale} == {PATHS[2].name, "99_extra.ipynb"}

    # a hand-edited set-up cell is stale too
    nh.run(check=False, folder=folder, readme=readme)
    nb = nbformat.read(folder / PATHS[0].name, as_version=4)
    nb.cells[1].source += "\nprint('hello')"
    nbformat.write(nb, folder / PATHS[0].name)
    assert [line.split(":")[0] for line in nh.run(check=True, folder=folder, readme=readme)] == [PATHS[0].name]


def test_check_flags_an_intro_that_repeats_the_navigation(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 00 · Tour\n\n**Previous:** none. **Next:** [01](01_x.ipynb)")])
    nbformat.write(nb, folder / "00_tour.ipynb")
    nh.run(check=False, folder=folder, readme=tmp_path / "README.md")
    problems = nh.run(check=True, folder=folder, readme=tmp_path / "README.md")
    assert problems and "repeats the navigation" in problems[0]


def test_reading_time_counts_prose_and_code_and_skips_the_header():
    prose = nbformat.v4.new_markdown_cell(" ".join(["word"] * 2000))      # 10 min at 200 words a minute
    code = nbformat.v4.new_code_cell("\n".join(["x = 1", ""] * 100))        # 100 lines: 10 min
    header = nbformat.v4.new_markdown_cell(" ".join(["nav"] * 10_000), metadata={nh.KEY: "navigation"})
    nb = nbformat.v4.new_notebook(cells=[header, prose, code])
    assert nh.reading_minutes(nb) == 20
    nb.cells.append(nbformat.v4.new_markdown_cell("one more word"))
    assert nh.reading_minutes(nb) == 25                                       # rounded up to 5 minutes
    assert nh.reading_minutes(nbformat.v4.new_notebook()) == 5


def test_time_line_states_the_recorded_run_times_or_says_they_are_missing(tmp_path):
    nb = nbformat.v4.new_notebook()
    run = {"seconds": 125.0, "machine": "a laptop"}
    line = nh.time_line(Path("01_x.ipynb"), nb, {"01_x.ipynb": {"full": run, "fast": {**run, "seconds": 12.4}}})
    assert "**Reading time:** about 5 min" in line
    assert "**Run time:** 2.1 min on a laptop (12 s in fast mode" in line
    assert "not measured yet" in nh.time_line(Path("01_x.ipynb"), nb, {})
    times = tmp_path / "run_times.json"
    times.write_text('{"notebooks": {"01_x.ipynb": {"full": {"seconds": 3, "machine": "m"}}}}')
    assert nh.read_times(times) == {"01_x.ipynb": {"full": {"seconds": 3, "machine": "m"}}}
    assert nh.read_times(tmp_path / "missing.json") == {}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_header_states_reading_and_run_time_from_run_times_json(path):
    nav = nbformat.read(path, as_version=4).cells[0].source
    recorded = nh.read_times()[path.name]
    assert "**Reading time:** about " in nav
    assert f"**Run time:** {nh.fmt_seconds(recorded['full']['seconds'])} on " in nav


def _lab_root(makefile: str) -> Path:
    """The folder `make lab` serves: its --ServerApp.root_dir (or the older --notebook-dir), else the cwd."""
    import re
    recipe = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    found = re.search(r"--(?:ServerApp\.root_dir|notebook-dir)=(\S+)", recipe)
    return (ROOT / (found.group(1) if found else ".")).resolve()


def test_every_header_link_resolves_inside_what_make_lab_serves():
    """A link outside the server's root is a 404 in JupyterLab ("all notebooks" -> ../README.md once
    went nowhere, when `make lab` served notebooks/ only)."""
    import re
    served = _lab_root((ROOT / "Makefile").read_text())
    broken = []
    for path in PATHS:
        nav = nbformat.read(path, as_version=4).cells[0].source
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", nav):
            if target.startswith(("http://", "https://")):
                continue
            where = (path.parent / target).resolve()
            if not (where.is_file() and where.is_relative_to(served)):
                broken.append(f"{path.name}: {target} ({'outside ' + str(served) if where.is_file() else 'missing'})")
    assert not broken, "\n".join(broken)


def test_lab_root_reads_both_spellings():
    assert _lab_root("x\nlab: y\n\tjupyter lab --notebook-dir=notebooks\n\nz") == (ROOT / "notebooks").resolve()
    assert _lab_root("x\nlab: y\n\tjupyter lab --ServerApp.root_dir=. --x\n\nz") == ROOT.resolve()
