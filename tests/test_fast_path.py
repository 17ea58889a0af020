"""`grade --fast`: the notebook is not run, and the grades are those of the full path.

Every point comes from hidden tests, which run outside the kernel in both paths,
so skipping the kernel changes no grade: the expected scores of the example
class (grader.course.example_class.expected_scores, what the full path gives)
must come out of the fast path unchanged.
"""
import nbformat
import pytest

from conftest import build_small_course
from grader.assignments import ASSIGNMENTS
from grader.autograde.class_grading import grade_class
from grader.autograde.gradebook import collect_scores
from grader.course.example_class import expected_scores, students

# Every student of the example class (full marks, nothing, each mistake, every fault and attack)
# gets on the fast path the points the full path gives (expected_scores): no grade differs, since
# no test cell has visible code and every point comes from the hidden tests in both paths.
# The endless loop waits out the hidden tests' time limit; a short one keeps the test short.
SHORT_LIMIT = "\nc.RunHiddenTestsApart.timeout = 5\n"


@pytest.fixture(scope="module")
def fast_course(tmp_path_factory):
    course = tmp_path_factory.mktemp("fast") / "course"
    build_small_course(course, ASSIGNMENTS, students)
    (course / "nbgrader_config.py").write_text((course / "nbgrader_config.py").read_text() + SHORT_LIMIT)
    results = grade_class(course, ASSIGNMENTS, workers=2, fast=True, quiet=True)
    return course, {(r["assignment"], r["student"]): r for r in results}


def test_the_fast_path_gives_the_full_paths_grades(fast_course):
    course, results = fast_course
    scores = collect_scores(course)
    for assignment in ASSIGNMENTS:
        expected = expected_scores(assignment)
        for student in students(assignment):
            got = scores.get(assignment, {}).get(student.name, {})
            want = expected[student.name]
            assert {cell: got.get(cell) or 0 for cell in want} == want, (assignment, student.name,
                                                                           results[(assignment, student.name)])


def test_the_fast_path_does_not_run_the_notebook(fast_course):
    course, results = fast_course
    assert all(r["fast"] for r in results.values())
    graded = nbformat.read(course / "autograded" / "reference" / "optimization" / "optimization.ipynb", as_version=4)
    assert not any(cell.get("outputs") for cell in graded.cells if cell.cell_type == "code")
    feedback = (course / "feedback" / "reference" / "optimization" / "optimization.html").read_text()
    assert "was not run again" in feedback


def test_one_students_submissions_are_graded_alone(fast_course, capsys):
    from grader.course.commands import grade

    course, _ = fast_course
    grade(["--root", str(course), "--student", "reference", "--fast", "--force", "--workers", "1"])
    assert "graded 4, failed 0" in capsys.readouterr().out
    logs = sorted((course / "grading_log").glob("*/*.json"), key=lambda p: p.stat().st_mtime)
    assert {p.stem for p in logs[-4:]} == {"reference"} and logs[-5].stem != "reference"


def test_stale_or_forged_test_outputs_do_not_count(tmp_path):
    """The student's error under a test cell must not cost points, a forged score must not give any,
    and the student's other outputs reach the feedback as they were handed in."""
    from grader.course.example_class import Student, write_submission
    from grader.autograde.worker import grade_submission

    build_small_course(tmp_path, ["initialization"], lambda a: [])
    for name in ("stale", "forged"):
        # "stale" answers as the reference does, "forged" is the untouched release.
        folder = write_submission("initialization", Student(name, blank=name == "forged"), tmp_path / "submitted")
        path = folder / "initialization.ipynb"
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            grade = cell.metadata.get("nbgrader", {}).get("grade")
            if cell.cell_type == "code" and grade:
                cell.outputs = [nbformat.v4.new_output("error", ename="NameError", evalue="stale", traceback=[])
                                if name == "stale" else
                                nbformat.v4.new_output("execute_result", data={"text/plain": "1.0"})]
            elif cell.cell_type == "code":
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="my own output 12345\n")]
        nbformat.write(nb, path)
        result = grade_submission({"root": str(tmp_path), "db_url": "", "assignment": "initialization",
                                   "student": name, "fast": True})
        assert result["status"] == "graded", result
    scores = collect_scores(tmp_path)["initialization"]
    assert sum(scores["stale"].values()) == sum(expected_scores("initialization")["reference"].values())
    assert sum(scores["forged"].values()) == 0
    feedback = (tmp_path / "feedback" / "stale" / "initialization" / "initialization.html").read_text()
    assert "my own output 12345" in feedback


def test_metadata_is_still_validated_when_the_schema_is_checked_once():
    from nbgrader.nbgraderformat import ValidationError
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    from grader.assignments import notebook
    from grader.autograde.worker import validate_schema_once

    validate_schema_once()
    nb = nbformat.read(notebook("initialization"), as_version=4)
    MetadataValidatorV3().validate_nb(nb)
    next(c for c in nb.cells if "nbgrader" in c.metadata).metadata.nbgrader["points"] = "many"
    with pytest.raises(ValidationError, match="not of type 'number'"):
        MetadataValidatorV3().validate_nb(nb)


def test_the_time_left_comes_from_each_assignments_cost_in_earlier_runs():
    import io

    from grader.autograde.class_grading import Progress, summary

    tasks = [{"assignment": "optimization"}, {"assignment": "initialization"}, {"assignment": "initialization"}]
    progress = Progress(tasks, {"optimization": 20.0, "initialization": 5.0}, stream=io.StringIO())
    progress.update({"assignment": "optimization", "student": "a", "status": "graded", "seconds": 20.0})
    # 20 s of expected work done in 10 s of wall time: the 10 s left take 5 s.
    assert progress.seconds_left(10.0) == 5.0
    line = summary([{"status": "graded", "cpu_seconds": 3.0}, {"status": "failed", "cpu_seconds": 1.0}], 30.0)
    assert line == "graded 1, failed 1, wall time 30.0 s, CPU time 4.0 s, 4.0 notebooks per minute"
