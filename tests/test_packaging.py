"""Packaging: the exact pins, the compatible ranges and environment.yml agree; every notebook
has clean committed outputs."""

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml  # PyYAML: already installed with jupyterlab (jupyter_server -> jupyter-events -> pyyaml)
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, version = line.split("==")
            out[name.strip().lower()] = version.strip()
    return out


def test_requirements_are_exact_pins_and_torch_is_2_13():
    course = pins(ROOT / "requirements.txt")
    assert course["torch"] == "2.13.0"
    assert {"numpy", "gymnasium", "matplotlib", "ipywidgets", "jupyterlab"} <= set(course)
    tests = pins(ROOT / "requirements-test.txt")
    assert {"pytest", "nbval", "playwright"} <= set(tests)


def test_pins_lie_in_pyproject_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    ranges = {Requirement(r).name.lower(): Requirement(r) for r in project["dependencies"]}
    ranges.update({Requirement(r).name.lower(): Requirement(r) for r in project["optional-dependencies"]["test"]})
    for name, version in {**pins(ROOT / "requirements.txt"), **pins(ROOT / "requirements-test.txt")}.items():
        assert name in ranges, f"{name} is pinned but not declared in pyproject.toml"
        assert Version(version) in ranges[name].specifier, f"{name}=={version} is outside {ranges[name]}"
    for name in ranges:
        assert name in pins(ROOT / "requirements.txt") or name in pins(ROOT / "requirements-test.txt"), \
            f"{name} is declared in pyproject.toml but not pinned"


def test_environment_yml_installs_the_same_pins():
    """environment.yml (conda, Binder) is valid YAML: a name, channels, python and pip from conda, and a pip
    list that is exactly requirements.txt's pins plus the course itself (-e .)."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert set(env) == {"name", "channels", "dependencies"} and isinstance(env["name"], str) and env["name"]
    assert env["channels"] and all(isinstance(c, str) for c in env["channels"])
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert len(pip_sections) == 1 and len(conda) + 1 == len(env["dependencies"]), "one pip section, the rest conda"
    assert "python=3.11" in conda and "pip" in conda
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert Version("3.11") in SpecifierSet(project["requires-python"])
    pip = pip_sections[0]
    assert pip[-1] == "-e .", "environment.yml must install the course with -e . (after its pinned dependencies)"
    pinned = [Requirement(line) for line in pip[:-1]]
    assert all(len(r.specifier) == 1 and next(iter(r.specifier)).operator == "==" for r in pinned), pip
    assert {r.name.lower(): next(iter(r.specifier)).version for r in pinned} == pins(ROOT / "requirements.txt")


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^make test$", ci, flags=re.M)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_carry_one_clean_run_all(path):
    nb = json.loads(path.read_text())
    counts = [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: re-run it with `make notebooks`"
    errors = [o for c in nb["cells"] if c["cell_type"] == "code"
              for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{path.name} has saved error outputs"
    assert path.stat().st_size < 3_000_000, f"{path.name} is over 3 MB: shrink its figures/animations"
