"""Test-wide settings: fast mode for every notebook and test, a non-interactive plot backend, nbval's
kernels on IPC sockets, how `make test` shares the tests between its pytest-xdist workers, and which
notebooks run as their student release instead of themselves (the assignments', :data:`RELEASE_TEST`).

nbval's kernels inherit this process's environment, so setting IL_FAST here reaches them too.
"""

import atexit
import importlib.util
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("IL_FAST", "1")
os.environ.setdefault("IL_CLAIMS", "strict")  # a notebook claim that does not hold fails the run (il.claim)
os.environ.setdefault("MPLBACKEND", "Agg")


def _kernels_on_ipc_sockets() -> None:
    """nbval's kernels talk over IPC sockets (files in a folder of this process's own), not TCP ports: two
    kernels starting at once in two processes (two xdist workers, or the autograder's and the release's
    in tests/test_assignments.py) raced for a free port and hung a run before; sockets cannot collide."""
    try:
        import nbval.kernel
        from jupyter_client.manager import KernelManager
    except ImportError:  # nbval not installed: no notebooks to run
        return
    folder, count = [], itertools.count()

    class IPCKernelManager(KernelManager):
        def __init__(self, **kwargs):
            if not folder:  # made on the first kernel's start, removed when the process ends
                folder.append(tempfile.mkdtemp(prefix="nbval-ipc-"))
                atexit.register(shutil.rmtree, folder[0], True)
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(folder[0], f"kernel-{next(count)}"))
            super().__init__(**kwargs)

    nbval.kernel.KernelManager = IPCKernelManager


_kernels_on_ipc_sockets()

# Test files that start Jupyter kernels or servers on TCP themselves (Voila's server and kernel).
KERNEL_TESTS = {"test_present.py"}


def xdist_scope(nodeid: str) -> str:
    """The unit ``make test`` hands to one pytest-xdist worker: a test file (a notebook is one), except
    that the test files of :data:`KERNEL_TESTS` (kernels on TCP) share one unit, run one after the other.
    Notebooks run on both workers at once: their kernels are on IPC sockets (:func:`_kernels_on_ipc_sockets`)."""
    file = nodeid.split("::", 1)[0]
    return "kernels" if file.rsplit("/", 1)[-1] in KERNEL_TESTS else file


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: present only where xdist is installed
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with :func:`xdist_scope` as the scope (xdist's own ``loadgroup`` marks do
    not reach the node ids under pytest 9, checked with pytest-xdist 3.8.0)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class KernelsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return KernelsTogether(config, log)


# The test that runs every assignment notebook's student release through nbval (stubs unanswered).
RELEASE_TEST = "tests/test_assignments.py::test_release_runs_all_with_every_stub_unanswered"


def assignment_notebooks() -> set[str]:
    """File names of the notebooks with nbgrader cells (tools/assignments.py decides, as `make assignments`)."""
    root = Path(__file__).resolve().parent
    spec = importlib.util.spec_from_file_location("course_assignments", root / "tools" / "assignments.py")
    tools = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tools)
    return {p.name for p in tools.assignments(root / "notebooks")}


def pytest_collection_modifyitems(config, items):
    """When :data:`RELEASE_TEST` is in the run (as in `make test`), an assignment notebook is run once, as its
    student release, instead of twice: the release is the notebook cell for cell except the solution regions
    and the hidden tests (tests/test_assignments.py checks that), those are run by the autograder on the
    reference solution (full marks, hidden tests included), and the release's nbval run compares the cells
    marked NBVAL_CHECK_OUTPUT with this notebook's saved outputs. `pytest notebooks` alone still runs them."""
    if not any(item.nodeid == RELEASE_TEST for item in items):
        return
    names = assignment_notebooks()
    twins = [item for item in items if item.nodeid.startswith("notebooks/")
             and item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1] in names]
    if twins:
        config.hook.pytest_deselected(items=twins)
        drop = set(twins)
        items[:] = [item for item in items if item not in drop]
