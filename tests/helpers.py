"""Helpers the tests share (fixtures live in conftest.py)."""
import nbformat

from grader.assignments import notebook
from grader.course.example_class import solutions
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
