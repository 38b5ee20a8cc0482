"""Test-wide settings: fast mode for every notebook and test, a non-interactive plot backend, and
how `make test` shares the tests between its pytest-xdist workers.

nbval's kernels inherit this process's environment, so setting IL_FAST here reaches them too.
"""

import os

import pytest

os.environ.setdefault("IL_FAST", "1")
os.environ.setdefault("IL_CLAIMS", "strict")  # a notebook claim that does not hold fails the run (il.claim)
os.environ.setdefault("MPLBACKEND", "Agg")


# Test files that start Jupyter kernels or servers themselves (nbgrader's autograder, Voila).
KERNEL_TESTS = {"test_assignments.py", "test_present.py"}


def xdist_scope(nodeid: str) -> str:
    """The unit ``make test`` hands to one pytest-xdist worker: a test file, except that every
    notebook and every test file in :data:`KERNEL_TESTS` share one unit, run one after the other
    (two kernels starting at once raced for ports and hung a run before)."""
    file = nodeid.split("::", 1)[0]
    return "kernels" if file.endswith(".ipynb") or file.rsplit("/", 1)[-1] in KERNEL_TESTS else file


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
