"""The course website (``make book``) in headless Chromium, served from ``build/book`` on 127.0.0.1
with every request to another host blocked (the site must work offline).

The fixture builds the site with ``make book`` (Sphinx + MyST-NB from the committed notebooks; warnings
fail the build). Then, for the front page and every notebook's page:

- the page loads with no console error and no page exception, and requests nothing from other hosts;
- math is typeset by MathJax (``mjx-container`` elements; no ``$...$`` left in the text outside code);
- every image (figures, saved widgets' still pictures, animation frames), scrolled into view, has a
  nonzero rendered size, and no saved widget is shown as its text form instead of its picture;
- every link to the site itself resolves (HTTP 200 for its file, and the ``#anchor`` exists there);
- the navigation lists every notebook, in order; a notebook's page has its launch links (Colab and
  Binder, at the repository address of pyproject.toml, as the notebooks' headers) and not the
  headers' Colab set-up cell;

and the search page finds a term of notebook 05 ("discriminator") and lists its page. Screenshots of
the front page and of notebooks 01 and 05 go to ``artifacts/browser/book-*.png``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.parse

import pytest
from browser_utils import ARTIFACTS, REPO, chromium_browser, free_port, local_only, serve

sys.path.insert(0, str(REPO / "tools"))
from notebook_header import colab_url, repository_slug  # noqa: E402

pytestmark = pytest.mark.browser

BOOK = REPO / "build" / "book"
NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = ["README"] + [f"notebooks/{n}" for n in NOTEBOOKS]
VIEWPORT = {"width": 1400, "height": 1000}
BUILD_S, UI_S = 300, 30
SHOTS = {"README": "book-front-page", "notebooks/01_distribution_shift": "book-01",
         "notebooks/05_gail_airl": "book-05"}

# The page's article: how much MathJax typeset, and text with $...$ outside code, math and outputs' text.
MATH_JS = """() => {
    const main = document.querySelector('article') || document.body;
    const clone = main.cloneNode(true);
    clone.querySelectorAll('pre, code, mjx-container, .cell_output, script, style').forEach(e => e.remove());
    const raw = (clone.textContent.match(/\\$[^$\\s][^$]{0,80}\\$/g) || []).slice(0, 5);
    return {typeset: main.querySelectorAll('mjx-container').length, raw: raw};
}"""
LINKS_JS = """() => [...document.querySelectorAll('a[href]')].map(a => a.href)
    .filter(h => h.startsWith(location.origin))"""
IMAGES_JS = """(img) => { const b = img.getBoundingClientRect();
    return {src: img.getAttribute('src').slice(0, 80), width: b.width, height: b.height,
            natural: img.naturalWidth, complete: img.complete}; }"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``make book``, then a static server on ``build/book``; yields its base URL."""
    tmp = tmp_path_factory.mktemp("book")
    built = subprocess.run(["make", "--no-print-directory", "book"], cwd=REPO, capture_output=True, text=True,
                           timeout=BUILD_S)
    assert built.returncode == 0, f"make book failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(BOOK)]
    with serve(cmd, cwd=REPO, env=dict(os.environ), log_path=tmp / "http.log", ready_url=f"{base}/README.html",
               timeout_s=30, name="http.server"):
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium_browser(tmp_path_factory.mktemp("chromium-book")) as b:
        yield b


def _open(browser, site, path: str):
    blocked, errors = [], []
    context = browser.new_context(viewport=VIEWPORT)
    local_only(context, site, blocked)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.goto(f"{site}/{path}", wait_until="load")
    return context, page, blocked, errors


