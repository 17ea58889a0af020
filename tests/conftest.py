"""Shared fixtures: notebook runs, a release copy, the graded small class (helpers: helpers.py)."""
import shutil

import pytest

from grader.assignments import ASSIGNMENTS, ROOT, notebook
from grader.autograde.class_grading import grade_class
from grader.course.commands import nbgrader
from helpers import MODES_BEFORE_GRADING, build_small_course, file_modes, run_notebook


@pytest.fixture(scope="session")
def executed_source():
    """Each source notebook run once, top to bottom, hidden tests included."""
    cache = {}

    def run(assignment):
        if assignment not in cache:
            cache[assignment] = run_notebook(notebook(assignment))
        return cache[assignment]
    return run


@pytest.fixture
def release_copy(tmp_path):
    """A copy of release/<assignment>/, as a student downloads it."""
    def copy(assignment):
        target = tmp_path / assignment
        shutil.copytree(ROOT / "release" / assignment, target)
        return target
    return copy


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    """A scratch copy of the course, release regenerated, small class graded.

    The course sits in a folder only its owner may enter (as home folders often
    are), apart from the Python environment: grading must not depend on that.
    """
    private = tmp_path_factory.mktemp("private")
    private.chmod(0o700)
    course = private / "course"
    build_small_course(course, ASSIGNMENTS)
    MODES_BEFORE_GRADING.update(course=file_modes(course), repository=file_modes(ROOT))
    grade_class(course, ASSIGNMENTS, workers=2, quiet=True)
    nbgrader("export", "--to", str(course / "grades.csv"), root=course)
    return course


