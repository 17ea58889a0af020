"""The integrity report ranks the planted copies first and flags no honest pair.

The class is the example class of gradient_checking plus the integrity class
(testcases/integrity_class/), written into a scratch course without grading:
the report reads submitted notebooks only.
"""
import csv

import nbformat
import pytest

from helpers import ROOT
from grader.course import integrity
from grader.course.example_class import build, integrity_students, solutions, students
from grader.autograde.preprocessors import RunHiddenTestsApart
from helpers import hidden_tests, source_cells

ASSIGNMENT = "gradient_checking"
COPIES = {frozenset({"shares_file_original", "shares_file_copy"}), frozenset({"renamed_original", "renamed_copy"})}
LOOKALIKES = frozenset({"honest_alike_a", "honest_alike_b"})


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("integrity")
    (course / "release").symlink_to(ROOT / "release")
    build([ASSIGNMENT], course / "submitted", chosen=lambda a: students(a) + integrity_students(a))
    return course


@pytest.fixture(scope="module")
def pairs(course):
    return integrity.rank_pairs(course, [ASSIGNMENT])


def score(pairs, names):
    return next(pair.score for pair in pairs if frozenset((pair.first, pair.second)) == names)


def test_most_honest_pairs_share_something(pairs):
    # Every student but the blank one holds the reference's code in some cells: the
    # ranking below compares the copies with honest pairs that do share code.
    honest = [p for p in pairs if frozenset((p.first, p.second)) not in COPIES]
    assert len(honest) >= 20


def test_the_copying_pairs_rank_above_every_honest_pair(pairs):
    honest = [p.score for p in pairs if frozenset((p.first, p.second)) not in COPIES]
    assert min(score(pairs, copy) for copy in COPIES) > max(honest)


def test_the_copies_are_flagged_and_no_honest_pair_is(pairs):
    flagged = {frozenset((p.first, p.second)) for p in pairs if p.score >= integrity.THRESHOLD}
    assert flagged == COPIES
    assert score(pairs, LOOKALIKES) < integrity.THRESHOLD


def test_each_copy_is_caught_by_the_signal_it_left(pairs):
    def kinds(names):
        pair = next(p for p in pairs if frozenset((p.first, p.second)) == names)
        return {signal.kind: signal.strength for signal in pair.signals}
    assert kinds(frozenset({"shares_file_original", "shares_file_copy"}))["cell ids"] >= integrity.THRESHOLD
    assert kinds(frozenset({"renamed_original", "renamed_copy"}))["code"] >= integrity.THRESHOLD


def test_the_lookalikes_share_code_that_rarity_discounts(pairs):
    # They share one-liners and a one-line formula: found, but not enough to flag.
    pair = next(p for p in pairs if frozenset((p.first, p.second)) == LOOKALIKES)
    assert 0 < sum(s.strength for s in pair.signals if s.kind == "code") < integrity.THRESHOLD


def test_a_fingerprint_everyone_has_is_worth_little():
    assert integrity.rarity_weight(2) == 1
    assert integrity.rarity_weight(20) < 0.1


def test_the_report_is_written_next_to_the_grades_with_links_and_a_caveat(course, pairs):
    html_path, csv_path = integrity.write_report(course, pairs)
    assert html_path == course / "integrity_report.html" and csv_path == course / "integrity_report.csv"
    page = html_path.read_text()
    assert "not proof" in page
    assert "feedback/renamed_copy/gradient_checking/gradient_checking.html" in page
    assert "<mark" in page
    rows = list(csv.DictReader(csv_path.open()))
    assert {frozenset((r["first"], r["second"])) for r in rows if r["flagged"] == "yes"} == COPIES
    assert not (course / "feedback").exists()


@pytest.mark.parametrize("student", integrity_students(ASSIGNMENT), ids=lambda s: s.name)
def test_planted_students_deserve_full_marks(student):
    meta = lambda cell: cell.metadata.get("nbgrader", {})  # noqa: E731
    provided = [c.source for c in source_cells(ASSIGNMENT)
                if c.cell_type == "code" and meta(c).get("locked") and not meta(c).get("grade")]
    code = [student.functions.get(name, reference) for name, reference in solutions(ASSIGNMENT).items()]
    verdicts = RunHiddenTestsApart().run_apart({"provided": provided, "student": code, "tests": hidden_tests(ASSIGNMENT)})
    assert all(v["passed"] for v in verdicts.values()), verdicts


# Signals of the notebook file, each on two hand-made notebooks.

def notebook_with(*cells, **metadata):
    nb = nbformat.v4.new_notebook(metadata=metadata)
    nb.cells = list(cells)
    return nb


def code_cell(count, *outputs, **metadata):
    return nbformat.v4.new_code_cell("x = 1", execution_count=count, outputs=list(outputs), metadata=metadata)


def kinds_between(first, second, others=()):
    release = integrity.Release(stubs={}, cell_ids=set(), markdown=set(), metadata=set())
    submissions = [integrity.read_notebook(name, ASSIGNMENT, nb, release)
                   for name, nb in [("a", first), ("b", second)] + [(f"o{i}", nb) for i, nb in enumerate(others)]]
    found = integrity.compare_class(submissions)
    return {signal.kind for pair in found if {pair.first, pair.second} == {"a", "b"} for signal in pair.signals}


def test_a_straight_run_is_no_evidence_but_the_same_irregular_run_is():
    straight = [code_cell(i + 1) for i in range(4)]
    assert "execution counts" not in kinds_between(notebook_with(*straight), notebook_with(*straight))
    irregular = [code_cell(n) for n in (3, 9, 4, 17)]
    assert "execution counts" in kinds_between(notebook_with(*irregular), notebook_with(*irregular))


def test_outputs_that_cannot_coincide():
    address = nbformat.v4.new_output("execute_result", {"text/plain": "<Figure at 0x7f3a2c1d9e50>"}, execution_count=1)
    timing = nbformat.v4.new_output("stream", text="CPU times: user 1.23 s, sys: 40 ms\n")
    plain = nbformat.v4.new_output("stream", text="The gradient is correct!\n")
    assert "volatile output" in kinds_between(notebook_with(code_cell(1, address)), notebook_with(code_cell(1, address)))
    assert "volatile output" in kinds_between(notebook_with(code_cell(1, timing)), notebook_with(code_cell(1, timing)))
    assert "volatile output" not in kinds_between(notebook_with(code_cell(1, plain)), notebook_with(code_cell(1, plain)))


def test_identical_markdown_answers_errors_and_stray_metadata():
    answer = nbformat.v4.new_markdown_cell("The cost goes up because the step overshoots the minimum of the bowl.")
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="shapes (2,3) and (4,1) not aligned",
                                   traceback=["Cell In[14], line 3", "ValueError: shapes (2,3) and (4,1) not aligned"])
    first = notebook_with(answer, code_cell(1, error, scrolled=True), vscode={"interpreter": {"hash": "9f2c41"}})
    second = notebook_with(answer, code_cell(1, error, scrolled=True), vscode={"interpreter": {"hash": "9f2c41"}})
    assert {"markdown", "error", "metadata"} <= kinds_between(first, second)


def test_what_the_whole_class_shares_is_no_evidence():
    answer = nbformat.v4.new_markdown_cell("The cost goes up because the step overshoots the minimum of the bowl.")
    everyone = [notebook_with(answer) for _ in range(30)]
    assert "markdown" not in kinds_between(everyone[0], everyone[1], everyone[2:])
