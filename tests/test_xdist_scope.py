"""How `make test` shares the tests between its pytest-xdist workers (conftest.py)."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("root_conftest", Path(__file__).resolve().parent.parent / "conftest.py")
root_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(root_conftest)
KERNEL_TESTS, xdist_scope = root_conftest.KERNEL_TESTS, root_conftest.xdist_scope


def test_each_file_is_a_unit_and_tcp_kernel_tests_share_one():
    assert xdist_scope("notebooks/00_tour.ipynb::Cell 3") == "notebooks/00_tour.ipynb"
    assert xdist_scope("notebooks/05_gail_airl.ipynb::Cell 0") == "notebooks/05_gail_airl.ipynb"
    assert KERNEL_TESTS
    for name in KERNEL_TESTS:
        assert xdist_scope(f"tests/{name}::test_x[a-b]") == "kernels"
    assert xdist_scope("tests/test_assignments.py::test_x") == "tests/test_assignments.py"  # its kernels: IPC
    assert xdist_scope("tests/test_bc.py::test_fit[seed=1]") == "tests/test_bc.py"
    assert xdist_scope("tests/test_bc.py::TestX::test_y") == "tests/test_bc.py"
    assert xdist_scope("tests/test_bc.py::test_other") == xdist_scope("tests/test_bc.py::test_fit")


def test_nbval_kernels_talk_over_ipc_sockets():
    """Two kernels started at once never race for a TCP port: nbval's kernel manager uses IPC sockets."""
    import nbval.kernel

    km = nbval.kernel.KernelManager(kernel_name="python3")
    assert km.transport == "ipc" and "nbval-ipc-" in km.ip
    other = nbval.kernel.KernelManager(kernel_name="python3")
    assert other.ip != km.ip  # each kernel its own socket names
