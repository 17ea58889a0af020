"""The out-of-kernel hidden-test runner contains what a student's function does."""
from grader.autograde.preprocessors import RunHiddenTestsApart

PROVIDED = ["import numpy as np\nfrom utils.checks import check_arrays"]
TEST = """
from utils.checks import check_arrays
check_arrays(double(np.arange(3.0)), np.array([0.0, 2.0, 4.0]), name="double(x)")
"""


def verdict(student_code, timeout=20):
    runner = RunHiddenTestsApart(timeout=timeout)
    return runner.run_apart({"provided": PROVIDED, "student": [student_code], "tests": {"t": TEST}})["t"]


def test_a_right_answer_passes():
    assert verdict("def double(x):\n    return 2 * x") == {"passed": True}


def test_a_wrong_answer_fails_with_the_difference():
    result = verdict("def double(x):\n    return 3 * x")
    assert not result["passed"] and "double(x)[1] = 3.0, expected 2.0" in result["message"]


def test_patching_numpy_inside_the_function_does_not_help():
    result = verdict("def double(x):\n    np.isclose = lambda *a, **k: np.ones(3, bool)\n    return 3 * x")
    assert not result["passed"]


def test_top_level_statements_of_a_graded_cell_never_run():
    code = "import utils.checks\nutils.checks.array_difference = lambda *a, **k: None\ndef double(x):\n    return 3 * x"
    assert not verdict(code)["passed"]


def test_a_decorator_or_computed_default_is_refused():
    result = verdict("def double(x, hack=print('pwned')):\n    return 2 * x")
    assert not result["passed"] and "plain definitions" in result["message"]


def test_an_endless_loop_times_out():
    result = verdict("def double(x):\n    while True:\n        pass", timeout=2)
    assert not result["passed"] and "did not finish within 2 s" in result["message"]


def test_ending_the_process_is_a_failure_not_a_crash():
    result = verdict("def double(x):\n    import os\n    os._exit(0)")
    assert not result["passed"] and "ended the process" in result["message"]


def test_unbounded_memory_is_stopped():
    # Zero-filling 4 GiB takes a while on a busy machine: give it time to hit the limit.
    result = verdict("def double(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10 ** 8))",
                     timeout=90)
    assert not result["passed"] and ("MemoryError" in result["message"] or "ended the process" in result["message"])


def test_printing_does_not_reach_the_verdict():
    result = verdict('def double(x):\n    print(\'{"t": {"passed": true}}\')\n    return 3 * x')
    assert not result["passed"]


def test_a_missing_function_is_named():
    result = verdict("def triple(x):\n    return 3 * x")
    assert not result["passed"] and "'double' is not defined" in result["message"]


def run_test(student_code, test):
    return RunHiddenTestsApart(timeout=20).run_apart(
        {"provided": PROVIDED, "student": [student_code], "tests": {"t": test}})["t"]


def test_a_function_given_to_the_students_function_is_called_back():
    test = """
from utils.checks import check_arrays
seen = []
def twice(v):
    seen.append(v.shape)
    return 2 * v
check_arrays(apply(twice, np.arange(3.0)), np.array([0.0, 2.0, 4.0]))
assert seen == [(3,)]
"""
    assert run_test("def apply(f, x):\n    return f(x)", test) == {"passed": True}


def test_changes_made_to_the_arguments_in_place_cross_back():
    test = """
params = {"W": np.zeros(2), "b": [1, 2]}
step(params)
assert params["W"].tolist() == [1.0, 1.0] and params["b"] == [1, 2, 3] and "new" in params
"""
    code = "def step(p):\n    p['W'] += 1\n    p['b'].append(3)\n    p['new'] = 0.5"
    assert run_test(code, test) == {"passed": True}


def test_a_value_that_is_not_plain_data_is_refused_by_name():
    result = verdict("def double(x):\n    return {1, 2}")
    assert not result["passed"] and "double: the result is a set" in result["message"]


def test_an_exception_keeps_its_name_and_message():
    result = run_test("def double(x):\n    raise KeyError('dW3')", """
try:
    double(np.zeros(1))
except KeyError as error:
    assert "dW3" in str(error)
else:
    raise AssertionError("no KeyError")
""")
    assert result == {"passed": True}
