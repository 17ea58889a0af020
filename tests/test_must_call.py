"""A graded function whose job is to call another is graded with that one replaced.

Every graded function declares (MUST_CALL and MAY_WRITE_OUT in grader/<assignment>.py)
what of the notebook it calls. For each name it must call, the test below writes the
reference over so that it computes the very same numbers from a private copy of that
function, without calling it by name: the hidden test must fail that version, in the
student's process as `grade` runs it, and say why.
"""
import ast
import importlib
import inspect

import nbformat
import pytest
from nbgrader.utils import is_solution

from helpers import run_hidden_test
from grader.assignments import ASSIGNMENTS, notebook
from grader.course.example_class import solutions
from grader.reference import solution_code


def declared(assignment, table):
    return getattr(importlib.import_module(f"grader.{assignment}"), table, {})


def notebook_names(assignment):
    """The functions the notebook defines or imports: what a graded function could call."""
    names = set()
    for cell in nbformat.read(notebook(assignment), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        python = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(python)):
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.ImportFrom):
                names |= {alias.asname or alias.name for alias in node.names}
    return names


def graded_functions(assignment):
    """{graded function: the notebook's functions its reference calls by name}."""
    known, out = notebook_names(assignment), {}
    for cell in nbformat.read(notebook(assignment), as_version=4).cells:
        if cell.cell_type == "code" and is_solution(cell):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.FunctionDef):
                    out[node.name] = {call.func.id for call in ast.walk(node) if isinstance(call, ast.Call)
                                      and isinstance(call.func, ast.Name) and call.func.id in known}
    return out


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_says_what_it_must_call(assignment):
    must, may = declared(assignment, "MUST_CALL"), declared(assignment, "MAY_WRITE_OUT")
    functions = graded_functions(assignment)
    assert set(must) | set(may) <= set(functions)
    for function, calls in functions.items():
        assert calls == set(must.get(function, ())) | set(may.get(function, ())), function


def source_of(assignment, name):
    """The source of a function the notebook defines in a cell, or imports from utils/."""
    for cell in nbformat.read(notebook(assignment), as_version=4).cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            tree = ast.parse(solution_code(cell.source))
            return next(ast.unparse(n) for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return inspect.getsource(getattr(importlib.import_module("utils.three_layer_net"), name))


def written_out(assignment, function, callee):
    """The graded cell of `function` with `callee` pasted into it under another name, as a student who
    copies a function rather than calling it would: the same numbers, never a call of `callee`."""
    tree = ast.parse(solutions(assignment)[function])
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == callee:
            node.id = f"own_copy_of_{callee}"
    copy = source_of(assignment, callee).replace(f"def {callee}(", f"def own_copy_of_{callee}(", 1)
    return copy + "\n\n" + ast.unparse(tree)


MUST_CALL = [(assignment, function, callee) for assignment in ASSIGNMENTS
             for function, callees in declared(assignment, "MUST_CALL").items() for callee in callees]


def test_some_functions_must_call_others():
    assert {(a, f) for a, f, _ in MUST_CALL} >= {("gradient_checking", "gradient_check"),
                                                  ("gradient_checking", "gradient_check_n")}


@pytest.mark.parametrize("assignment, function, callee", MUST_CALL)
def test_a_function_that_computes_what_it_must_call_fails(assignment, function, callee):
    assert run_hidden_test(assignment, f"test_{function}")["passed"]
    verdict = run_hidden_test(assignment, f"test_{function}",
                              {function: written_out(assignment, function, callee)})
    assert not verdict["passed"]
    assert f"must call {callee}" in verdict["message"]


ONE_D_INLINE = '''
import numpy as np

def gradient_check(x, theta, epsilon=1e-7):
    thetaplus = theta + epsilon
    thetaminus = theta - epsilon
    J_plus = thetaplus * x
    J_minus = thetaminus * x
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = x
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator
    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference
'''


def test_the_commonest_written_out_gradient_check_fails_with_the_reason():
    """J_plus = thetaplus * x: the right numbers for this J only (half of the real checks seen)."""
    verdict = run_hidden_test("gradient_checking", "test_gradient_check", {"gradient_check": ONE_D_INLINE})
    assert not verdict["passed"]
    assert "must call forward_propagation" in verdict["message"]
    assert "J_plus = forward_propagation(x, theta_plus)" in verdict["message"]
