"""Presentation mode (`make present NB=..`): one notebook's widgets and plots, without its code, in Voila.

The first tests check, without a browser, that the Makefile picks exactly one notebook from NB
and otherwise stops with a clear message. The browser test (marker ``browser``, run by
``make test-browser``) does what an instructor does:

1. takes the command that ``make present NB=00`` runs (``make -n``) and starts it: Voila
   (``python -m il_helpers.present``, Voila with a fix for a hang) on 127.0.0.1, on a free port,
   with a token, no browser, in fast mode (IL_FAST=1), with throw-away Jupyter dirs; the browser
   may reach that server and nothing else;
2. opens the page in Debian's Chromium and waits until Voila has executed the tour and rendered its
   widgets;
3. checks that no code is shown: every code cell is rendered without its input (no input area, no
   prose does; no cell failed; the widget JavaScript came from the local server, and the only
   requests that left it were cosmetic: stylesheets and images (Voila's template links Font
   Awesome's CSS from a CDN, so offline buttons lose their icons; the notebook's Colab badge);
4. picks another environment in the tour widget's Environment dropdown and waits until the
   summary line names it and the plot below is redrawn (its ``<img>`` changes, and so does a
   screenshot of the widget's output area);
5. saves screenshots before and after the change in ``artifacts/browser/`` and stops Voila
   (always, also after a failure), which shuts its kernel down.

Needs ``apt-get install chromium``; never ``playwright install``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time

import pytest
from browser_utils import (
    ARTIFACTS,
    CHROMIUM,
    REPO,
    failure,
    free_port,
    jupyter_env,
    launch_chromium,
    local_only,
    serve,
)

NB = "00"
NOTEBOOK = REPO / "notebooks" / "00_tour.ipynb"

SERVER_START_S = 60  # Voila answering for its static files
BROWSER_BUDGET_S = 300  # everything in the browser; every wait below is also capped by what is left
RENDER_S = 240  # Voila executes the whole tour before it shows anything: 15-20 s in fast mode, minutes on a busy CPU
WIDGET_UPDATE_S = 30  # summary text and plot follow the Dropdown

# Every code cell Voila rendered, and the ones that still show some input.
CODE_CELLS_JS = """() => {
    const cells = [...document.querySelectorAll('.jp-CodeCell')];
    return {
        code_cells: cells.length,
        with_input: cells.filter(c => !c.classList.contains('jp-mod-noInput')
                                      || c.querySelector('.jp-InputArea, .jp-InputPrompt')).length,
        editors: document.querySelectorAll('.jp-Editor, .cm-editor, .CodeMirror, .jp-InputPrompt').length,
    };
}"""

ERROR_TEXTS = ("Traceback (most recent call last)", "There was an error when executing cell",
               "Cell execution timed out")
# Requests that may leave the machine, and fail offline without harm: Voila's template links Font Awesome's
# CSS from a CDN (button icons), and a notebook's markdown may show a badge image (Open in Colab).
COSMETIC = {"stylesheet", "image", "font"}


def make_present(*args: str) -> subprocess.CompletedProcess:
    """`make -s -n present ARGS` in the repository: what it would run, or why it refuses."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}  # not a parent's
    return subprocess.run(["make", "-s", "-n", "present", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60)


def voila_argv(*args: str) -> list[str]:
    """The Voila command line that `make present ARGS` runs, with this interpreter as the Python."""
    out = make_present(*args)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if " -m il_helpers.present " in line]
    assert len(lines) == 1, f"expected one `-m il_helpers.present` command in `make -n present` output:\n{out.stdout}"
    argv = shlex.split(lines[0])
    assert argv[1:3] == ["-m", "il_helpers.present"], argv
    return [sys.executable, *argv[1:]]


def code_lines(path) -> list[str]:
    """The notebook's distinctive code lines (no comments, at least 15 characters)."""
    nb = json.loads(path.read_text())
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    lines = {line.strip() for source in sources for line in source.splitlines()}
    return sorted(line for line in lines if len(line) >= 15 and not line.startswith("#"))


# -- make present: which notebook --------------------------------------------------------------------------------


