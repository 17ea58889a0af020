"""Shared fixtures: the course root, reference solutions, notebook runs."""
import os
import shutil
import stat
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grader.course.commands import nbgrader
from grader.assignments import ASSIGNMENTS, notebook
from grader.course.example_class import scratch_course, students
from grader.autograde.class_grading import grade_class
from grader.reference import reference_functions  # noqa: F401 (used by the tests)

ROOT = Path(__file__).resolve().parents[1]


def run_notebook(path, timeout=300):
    """Execute a notebook in its own folder in a fresh kernel; errors are kept as outputs."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    return nb


def errors(nb):
    """(cell index, ename, evalue) of every error output."""
    return [(i, out.ename, out.evalue) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.outputs if out.output_type == "error"]


def text_output(nb):
    """Everything the notebook printed, stdout and stderr, as one string."""
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs if out.output_type == "stream")


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


def small_class(assignment):
    """Full marks, nothing, the tampering students, and one mistake per graded function.

    The fault submissions are graded by the fault table (tests/test_faults.py).

    The rest of the example class is graded by `make grade`; here its
    mistakes are checked at the unit level, which is enough and fast.
    """
    chosen, covered = [], set()
    for student in students(assignment):
        if student.name in ("reference", "blank") or student.name.startswith("tamper") \
                or not set(student.functions) <= covered and not student.name.startswith("fault_"):
            chosen.append(student)
            covered |= set(student.functions)
    return chosen


def file_modes(tree, skip=(".venv", ".git", "__pycache__", "artifacts")):
    """Relative path -> permission bits of every file and folder under `tree`."""
    modes = {}
    for folder, subfolders, files in os.walk(tree):
        subfolders[:] = [name for name in subfolders if name not in skip]
        for name in [*subfolders, *files]:
            path = Path(folder) / name
            modes[str(path.relative_to(tree))] = stat.S_IMODE(path.lstat().st_mode)
    return modes


MODES_BEFORE_GRADING = {}


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


def build_small_course(course, assignments, chosen=small_class):
    """Assignments generated and the small class (or chosen(assignment)) submitted, in `course`."""
    scratch_course(course, assignments, chosen)
