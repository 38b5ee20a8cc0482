"""The course tour in a real browser: JupyterLab + headless Chromium, driven by Playwright.

nbval (``make test``) proves that every notebook *executes*; it cannot prove that the
notebooks *work for a student*: that JupyterLab serves them, that the ipywidgets front-end
extension renders the widgets, and that a widget really talks to its kernel. This test does
what a student does on day one:

1. starts JupyterLab on a free local port, with a random token, on a temporary copy of
   ``notebooks/`` (``IL_BROWSER_NOTEBOOKS`` overrides the folder), with throw-away Jupyter
   config/data/runtime dirs and no network use (no news, no update check, read-only
   extension manager; the browser may only reach the local server);
2. opens ``00_tour.ipynb`` in Debian's Chromium, waits for its kernel, clicks
   Edit > Clear Outputs of All Cells, then Run > Run All Cells, and waits until it has settled;
3. saves the notebook (File > Save Notebook) and checks that every code cell ran and none has
   an error output, and that no output shows a traceback;
4. finds the tour widget (a Dropdown "Environment" and, in the same cell's output, a line
   ``Showing N episodes of ENV: ...``), picks another environment and waits until that line
   names it and the plot below it is redrawn: the round trip browser -> kernel -> browser works.

Screenshots go to ``artifacts/browser/``. Run with ``make test-browser`` (needs
``apt-get install chromium``; never ``playwright install``). The server, Chromium and wait helpers
are shared with tests/test_present.py (Voila) in tests/browser_utils.py.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from browser_utils import (
    ARTIFACTS,
    CHROMIUM,
    KERNEL_IDLE_JS,
    LAB_USER_SETTINGS,
    REPO,
    TRACEBACK,
    clear_and_run_all,
    failure,
    jupyter_lab,
    launch_chromium,
    local_only,
    save_notebook,
    saved_errors,
    wait_stably,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "00_tour.ipynb"

SERVER_START_S = 60  # JupyterLab answering /api/status
BROWSER_BUDGET_S = 150  # everything in the browser; every wait below is also capped by what is left
KERNEL_READY_S = 60  # notebook rendered and its kernel idle
RUN_ALL_S = 120  # Run All Cells, in fast mode (IL_FAST=1): about 15 s for the tour
WIDGET_UPDATE_S = 30  # summary text and plot follow the Dropdown

# JupyterLab's user settings for every browser test (browser_utils.LAB_USER_SETTINGS), and here also:
# render every cell into the DOM (no virtualisation), so DOM checks see the whole notebook
# (tests/test_browser_course.py runs the course with JupyterLab's default windowing).
TRACKER = "@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
LAB_SETTINGS = {**LAB_USER_SETTINGS, TRACKER: {**LAB_USER_SETTINGS[TRACKER], "windowingMode": "none"}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a temporary copy of the notebooks; yields (base_url, token, root_dir, log path)."""
    src = Path(os.environ.get("IL_BROWSER_NOTEBOOKS", REPO / "notebooks")).resolve()
    if not (src / NOTEBOOK).is_file():
        override = os.environ.get("IL_BROWSER_NOTEBOOKS")
        pytest.fail(f"{src / NOTEBOOK} does not exist (IL_BROWSER_NOTEBOOKS={override!r})")

    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    shutil.copytree(src, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    with jupyter_lab(tmp, root, LAB_SETTINGS, SERVER_START_S) as (base_url, token, log_path):
        yield base_url, token, root, log_path


def _summary(text: str) -> str | None:
    m = re.search(r"^\s*(Showing\b.*)$", text, re.M)
    return m.group(1).strip() if m else None


def test_tour_runs_and_widget_responds_in_chromium(lab, tmp_path):
    """Run All on the tour in Chromium: no error, and the Environment dropdown updates its summary."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium (never `playwright install`)")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    base_url, token, root, log_path = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot_run_all = ARTIFACTS / "00_tour-after-run-all.png"
    shot_widget = ARTIFACTS / "00_tour-after-widget-change.png"
    blocked: list[tuple[str, str]] = []
    t0 = time.monotonic()

    def secs(cap_s: float) -> float:  # a wait's limit in seconds: its cap, or what is left of the budget
        return max(1.0, min(cap_s, t0 + BROWSER_BUDGET_S - time.monotonic()))

    def ms(cap_s: float) -> float:  # the same, in milliseconds, for Playwright
        return 1000 * secs(cap_s)

    def step(msg: str) -> None:
        print(f"[browser {time.monotonic() - t0:6.1f}s] {msg}", flush=True)

    with sync_playwright() as p:
        browser = launch_chromium(p, tmp_path)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1600})
            local_only(context, base_url, blocked)  # the page may talk to our server and nothing else
            page = context.new_page()
            console_errors: list[str] = []
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

            try:
                # 1. The notebook, and its kernel idle.
                page.goto(f"{base_url}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded")
                panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
                wait_stably(page, KERNEL_IDLE_JS, secs(KERNEL_READY_S), "the notebook's kernel to be idle")
                step(f"notebook open, kernel idle ({panel.locator('.jp-Cell').count()} cells)")

                # 2. Edit > Clear Outputs of All Cells (the notebook may be saved with outputs), then
                #    Run > Run All Cells, and wait until it has settled.
                clear_and_run_all(page, secs(WIDGET_UPDATE_S), secs(RUN_ALL_S))
                step("Run All Cells finished")

                # 3. No error: File > Save Notebook, then read the outputs from the saved file.
                save_notebook(page, secs(WIDGET_UPDATE_S))
                errors, unexecuted = saved_errors(root / NOTEBOOK)
                assert not errors, "error output(s) after Run All Cells:\n" + "\n---\n".join(errors)
                assert not unexecuted, f"code cells {unexecuted} were not executed by Run All Cells"
                tracebacks = [t for t in panel.locator(".jp-OutputArea-output").all_inner_texts() if TRACEBACK in t]
                assert not tracebacks, "traceback(s) shown in outputs:\n" + "\n---\n".join(tracebacks)
                step("every code cell ran without error")

                # 4. The tour widget: a Dropdown "Environment" and, in the same cell's output, a line
                #    "Showing N episodes of ENV: ..." (an HTML widget or text in an Output widget).
                # (`has=` locators are matched inside the outer element, so they start from `page`.)
                env_label = page.locator("label.widget-label", has_text=re.compile(r"^\s*Environment\s*$"))
                cell = panel.locator(".jp-CodeCell", has=page.locator(".widget-dropdown", has=env_label)).first
                outputs = cell.locator(".jp-Cell-outputArea")
                select = outputs.locator(".widget-dropdown", has=env_label).locator("select").first
                summary = outputs.get_by_text(re.compile(r"^\s*Showing\b")).first
                expect(select).to_be_visible(timeout=ms(WIDGET_UPDATE_S))
                expect(summary).to_be_visible(timeout=ms(WIDGET_UPDATE_S))
                outputs.scroll_into_view_if_needed()
                page.screenshot(path=str(shot_run_all), full_page=True)
                step(f"screenshot {shot_run_all}")

                before = _summary(summary.inner_text())
                plot = outputs.locator("img").first
                old_plot = plot.get_attribute("src") if outputs.locator("img").count() else None
                current = select.input_value()
                options = [o.strip() for o in select.locator("option").all_inner_texts()]
                step(f"summary: {before!r}; options: {options}; selected: {current!r}")
                assert before, "the tour widget shows no line starting with 'Showing'"
                others = [o for o in options if o and o != current and o not in before]
                assert others, f"the Environment dropdown offers no other environment: {options}"
                new_env = others[0]

                select.select_option(label=new_env)
                expect(summary).to_contain_text(
                    re.compile(r"Showing\b.*" + re.escape(new_env)), timeout=ms(WIDGET_UPDATE_S)
                )
                after = _summary(summary.inner_text())
                step(f"after choosing {new_env!r}: {after!r}")
                assert after and after != before and new_env in after

                # the callback has finished, and the plot (an <img>), if any, was redrawn
                wait_stably(page, KERNEL_IDLE_JS, secs(WIDGET_UPDATE_S), "the kernel to be idle after the change")
                if old_plot:
                    expect(plot).to_be_visible(timeout=ms(WIDGET_UPDATE_S))
                    expect(plot).not_to_have_attribute("src", old_plot, timeout=ms(WIDGET_UPDATE_S))
                    expect(plot).to_have_js_property("complete", True, timeout=ms(WIDGET_UPDATE_S))
                    step("plot redrawn")
                outputs.scroll_into_view_if_needed()
                page.screenshot(path=str(shot_widget), full_page=True)
                step(f"screenshot {shot_widget}")
            except (AssertionError, PlaywrightError) as exc:
                raise failure(page, exc, "00_tour", console_errors, "JupyterLab log", log_path) from exc
        finally:
            browser.close()

    if blocked:
        print(f"blocked {len(blocked)} non-local request(s): {sorted(set(blocked))[:5]}")
    print(f"screenshots: {shot_run_all} {shot_widget}")
