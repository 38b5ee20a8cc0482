"""The whole course in a real browser, with JupyterLab's own defaults: JupyterLab + headless Chromium.

tests/test_browser.py drives the tour with every cell rendered into the DOM (windowingMode "none")
on a server rooted at ``notebooks/``; a student gets neither. This test serves the course as
``make lab`` does, read from ``make --dry-run lab`` (browser_utils.make_lab): the same server root
(a copy of README.md and notebooks/ in the repository's layout), the same start page, and the same
``jupyter trust`` of the notebooks; with JupyterLab's default settings (default windowing: cells off
screen are rendered lazily) except three that keep the run unattended and offline: start the default
kernel, no autosave, no news or update check (browser_utils.LAB_USER_SETTINGS). The kernels run in
fast mode (IL_FAST=1). ``test_make_lab_opens_on_the_notebooks``: the start page lists every notebook.

For every notebook ``notebooks/NN_*.ipynb`` (one test each) it opens the notebook, waits for its
kernel and checks, on the notebook as committed (first open):

- the header's local links (previous and next notebook, "all notebooks" = ../README.md) point to
  those files on the server and return HTTP 200 at the URL JupyterLab resolved them to;
- every widget saved in it is drawn from its saved state (not its text form, not "model not found");

then clicks Edit > Clear Outputs of All Cells, then Run > Run All Cells, waits until it has settled,
saves it, and checks:

- every code cell ran and none has an error output (read from the saved notebook), and no output
  shows a traceback;
- every visible ``<img>`` in the outputs, scrolled into view, has a nonzero rendered width and height;
- no output figure is squeezed: its natural width is at most 1.1 times its rendered width (a figure
  wider than the output area is scaled down until it is hard to read); a failure names the
  notebook, the cell and the sizes. The window is 1400 x 1000 px with JupyterLab's left sidebar
  open (its default), which leaves an output area 968 px wide: a 9.5-inch figure at 100 dpi fits;
- the browser console shows no error and the page raised no exception (the only error ignored is
  the failed load of a resource outside the server, which this test blocks on purpose: the course
  must work offline, and the only such resource is the Colab badge image);
- 01_distribution_shift: the animation's ``<img>`` (id ``_anim_img...``) has a nonzero size right after
  Run All, without any click (screenshot ``artifacts/browser/01_distribution_shift-animation.png``);
- 04_maxent_irl: a screenshot of the heatmap grid (``artifacts/browser/04_maxent_irl-heatmaps.png``);
- every widget with a Train button, at its defaults: Train is clicked, and the summary changes and
  the plot below it is redrawn (05's GAIL widget: screenshots ``05_gail_airl-widget-training.png``
  while it trains, if caught, and ``05_gail_airl-widget-after.png``).

Each notebook's kernel is shut down before the next one opens. Screenshots of each notebook after Run
All (``NN_name-after-run-all.png``) and of failures go to ``artifacts/browser/``. Run with
``make test-browser`` (needs ``apt-get install chromium``; never ``playwright install``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_utils import (
    ARTIFACTS,
    KERNEL_IDLE_JS,
    LAB_USER_SETTINGS,
    REPO,
    TRACEBACK,
    chromium_browser,
    clear_and_run_all,
    failure,
    jupyter_env,
    jupyter_lab,
    local_only,
    make_lab,
    save_notebook,
    saved_errors,
    wait_stably,
)

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

SERVER_START_S = 60  # JupyterLab answering /api/status
NOTEBOOK_BUDGET_S = 300  # everything for one notebook; every wait below is also capped by what is left
KERNEL_READY_S = 90  # notebook rendered and its kernel idle
RUN_ALL_S = 240  # Run All Cells in fast mode: 6-16 s per notebook alone on 2 cores, several times that when busy
UI_S = 30  # a menu action, a save, links resolved, an image loaded
WIDGET_TRAIN_S = 120  # the GAIL widget at its defaults (4 iterations in fast mode) trains, evaluates and redraws
SQUEEZE = 1.1  # an output image's natural width may exceed its rendered width by at most this factor
VIEWPORT = {"width": 1400, "height": 1000}  # a laptop-sized window; JupyterLab's left sidebar opens by default

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# The header's local links (first cell): JupyterLab rewrites a relative href, asynchronously after
# rendering, to the file's download URL (ORIGIN/files/PATH?_xsrf=...); `resolved` once all are. Links to
# other sites (the Colab badge) are left out.
HEADER_LINKS_JS = """() => {
    const cell = document.querySelector('%s .jp-Notebook .jp-Cell');
    const links = [...(cell?.querySelectorAll('.jp-RenderedMarkdown a[href]') || [])]
        .filter(a => !/^[a-z]+:/i.test(a.getAttribute('href')) || a.href.startsWith(location.origin))
        .map(a => {
            const files = location.origin + '/files/';
            const rel = a.href.startsWith(files) ? a.href.slice(files.length).split(/[?#]/)[0] : null;
            const path = rel === null ? null : decodeURIComponent(rel);
            return {text: a.textContent.trim(), href: a.href, raw: a.getAttribute('href'), path: path};
        });
    return {resolved: links.length > 0 && links.every(l => l.path !== null), links: links};
}""" % PANEL

# One output <img>, scrolled into view: where it is (cell number, prompt), whether it is visible, its
# rendered and natural sizes, and the width of its output area.
IMAGE_JS = """(img) => {
    const cell = img.closest('.jp-Cell');
    const cells = [...img.closest('.jp-Notebook').querySelectorAll(':scope .jp-Cell')];
    const box = img.getBoundingClientRect();
    const area = img.closest('.jp-OutputArea-output') || img.parentElement;
    return {
        cell: cells.indexOf(cell) + 1,
        prompt: (cell?.querySelector('.jp-InputPrompt')?.textContent || '').trim().replace(/:$/, ''),
        id: img.id || '',
        visible: img.checkVisibility({visibilityProperty: true, opacityProperty: true}),
        complete: img.complete,
        width: box.width, height: box.height,
        natural_width: img.naturalWidth, natural_height: img.naturalHeight,
        area_width: area.getBoundingClientRect().width,
    };
}"""

SCROLL_JS = "(e) => e.scrollIntoView({block: 'center', inline: 'nearest'})"
TWO_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


@dataclasses.dataclass
class Course:
    base_url: str
    token: str
    copy: Path   # the copy of the repository's README.md and notebooks/ (same layout)
    root: Path   # the folder the server serves (make lab's root, inside the copy)
    opens: str   # make lab's start folder, relative to root
    log_path: Path

    def url_path(self, repo_path: str) -> str:
        """A repository path as the server names it (relative to its root; ``../x`` if outside)."""
        return os.path.relpath(self.copy / repo_path, self.root).replace(os.sep, "/")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """JupyterLab on a temporary copy of README.md and notebooks/, served as ``make lab`` serves the
    repository (its root, its start page and its ``jupyter trust``, read from ``make --dry-run lab``)."""
    lab = make_lab()
    tmp = tmp_path_factory.mktemp("course")
    copy = tmp / "course"
    copy.mkdir()
    shutil.copy2(REPO / "README.md", copy / "README.md")
    shutil.copytree(REPO / "notebooks", copy / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    root = copy / lab.root
    assert root.is_dir(), f"make lab serves {lab.root!r}, which is not a folder of the repository's course files"
    start = "/lab/tree/" + lab.opens if lab.opens else None
    with jupyter_lab(tmp, root, LAB_USER_SETTINGS, SERVER_START_S, start) as (base_url, token, log_path):
        if lab.trusts:  # as make lab does, in the server's own data folder (where it reads signatures)
            subprocess.run([sys.executable, "-m", "jupyter", "trust", *(str(copy / p) for p in lab.trusts)],
                           env=jupyter_env(tmp), check=True, capture_output=True)
        yield Course(base_url, token, copy, root, lab.opens, log_path)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """Debian's headless Chromium, shared by the notebooks' tests (each gets its own context)."""
    with chromium_browser(tmp_path_factory.mktemp("chromium")) as browser:
        yield browser


def _where(name: str, info: dict) -> str:
    return f"{name} cell {info['cell']} {info['prompt']}".rstrip()


def _check_header_links(page, request, name: str, course: Course, secs) -> list[str]:
    """The header's previous/next/"all notebooks" links: present, and 200 at their resolved URL."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"() => ({HEADER_LINKS_JS})().resolved", timeout=1000 * secs(UI_S), polling=200)
    except PlaywrightTimeout as exc:
        raise AssertionError(f"{name}: JupyterLab did not resolve the header's local links to files on the "
                             f"server: {page.evaluate(HEADER_LINKS_JS)['links']}") from exc
    links = page.evaluate(HEADER_LINKS_JS)["links"]
    i = NOTEBOOKS.index(name)
    expected = {"all notebooks": course.url_path("README.md")}
    if i > 0:
        expected["Previous"] = course.url_path(f"notebooks/{NOTEBOOKS[i - 1]}")
    if i + 1 < len(NOTEBOOKS):
        expected["Next"] = course.url_path(f"notebooks/{NOTEBOOKS[i + 1]}")
    paths = {link["path"] for link in links}
    missing = {k: v for k, v in expected.items() if v not in paths}
    assert not missing, f"{name}: the header has no link to {missing}; its local links: {links}"
    broken = []
    for link in links:
        r = request.get(link["href"], headers={"Authorization": f"token {course.token}"})
        if r.status != 200:
            broken.append(f"{link['text']!r} -> {link['path']} ({link['href']}): HTTP {r.status}")
    assert not broken, f"{name}: header link(s) do not resolve:\n" + "\n".join(broken)
    return sorted(paths)


def _measure_images(page, secs) -> list[dict]:
    """Every <img> in the notebook's outputs, each scrolled into view first (default windowing renders
    cells lazily) and measured once loaded."""
    images = page.locator(f"{PANEL} .jp-OutputArea-output img")
    found = []
    for k in range(images.count()):
        img = images.nth(k)
        img.evaluate(SCROLL_JS)
        page.evaluate(TWO_FRAMES_JS)
        try:
            img.evaluate("(e) => e.complete || new Promise(r => { e.onload = e.onerror = () => r(true); })",
                         timeout=1000 * secs(UI_S))
        except Exception:  # a picture that never loads is reported by its size below
            pass
        page.evaluate(TWO_FRAMES_JS)
        found.append(img.evaluate(IMAGE_JS))
    return found


# The notebook's top-level outputs (not those inside a widget's Output): how many show a live widget,
# and the texts of those that show something else for a widget (its text form, or JupyterLab's error).
SAVED_WIDGETS_JS = """() => {
    const outs = [...document.querySelectorAll('%s .jp-OutputArea-output')]
        .filter(o => !o.parentElement.closest('.jupyter-widgets'));
    const fallback = /an interactive widget: trust|Error displaying widget|VBox\\(children=/;
    return {live: outs.filter(o => o.querySelector('.jupyter-widgets')).length,
            fallback: outs.filter(o => fallback.test(o.textContent)).map(o => o.textContent.slice(0, 200))};
}""" % PANEL


def _check_saved_widgets(page, name: str, path: Path, secs) -> str:
    """On first open (before anything runs), each widget saved in the notebook is drawn from its saved
    state, as a live widget: not its text form, not "Error displaying widget: model not found"."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    saved = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                for c in json.loads(path.read_text())["cells"] for o in c.get("outputs", []))
    if not saved:
        return "no saved widgets"
    try:
        page.wait_for_function(f"() => ({SAVED_WIDGETS_JS})().live >= {saved}", timeout=1000 * secs(UI_S),
                               polling=200)
    except PlaywrightTimeout:
        pass
    found = page.evaluate(SAVED_WIDGETS_JS)
    assert found["live"] >= saved and not found["fallback"], (
        f"{name}: on first open {found['live']} of the {saved} saved widget(s) are drawn; shown instead: "
        f"{found['fallback']}")
    return f"{saved} saved widget(s) drawn on first open"


def _check_animation(page, name: str, secs) -> str:
    """01: the animation's <img> has a nonzero size right after Run All (no click); screenshot it."""
    anim = page.locator(f"{PANEL} .jp-OutputArea-output img[id^='_anim_img']")
    assert anim.count() >= 1, f"{name}: no animation <img> (id _anim_img...) in the outputs after Run All"
    img = anim.first
    img.evaluate(SCROLL_JS)
    page.evaluate(TWO_FRAMES_JS)
    info = img.evaluate(IMAGE_JS)
    assert info["width"] > 0 and info["height"] > 0, (
        f"{_where(name, info)}: the animation shows a {info['width']:.0f}x{info['height']:.0f} picture after "
        f"Run All (natural size {info['natural_width']}x{info['natural_height']})")
    shot = ARTIFACTS / f"{name.removesuffix('.ipynb')}-animation.png"
    cell = page.locator(f"{PANEL} .jp-Cell", has=page.locator("img[id^='_anim_img']")).first
    cell.locator(".jp-Cell-outputArea").screenshot(path=str(shot))
    return f"animation {info['width']:.0f}x{info['height']:.0f} px; screenshot {shot}"


def _screenshot_heatmaps(page, name: str, step) -> None:
    """04: the first cell whose code draws the heatmap grid, as the student sees it (a screenshot)."""
    cell = page.locator(f"{PANEL} .jp-CodeCell", has_text="heatmap_grid").first
    assert cell.count() == 1, f"{name}: no code cell that calls heatmap_grid"
    cell.scroll_into_view_if_needed()
    picture = cell.locator(".jp-OutputArea-output img").first
    assert picture.count() == 1, f"{name}: the heatmap cell shows no picture after Run All"
    shot = ARTIFACTS / f"{name.removesuffix('.ipynb')}-heatmaps.png"
    cell.locator(".jp-Cell-outputArea").screenshot(path=str(shot))
    step(f"screenshot {shot}")


def _check_widgets(page, name: str, secs, step) -> None:
    """Every widget with a Train button, at its defaults: Train is clicked, the button is disabled while
    it trains, and afterwards the summary has changed and the plot below it is redrawn. 05's GAIL
    widget is photographed while it trains (if caught) and after."""
    from playwright.sync_api import expect

    stem = name.removesuffix(".ipynb")
    # (`has=` locators are matched inside the outer element, so they start from `page`.)
    button = page.locator(".widget-button", has_text=re.compile(r"^\s*Train\s*$"))
    outputs = page.locator(f"{PANEL} .jp-OutputArea-output").filter(has=button)
    for k in range(outputs.count()):
        box = outputs.nth(k).locator(".widget-vbox").first
        train, summary, plot = box.locator(button).first, box.locator(".widget-html").last, box.locator(
            ".widget-output img").last
        what = f"{name} widget {k + 1} of {outputs.count()}"
        box.scroll_into_view_if_needed()
        expect(train).to_be_enabled(timeout=1000 * secs(UI_S))
        expect(summary).to_be_visible(timeout=1000 * secs(UI_S))
        before = (summary.text_content() or "").strip()
        old_src = plot.get_attribute("src") if plot.count() else None
        step(f"{what} before Train: {before[:120]!r} ({'a plot' if old_src else 'no plot'})")

        train.click()
        try:  # while training: the button is disabled (a fast-mode run may end before we look)
            expect(train).to_be_disabled(timeout=5000)
            if stem == "05_gail_airl":
                shot = ARTIFACTS / f"{stem}-widget-training.png"
                box.screenshot(path=str(shot))
                step(f"screenshot while training: {shot}")
        except AssertionError:
            step("training ended before the disabled button could be seen")
        expect(train).to_be_enabled(timeout=1000 * secs(WIDGET_TRAIN_S))
        wait_stably(page, KERNEL_IDLE_JS, secs(UI_S), "the kernel to be idle after Train")
        expect(summary).not_to_have_text(before, timeout=1000 * secs(UI_S))
        after = (summary.text_content() or "").strip()
        assert after and not re.search(r"Training stopped|Training with the settings above|Cannot run", after), (
            f"{what}: the summary after Train: {after!r}")
        expect(plot).to_be_visible(timeout=1000 * secs(UI_S))
        if old_src:
            expect(plot).not_to_have_attribute("src", old_src, timeout=1000 * secs(UI_S))
        expect(plot).to_have_js_property("complete", True, timeout=1000 * secs(UI_S))
        box.scroll_into_view_if_needed()
        if stem == "05_gail_airl":
            shot = ARTIFACTS / f"{stem}-widget-after.png"
            box.screenshot(path=str(shot))
            step(f"screenshot after Train: {shot}")
        step(f"{what} after Train: {after[:160]!r}; plot redrawn")


def _shut_down_kernels(request, base_url: str, token: str) -> None:
    """Shut down every session's kernel (the next notebook gets the CPU to itself)."""
    auth = {"Authorization": f"token {token}"}
    try:
        for s in request.get(f"{base_url}/api/sessions", headers=auth).json():
            request.delete(f"{base_url}/api/sessions/{s['id']}", headers=auth)
    except Exception as exc:  # the page is gone: nothing the next notebook depends on
        print(f"could not shut down the kernels: {exc}")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab_defaults(course, chromium, name):
    """Run All on one notebook in JupyterLab with its default settings: no error, no 0x0 or squeezed
    picture, the header's links resolve, no console error, every Train works (and 01's animation)."""
    from playwright.sync_api import Error as PlaywrightError

    base_url, token, log_path = course.base_url, course.token, course.log_path
    stem = name.removesuffix(".ipynb")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()

    def secs(cap_s: float) -> float:  # a wait's limit in seconds: its cap, or what is left of the budget
        return max(1.0, min(cap_s, t0 + NOTEBOOK_BUDGET_S - time.monotonic()))

    def step(msg: str) -> None:
        print(f"[{stem} {time.monotonic() - t0:6.1f}s] {msg}", flush=True)

    blocked: list[tuple[str, str]] = []
    console_errors: list[str] = []
    context = chromium.new_context(viewport=VIEWPORT)
    local_only(context, base_url, blocked)  # the page may talk to our server and nothing else
    blocked_urls = lambda: {u for _, u in blocked}  # noqa: E731

    def on_console(msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        # Benign: a resource outside the server that local_only aborted on purpose (the course must work
        # offline; the only one is the Colab badge image in the header); Chromium logs each as
        # "Failed to load resource: net::ERR_FAILED" with that resource's URL.
        if "net::ERR_FAILED" in msg.text and url in blocked_urls():
            return
        console_errors.append(f"console: {msg.text} ({url})")

    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda exc: console_errors.append(f"pageerror: {exc}"))
    request = context.request
    try:
        try:
            # ?reset: a fresh workspace, so that the previous notebook is not reopened with it.
            where = course.url_path(f"notebooks/{name}")
            assert not where.startswith("../"), f"make lab serves {course.root}, which does not hold notebooks/{name}"
            page.goto(f"{base_url}/lab/tree/{where}?reset&token={token}", wait_until="domcontentloaded")
            wait_stably(page, KERNEL_IDLE_JS, secs(KERNEL_READY_S), "the notebook's kernel to be idle")
            step(f"open, kernel idle ({page.locator(f'{PANEL} .jp-Cell').count()} cells)")

            problems: list[str] = []  # checks that do not stop the others; reported together at the end

            def check(what, *args):  # run a check; an AssertionError joins `problems`
                try:
                    return what(*args)
                except AssertionError as exc:
                    problems.append(str(exc))
                    step(f"FAILED: {str(exc)[:300]}")

            paths = check(_check_header_links, page, request, name, course, secs)
            if paths:
                step(f"header links resolve (HTTP 200): {paths}")
            drawn = check(_check_saved_widgets, page, name, course.copy / "notebooks" / name, secs)
            if drawn:
                step(drawn)

            clear_and_run_all(page, secs(UI_S), secs(RUN_ALL_S))
            step("Run All Cells finished")
            save_notebook(page, secs(UI_S))
            errors, unexecuted = saved_errors(course.copy / "notebooks" / name)
            assert not errors, f"{name}: error output(s) after Run All Cells:\n" + "\n---\n".join(errors)
            assert not unexecuted, f"{name}: code cells {unexecuted} were not executed by Run All Cells"
            texts = page.evaluate(f"() => [...document.querySelectorAll('{PANEL} .jp-OutputArea-output')]"
                                  ".map(o => o.textContent)")
            tracebacks = [t[:2000] for t in texts if TRACEBACK in t]
            assert not tracebacks, f"{name}: traceback(s) shown in outputs:\n" + "\n---\n".join(tracebacks)
            step("every code cell ran without error")

            if stem == "01_distribution_shift":  # right after Run All, before any other scrolling
                done = check(_check_animation, page, name, secs)
                if done:
                    step(done)

            images = _measure_images(page, secs)
            visible = [i for i in images if i["visible"]]
            empty = [f"{_where(name, i)}: <img{' id=' + i['id'] if i['id'] else ''}> rendered "
                     f"{i['width']:.0f}x{i['height']:.0f} px (natural {i['natural_width']}x{i['natural_height']})"
                     for i in visible if not (i["width"] > 0 and i["height"] > 0)]
            if empty:
                problems.append(f"{name}: picture(s) shown with no size after Run All:\n" + "\n".join(empty))
            squeezed = [f"{_where(name, i)}: natural width {i['natural_width']} px shown at {i['width']:.0f} px "
                        f"({i['natural_width'] / i['width']:.2f}x; output area {i['area_width']:.0f} px wide)"
                        for i in images if i["width"] > 0 and i["natural_width"] > SQUEEZE * i["width"]]
            if squeezed:
                problems.append(f"{name}: figure(s) shown much smaller than their natural size (wider than the "
                                f"output area):\n" + "\n".join(squeezed))
            widest = max((i["natural_width"] for i in images), default=0)
            step(f"{len(images)} output images ({len(visible)} visible; {len(empty)} empty, {len(squeezed)} "
                 f"squeezed; widest natural width {widest} px)")
            page.locator(f"{PANEL} .jp-Notebook .jp-Cell").first.scroll_into_view_if_needed()
            page.wait_for_timeout(1500)  # default windowing draws the cells now on screen only after the scroll
            page.screenshot(path=str(ARTIFACTS / f"{stem}-after-run-all.png"))

            if stem == "04_maxent_irl":
                check(_screenshot_heatmaps, page, name, step)
            check(_check_widgets, page, name, secs, step)

            page.wait_for_timeout(500)  # late console messages
            if console_errors:
                problems.append(f"{name}: browser console error(s):\n" + "\n".join(console_errors[:20]))
            else:
                step("no browser console errors")
            assert not problems, "\n\n".join(problems)
        except (AssertionError, PlaywrightError) as exc:
            raise failure(page, exc, stem, console_errors, "JupyterLab log", log_path) from exc
    finally:
        _shut_down_kernels(request, base_url, token)
        context.close()
        if blocked:
            print(f"blocked {len(blocked)} non-local request(s): {sorted(set(blocked))[:5]}")


def test_make_lab_opens_on_the_notebooks(course, chromium):
    """The page ``make lab`` opens (its default URL) is the file browser on notebooks/, listing every
    notebook of the course."""
    context = chromium.new_context(viewport=VIEWPORT)
    local_only(context, course.base_url, [])
    try:
        page = context.new_page()
        page.goto(f"{course.base_url}/?token={course.token}", wait_until="domcontentloaded")
        listing = page.locator(".jp-DirListing-itemName")
        listing.first.wait_for(timeout=1000 * UI_S)
        page.wait_for_function(f"() => document.querySelectorAll('.jp-DirListing-itemName').length >= {len(NOTEBOOKS)}",
                               timeout=1000 * UI_S, polling=200)
        names = [t.strip() for t in listing.all_text_contents()]
        missing = [n for n in NOTEBOOKS if n not in names and n.removesuffix(".ipynb") not in names]
        assert not missing, f"make lab opens {page.url}, whose file browser lists {names}, not {missing}"
        assert course.url_path("notebooks") == course.opens, (
            f"make lab opens {course.opens or 'the root'!r}, not the notebooks folder "
            f"({course.url_path('notebooks')!r} on its server)")
    finally:
        context.close()


def test_course_notebooks_found():
    """The course test above has notebooks to run (the glob NN_*.ipynb matched)."""
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb"
    assert json.loads((REPO / "notebooks" / NOTEBOOKS[0]).read_text())["cells"]
    assert Path(REPO / "README.md").is_file()
