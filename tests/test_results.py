"""benchmarks/results.py (`make results`): the README's tables, made from the bench CLI.

Each test runs the script on a tiny subset (one seed, a few evaluation episodes, the bench's fast
budgets) into a temporary copy of README.md, and checks the tables, the "—" cells of methods that
refuse an environment, the date/machine line under the table, and that the rest of the README is
left as it was. No timing is asserted.
"""

from __future__ import annotations

import datetime
import importlib.util
import re
from pathlib import Path

import pytest
import torch

from il_helpers import bench
from il_helpers.envs.registry import ENV_IDS

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("results", ROOT / "benchmarks" / "results.py")
results = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(results)

GRID = "il_helpers/FeatureGrid-v0"
CHEAP = ["--seeds", "1", "--episodes", "3", "--fast"]
# mean ± std (normalized), then the training wall time for a trained method
CELL = r"-?\d+\.\d ± \d+\.\d \(-?\d+\.\d\d\)"


def between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0].strip()


@pytest.fixture
def readme(tmp_path):
    path = tmp_path / "README.md"
    path.write_text((ROOT / "README.md").read_text())
    return path


def test_subset_into_a_readme_copy(readme, capsys):
    original = readme.read_text()
    argv = ["--methods", "random", "bc", "maxent_irl", "--envs", "CartPole-v1", GRID, *CHEAP]
    assert results.main([*argv, "--readme", str(readme)]) == 0
    text = readme.read_text()

    # the results table: one column per method, one row per environment, "—" where a method refuses
    table = between(text, results.START, results.END).splitlines()
    assert table[0] == "| environment | random | bc | maxent_irl |"
    assert table[1] == "|---|---|---|---|"
    cart = re.fullmatch(rf"\| `CartPole-v1` \| ({CELL}) \| ({CELL}), (\d+\.\d\d) s \| — \|", table[2])
    grid = re.fullmatch(rf"\| `{re.escape(GRID)}` \| {CELL} \| {CELL}, \d+\.\d\d s \| {CELL}, \d+\.\d\d s \|",
                        table[3])
    assert cart and grid, table[2:4]
    assert table[4] == "" and len(table) == 6  # then the date and machine line, under the table

    # under it: the date, the machine (CPU, cores, load average at start, Python, torch), what was run
    stamp = table[5]
    assert stamp.startswith(f"Measured {datetime.date.today().isoformat()} on ")
    assert re.search(r", \d+ cores \(load average \d+\.\d\d \d+\.\d\d \d+\.\d\d at start\), Python 3\.\d+", stamp)
    assert f"torch {torch.__version__}:" in stamp
    assert "seed 0, 10 expert demonstrations, 3 evaluation episodes per seed. Fast mode" in stamp
    assert f"Made by `python benchmarks/results.py {' '.join(argv)}`." in stamp  # not --readme

    # the experts table: the same environments
    experts = between(text, results.EXPERTS_START, results.EXPERTS_END).splitlines()
    assert [row.split(" | ")[0] for row in experts[2:]] == ["| `CartPole-v1`", f"| `{GRID}`"]
    assert experts[2].startswith("| `CartPole-v1` | LQR (bang-bang) | **500.0 ± 0.0** | ")

    # and nothing else changed
    def outside(t):
        return re.sub(r"<!-- (experts|results):start -->.*?<!-- \1:end -->", "", t, flags=re.S)

    assert outside(text) == outside(original)
    # every bench run was printed as a JSON line: 2 random + 2 bc + 1 maxent_irl, one seed each
    assert capsys.readouterr().err.count('{"method": ') == 5


def test_defaults_are_every_registered_method_on_every_environment(monkeypatch):
    """A method registered later (as notebook 05's gail and airl) gets its column without a change here,
    in the table it registers for (notebook 08's methods in a table of their own)."""
    monkeypatch.setitem(bench.METHODS, "later", (lambda args, demos: None, False))
    args = results.build_parser().parse_args([])
    assert args.methods is None and args.tables is None
    groups = results.methods_by_table(args.methods, args.tables)
    assert list(groups) == list(bench.RESULT_TABLES)
    assert sorted(sum(groups.values(), [])) == sorted(bench.METHODS)  # each method in one table
    assert groups["main"][-1] == "later" and {"trex", "drex", "self_improve", "preferences"} == set(groups["imperfect"])
    assert args.envs[:len(ENV_IDS)] == list(ENV_IDS) and GRID in args.envs and "il_helpers/ObjectWorld-v0" in args.envs
    assert (args.seeds, args.demos, args.readme) == (5, 10, ROOT / "README.md")


def test_a_method_refusing_every_environment_gets_no_column(readme, monkeypatch):
    monkeypatch.setitem(bench.METHODS, "gridonly", bench.METHODS["expert"])
    monkeypatch.setitem(bench.ENV_CHECKS, "gridonly", lambda env_id: None if env_id == GRID else "gridworlds only")
    results.main(["--methods", "expert", "gridonly", "--envs", "CartPole-v1", *CHEAP, "--readme", str(readme)])
    assert between(readme.read_text(), results.START, results.END).startswith("| environment | expert |\n")


