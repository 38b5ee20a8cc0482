"""What the real-browser tests share (tests/test_browser.py: JupyterLab; tests/test_present.py: Voila).

A local server started on a free port with throw-away Jupyter dirs, waited for and always shut
down; Debian's Chromium (never `playwright install`) in a context that may reach that server and
nothing else; and a wait for a page predicate that must hold for a while in a row.
"""

from __future__ import annotations

import contextlib
import os
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
