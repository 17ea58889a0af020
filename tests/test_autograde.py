"""End to end: nbgrader grades a small example class exactly as expected."""
import html
import re

import pytest

from helpers import MODES_BEFORE_GRADING, ROOT, file_modes, small_class
from grader.assignments import ASSIGNMENTS
from grader.course.example_class import expected_scores
from grader.autograde.gradebook import collect_scores


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_scores_are_as_expected(graded_course, assignment):
    got = collect_scores(graded_course)[assignment]
    expected = expected_scores(assignment)
    assert set(got) == {s.name for s in small_class(assignment)}
    assert got == {name: expected[name] for name in got}


def test_grades_csv_has_every_submission(graded_course):
    rows = (graded_course / "grades.csv").read_text().splitlines()
    # nbgrader exports one row per student and assignment, submitted or not.
    students = {s.name for a in ASSIGNMENTS for s in small_class(a)}
    assert len(rows) == 1 + len(students) * len(ASSIGNMENTS)


def test_tampered_helper_was_replaced_by_the_instructors(graded_course):
    graded = graded_course / "autograded" / "tampered_helper" / "initialization" / "utils" / "checks.py"
    assert graded.read_text() == (ROOT / "utils" / "checks.py").read_text()


def test_feedback_shows_no_hidden_test(graded_course):
    pages = list((graded_course / "feedback").rglob("*.html"))
    assert pages
    # A student who typed "grader." in a cell of their own sees it in their feedback: only check the others.
    own_code = {s.name for a in ASSIGNMENTS for s in small_class(a) if s.cells}
    for page in pages:
        text = page.read_text()
        assert "HIDDEN TESTS" not in text, page
        if page.relative_to(graded_course / "feedback").parts[0] not in own_code:
            assert not re.search(r"grader\.|check_(zeros|random|he)\b|/grader/", text), page


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_gives_each_mistake_its_hint(graded_course, assignment):
    for student in small_class(assignment):
        if student.hint:
            page = graded_course / "feedback" / student.name / assignment / f"{assignment}.html"
            assert student.hint in html.unescape(page.read_text()), student.name


def test_feedback_wraps_long_lines_to_the_page(graded_course):
    """A failed test's message is one long line: the page wraps it rather than letting it run off."""
    from grader.autograde.preprocessors import WrapLongLines

    page = (graded_course / "feedback" / "blank" / "initialization" / "initialization.html").read_text()
    assert "HiddenTestFailure" in page and WrapLongLines.css in page


def test_grading_leaves_every_file_mode_as_it_was(graded_course):
    """Student code is kept from the course by what its sandbox sees, not by locking the course."""
    for tree, root in (("course", graded_course), ("repository", ROOT)):
        after = file_modes(root)
        before = MODES_BEFORE_GRADING[tree]
        assert {path: (mode, after.get(path)) for path, mode in before.items() if after.get(path) != mode} == {}


def test_a_students_pasted_begin_hidden_tests_does_not_break_feedback():
    """Feedback clears hidden tests from the test cells only; the student's cell keeps the student's text."""
    import nbformat
    from traitlets.config import Config
    from grader.autograde.preprocessors import ClearHiddenTestsOfTestCells

    student = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\ndef f():\n    return 1")
    student.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "f", "locked": False}
    test = nbformat.v4.new_code_cell("# visible\n### BEGIN HIDDEN TESTS\ncheck(f)\n### END HIDDEN TESTS")
    test.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "test_f", "points": 1,
                                 "locked": True}
    nb = nbformat.v4.new_notebook(cells=[student, test])
    nb, _ = ClearHiddenTestsOfTestCells(config=Config()).preprocess(nb, {})
    assert nb.cells[0].source == student.source
    assert nb.cells[1].source == "# visible"
