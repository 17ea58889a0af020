"""Every mistake of the example class fails its function's hidden test with its hint.

This is the unit-level twin of grading the whole example class with nbgrader
(`make grade`): each hidden test runs as it does at autograde, in a fresh
process that sees the notebook's provided definitions and the student's graded
cells, against each mistaken function and against the reference solution.
"""
import pytest

from grader.assignments import ASSIGNMENTS
from grader.course.example_class import solutions, students
from grader.course.example_class import test_cell_points as cell_points  # not a test of this module
from grader.reference import reference_functions
from helpers import hidden_tests, run_hidden_test


def mistakes():
    # Faults (endless loops, os._exit...) are graded by the fault table, tests/test_faults.py.
    return [(a, s) for a in ASSIGNMENTS for s in students(a) if s.functions and not s.name.startswith("fault_")]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_a_hidden_test(assignment):
    graded = set(solutions(assignment))
    assert graded and {f"test_{name}" for name in graded} == set(hidden_tests(assignment))
    functions = {name for name, value in reference_functions(assignment).items() if callable(value)}
    assert graded <= functions


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_pass_the_reference(assignment):
    for grade_id in hidden_tests(assignment):
        assert run_hidden_test(assignment, grade_id) == {"passed": True}, grade_id


@pytest.mark.parametrize("assignment, student", mistakes(), ids=[f"{a}-{s.name}" for a, s in mistakes()])
def test_hidden_tests_catch_each_mistake_with_its_hint(assignment, student):
    """A function whose test cell the student's EXPECTED gives full points (a correct student's,
    written in another style) must pass; every other function the student defines must fail, with the hint."""
    points = cell_points(assignment)
    right = {name for name in student.functions if student.expected.get(f"test_{name}", 0) == points[f"test_{name}"]}
    assert student.hint or set(student.functions) == right, f"{student.name} needs a HINT"
    for name in student.functions:
        verdict = run_hidden_test(assignment, f"test_{name}", student.functions)
        if name in right:
            assert verdict == {"passed": True}, f"{student.name}: {verdict}"
            continue
        assert not verdict["passed"], f"{student.name}: the hidden test of {name} passed"
        assert name in verdict["message"]
        assert student.hint in verdict["message"], verdict["message"]
