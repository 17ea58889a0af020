"""Helpers the tests share (fixtures live in conftest.py)."""
import os
import stat
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grader.assignments import ROOT, notebook
from grader.course.example_class import scratch_course, solutions, students
from grader.course.example_class import test_cell_points
from grader.reference import reference_functions
from grader.autograde.preprocessors import HIDDEN, RunHiddenTestsApart


def source_cells(assignment):
    return nbformat.read(notebook(assignment), as_version=4).cells


def hidden_tests(assignment):
    """grade_id of each test cell -> its hidden test code."""
    return {cell.metadata["nbgrader"]["grade_id"]: HIDDEN.search(cell.source).group(1)
            for cell in source_cells(assignment) if cell.metadata.get("nbgrader", {}).get("grade")}


def run_hidden_test(assignment, grade_id, functions=None, timeout=30):
    """The verdict of one hidden test on the reference with some graded cells replaced
    (functions: grade_id of the graded cell -> its new source)."""
    meta = lambda cell: cell.metadata.get("nbgrader", {})  # noqa: E731
    provided = [c.source for c in source_cells(assignment)
                if c.cell_type == "code" and meta(c).get("locked") and not meta(c).get("grade")]
    student = [(functions or {}).get(grade_id_, code) for grade_id_, code in solutions(assignment).items()]
    return RunHiddenTestsApart(timeout=timeout).run_apart(
        {"provided": provided, "student": student, "tests": {grade_id: hidden_tests(assignment)[grade_id]}})[grade_id]


def run_notebook(path, timeout=300):
    """Execute a notebook in its own folder in a fresh kernel; errors are kept as outputs."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    return nb


def errors(nb):
    """(cell index, ename, evalue) of every error output."""
    return [(i, out.ename, out.evalue) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.outputs if out.output_type == "error"]


def text_output(nb):
    """Everything the notebook printed, stdout and stderr, as one string."""
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs if out.output_type == "stream")


def small_class(assignment):
    """Full marks, nothing, the tampering students, and one mistake per graded function.

    The fault submissions are graded by the fault table (tests/test_faults.py).

    The rest of the example class is graded by `make grade`; here its
    mistakes are checked at the unit level, which is enough and fast.
    """
    chosen, covered = [], set()
    points = test_cell_points(assignment)
    for student in students(assignment):
        correct = student.functions and all(student.expected.get(f"test_{f}") == points[f"test_{f}"]
                                            for f in student.functions)  # another style, full marks
        if student.name in ("reference", "blank") or student.name.startswith("tamper") \
                or not set(student.functions) <= covered and not student.name.startswith("fault_") and not correct:
            chosen.append(student)
            covered |= set(student.functions)
    return chosen


def file_modes(tree, skip=(".venv", ".git", "__pycache__", "artifacts")):
    """Relative path -> permission bits of every file and folder under `tree`."""
    modes = {}
    for folder, subfolders, files in os.walk(tree):
        subfolders[:] = [name for name in subfolders if name not in skip]
        for name in [*subfolders, *files]:
            path = Path(folder) / name
            modes[str(path.relative_to(tree))] = stat.S_IMODE(path.lstat().st_mode)
    return modes


MODES_BEFORE_GRADING = {}


def build_small_course(course, assignments, chosen=small_class):
    """Assignments generated and the small class (or chosen(assignment)) submitted, in `course`."""
    scratch_course(course, assignments, chosen)


# What the tests import from here (ROOT and reference_functions pass through).
__all__ = ["MODES_BEFORE_GRADING", "ROOT", "build_small_course", "errors", "file_modes", "hidden_tests", "reference_functions", "run_hidden_test", "run_notebook", "small_class", "source_cells", "text_output"]
