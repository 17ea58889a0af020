"""The kernel that runs a student's notebook has no network and does not see the course."""
import socket

import nbformat
import pytest

from grader.assignments import ROOT
from grader.autograde.preprocessors import SandboxedExecute
from grader.autograde.sandbox import can_switch_user

pytestmark = pytest.mark.skipif(not can_switch_user(), reason="the sandbox needs root (CI grades as root)")


def run_cell(source, folder):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    SandboxedExecute(timeout=60).preprocess(nb, {"metadata": {"path": str(folder)}})
    return "".join(output.get("text", "") for output in nb.cells[0].outputs)


def test_a_cell_cannot_reach_a_service_on_this_machine(tmp_path):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    printed = run_cell(f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=5).sendall(b"grades")
    print("connected")
except OSError as error:
    print("no connection:", error)
""", tmp_path)
    assert "no connection" in printed
    with pytest.raises(socket.timeout):
        listener.accept()


def test_a_cell_sees_the_course_as_an_empty_folder(tmp_path):
    printed = run_cell(f"""
import os
print(sorted(os.listdir({str(ROOT)!r})))
print(os.path.exists({str(ROOT / 'grader' / 'initialization.py')!r}))
""", tmp_path)
    assert printed.splitlines() == ["['.venv']", "False"]


def test_a_kernel_started_ahead_runs_in_the_copy_with_nothing_defined(tmp_path):
    """Kernels are started before their notebook is known, with numpy and matplotlib imported:
    the notebook still runs in its own private copy, as a sandbox user, and finds no name it did
    not define (a forgotten `import numpy as np` still fails)."""
    (tmp_path / "data.txt").write_text("the student's folder")
    printed = run_cell("""
import os, sys
print(open("data.txt").read(), os.getcwd() != %r, os.getuid() != 0)
print(sorted(name for name in globals() if not name.startswith("_") and name not in ("In", "Out", "exit", "quit", "open", "get_ipython", "os", "sys")))
print("numpy" in sys.modules)
""" % str(tmp_path), tmp_path)
    assert printed.splitlines() == ["the student's folder True True", "[]", "True"]


def test_a_cell_cannot_reach_the_next_notebooks_kernel(tmp_path):
    """The next notebook's kernel waits, started ahead, in a home under the grading process's folder:
    a cell can neither list that folder nor enter the home (another user's, 0700)."""
    printed = run_cell("""
import glob, os
for folder in glob.glob("/tmp/grader-spares-*"):
    try:
        print("listed", folder, os.listdir(folder))
    except PermissionError:
        print("refused")
""", tmp_path)
    assert "refused" in printed and "listed" not in printed
