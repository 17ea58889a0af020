"""A failing hidden test says, in the student's terms, what went wrong with a mistake no hint knows:
the student's line when their function raised, the shape or first differing entry or missing key
when it returned something wrong. Both ways the hidden tests run: in the student's own process
(`python -m grader grade`) and in the kernel (a plain nbgrader run of a source notebook)."""
import textwrap

import nbformat
import pytest

from grader.autograde.preprocessors import RunHiddenTestsApart
from helpers import ROOT, run_hidden_test, run_notebook

# Real students' mistakes, each in the graded cell of its exercise as a student writes it.
ZEROS_TUPLE = '''\
# GRADED FUNCTION: initialize_parameters_zeros

def initialize_parameters_zeros(layers_dims):
    """
    Zeros for every parameter.
    """
    parameters = {}
    L = len(layers_dims)            # number of layers in the network

    for l in range(1, L):
        parameters['W' + str(l)] = np.zeros(layers_dims[l], layers_dims[l-1])
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
'''

LAST_MINI_BATCH = '''\
# GRADED FUNCTION: random_mini_batches
import math

def random_mini_batches(X, Y, mini_batch_size = 64, seed = 0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []

    # Step 1: Shuffle (X, Y)
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1,m))

    # Step 2: Partition (shuffled_X, shuffled_Y). Minus the end case.
    num_complete_minibatches = math.floor(m/mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size : (k+1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size : (k+1) * mini_batch_size]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    # Handling the end case (last mini-batch < mini_batch_size)
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, (k+1) * mini_batch_size :]
        mini_batch_Y = shuffled_Y[:, (k+1) * mini_batch_size :]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    return mini_batches
'''

BIAS_BROADCAST = '''\
# GRADED FUNCTION: update_parameters_with_gd

def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2 # number of layers in the neural networks

    # Update rule for each parameter
    for l in range(L):
        parameters["W" + str(l+1)] = parameters["W" + str(l+1)] - learning_rate * grads['dW' + str(l+1)]
        parameters["b" + str(l+1)] = parameters["b" + str(l+1)] - learning_rate * grads['dW' + str(l+1)]
    return parameters
'''

LOWERCASE_KEY = '''\
# GRADED FUNCTION: initialize_velocity

def initialize_velocity(parameters):
    L = len(parameters) // 2 # number of layers in the neural networks
    v = {}
    for l in range(L):
        v["dw" + str(l+1)] = np.zeros(parameters['W' + str(l+1)].shape)
        v["db" + str(l+1)] = np.zeros(parameters['b' + str(l+1)].shape)
    return v
'''

WRONG_LR = '''\
# GRADED FUNCTION: update_parameters_with_gd

def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate / 2 * grads["db" + str(l)]
    return parameters
'''


def line_of(code, text):
    """'at line N of your graded cell: `text`' for the line of `code` that holds `text`."""
    lines = code.splitlines()
    number = next(i for i, line in enumerate(lines, 1) if text in line)
    return f"at line {number} of your graded cell: `{lines[number - 1].strip()}`"


# (assignment, graded function, its test, the student's cell, what the message must say)
MISTAKES = {
    "np.zeros(a, b)": ("initialization", "initialize_parameters_zeros", ZEROS_TUPLE, [
        "initialize_parameters_zeros, layers_dims = [",
        "raised TypeError: Cannot interpret",
        line_of(ZEROS_TUPLE, "np.zeros(layers_dims[l], layers_dims[l-1])"),
        "np.zeros((a, b))"]),
    "unbound k in the last mini-batch": ("optimization", "random_mini_batches", LAST_MINI_BATCH, [
        "random_mini_batches, m = 10, mini_batch_size = 64, seed = 5: raised UnboundLocalError",
        line_of(LAST_MINI_BATCH, "mini_batch_X = shuffled_X[:, (k+1)"),
        "a loop or an if that did not run"]),
    "b minus dW broadcasts": ("optimization", "update_parameters_with_gd", BIAS_BROADCAST, [
        'parameters["b1"] has shape (2, 3), expected (2, 1)', "broadcast", "keepdims=True"]),
    "a key in lower case": ("optimization", "initialize_velocity", LOWERCASE_KEY, [
        'v is missing "dW1", "dW2"', '"dw1", "dw2"', "case"]),
    "a value off": ("optimization", "update_parameters_with_gd", WRONG_LR, [
        'parameters["b1"][0, 0] = ', "expected", "relative error", "of 2 entries differ"]),
}
CHECKS = {"initialize_parameters_zeros": "check_zeros", "random_mini_batches": "check_mini_batches",
          "update_parameters_with_gd": "check_gd", "initialize_velocity": "check_initialize_velocity"}