def test_make_present_serves_the_one_notebook_with_that_prefix_locally_without_code():
    argv = voila_argv("NB=01", "PRESENT_ARGS=--port=9999")
    assert argv[3] == "notebooks/01_distribution_shift.ipynb"
    assert "--Voila.ip=127.0.0.1" in argv and "--no-browser" in argv and "--token" in argv
    assert argv[-1] == "--port=9999"  # PRESENT_ARGS come last, so they override
    assert not any("strip_sources" in a for a in argv)  # Voila's default: sources stripped


@pytest.mark.parametrize("args, message", [
    ((), "make present needs NB, a notebook's two-digit prefix: make present NB=01"),
    (("NB=99",), "no notebook matches NB=99"),
    (("NB=0",), "NB=0 matches"),  # every notebook 0x
])
def test_make_present_refuses_no_or_several_notebooks(args, message):
    out = make_present(*args)
    assert out.returncode != 0
    assert message in out.stderr, out.stderr
    assert "00_tour.ipynb" in out.stderr  # and lists the notebooks
    assert "il_helpers.present" not in out.stdout  # nothing would run


def test_waits_without_timeout_poll_in_steps(monkeypatch):
    """The fix in il_helpers.present: a reply that one poll missed is found by the next one."""
    import asyncio
    from queue import Empty

    from jupyter_client.channels import AsyncZMQSocketChannel

    from il_helpers import present

    calls = []

    async def fake_get_msg(self, timeout=None):  # two polls see nothing, the third finds the reply
        calls.append(timeout)
        if len(calls) < 3:
            raise Empty
        return {"msg_type": "execute_reply"}

    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", fake_get_msg)
    monkeypatch.setattr(present, "STEP_S", 0.01)
    assert present.poll_shell_in_steps() and present.poll_shell_in_steps()  # twice is harmless
    channel = object.__new__(AsyncZMQSocketChannel)
    assert asyncio.run(channel.get_msg())["msg_type"] == "execute_reply"
    assert calls == [present.STEP_S] * 3
    calls.clear()
    with pytest.raises(Empty):  # a finite timeout is passed through: one poll, then Empty
        asyncio.run(channel.get_msg(timeout=0.5))
    assert calls == [0.5]


# -- make present in Chromium ---------------------------------------------------------------------------------------


