"""What the real-browser tests share (tests/test_browser.py and tests/test_browser_course.py:
JupyterLab; tests/test_present.py: Voila).

A local server started on a free port with throw-away Jupyter dirs, waited for and always shut
down (:func:`serve`; JupyterLab itself: :func:`jupyter_lab`); Debian's Chromium (never
`playwright install`) in a context that may reach that server and nothing else; a wait for a page
predicate that must hold for a while in a row; and JupyterLab's menus, Run All and the saved
notebook's errors (:func:`menu`, :func:`clear_and_run_all`, :func:`save_notebook`, :func:`saved_errors`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "artifacts" / "browser"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, n: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def jupyter_env(tmp: Path, **extra: str) -> dict[str, str]:
    """This process's environment with fast mode, throw-away Jupyter/IPython dirs under `tmp`, and
    this interpreter's bin/ first on PATH (so its kernel is the project's venv)."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # conftest sets Agg; the kernel must use its inline backend to show plots
    env.update(
        IL_FAST="1",
        JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
        IPYTHONDIR=str(tmp / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def serve(cmd: list[str], *, cwd: Path, env: dict[str, str], log_path: Path, ready_url: str, timeout_s: float,
          name: str):
    """Run the server `cmd`, wait until `ready_url` answers 200, yield the process; on the way out
    (also after a failure) stop it with SIGTERM (SIGKILL after 15 s)."""
    with open(log_path, "wb") as log:
        server = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if server.poll() is not None:
                pytest.fail(f"{name} exited with {server.returncode}:\n{tail(log_path)}")
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not answer within {timeout_s:.0f} s:\n{tail(log_path)}")
            time.sleep(0.25)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def launch_chromium(playwright, tmp_path: Path):
    """Debian's headless Chromium; its crash-report and dconf files go to `tmp_path`, not ~/.config."""
    xdg = {f"XDG_{d}_HOME": str(tmp_path / d.lower()) for d in ("CONFIG", "CACHE", "DATA")}
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                      env={**os.environ, **xdg})


@contextlib.contextmanager
def chromium_browser(tmp_path: Path):
    """Debian's headless Chromium for a test module's fixture (skips the tests if it is missing)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p, tmp_path)
        try:
            yield browser
        finally:
            browser.close()


def local_only(context, base_url: str, blocked: list) -> None:
    """Let the pages of `context` reach `base_url` (and data: URLs) only; every other request is
    aborted and appended to `blocked` as (resource type, url)."""

    def route(r):
        if r.request.url.startswith(base_url) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            blocked.append((r.request.resource_type, r.request.url))
            r.abort()

    context.route("**/*", route)


def wait_stably(page, js: str, timeout_s: float, what: str, hold_s: float = 1.0) -> None:
    """Wait until the predicate `js` has held for `hold_s` seconds in a row (fails after `timeout_s`)."""
    deadline, since = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        if page.evaluate(js):
            since = since or time.monotonic()
            if time.monotonic() - since >= hold_s:
                return
        else:
            since = None
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def failure(page, exc: BaseException, name: str, console_errors: list, log_title: str, log_path: Path,
            extra: str = "") -> AssertionError:
    """What a browser test raises when a check fails: saves ``artifacts/browser/<name>-failure.png``
    and returns an AssertionError with the screenshot's path, the last console errors, ``extra`` and
    the tail of the server's log (``raise failure(...) from exc``)."""
    from playwright.sync_api import Error as PlaywrightError

    shot = ARTIFACTS / f"{name}-failure.png"
    try:
        page.screenshot(path=str(shot), full_page=True)
    except PlaywrightError:
        pass
    return AssertionError(f"{exc}\n\nscreenshot: {shot}\nbrowser console errors: {console_errors[-10:]}\n"
                          f"{extra}{log_title} (tail):\n{tail(log_path)}")


# ---------------------------------------------------------------------------------------------
# JupyterLab

# JupyterLab user settings every JupyterLab test writes into its throw-away config dir:
# - start the default kernel instead of asking, should the notebook name an unknown kernel;
# - no autosave: the notebook stays dirty until the test saves it;
# - no "Would you like to get notified about official Jupyter news?" toast, no update check.
LAB_USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

# JupyterLab 4.6 renders error outputs exactly like stderr (data-mime-type="application/vnd.jupyter.stderr"),
# so the DOM cannot tell a traceback from a warning by its markup: errors are read from the saved
# notebook (output_type "error"), and tracebacks in any output (widget Outputs too) by their text.
TRACEBACK = "Traceback (most recent call last)"

# True once the notebook's kernel is connected and idle. The execution indicator reads "idle"
# even before any kernel exists ("No Kernel"), then "connecting", "unknown", "idle" again.
KERNEL_IDLE_JS = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel || !panel.querySelector('.jp-Notebook .jp-Cell')) return false;
    const status = panel.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
    const kernel = (panel.querySelector('.jp-Toolbar-kernelName')?.textContent || '').trim();
    return status === 'idle' && kernel !== '' && kernel !== 'No Kernel';
}"""

# True once no code cell shows an output or an execution count (after "Clear Outputs of All Cells").
ALL_CLEARED_JS = """() => {
    const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
    if (!nb || nb.querySelector('.jp-OutputArea-output')) return false;
    return [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .every(p => !/[0-9*]/.test(p.textContent));
}"""

# True once Run All has settled: the kernel is idle, some code cell shows an execution count and
# none shows [*] (Run All marks every queued cell [*] at once, and stops at the first error).
RUN_SETTLED_JS = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const prompts = [...(panel?.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt') || [])]
        .map(p => p.textContent);
    return panel?.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'
        && prompts.some(p => /\\[\\d+\\]/.test(p)) && !prompts.some(p => p.includes('*'));
}"""

# True while the notebook has unsaved changes (its tab is marked dirty).
DIRTY_JS = """() => !!document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')"""


def write_lab_settings(config_dir: Path, settings: dict[str, dict]) -> None:
    """Write JupyterLab user settings (file name -> settings) under ``config_dir/lab/user-settings``."""
    for name, values in settings.items():
        path = config_dir / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@dataclasses.dataclass
class MakeLab:
    """What ``make lab`` runs, read from ``make --dry-run lab``: the folder the server serves
    (``root``, relative to the repository), the path its default URL opens (``opens``, e.g.
    ``notebooks``; "" for the root) and the files it signs with ``jupyter trust`` (repository paths)."""

    root: str
    opens: str
    trusts: list[str]


def make_lab() -> MakeLab:
    """``make lab``'s server root, start page and trusted notebooks, from ``make --dry-run lab`` (the
    browser test serves the course the way the Makefile does, so a change there is tested here)."""
    out = subprocess.run(["make", "--dry-run", "--no-print-directory", "lab"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    lab = [shlex.split(line) for line in out.splitlines() if re.search(r"\bjupyter lab\b", line)]
    trust = [shlex.split(line) for line in out.splitlines() if re.search(r"\bjupyter trust\b", line)]
    assert len(lab) == 1, f"make --dry-run lab runs {len(lab)} `jupyter lab` commands (expected 1):\n{out}"
    options = dict(arg[2:].split("=", 1) for arg in lab[0] if arg.startswith("--") and "=" in arg)
    root = next((options[k] for k in ("ServerApp.root_dir", "ServerApp.notebook_dir", "notebook-dir",
                                      "notebook_dir") if k in options), ".")
    opens = options.get("LabApp.default_url", "/lab").removeprefix("/lab").removeprefix("/tree").strip("/")
    trusts = [str(p.relative_to(REPO)) for cmd in trust for arg in cmd[cmd.index("trust") + 1:]
              for p in sorted(REPO.glob(arg))]
    return MakeLab(root=os.path.normpath(root), opens=opens, trusts=trusts)


@contextlib.contextmanager
def jupyter_lab(tmp: Path, root: Path, settings: dict[str, dict], timeout_s: float, default_url: str | None = None):
    """A JupyterLab server on ``root`` (127.0.0.1, a free port, a random token, the user ``settings``,
    throw-away Jupyter dirs under ``tmp``, fast mode in its kernels, no network use: no news, no
    update check, read-only extension manager); yields (base_url, token, log path) and always stops it."""
    config_dir = tmp / "jupyter-config"
    write_lab_settings(config_dir, settings)
    env = jupyter_env(tmp, JUPYTER_CONFIG_DIR=str(config_dir))
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    if default_url is not None:
        cmd.append(f"--LabApp.default_url={default_url}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI runners often run as root
    log_path = tmp / "jupyterlab.log"
    base_url = f"http://127.0.0.1:{port}"
    with serve(cmd, cwd=root, env=env, log_path=log_path, ready_url=f"{base_url}/api/status?token={token}",
               timeout_s=timeout_s, name="JupyterLab"):
        yield base_url, token, log_path


def menu(page, menu_name: str, item: str) -> None:
    """Click `menu_name` in JupyterLab's menu bar, then its enabled entry `item`."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^\s*{re.escape(menu_name)}\s*$")).click()
    label = page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^\s*{re.escape(item)}\s*$"))
    page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has=label).click()


def clear_and_run_all(page, clear_s: float, run_s: float) -> None:
    """Edit > Clear Outputs of All Cells (the notebook may be saved with outputs), then Run > Run All
    Cells, and wait until it has settled (:data:`RUN_SETTLED_JS` for 1.5 s in a row)."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(ALL_CLEARED_JS, timeout=1000 * clear_s, polling=100)
    menu(page, "Run", "Run All Cells")
    wait_stably(page, RUN_SETTLED_JS, run_s, "Run All Cells to finish", hold_s=1.5)


def save_notebook(page, timeout_s: float) -> None:
    """File > Save Notebook (the tab must be dirty: Run All changed it), and wait until it is saved."""
    assert page.evaluate(DIRTY_JS), "the notebook tab is not marked dirty after Run All Cells"
    menu(page, "File", "Save Notebook")
    page.wait_for_function(f"() => !({DIRTY_JS})()", timeout=1000 * timeout_s, polling=100)


def saved_errors(path: Path) -> tuple[list[str], list[int]]:
    """The saved notebook's error outputs (one text per error: code cell number, ename, evalue and the
    cell's first lines) and the numbers of its non-empty code cells without an execution count."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    errors = [
        f"code cell {n}: {o.get('ename')}: {o.get('evalue')}\n" + "".join(c["source"])[:300]
        for n, c in enumerate(cells, 1)
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    unexecuted = [n for n, c in enumerate(cells, 1) if "".join(c["source"]).strip() and not c["execution_count"]]
    return errors, unexecuted
