"""Sphinx configuration of the course website: ``make book`` builds it into ``build/book``.

The site is the committed notebooks with their saved outputs (MyST-NB, never re-executed) and the
README as the front page, in the book theme. It works offline: MathJax is served from the site
(sphinx-mathjax-offline), no widget script is loaded from a CDN (a saved widget shows its still
picture, the PNG every course widget carries beside its live view), and the external badge images
of the README and the notebooks' headers are replaced by plain links (the theme's launch menu opens a
page on Binder or Colab, from the repository address in pyproject.toml, as the headers do; the
headers' Colab set-up cell is left out).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docutils import nodes

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from notebook_header import KEY as HEADER_KEY  # noqa: E402
from notebook_header import repository_url  # noqa: E402

NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

project = "Imitation learning, hands on"
author = "the course's authors"
root_doc = "README"
include_patterns = ["README.md", "notebooks/[0-9][0-9]_*.ipynb"]
exclude_patterns = ["build", ".venv", "**/.ipynb_checkpoints"]
extensions = ["myst_nb", "sphinx-mathjax-offline"]
suppress_warnings = ["myst.header"]  # notebooks start at "#" and some skip a level in their summaries

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # the README's and headers' "#the-notebooks" style links
nb_execution_mode = "off"  # the committed outputs, as `make notebooks` left them
nb_ipywidgets_js = {}  # no require.js / widget manager from a CDN: widgets show their still picture
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None),
                              ("html", "application/vnd.jupyter.widget-state+json", None)]

html_theme = "sphinx_book_theme"
html_title = project
html_extra_path = ["extra"]  # index.html: the front page is the README
html_last_updated_fmt = None
html_context = {"default_mode": "light"}  # the theme logs a console error without a mode in a fresh browser
html_theme_options = {
    "repository_url": repository_url(),
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "colab_url": "https://colab.research.google.com",
                       "notebook_interface": "jupyterlab"},
    "show_toc_level": 2,
}

BADGE_HOSTS = ("https://mybinder.org/badge", "https://colab.research.google.com/assets/")


def add_navigation(app, docname: str, source: list[str]) -> None:
    """The README (front page) gets a hidden table of contents: the notebooks in order, the site's
    navigation (the README itself stays as GitHub shows it)."""
    if docname == root_doc:
        entries = "\n".join(f"notebooks/{n}" for n in NOTEBOOKS)
        source[0] += f"\n\n```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{entries}\n```\n"


def for_the_site(app, doctree) -> None:
    """What a notebook page shows differently from JupyterLab: an external badge image (Binder,
    Colab) becomes its alt text, still a link (the site loads nothing from other hosts), and the
    header's Colab set-up cell is left out (it does nothing outside Colab; the launch menu opens
    Colab)."""
    for image in list(doctree.findall(nodes.image)):
        if image["uri"].startswith(BADGE_HOSTS):
            image.replace_self(nodes.Text(image.get("alt") or "open"))
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") == "cell_code" and cell.get("cell_metadata", {}).get(HEADER_KEY) == "colab":
            cell.parent.remove(cell)


def setup(app):
    app.connect("source-read", add_navigation)
    app.connect("doctree-read", for_the_site)
