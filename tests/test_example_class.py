"""Every mistake of the example class fails its function's hidden test with its hint.

This is the unit-level twin of grading the whole example class with nbgrader
(`make grade`): the hidden test code of each test cell runs here against the
mistaken function, and against the reference solution, which must pass.
"""
import re

import nbformat
import pytest

from grader.assignments import ASSIGNMENTS, notebook
from grader.example_class import students
from grader.reference import reference_functions
from utils.checks import CheckFailure

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def hidden_tests(assignment):
    """grade_id of each test cell -> its hidden test code."""
    nb = nbformat.read(notebook(assignment), as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: HIDDEN.search(cell.source).group(1)
            for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")}


def run_hidden_test(assignment, function_name, namespace):
    exec(hidden_tests(assignment)[f"test_{function_name}"], dict(namespace))


def mistakes():
    return [(a, s) for a in ASSIGNMENTS for s in students(a) if s.functions]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_a_hidden_test(assignment):
    functions = {name for name, value in reference_functions(assignment).items() if callable(value)}
    for grade_id in hidden_tests(assignment):
        assert grade_id.removeprefix("test_") in functions


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_pass_the_reference(assignment):
    namespace = reference_functions(assignment)
    for grade_id in hidden_tests(assignment):
        run_hidden_test(assignment, grade_id.removeprefix("test_"), namespace)


@pytest.mark.parametrize("assignment, student", mistakes(), ids=[f"{a}-{s.name}" for a, s in mistakes()])
def test_hidden_tests_catch_each_mistake_with_its_hint(assignment, student):
    assert student.hint, f"{student.name} needs a HINT"
    # As in the student's notebook: the graded cells hold the student's code, the rest the course's.
    namespace = dict(reference_functions(assignment))
    for source in student.functions.values():
        exec(source, namespace)
    for name in student.functions:
        with pytest.raises(CheckFailure) as failure:
            run_hidden_test(assignment, name, namespace)
        assert name in str(failure.value)
        assert student.hint in str(failure.value), str(failure.value)
