"""What the class got right and which mistakes it made most, written next to grades.csv.

    class_report.csv   one row per graded test: submissions, passed, share, commonest reasons
    class_report.png   share of the class passing each graded test
    class_report.html  the table and the plot in one page
"""
import base64
import collections
import csv
import html
import io
from pathlib import Path

import matplotlib
import nbformat
from nbgrader.utils import is_grade

from grader.assignments import ASSIGNMENTS
from grader.autograde.gradebook import collect_scores, max_points

TOP_REASONS = 3


def failure_reason(cell):
    """The hint a failed test cell gave, else the error it raised, in one line."""
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        message = output.get("evalue", "")
        hints = [line.removeprefix("Hint:").strip() for line in message.splitlines() if line.startswith("Hint:")]
        if hints:
            return hints[0]
        first_line = message.strip().splitlines()[0] if message.strip() else ""
        return f"{output.get('ename', 'Error')}: {first_line}"[:120]
    return "no output (cell not run)"


def failure_reasons(root, assignment, student):
    """grade_id -> reason, for the failed test cells of one autograded notebook."""
    path = Path(root) / "autograded" / student / assignment / f"{assignment}.ipynb"
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return {}
    return {cell.metadata["nbgrader"]["grade_id"]: failure_reason(cell) for cell in nb.cells
            if is_grade(cell) and cell.cell_type == "code"}


def summarize(root, db_url=None):
    """One row per graded test cell: how many passed, and the commonest reasons for failing."""
    scores = collect_scores(Path(root), db_url)
    rows = []
    for assignment in ASSIGNMENTS:
        if assignment not in scores:
            continue
        points = max_points(Path(root), assignment, db_url)
        by_student = scores[assignment]
        reasons = {student: None for student in by_student}
        for test, top in points.items():
            passed, why = 0, collections.Counter()
            for student, cells in by_student.items():
                if cells.get(test, 0) >= top:
                    passed += 1
                    continue
                if reasons[student] is None:
                    reasons[student] = failure_reasons(root, assignment, student)
                why[reasons[student].get(test, "submission not graded")] += 1
            rows.append(dict(assignment=assignment, test=test.removeprefix("test_"),
                             submissions=len(by_student), passed=passed,
                             share=passed / len(by_student) if by_student else 0.0,
                             reasons=why.most_common(TOP_REASONS)))
    return rows


def plot(rows):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{row['assignment']}: {row['test']}" for row in rows]
    figure, axis = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.2))
    axis.barh(labels, [100 * row["share"] for row in rows], color="tab:blue")
    axis.invert_yaxis()
    axis.set_xlim(0, 100)
    axis.set_xlabel("share of submissions passing (%)")
    axis.set_title("Class report: each graded test")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def reasons_text(reasons):
    return "; ".join(f"{reason} ({count})" for reason, count in reasons)


def to_html(rows, png):
    lines = ["<!doctype html><meta charset='utf-8'><title>Class report</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.2em .6em;"
             "border-bottom:1px solid #ddd;text-align:left;vertical-align:top}</style>",
             "<h1>Class report</h1>",
             f"<img alt='share of the class passing each test' src='data:image/png;base64,"
             f"{base64.b64encode(png).decode()}'>",
             "<table><tr><th>assignment</th><th>test</th><th>passed</th><th>commonest reasons for failing</th></tr>"]
    for row in rows:
        reasons = "<br>".join(f"{html.escape(reason)} ({count})" for reason, count in row["reasons"])
        lines.append(f"<tr><td>{row['assignment']}</td><td>{row['test']}</td>"
                     f"<td>{row['passed']}/{row['submissions']} ({100 * row['share']:.0f}%)</td><td>{reasons}</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


def write(root, db_url=None):
    """Write the report's three files into `root`; returns their paths."""
    root = Path(root)
    rows = summarize(root, db_url)
    png = plot(rows)
    paths = [root / "class_report.csv", root / "class_report.png", root / "class_report.html"]
    with open(paths[0], "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["assignment", "test", "submissions", "passed", "share", "commonest reasons for failing"])
        for row in rows:
            writer.writerow([row["assignment"], row["test"], row["submissions"], row["passed"],
                             f"{row['share']:.3f}", reasons_text(row["reasons"])])
    paths[1].write_bytes(png)
    paths[2].write_text(to_html(rows, png))
    return paths
