"""What the student reads: no development language, no hand-written run times (the header states
them, from notebooks/run_times.json), and no bare assert on a measured value left in the code
(claims go through il.claim; asserts that remain check facts that cannot vary)."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PATHS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DEV_LANGUAGE = re.compile(r"\bissues?\b|\bdone when\b|\bthe bar\b|\bbar was\b", re.I)


def cells(path, kind):
    nb = json.loads(path.read_text())
    return [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == kind and "course_header" not in c.get("metadata", {})]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_no_development_language_in_the_students_text(path):
    found = [(i, m.group(0)) for i, src in cells(path, "markdown") for m in DEV_LANGUAGE.finditer(src)]
    found += [(i, m.group(0)) for i, src in cells(path, "code")
              for line in src.splitlines() if line.lstrip().startswith("#")
              for m in DEV_LANGUAGE.finditer(line)]
    assert not found, f"{path.name}: development language in cells {found}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_run_times_are_stated_only_by_the_header(path):
    found = [i for i, src in cells(path, "markdown") if re.search(r"\*\*Run time", src)]
    assert not found, f"{path.name}: a hand-written run time in cells {found}; the header states it"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_notebook_makes_its_claims_through_il_claim(path):
    code = "\n".join(src for _, src in cells(path, "code"))
    assert re.search(r"\bclaim\(", code), f"{path.name}: no il.claim at all"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_saved_widget_carries_its_still_picture(path):
    """A reader without a kernel (GitHub, nbviewer, the website, an untrusted notebook) sees a saved
    widget's PNG (CourseBox), not a repr: every committed widget output has one (make notebooks)."""
    outputs = [(i, o) for i, c in enumerate(json.loads(path.read_text())["cells"]) for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    bare = [i for i, o in outputs if "image/png" not in o["data"]]
    assert not bare, f"{path.name}: widget outputs without a still picture in cells {bare}; run make notebooks"
