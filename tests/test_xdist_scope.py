"""How `make test` shares the tests between its pytest-xdist workers (conftest.py)."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("root_conftest", Path(__file__).resolve().parent.parent / "conftest.py")
root_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(root_conftest)
KERNEL_TESTS, xdist_scope = root_conftest.KERNEL_TESTS, root_conftest.xdist_scope


def test_notebooks_and_kernel_tests_share_one_unit_other_files_their_own():
    assert xdist_scope("notebooks/00_tour.ipynb::Cell 3") == "kernels"
    assert xdist_scope("notebooks/05_gail_airl.ipynb::Cell 0") == "kernels"
    for name in KERNEL_TESTS:
        assert xdist_scope(f"tests/{name}::test_x[a-b]") == "kernels"
    assert xdist_scope("tests/test_bc.py::test_fit[seed=1]") == "tests/test_bc.py"
    assert xdist_scope("tests/test_bc.py::TestX::test_y") == "tests/test_bc.py"
    assert xdist_scope("tests/test_bc.py::test_other") == xdist_scope("tests/test_bc.py::test_fit")