@pytest.mark.browser
def test_present_shows_widgets_without_code_and_they_respond(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium (never `playwright install`)")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    t_start = time.monotonic()
    port, token = free_port(), secrets.token_hex(16)
    argv = voila_argv(f"NB={NB}", f"PRESENT_ARGS=--port={port} --Voila.port_retries=0 --token={token}")
    assert argv[3] == f"notebooks/{NOTEBOOK.name}"
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "voila.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot_before = ARTIFACTS / "present-00_tour-before.png"
    shot_after = ARTIFACTS / "present-00_tour-after-widget-change.png"
    blocked: list[tuple[str, str]] = []
    local: list[str] = []
    console_errors: list[str] = []

    with serve(argv, cwd=REPO, env=jupyter_env(tmp_path), log_path=log_path,
               ready_url=f"{base_url}/voila/static/voila.js", timeout_s=SERVER_START_S, name="Voila"), \
            sync_playwright() as p:
        t0 = time.monotonic()

        def ms(cap_s: float) -> float:  # a wait's limit: its cap, or what is left of the budget (Playwright: ms)
            return 1000 * max(1.0, min(cap_s, t0 + BROWSER_BUDGET_S - time.monotonic()))

        def step(msg: str) -> None:
            print(f"[present {time.monotonic() - t_start:6.1f}s] {msg}", flush=True)

        step(f"Voila up on {base_url}: {shlex.join(argv[1:4])} ...")
        browser = launch_chromium(p, tmp_path)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 1000})
            local_only(context, base_url, blocked)  # the page may talk to our server and nothing else
            context.on("request", lambda r: local.append(r.url) if r.url.startswith(base_url) else None)
            page = context.new_page()
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            try:
                # 1. Voila executes the notebook while it streams the page, then shows it: wait for the tour
                #    widget's dropdown (the page's DOMContentLoaded comes only after the whole execution).
                page.goto(f"{base_url}/?token={token}", wait_until="commit", timeout=ms(RENDER_S))
                dropdown = page.locator(".widget-dropdown", has=page.locator(
                    "label.widget-label", has_text=re.compile(r"^\s*Environment\s*$")))
                select = dropdown.locator("select").first
                expect(select).to_be_visible(timeout=ms(RENDER_S))
                box = page.locator(".widget-vbox").filter(has=dropdown).filter(has=page.locator(".widget-output"))
                assert box.count() == 1, f"expected one tour widget box, found {box.count()}"
                summary = box.locator(".widget-html").filter(has_text=re.compile(r"Showing\b")).first
                plot_area = box.locator(".widget-output").first
                plot = plot_area.locator("img").first
                expect(summary).to_be_visible(timeout=ms(WIDGET_UPDATE_S))
                expect(plot).to_have_js_property("complete", True, timeout=ms(WIDGET_UPDATE_S))
                step("rendered: the tour widget is visible")

                # 2. No code: code cells rendered without input, no code line in the page's text, no error.
                cells = page.evaluate(CODE_CELLS_JS)
                n_code = sum(c["cell_type"] == "code" for c in json.loads(NOTEBOOK.read_text())["cells"])
                assert cells["code_cells"] == n_code, f"Voila rendered {cells['code_cells']} code cells of {n_code}"
                assert cells["with_input"] == 0 and cells["editors"] == 0, f"code is shown: {cells}"
                text = page.locator("body").inner_text()
                shown = [line for line in code_lines(NOTEBOOK) if line in text]
                assert not shown, f"code lines shown on the page: {shown[:5]}"
                assert "A tour of the course" in text  # the prose is there (the notebook's title)
                errors = [e for e in ERROR_TEXTS if e in text]
                assert not errors, f"the page shows an error: {errors}"
                step(f"no code shown: {n_code} code cells without input, {len(code_lines(NOTEBOOK))} code lines absent")

                # 3. The widget: another environment; the summary names it and the plot is redrawn.
                box.scroll_into_view_if_needed()
                before = summary.inner_text().strip()
                old_src = plot.get_attribute("src")
                old_hash = hashlib.sha256(plot_area.screenshot()).hexdigest()
                page.screenshot(path=str(shot_before))
                current = select.input_value()
                options = [o.strip() for o in select.locator("option").all_inner_texts()]
                others = [o for o in options if o and o != current and o not in before]
                assert before.startswith("Showing") and others, f"summary {before!r}, options {options}"
                step(f"before: {before!r}")

                select.select_option(label=others[0])
                expect(summary).to_contain_text(re.compile(r"Showing\b.*" + re.escape(others[0])),
                                                timeout=ms(WIDGET_UPDATE_S))
                expect(plot).not_to_have_attribute("src", old_src, timeout=ms(WIDGET_UPDATE_S))
                expect(plot).to_have_js_property("complete", True, timeout=ms(WIDGET_UPDATE_S))
                after = summary.inner_text().strip()
                new_hash = hashlib.sha256(plot_area.screenshot()).hexdigest()
                assert after != before and new_hash != old_hash
                box.scroll_into_view_if_needed()
                page.screenshot(path=str(shot_after))
                step(f"after choosing {others[0]!r}: {after!r}; plot redrawn")

                # 4. Offline: the widget JavaScript is local; nothing but stylesheets and images (which fail
                #    harmlessly offline) was asked of the network: no script, no data.
                assert any("/voila/labextensions/@jupyter-widgets/jupyterlab-manager/" in u for u in local), \
                    "the widget manager was not loaded from the local server"
                needed = [(kind, url) for kind, url in blocked if kind not in COSMETIC]
                assert not needed, f"the page needs the network for: {needed}"
            except (AssertionError, PlaywrightError) as exc:
                raise failure(page, exc, "present-00_tour", console_errors, "Voila log", log_path,
                              extra=f"blocked requests: {blocked}\n") from exc
        finally:
            browser.close()

    if blocked:
        print(f"blocked {len(blocked)} non-local request(s), all cosmetic: {sorted(set(blocked))}")
    print(f"screenshots: {shot_before} {shot_after}; {time.monotonic() - t_start:.1f} s in all, Voila stopped")
