"""Plain `nbgrader autograde` with the course's config (what formgrader's Autograde button runs)
grades notebooks that went through accidents as the parallel grader does, one after another."""
import pytest

from grader.course.commands import nbgrader
from grader.course.example_class import expected_scores, scratch_course, students
from grader.autograde.gradebook import collect_scores

ACCIDENTS = ["fault_duplicated_test", "fault_wrong_assignment", "fault_deleted_test", "fault_stripped_metadata",
             "tampering_agreeable_array", "reference"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    chosen = [s for s in students("initialization") if s.name in ACCIDENTS]
    private = tmp_path_factory.mktemp("plain")
    private.chmod(0o700)
    course = scratch_course(private / "course", ["initialization"], lambda a: chosen)
    nbgrader("autograde", "initialization", root=course, check=False)
    return course


def test_one_batch_grades_every_notebook_as_it_deserves(course):
    got = collect_scores(course)["initialization"]
    expected = expected_scores("initialization")
    graded = [name for name in ACCIDENTS if name != "fault_wrong_assignment"]
    assert {name: got.get(name) for name in graded} == {name: expected[name] for name in graded}
    assert sum(got.get("fault_wrong_assignment", {}).values()) == 0


def test_another_assignments_notebook_fails_alone(course):
    assert not (course / "autograded" / "fault_wrong_assignment" / "initialization" / "initialization.ipynb").exists()
