"""The fault table: every fault and attack of the example class is contained.

One grading of the fault class (about two minutes on two workers), checked
row by row: points as expected, a reason given, nothing changed on disk
outside the grader's outputs, nothing left in /tmp, no file of the course read.
"""
import pytest

from grader.course.faults import fault_table, format_table


@pytest.fixture(scope="module")
def table():
    return fault_table(cell_timeout=10, workers=2)


def test_every_fault_is_contained(table):
    rows, summary, nothing_lost = table
    assert [r.student for r in rows if not r.contained] == []
    assert nothing_lost, summary
    assert format_table(rows, summary, nothing_lost).endswith("nothing lost")


def test_the_class_around_the_faults_is_graded_as_usual(table):
    rows, _, _ = table
    points = {r.student: (r.points, r.expected) for r in rows}
    assert points["reference"] == (5, 5) and points["blank"] == (0, 0)
    assert points["fault_kernel_exit"] == (3, 3)  # only the function that kills the kernel loses points
    assert points["fault_endless_loop"] == (4, 4)
    assert points["fault_memory_hog"] == (3, 3)
    for accident in ("fault_deleted_test", "fault_duplicated_test", "fault_duplicated_answer",
                     "fault_stripped_metadata", "fault_moved_test", "fault_raised_points"):
        assert points[accident] == (5, 5), accident  # a correct notebook keeps full marks
    for attack in ("tampering_frame_walk", "tampering_agreeable_array"):
        assert points[attack] == (3, 3), attack  # 0 for the attacked function, He


def test_ungradable_notebooks_say_why(table):
    rows, _, _ = table
    reasons = {r.student: r.reason for r in rows}
    assert "JSONDecodeError" in reasons["fault_invalid_json"]
    for student in ("fault_invalid_json", "fault_no_notebook", "fault_renamed_notebook", "fault_wrong_assignment"):
        assert reasons[student].startswith("not graded: ")
    assert "right notebook" in reasons["fault_wrong_assignment"]
    assert "did not finish within 10 s" in reasons["fault_endless_loop"]
    assert "subclass of numpy's array" in reasons["tampering_agreeable_array"]