def test_failing_runs_are_all_listed_and_leave_the_readme_alone(readme, monkeypatch, capsys):
    def broken(args, demos):
        raise ValueError(f"no policy for {args.env}")

    monkeypatch.setitem(bench.METHODS, "broken", (broken, False))
    before = readme.read_text()
    with pytest.raises(SystemExit) as err:
        results.main(["--methods", "broken", "expert", "--envs", "CartPole-v1", "Acrobot-v1", *CHEAP,
                      "--readme", str(readme)])
    message = str(err.value)
    assert "2 run(s) failed, so the README was left alone" in message
    assert "broken on CartPole-v1: `python -m il_helpers.bench broken --env CartPole-v1 --demos 10 --seed 0" in message
    assert "ValueError: no policy for Acrobot-v1" in message
    assert "il_helpers.bench.method(NAME, check_env=...)" in message
    assert readme.read_text() == before
    assert capsys.readouterr().err.count('{"method": "expert"') == 2  # the other cells still ran


@pytest.mark.parametrize("argv, message", [
    (["--methods", "nope"], "unknown method(s) ['nope']"),
    (["--envs", "CartPole-v0"], "Did you mean 'CartPole-v1'?"),
    (["--seeds", "0"], "must be at least 1"),
    (["--methods", "maxent_irl", "--envs", "CartPole-v1"], "none of the methods ['maxent_irl'] applies"),
])
def test_bad_arguments_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as err:
        results.main([*argv, "--dry-run"])
    assert err.value.code == 2 and message in capsys.readouterr().err


def test_missing_markers_fail_before_running(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no tables here\n")
    with pytest.raises(SystemExit, match="has no <!-- experts:start -->"):
        results.main(["--methods", "expert", "--envs", "CartPole-v1", *CHEAP, "--readme", str(readme)])


def test_the_readme_is_written_atomically(readme, monkeypatch):
    """The README goes through the atomic writer: an error while writing leaves the old README whole."""
    from il_helpers.core import io as il_io

    def failing(path, data):
        with il_io.atomic_open(path, "wb") as f:
            f.write(data.encode()[:100])
            raise OSError(28, "No space left on device")

    before = readme.read_text()
    monkeypatch.setattr(results, "atomic_write", failing)
    with pytest.raises(OSError, match="No space left"):
        results.main(["--methods", "expert", "--envs", "CartPole-v1", *CHEAP, "--readme", str(readme)])
    assert readme.read_text() == before
    assert [p.name for p in readme.parent.iterdir()] == ["README.md"]


def test_cells_show_the_worst_seed_and_mark_taught_failures(readme, monkeypatch):
    """With two seeds a cell gives the worst seed's normalized score beside the mean; a cell the course
    teaches as a failure (bench.TAUGHT_FAILURES) is marked, and the notebook that shows why is named under the table."""
    monkeypatch.setitem(bench.TAUGHT_FAILURES, ("random", "CartPole-v1"), "notebook 00: it does not look at the pole")
    results.main(["--methods", "random", "expert", "--envs", "CartPole-v1", "--seeds", "2", "--episodes", "3",
                  "--fast", "--readme", str(readme)])
    lines = between(readme.read_text(), results.START, results.END).splitlines()
    two = r"-?\d+\.\d ± \d+\.\d \((-?\d+\.\d\d); worst (-?\d+\.\d\d)\)"
    row = re.fullmatch(rf"\| `CartPole-v1` \| {two} † \| {two} \|", lines[2])
    assert row, lines[2]
    assert float(row[2]) <= float(row[1]) and float(row[4]) <= float(row[3])  # the worst is at most the mean
    assert "the worst seed's after the semicolon" in lines[4]
    assert lines[5:] == ["", "† The course teaches this failure: `random` on `CartPole-v1`, notebook 00: it does "
                             "not look at the pole."]


def test_each_table_goes_between_its_own_markers(readme):
    """A subset of one later table's methods replaces that table alone; environments where none of its
    methods applies get no row."""
    start, end = results.markers("imperfect")
    original = readme.read_text()
    assert start in original and end in original
    monkey = bench.METHODS["expert"]
    try:
        bench.METHODS["probe"], bench.TABLES["probe"] = monkey, "imperfect"
        bench.ENV_CHECKS["probe"] = lambda env_id: None if env_id == "CartPole-v1" else "CartPole only"
        results.main(["--methods", "probe", "--envs", "CartPole-v1", GRID, *CHEAP, "--readme", str(readme)])
    finally:
        for table in (bench.METHODS, bench.TABLES, bench.ENV_CHECKS):
            table.pop("probe", None)
    text = readme.read_text()
    lines = between(text, start, end).splitlines()
    assert lines[0] == "| environment | probe |" and lines[2].startswith("| `CartPole-v1` | 500.0 ± 0.0 (1.00)")
    assert lines[3] == ""  # no FeatureGrid row: probe refuses it
    assert between(text, results.START, results.END) == between(original, results.START, results.END)


def test_a_method_names_a_known_table():
    with pytest.raises(ValueError, match="unknown results table 'nope'"):
        bench.method("x", table="nope")


def test_bc_on_the_fork_is_a_taught_failure():
    assert "notebook 06" in bench.TAUGHT_FAILURES["bc", "il_helpers/ObstacleFork-v0"]


def test_bc_on_pendulum_is_a_taught_failure():
    assert "notebook 02" in bench.TAUGHT_FAILURES["bc", "Pendulum-v1"]


def test_every_taught_failure_names_a_notebook_that_exists():
    notebooks = Path(__file__).resolve().parent.parent / "notebooks"
    for (name, env_id), why in bench.TAUGHT_FAILURES.items():
        m = re.match(r"notebook (\d\d): \S", why)
        assert m, f"{name} on {env_id}: the reason must start with 'notebook NN: ', got {why!r}"
        assert list(notebooks.glob(f"{m.group(1)}_*.ipynb")), f"{name} on {env_id}: no notebook {m.group(1)}"