# Mistakes tried on a check of the tests' own: (the student's cell, the hidden test, what the message must say)
APPLY = "def apply(f, x):\n    y = 2 * x\n    return f(y)\n"
GENERIC = {
    "a tuple for an array": ("def double(x):\n    y = 2 * x\n    return y, x\n", textwrap.dedent("""\
        from utils.checks import check_arrays
        check_arrays(double(np.arange(3.0)), np.array([0.0, 2.0, 4.0]), name="double(x)")
        """), ["double(x) should be a numpy array, got a tuple of 2 (ndarray of shape (3,), ndarray of shape (3,))",
               "return only the array"]),
    # A function of the hidden test's, passed to the student's and raising there, is not quoted: the student's call is.
    "the test's own function raises": (APPLY, textwrap.dedent("""\
        from grader.checking import call
        def secret(v):
            raise ValueError("no")
        call(apply, "apply", "x = 1", secret, np.ones(2))
        """), ["apply, x = 1: raised ", "ValueError: no", "at line 3 of your graded cell: `return f(y)`"]),
}
INSTRUCTORS = ["grader/", "hidden test", "check_", "call(", "secret", "raise ValueError"]  # never quoted


@pytest.mark.parametrize("mistake", MISTAKES)
def test_the_student_process_names_what_went_wrong(mistake):
    assignment, function, code, says = MISTAKES[mistake]
    verdict = run_hidden_test(assignment, f"test_{function}", {function: code})
    assert_says(verdict, says)


@pytest.mark.parametrize("mistake", GENERIC)
def test_the_student_process_names_what_went_wrong_in_any_check(mistake):
    code, test, says = GENERIC[mistake]
    verdict = RunHiddenTestsApart(timeout=20).run_apart(
        {"provided": ["import numpy as np"], "student": [code], "tests": {"t": test}})["t"]
    assert_says(verdict, says)


def assert_says(verdict, says):
    assert not verdict["passed"]
    for text in says:
        assert text in verdict["message"], verdict["message"]
    assert not any(text in verdict["message"] for text in INSTRUCTORS), verdict["message"]


@pytest.fixture(scope="module")
def in_kernel(tmp_path_factory):
    """Each mistake's graded cell then its hidden test, run in one real kernel: mistake -> the error shown."""
    pairs = [(mistake, code, f"from grader.{assignment} import {CHECKS[function]}\n{CHECKS[function]}({function})")
             for mistake, (assignment, function, code, _) in MISTAKES.items()]
    pairs += [(mistake, code, test) for mistake, (code, test, _) in GENERIC.items()]
    cells = [nbformat.v4.new_code_cell(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nimport numpy as np")]
    for mistake, code, test in pairs:
        cells += [nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell(test, metadata={"mistake": mistake})]
    path = tmp_path_factory.mktemp("kernel") / "mistakes.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    nb = run_notebook(path, timeout=120)
    return {cell.metadata["mistake"]: "\n".join(out.get("evalue", "") for out in cell.outputs)
            for cell in nb.cells if "mistake" in cell.metadata}


@pytest.mark.parametrize("mistake", [*MISTAKES, *GENERIC])
def test_the_kernel_names_what_went_wrong(in_kernel, mistake):
    message = in_kernel[mistake]
    assert message, "the hidden test passed"
    assert_says({"passed": False, "message": message}, (MISTAKES.get(mistake) or GENERIC[mistake])[-1])
