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


CELL = '''\
# GRADED FUNCTION: layer
%matplotlib inline
import numpy as np
print("top-level code never runs")

def helper(n):
    """Comments, magics and top-level code are left out of what the student's process runs:
    the line numbers are still the cell's."""
    return np.zeros(n,
                    n)   # a statement over two lines

def layer(sizes):
    out = {}
    for l in range(1, len(sizes)):
        out[l] = helper(sizes[l])
    return out
'''


def test_the_lines_of_the_code_run_are_found_in_the_cell():
    from grader.autograde.definitions import safe_definitions
    from grader.autograde.hidden_runner import cell_lines
    code = safe_definitions(CELL, trusted=False)
    lines = cell_lines(CELL, code)
    cell = CELL.splitlines()
    assert sorted(number for number, _ in lines.values())[:2] == [3, 6]  # the import, the def helper
    for number, text in lines.values():
        assert text.removesuffix(" …") == cell[number - 1].strip()
    assert (9, "return np.zeros(n, …") in lines.values()  # a statement over two lines: its first, and "…"


def test_an_exception_names_the_line_of_the_students_cell_it_came_from():
    test = "from grader.checking import call\ncall(layer, 'layer', 'sizes = [1, 3]', [1, 3])"
    result = RunHiddenTestsApart(timeout=20).run_apart(
        {"provided": PROVIDED, "student": ["def other():\n    pass\n", CELL], "tests": {"t": test}})["t"]
    assert result["message"].startswith("layer, sizes = [1, 3]: raised TypeError: Cannot interpret '3' as a data type\n"
                                        "at line 9 of your graded cell: `return np.zeros(n, …`"), result


def test_the_rebuilt_exception_carries_the_line_only_as_the_checker_found_it():
    from grader.autograde.hidden_runner import Session, student_exception
    session = Session.__new__(Session)
    session.lines = [{4: (9, "return np.zeros(n, …")}]
    assert session.raised_at({"cell": 0, "line": 4}) == (9, "return np.zeros(n, …")
    for forged in ({"cell": 1, "line": 4}, {"cell": 0, "line": "4"}, {"cell": -1, "line": 4}, {}):
        assert session.raised_at(forged) is None
    error = student_exception("TypeError", "no", (9, "x = 1"))
    assert isinstance(error, TypeError) and error.student_line == (9, "x = 1")


def test_an_exception_outside_call_still_names_the_students_line():
    result = verdict("def double(x):\n    # twice x\n    return x.reshape(7)")
    assert result["message"].startswith("the hidden test stopped: ValueError: cannot reshape"), result
    assert result["message"].endswith("\nat line 3 of your graded cell: `return x.reshape(7)`"), result
