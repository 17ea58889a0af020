"""The fault table: every fault and attack of the example class, graded, and what came of it.

    python -m grader faults [--cell-timeout SECONDS] [--workers N]

Grades, in a scratch course, the initialization submissions that misbehave
(testcases/example_class/initialization/fault_*.py and tampering_*.py) next to
ordinary ones, then prints one row per submission: what it does, whether it was
graded, its points against the expected points, the reason its feedback gives,
and whether it was contained: every other cell and every other student graded
as expected, nothing on disk changed outside the grader's own outputs, nothing
left in /tmp.
"""
import argparse
import hashlib
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from grader.assignments import ROOT
from grader.course.class_report import failure_reasons
from grader.course.example_class import expected_scores, scratch_course, students
from grader.autograde.gradebook import collect_scores
from grader.autograde.class_grading import LOG_DIR, grade_class
from grader.autograde.sandbox import UID_BASE, entries_of, limits_of_this_platform

ASSIGNMENT = "initialization"
ORDINARY = ["reference", "blank", "he_xavier_scale", "zeros_transposed"]
# What grading writes, and may change: the rest of the course must stay as it was.
OUTPUTS = ("autograded", "feedback", LOG_DIR, "gradebook.db")
FEEDBACK_LIMIT = 2 * 2**20  # bytes: a flood of output must not reach the feedback


@dataclass
class Row:
    student: str
    what: str
    graded: str
    points: float
    expected: float
    reason: str
    contained: bool


def misbehaving(student):
    return student.name.startswith(("fault_", "tamper"))


def fault_course(cell_timeout):
    chosen = [s for s in students(ASSIGNMENT) if misbehaving(s) or s.name in ORDINARY]
    config = f"\nc.Execute.timeout = {cell_timeout}\nc.RunHiddenTestsApart.timeout = {cell_timeout}\n"
    # mkdtemp's folder is its owner's alone (0700), as home folders often are: grading must not mind.
    course = scratch_course(Path(tempfile.mkdtemp(prefix="fault-table-")) / "course", [ASSIGNMENT],
                            lambda a: chosen, config)
    return course, chosen


def snapshot(course):
    """sha256 and mode of every file (mode of every folder) of the course but the grader's outputs."""
    files = {}
    for path in sorted(course.rglob("*")):
        relative = path.relative_to(course)
        if relative.parts[0].startswith(OUTPUTS):
            continue
        mode = oct(stat.S_IMODE(path.lstat().st_mode))
        files[str(relative)] = (hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "", mode)
    return files


def sandbox_leftovers(settle=2.0):
    """Files in /tmp and friends that belong to a sandbox user and stay there: what a grading
    still finishing removes within `settle` seconds is not left behind."""
    first = set(entries_of(lambda owner: owner >= UID_BASE))
    if first:
        time.sleep(settle)
    return sorted(first & set(entries_of(lambda owner: owner >= UID_BASE)))


def first_line(text):
    return (text or "").strip().splitlines()[0][:110] if (text or "").strip() else ""


def explain(course, student, result, scores, expected):
    """The reason a student or instructor is given for each test cell scored below full marks."""
    if result["status"] != "graded":
        return "not graded: " + first_line(result["error"])
    reasons = failure_reasons(course, ASSIGNMENT, student)
    lost = [cell for cell, points in expected.items() if scores.get(cell) is None or scores[cell] < points
            or points == 0]
    parts = []
    for cell in lost:
        if scores.get(cell) is None or cell not in reasons:
            parts.append(f"{cell.removeprefix('test_')}: test cell missing, needs manual grading")
        elif scores[cell] == 0:
            parts.append(f"{cell.removeprefix('test_')}: {first_line(reasons[cell])}")
    return "; ".join(parts) or "full marks"


def fault_table(cell_timeout=30, workers=2, keep=False):
    """Grade the fault class; returns (rows, summary lines)."""
    course, chosen = fault_course(cell_timeout)
    try:
        before = snapshot(course)
        start = time.monotonic()
        results = {r["student"]: r for r in grade_class(course, [ASSIGNMENT], workers=workers, quiet=True)}
        seconds = time.monotonic() - start
        changed = sorted(path for path, digest in snapshot(course).items() if before.get(path) != digest)
        changed += sorted(set(before) - set(snapshot(course)))
        leftovers = sandbox_leftovers()
        scores = collect_scores(course).get(ASSIGNMENT, {})
        expected = expected_scores(ASSIGNMENT)
        rows = []
        for student in chosen:
            got = {cell: scores.get(student.name, {}).get(cell) for cell in expected[student.name]}
            points = sum(p or 0 for p in got.values())
            feedback = course / "feedback" / student.name / ASSIGNMENT / f"{ASSIGNMENT}.html"
            small = not feedback.exists() or feedback.stat().st_size < FEEDBACK_LIMIT
            as_expected = all((got[c] or 0) == expected[student.name][c] for c in got)
            escaped = escapes(course, student.name)
            rows.append(Row(student.name, first_line(student_doc(student)), results[student.name]["status"],
                            points, sum(expected[student.name].values()),
                            explain(course, student.name, results[student.name], got, expected[student.name])
                            + (f"; ESCAPED: {escaped}" if escaped else ""),
                            as_expected and small and not escaped))
        summary = [f"{len(rows)} submissions graded on {workers} workers in {seconds:.0f} s "
                   f"(cell time limit {cell_timeout} s; one submission may take at most 900 s)",
                   "files changed outside the grader's outputs: " + (", ".join(changed) or "none"),
                   "files left in /tmp by student code: " + (", ".join(leftovers) or "none")]
        return rows, summary, not changed and not leftovers
    finally:
        if keep:
            print(f"scratch course kept in {course}", file=sys.stderr)
        else:
            shutil.rmtree(course.parent, ignore_errors=True)


def escapes(course, student):
    """What a submission's code says it could read or write outside its folder ("escaped: [...]")."""
    path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    if not path.exists():
        return []
    import ast
    import nbformat
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith("escaped: "):
                    found += ast.literal_eval(line.removeprefix("escaped: "))
    return found


def student_doc(student):
    path = ROOT / "testcases" / "example_class" / ASSIGNMENT / f"{student.name}.py"
    if not path.exists():
        return {"reference": "The solution (full marks).", "blank": "The release, untouched (0)."}[student.name]
    import ast
    return ast.get_docstring(ast.parse(path.read_text())) or ""


def format_table(rows, summary, nothing_lost):
    width = max(len(r.student) for r in rows)
    lines = [f"{'submission':<{width}}  {'graded':<7}{'points':>7}{'expected':>9}  contained  reason shown"]
    for r in rows:
        lines.append(f"{r.student:<{width}}  {r.graded:<7}{r.points:>7g}{r.expected:>9g}  "
                     f"{'yes' if r.contained else 'NO':<9}  {r.reason}")
        lines.append(f"{'':<{width}}    {r.what}")
    lines += [""] + summary
    lines.append("nothing lost" if nothing_lost and all(r.contained for r in rows) else "SOMETHING WAS LOST")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cell-timeout", type=int, default=30, help="nbgrader's time limit per cell")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch course to look at")
    args = parser.parse_args(argv)
    print(limits_of_this_platform())  # the table holds for this tier
    rows, summary, nothing_lost = fault_table(args.cell_timeout, args.workers, args.keep)
    print(format_table(rows, summary, nothing_lost))
    if not (nothing_lost and all(r.contained for r in rows)):
        sys.exit(1)