@pytest.mark.parametrize("doc", PAGES)
def test_page(browser, site, doc):
    """One page of the site: no console error, nothing from other hosts, math typeset, every picture
    drawn, every local link resolves, the navigation lists the notebooks in order."""
    context, page, blocked, errors = _open(browser, site, f"{doc}.html")
    try:
        problems = []
        has_math = "$" in (REPO / (doc + (".md" if doc == "README" else ".ipynb"))).read_text()
        if has_math:
            try:
                page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0",
                                       timeout=1000 * UI_S, polling=200)
            except Exception:
                pass
            math = page.evaluate(MATH_JS)
            if math["raw"] or not math["typeset"]:
                problems.append(f"{doc}: {math['typeset']} formulas typeset; raw $...$ left: {math['raw']}")

        images = page.locator("article img")
        empty = []
        for k in range(images.count()):
            img = images.nth(k)
            img.scroll_into_view_if_needed()
            img.evaluate("(e) => e.complete || new Promise(r => { e.onload = e.onerror = () => r(true); })")
            info = img.evaluate(IMAGES_JS)
            if not (info["width"] > 0 and info["height"] > 0 and info["natural"] > 0):
                empty.append(info)
        if empty:
            problems.append(f"{doc}: {len(empty)} of {images.count()} pictures with no size: {empty[:5]}")

        reprs = page.evaluate("""() => [...document.querySelectorAll('article .cell_output')].map(o => o.textContent)
            .filter(t => /VBox\\(children=|an interactive widget: trust/.test(t)).map(t => t.slice(0, 120))""")
        if reprs:
            problems.append(f"{doc}: saved widget(s) shown as text instead of their still picture: {reprs}")

        broken, checked = [], set()
        for href in page.evaluate(LINKS_JS):
            url, _, anchor = href.partition("#")
            if (url, anchor) in checked:
                continue
            checked.add((url, anchor))
            r = context.request.get(url)
            if r.status != 200:
                broken.append(f"{href}: HTTP {r.status}")
            elif anchor and url.endswith(".html"):
                ids = set(re.findall(r'id="([^"]+)"', r.text()))
                if urllib.parse.unquote(anchor) not in ids:
                    broken.append(f"{href}: no #{anchor} on that page")
        if broken:
            problems.append(f"{doc}: links that do not resolve:\n" + "\n".join(broken[:20]))

        nav = page.locator(".bd-sidenav a").evaluate_all("(as) => as.map(a => new URL(a.href).pathname)")
        listed = [re.sub(r"^/(notebooks/)?|\.html$", "", h) for h in nav]
        if listed[:len(NOTEBOOKS)] != NOTEBOOKS:
            problems.append(f"{doc}: the navigation lists {listed}, not the notebooks in order {NOTEBOOKS}")

        if doc.startswith("notebooks/"):  # the launch menu: this notebook on Colab and Binder, from pyproject
            name = doc.removeprefix("notebooks/") + ".ipynb"
            hrefs = set(page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"))
            want = {colab_url(name), f"https://mybinder.org/v2/gh/{repository_slug()}/main?urlpath=lab/tree/notebooks/{name}"}
            if not want <= hrefs:
                problems.append(f"{doc}: no launch link(s) {sorted(want - hrefs)}")
            if "google.colab" in page.locator("article").inner_text():
                problems.append(f"{doc}: the header's Colab set-up cell is on the page (it does nothing there)")

        if doc in SHOTS:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=str(ARTIFACTS / f"{SHOTS[doc]}.png"))
        page.wait_for_timeout(300)  # late console messages
        if blocked:
            problems.append(f"{doc}: requests to other hosts (the site must work offline): {sorted(set(blocked))[:5]}")
        if errors:
            problems.append(f"{doc}: console errors: {errors[:10]}")
        assert not problems, "\n\n".join(problems)
    finally:
        context.close()


def test_search_finds_notebook_05(browser, site):
    """Sphinx's search (its index is part of the site) finds "discriminator" on notebook 05's page."""
    context, page, blocked, errors = _open(browser, site, "search.html?q=discriminator")
    try:
        results = page.locator("#search-results a")
        try:
            page.wait_for_function("() => document.querySelectorAll('#search-results a').length > 0",
                                   timeout=1000 * UI_S, polling=200)
        except Exception:
            pass
        hrefs = results.evaluate_all("(as) => as.map(a => a.getAttribute('href'))")
        assert any("05_gail_airl" in h for h in hrefs), f"search for 'discriminator' found {hrefs}"
        assert not errors and not blocked, f"search page: console errors {errors}, requests elsewhere {blocked}"
    finally:
        context.close()
