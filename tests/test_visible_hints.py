"""The visible tests name a student's known mistake before hand-in, from shipped data only."""
import json

import nbformat
import numpy as np
import pytest

from grader.assignments import SHARED_FILES, notebook
from grader.course.example_class import SPEC_DIR, load_student, solutions
from grader.course.example_class import test_cell_points as cell_points  # not a test of this module
from grader.course.stored_cases import HINT_BUILDERS, hints_file, hints_text
from grader.reference import reference_functions
from utils.checks import CheckFailure, check_arrays, stored_hints

# Graded function -> the visible test cell that gives hints for it.
WIRED = {
    "initialization": {"initialize_parameters_random": "code-15", "initialize_parameters_he": "code-20"},
    "regularization": {"compute_cost_with_regularization": "code-12",
                       "backward_propagation_with_regularization": "code-14",
                       "forward_propagation_with_dropout": "code-19", "backward_propagation_with_dropout": "code-21"},
    "gradient_checking": {"gradient_check": "code-10", "gradient_check_n": "code-17"},
    "optimization": {"update_parameters_with_gd": "code-05", "random_mini_batches": "code-07",
                     "update_parameters_with_momentum": "code-11", "update_parameters_with_adam": "code-15"},
}

# Example students whose mistake the visible case cannot show, and why.
NOT_ON_THE_VISIBLE_CASE = {
    # Without the seed the answer depends on what ran before; the hidden test moves the generator first.
    ("initialization", "he_no_seed"),
    # Only the hidden test's structural check names non-zero biases: no table answer reproduces them.
    ("initialization", "he_random_biases"),
    # Structural, not in the table either; the visible message lists the missing keys already.
    ("initialization", "random_missing_last_layer"),
    # A3 is right; only the cache is wrong, and the visible test compares A3.
    ("regularization", "dropout_caches_unmasked_A"),
    # The visible case runs the notebook's forward and backward passes: J = theta * x written out agrees.
    ("gradient_checking", "gradient_check_inline_theta_times_x"),
    # The visible case's complete mini-batches set k; only a hidden case with m < mini_batch_size leaves it unbound.
    ("optimization", "mini_batches_last_from_loop_k"),
}

# Example students whose function raises at the visible test: the notebook shows the error at their line
# (and whether its text carries the hint).
RAISES_AT_THE_VISIBLE_TEST = {("optimization", "gd_keys_from_0"): (KeyError, False),
                              ("gradient_checking", "vector_to_dictionary_without_keys"): (TypeError, True)}


def visible_cell(assignment, grade_id):
    return next(cell.source for cell in nbformat.read(notebook(assignment), as_version=4).cells
                if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def run_visible_test(assignment, grade_id, function_code):
    """The visible test cell, run after the notebook's provided code and the reference, with
    `function_code` (a student's functions) defined last, as the student's notebook would."""
    namespace = dict(reference_functions(assignment))
    exec(function_code, namespace)
    exec(visible_cell(assignment, grade_id), namespace)


def is_correct(assignment, student, function):
    """A correct student's function, written in another style: its EXPECTED gives it full points."""
    return student.expected.get(f"test_{function}") == cell_points(assignment)[f"test_{function}"]


def spec_students():
    for assignment, wired in WIRED.items():
        for path in sorted(SPEC_DIR.joinpath(assignment).glob("*.py")):
            if path.stem.startswith(("fault", "tamper")):
                continue  # they break the notebook, not a function
            student = load_student(path)
            for function in student.functions:
                if function in wired and (assignment, path.stem) not in NOT_ON_THE_VISIBLE_CASE \
                        and not is_correct(assignment, student, function):
                    yield pytest.param(assignment, student, function, id=f"{assignment}/{path.stem}")


@pytest.mark.parametrize("assignment", sorted(HINT_BUILDERS))
def test_shipped_hints_equal_builder(assignment):
    """The same hints and, within rounding (another CPU's BLAS kernels round otherwise), the same answers."""
    shipped, built = json.loads(hints_file(assignment).read_text()), json.loads(hints_text(assignment))
    assert same_within_rounding(shipped, built), (
        f"{hints_file(assignment).name} is stale: run python -m grader.course.stored_cases")


def same_within_rounding(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_within_rounding(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_within_rounding(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return bool(np.isclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True))
    return a == b


def test_rounding_is_all_the_comparison_forgives():
    assert same_within_rounding({"f": [["hint", 0.40604873393]]}, {"f": [["hint", 0.406048733928]]})
    assert not same_within_rounding({"f": [["hint", 0.41]]}, {"f": [["hint", 0.40]]})
    assert not same_within_rounding({"f": [["hint", 1.0]]}, {"f": [["another hint", 1.0]]})
    assert not same_within_rounding({"f": [["hint", 1.0]]}, {"g": [["hint", 1.0]]})


@pytest.mark.parametrize("assignment", sorted(HINT_BUILDERS))
def test_hints_ship_with_their_assignment_only(assignment):
    shipped = [f for f in SHARED_FILES[assignment] if f.endswith("_hints.json")]
    assert shipped == [f"testcases/data/{assignment}_hints.json"]


@pytest.mark.parametrize("assignment", sorted(WIRED))
def test_every_wired_function_has_stored_hints(assignment):
    stored = json.loads(hints_file(assignment).read_text())
    assert set(stored) == set(WIRED[assignment])
    for function, grade_id in WIRED[assignment].items():
        assert f'cases.hints("{function}"' in visible_cell(assignment, grade_id)
        assert all(pairs for pairs in stored[function].values())


@pytest.mark.parametrize("assignment, function",
                         [(a, f) for a, wired in sorted(WIRED.items()) for f in sorted(wired)])
def test_visible_test_passes_the_reference(assignment, function):
    run_visible_test(assignment, WIRED[assignment][function], solutions(assignment)[function])


@pytest.mark.parametrize("assignment, student, function", list(spec_students()))
def test_visible_test_names_the_students_mistake(assignment, student, function):
    assert student.hint, f"{student.name} declares no HINT"
    raised, with_hint = RAISES_AT_THE_VISIBLE_TEST.get((assignment, student.name), (CheckFailure, True))
    with pytest.raises(raised) as failure:
        run_visible_test(assignment, WIRED[assignment][function], "\n\n".join(student.functions.values()))
    if with_hint:
        assert student.hint in str(failure.value)


def correct_students():
    for assignment, wired in WIRED.items():
        for path in sorted(SPEC_DIR.joinpath(assignment).glob("*.py")):
            student = load_student(path)
            for function in student.functions:
                if function in wired and is_correct(assignment, student, function):
                    yield pytest.param(assignment, student, function, id=f"{assignment}/{path.stem}/{function}")


@pytest.mark.parametrize("assignment, student, function", list(correct_students()))
def test_visible_test_passes_a_correct_student_in_another_style(assignment, student, function):
    run_visible_test(assignment, WIRED[assignment][function], "\n\n".join(student.functions.values()))


def test_the_hint_follows_the_problem_and_names_every_match():
    hints = [("A", 1.0), ("B", 2.0), ("C", 2.0)]
    with pytest.raises(CheckFailure, match=r"^x = 2\.0, expected 3\.0 .*\nHint: either B; or C$"):
        check_arrays(np.asarray(2.0), 3.0, name="x", hints=hints)
    with pytest.raises(CheckFailure) as failure:
        check_arrays(np.asarray(5.0), 3.0, name="x", hints=hints)
    assert "Hint" not in str(failure.value)


def test_stored_hints_of_an_unknown_part_are_none():
    assert stored_hints(hints_file("optimization"), "update_parameters_with_adam", "no such part") == []
