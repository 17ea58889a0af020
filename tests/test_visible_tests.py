"""The visible tests catch what they claim to catch, before hand-in."""
import nbformat
import pytest

from grader.assignments import notebook
from grader.course.example_class import solutions
from utils.checks import CheckFailure


def run_visible_test(assignment, test_cell, function_code):
    """Run the setup cell, a version of a graded function and the cell that tests it."""
    cells = {cell.metadata["nbgrader"]["grade_id"]: cell.source
             for cell in nbformat.read(notebook(assignment), as_version=4).cells}
    setup = "\n".join(line for line in cells["code-03"].splitlines() if not line.startswith("%"))
    namespace = {}
    exec(setup, namespace)
    exec(function_code, namespace)
    exec(cells[test_cell], namespace)


def mistaken(assignment, function, old, new):
    code = solutions(assignment)[function]
    assert old in code, f"{old!r} is not in the reference {function}"
    return code.replace(old, new)


MISTAKES = {
    "no shuffle": ("random_mini_batches", "code-07", "np.random.permutation(m)", "np.arange(m)"),
    "X and Y shuffled apart": ("random_mini_batches", "code-07", "shuffled_Y = Y[:, permutation]",
                               "shuffled_Y = Y[:, np.random.permutation(m)]"),
    "bias correction with a fixed power 2": ("update_parameters_with_adam", "code-15",
                                             "beta1 ** t)", "beta1 ** 2)"),
    "second moment corrected with a fixed power 2": ("update_parameters_with_adam", "code-15",
                                                     "beta2 ** t)", "beta2 ** 2)"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_visible_test_fails_the_mistake(mistake):
    function, test_cell, old, new = MISTAKES[mistake]
    with pytest.raises(AssertionError):
        run_visible_test("optimization", test_cell, mistaken("optimization", function, old, new))


@pytest.mark.parametrize("function, test_cell", sorted({(f, c) for f, c, _, _ in MISTAKES.values()}))
def test_visible_test_passes_the_reference(function, test_cell):
    run_visible_test("optimization", test_cell, solutions("optimization")[function])


def test_check_failure_is_an_assertion():
    # pytest.raises(AssertionError) above relies on it.
    assert issubclass(CheckFailure, AssertionError)
